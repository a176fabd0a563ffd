// A child process for the history memory test and the history bench: lists the journal at PATH
// through the engine's own journal (the newest 100 twice, then a text search) and prints, as JSON,
// what that cost this process: the heap still held after it (what stays alive between listings,
// after a full GC) and the peak RSS over the baseline, in MiB, and each listing's time in ms.
// Run with --expose-gc.
import { openHistoryJournal } from '../../src-main/history/history-journal.ts';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: list-journal-memory.ts PATH');
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error('run with --expose-gc');
const mebibyte = 1024 * 1024;
collect();
const heapBeforeBytes = process.memoryUsage().heapUsed;
const rssBeforeBytes = process.memoryUsage.rss();
const journal = openHistoryJournal(path);
const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const startedMs = performance.now();
  return [await run(), performance.now() - startedMs];
};
const [listed, firstListingMs] = await timed(() => journal.list({ limit: 100 }));
const [, nextListingMs] = await timed(() => journal.list({ limit: 100 }));
// A text filter is not in the index: every record is read back (a batch at a time) to find it.
const [searched, searchMs] = await timed(() => journal.list({ text: 'NETINST-4999', limit: 100 }));
collect();
const heapAfterBytes = process.memoryUsage().heapUsed;
// maxRSS is in KiB (getrusage(2) ru_maxrss).
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  JSON.stringify({
    total: listed.total,
    returned: listed.records.length,
    searchedIds: searched.records.map((record) => record.id),
    searchedTotal: searched.total,
    retainedHeapMiB: (heapAfterBytes - heapBeforeBytes) / mebibyte,
    peakRssOverBaselineMiB: (peakRssBytes - rssBeforeBytes) / mebibyte,
    firstListingMs,
    nextListingMs,
    searchMs,
    // Keeps the journal (and what it holds) alive until the measurement is taken.
    kept: typeof journal,
  }),
);
