// The History screen (issue 19): every job the engine recorded (`history:list`), newest first,
// filtered by kind, outcome and text; exported as CSV or JSON (`history:export`, filtered as
// listed); one job shown as a report, saved as its HTML page. The engine does the filtering, so the
// answer and an export hold the same records.
import type { CallResponse } from '../../shared/contract.ts';
import type { AppError } from '../../shared/errors.ts';
import type { HistoryJobKind, HistoryOutcome, HistoryQuery, HistoryRecord } from '../../shared/history.ts';
import type { EngineClient } from '../api.ts';

export const historyKinds: readonly HistoryJobKind[] = ['flash', 'verify', 'format', 'backup', 'download'];
export const historyOutcomes: readonly HistoryOutcome[] = ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted', 'running'];

/** The job kinds the engine records (a verify-only job finishes as kind flash). */
const recordedKinds: ReadonlySet<string> = new Set(['flash', 'format', 'backup', 'download']);

/** A file the engine wrote for the user to keep: its proposed name, type and text. */
export interface ExportedFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly text: string;
}

export class HistoryList {
  records = $state.raw<readonly HistoryRecord[]>([]);
  /** How many records match in all (the list shows the newest 1000 at most). */
  total = $state(0);
  /** Lines of the journal the engine could not read (how many, the first one's byte offset); null when none. */
  unreadLines = $state.raw<CallResponse<'history:list'>['unreadLines'] | null>(null);
  /** True once a listing has answered (so "no jobs" is a fact, not a guess). */
  loaded = $state(false);
  busy = $state(false);
  error = $state.raw<AppError | null>(null);
  /** Filters: null is "any". */
  kind = $state<HistoryJobKind | null>(null);
  outcome = $state<HistoryOutcome | null>(null);
  text = $state('');
  /** The job whose report is shown, by id; null: the list. */
  reportId = $state<string | null>(null);
  readonly #client: EngineClient;
  /** Answers to older listings are dropped, so a slow answer never overwrites a newer filter's. */
  #listing = 0;

  constructor(client: EngineClient) {
    this.#client = client;
    // A job that ends (here or in another client of this engine) is in the journal now: a shown list is read again.
    client.subscribe('job:finished', (finished) => {
      if (this.loaded && recordedKinds.has(finished.kind)) void this.load();
    });
  }

  get query(): HistoryQuery {
    const text = this.text.trim();
    return {
      ...(this.kind === null ? {} : { kinds: [this.kind] }),
      ...(this.outcome === null ? {} : { outcomes: [this.outcome] }),
      ...(text === '' ? {} : { text: text.slice(0, 256) }),
    };
  }

  get report(): HistoryRecord | null {
    return this.records.find((record) => record.id === this.reportId) ?? null;
  }

  async load(): Promise<void> {
    const listing = ++this.#listing;
    this.busy = true;
    try {
      const result = await this.#client.call('history:list', this.query);
      if (listing !== this.#listing) return;
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      this.error = null;
      this.records = result.value.records;
      this.total = result.value.total;
      this.unreadLines = result.value.unreadLines ?? null;
      this.loaded = true;
    } finally {
      if (listing === this.#listing) this.busy = false;
    }
  }

  /** The filtered history as a CSV or JSON file; null (with `error` set) when the engine refused. */
  exportList(format: 'csv' | 'json'): Promise<ExportedFile | null> {
    return this.#export({ format, query: this.query });
  }

  /** One job's report as a self-contained HTML page. */
  exportReport(recordId: string): Promise<ExportedFile | null> {
    return this.#export({ format: 'html', recordId });
  }

  async #export(request: { format: 'csv' | 'json'; query: HistoryQuery } | { format: 'html'; recordId: string }): Promise<ExportedFile | null> {
    const result = await this.#client.call('history:export', request);
    if (!result.ok) {
      this.error = result.error;
      return null;
    }
    this.error = null;
    return result.value;
  }
}
