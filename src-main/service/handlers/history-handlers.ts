// `history:*` (issue 19): the journal of every job (src-main/history/), listed and filtered, or
// exported as CSV or JSON (filtered as listed), or one job's report as a printable HTML page.
import type { HistoryQuery } from '../../../shared/history.ts';
import { historyRecordToHtml, historyToCsv, historyToJson } from '../../history/history-export.ts';
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';
import { historyJournal } from '../job-history.ts';

/** An export's largest answer: one string crosses the transport, so it is bounded (about 100 MB of CSV at most). */
const maxExportedRecords = 100_000;

export const historyHandlers: HandlerTable<'history:list' | 'history:export'> = {
  'history:list': async (query) => {
    const { records, total, skippedLines, firstSkippedOffsetBytes } = await historyJournal.list(query);
    const unread = firstSkippedOffsetBytes === undefined ? {} : { unreadLines: { count: skippedLines, firstOffsetBytes: firstSkippedOffsetBytes } };
    return { records, total, ...unread };
  },
  'history:export': async (request) => {
    const stamp = new Date().toISOString().slice(0, 10);
    if (request.format === 'html') {
      const record = await findRecord(request.recordId);
      return {
        fileName: `isotope-${record.kind}-${stamp}-${record.id.slice(0, 8)}.html`,
        mimeType: 'text/html',
        text: historyRecordToHtml(record, Date.now()),
      };
    }
    const query: HistoryQuery = { ...request.query, limit: request.query.limit ?? maxExportedRecords };
    const { records } = await historyJournal.list(query, { maxRecords: maxExportedRecords });
    return request.format === 'csv'
      ? { fileName: `isotope-history-${stamp}.csv`, mimeType: 'text/csv', text: historyToCsv(records) }
      : { fileName: `isotope-history-${stamp}.json`, mimeType: 'application/json', text: historyToJson(records) };
  },
};

async function findRecord(recordId: string) {
  // Ids are job ids: the journal's fold finds the one record by its id.
  const record = await historyJournal.find(recordId);
  if (!record) throw new CodedError('not-found', `no job ${recordId} in the history`);
  return record;
}
