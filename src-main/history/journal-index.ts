// What a reading of the history journal (history-journal.ts) keeps between listings: not the records
// but an index. For each job, the fields a listing filters and sorts on before reading anything back
// (kind, outcome, start time) and WHERE its lines are in the file (the byte offset and length of its
// `started` or `record` line and of its `ended` line), in typed columns of 34 bytes a job, plus its
// id (to match an `ended` to its `started`, to refuse a second `started`, and for find). A listing
// reads back by offset only the records it answers with (readBack, in batches for a text filter), so
// a 50 MB journal of 50,000 jobs is held in a few MiB, not in its size.
//
// The index is of one file (device and inode, only ever appended to): a line read back that is not
// the one indexed there (another job's, or one whose kind, start time or outcome is not the index's)
// means the file was edited in place, which readBack reports as JournalChangedError (the journal
// then reads the file afresh).
import type { FileHandle } from 'node:fs/promises';
import { CodedError } from '../jobs/errors.ts';
import { historyJobKinds, historyOutcomes, type HistoryJobKind, type HistoryOutcome, type HistoryRecord } from '../../shared/history.ts';
import { endedRecord, parseJournalLine, recordOfEvent, unendedRecord, type JournalEvent, type OwnerLiveness, type StartedEvent } from './journal-events.ts';

/** Where one line of the journal is: its first byte, and its length without the newline. */
export interface LineSpan {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/** What a listing's filter reads of a job before its record is read back. */
export interface IndexedJob {
  readonly kind: HistoryJobKind;
  readonly outcome: HistoryOutcome;
  readonly startedMs: number;
}

/** A line read back is not the one the index holds there: the file was changed in place. */
export class JournalChangedError extends CodedError {
  constructor(offsetBytes: number) {
    super('source-changed', `the history journal changed at byte ${offsetBytes} while it was read; list it again`);
  }
}

/** Records read back at once where a listing or a compaction goes through many (a text filter, every record). */
export const readBackBatchRows = 256;
/** Spans this close (or closer) are read back in one read, up to readBackBytes at once. */
const coalesceGapBytes = 64 * 1024;
const readBackBytes = 1024 * 1024;
const noEndOffset = -1;

export class JournalIndex {
  #rows = 0;
  #startedMs = new Float64Array(64);
  #kind = new Uint8Array(64);
  /** Index in historyOutcomes of the ended outcome; unended rows are judged by their owner (#unended). */
  #outcome = new Uint8Array(64);
  #firstOffsetBytes = new Float64Array(64);
  #firstLengthBytes = new Uint32Array(64);
  #endOffsetBytes = new Float64Array(64);
  #endLengthBytes = new Uint32Array(64);
  readonly #rowOfId = new Map<string, number>();
  /** The rows with a `started` and no `ended` yet, with what judges them running or interrupted. */
  readonly #unended = new Map<number, Pick<StartedEvent, 'id' | 'owner'>>();
  /** Lines that are not events this version wrote, or events out of place (an `ended` without its `started`, a second `started`). */
  skippedLines = 0;
  firstSkippedOffsetBytes: number | null = null;

  skip(offsetBytes: number): void {
    this.skippedLines += 1;
    this.firstSkippedOffsetBytes ??= offsetBytes;
  }

  /** Folds one event, read from `span`, in journal order. */
  add(event: JournalEvent, span: LineSpan): void {
    const known = this.#rowOfId.get(event.id);
    if (event.event === 'ended') {
      if (known === undefined || !this.#unended.has(known)) return this.skip(span.offsetBytes);
      this.#unended.delete(known);
      this.#outcome[known] = historyOutcomes.indexOf(event.outcome);
      this.#endOffsetBytes[known] = span.offsetBytes;
      this.#endLengthBytes[known] = span.lengthBytes;
      return;
    }
    if (known !== undefined) return this.skip(span.offsetBytes);
    const row = this.#appendRow(event, span);
    this.#rowOfId.set(event.id, row);
    if (event.event === 'started') this.#unended.set(row, { id: event.id, owner: event.owner });
  }

  /** The row of job `id`, or null. */
  rowOf(id: string): number | null {
    return this.#rowOfId.get(id) ?? null;
  }

  /** The rows `matches` keeps, newest first (the later line first among equal start times). */
  select(matches: (job: IndexedJob) => boolean, isOwnerAlive: OwnerLiveness): number[] {
    const rows: number[] = [];
    for (let row = 0; row < this.#rows; row += 1) {
      const job = {
        kind: historyJobKinds[cell(this.#kind, row)] ?? 'flash',
        outcome: this.#outcomeOf(row, isOwnerAlive),
        startedMs: cell(this.#startedMs, row),
      };
      if (matches(job)) rows.push(row);
    }
    return rows.sort((a, b) => cell(this.#startedMs, b) - cell(this.#startedMs, a) || b - a);
  }

  /** The rows that ended, in journal order, and those that did not, each with whether its owner still runs it. */
  partition(isOwnerAlive: OwnerLiveness): { ended: number[]; unended: { row: number; running: boolean }[] } {
    const ended: number[] = [];
    for (let row = 0; row < this.#rows; row += 1) if (!this.#unended.has(row)) ended.push(row);
    const unended = [...this.#unended].map(([row, { id, owner }]) => ({ row, running: isOwnerAlive(owner, id) }));
    return { ended, unended };
  }

  /**
   * The records of `rows`, in that order, read back from `file` (the file this index was read from);
   * with `mayMatch`, only those whose lines, as they are in the file, it keeps are parsed and answered.
   */
  async readBack(
    file: FileHandle,
    rows: readonly number[],
    isOwnerAlive: OwnerLiveness,
    mayMatch?: (lines: readonly string[]) => boolean,
  ): Promise<HistoryRecord[]> {
    const spansOfRows = rows.map((row) => this.#spansOf(row));
    const lines = await readLines(file, spansOfRows.flat());
    const records: HistoryRecord[] = [];
    let next = 0;
    rows.forEach((row, index) => {
      const rowLines = lines.slice(next, (next += spansOfRows[index]?.length ?? 0));
      if (mayMatch === undefined || mayMatch(rowLines)) records.push(this.#recordOf(row, rowLines, isOwnerAlive));
    });
    return records;
  }

  /**
   * `row`'s record from its lines read back (its `record`, or its `started` and `ended` if it ended),
   * checked to hold what the index filtered on (an outcome edited in place must not pass a filter on
   * the old one).
   */
  #recordOf(row: number, [firstLine, endLine]: readonly string[], isOwnerAlive: OwnerLiveness): HistoryRecord {
    const first = this.#eventAt(row, firstLine);
    const indexedOutcome = historyOutcomes[cell(this.#outcome, row)];
    if (first.event === 'record') {
      if (first.outcome !== indexedOutcome) throw changedAt(cell(this.#firstOffsetBytes, row));
      return recordOfEvent(first);
    }
    if (endLine === undefined) return unendedRecord(first, isOwnerAlive(first.owner, first.id));
    const end = parseJournalLine(endLine);
    if (end?.event !== 'ended' || end.id !== first.id || end.outcome !== indexedOutcome) throw changedAt(cell(this.#endOffsetBytes, row));
    return endedRecord(first, end);
  }

  /** The `started` events of unended `rows`, read back from `file`. */
  async readBackStarted(file: FileHandle, rows: readonly number[]): Promise<StartedEvent[]> {
    const spans = rows.map((row) => this.#spansOf(row)[0] ?? { offsetBytes: 0, lengthBytes: 0 });
    const lines = await readLines(file, spans);
    return rows.map((row, index) => {
      const event = this.#eventAt(row, lines[index]);
      if (event.event !== 'started') throw changedAt(cell(this.#firstOffsetBytes, row));
      return event;
    });
  }

  /** The event of `row`'s first line (its `started` or `record`), checked to be that job's with the kind and start time indexed. */
  #eventAt(row: number, line: string | undefined): Exclude<JournalEvent, { readonly event: 'ended' }> {
    const event = line === undefined ? null : parseJournalLine(line);
    const indexed =
      event !== null &&
      event.event !== 'ended' &&
      this.#rowOfId.get(event.id) === row &&
      event.kind === historyJobKinds[cell(this.#kind, row)] &&
      event.startedMs === cell(this.#startedMs, row);
    if (!indexed) throw changedAt(cell(this.#firstOffsetBytes, row));
    return event;
  }

  #spansOf(row: number): LineSpan[] {
    const first = { offsetBytes: cell(this.#firstOffsetBytes, row), lengthBytes: cell(this.#firstLengthBytes, row) };
    const endOffsetBytes = cell(this.#endOffsetBytes, row);
    return endOffsetBytes === noEndOffset ? [first] : [first, { offsetBytes: endOffsetBytes, lengthBytes: cell(this.#endLengthBytes, row) }];
  }

  #outcomeOf(row: number, isOwnerAlive: OwnerLiveness): HistoryOutcome {
    const unended = this.#unended.get(row);
    if (unended !== undefined) return isOwnerAlive(unended.owner, unended.id) ? 'running' : 'interrupted';
    return historyOutcomes[cell(this.#outcome, row)] ?? 'failed';
  }

  #appendRow(event: JournalEvent & { readonly event: 'started' | 'record' }, span: LineSpan): number {
    if (this.#rows === this.#startedMs.length) this.#grow(this.#rows * 2);
    const row = this.#rows++;
    this.#startedMs[row] = event.startedMs;
    this.#kind[row] = historyJobKinds.indexOf(event.kind);
    this.#outcome[row] = event.event === 'record' ? historyOutcomes.indexOf(event.outcome) : 0;
    this.#firstOffsetBytes[row] = span.offsetBytes;
    this.#firstLengthBytes[row] = span.lengthBytes;
    this.#endOffsetBytes[row] = noEndOffset;
    this.#endLengthBytes[row] = 0;
    return row;
  }

  #grow(rows: number): void {
    this.#startedMs = grown(this.#startedMs, new Float64Array(rows));
    this.#kind = grown(this.#kind, new Uint8Array(rows));
    this.#outcome = grown(this.#outcome, new Uint8Array(rows));
    this.#firstOffsetBytes = grown(this.#firstOffsetBytes, new Float64Array(rows));
    this.#firstLengthBytes = grown(this.#firstLengthBytes, new Uint32Array(rows));
    this.#endOffsetBytes = grown(this.#endOffsetBytes, new Float64Array(rows));
    this.#endLengthBytes = grown(this.#endLengthBytes, new Uint32Array(rows));
  }
}

function grown<T extends Float64Array | Uint32Array | Uint8Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}

function cell(column: Float64Array | Uint32Array | Uint8Array, row: number): number {
  const value = column[row];
  if (value === undefined) throw new RangeError(`history index: row ${row} of ${column.length}`);
  return value;
}

function changedAt(offsetBytes: number): JournalChangedError {
  return new JournalChangedError(offsetBytes);
}

/**
 * The text of each span (whole lines the journal's reading found there), read in offset order with
 * nearby spans joined into one read of at most readBackBytes; the answer is in `spans` order.
 */
async function readLines(file: FileHandle, spans: readonly LineSpan[]): Promise<string[]> {
  const sorted = spans.map((span, index) => ({ ...span, index })).sort((a, b) => a.offsetBytes - b.offsetBytes);
  const lines = new Array<string>(spans.length);
  for (let start = 0; start < sorted.length;) {
    const fromBytes = sorted[start]?.offsetBytes ?? 0;
    let toBytes = fromBytes;
    let end = start;
    for (let span = sorted[end]; span !== undefined; span = sorted[end]) {
      const spanEndBytes = span.offsetBytes + span.lengthBytes;
      if (end > start && (span.offsetBytes - toBytes > coalesceGapBytes || spanEndBytes - fromBytes > readBackBytes)) break;
      toBytes = Math.max(toBytes, spanEndBytes);
      end += 1;
    }
    const bytes = Buffer.alloc(toBytes - fromBytes);
    const { bytesRead } = await file.read(bytes, 0, bytes.length, fromBytes);
    if (bytesRead !== bytes.length) throw changedAt(fromBytes + bytesRead);
    for (const span of sorted.slice(start, end)) {
      lines[span.index] = bytes.toString('utf8', span.offsetBytes - fromBytes, span.offsetBytes - fromBytes + span.lengthBytes);
    }
    start = end;
  }
  return lines;
}
