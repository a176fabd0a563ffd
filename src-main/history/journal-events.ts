// The history journal's lines (see history-journal.ts): what one `started` or `ended` event holds, how
// a line is checked (the journal is a file on disk anyone with the user's rights may edit, so every
// line is untrusted: schema-checked, bounded, a bad one skipped and counted), and how the events
// make a HistoryRecord (journal-index.ts keeps where each job's lines are). Pure.
import * as v from 'valibot';
import { errorCodes, type AppError } from '../../shared/errors.ts';
import { historyJobKinds, historyOutcomes, type HistoryOutcome, type HistoryRecord, type HistoryTarget } from '../../shared/history.ts';

/** The journal's format version, written on every line so a later format can read (or skip) this one. */
export const journalFormatVersion = 1;

/** The process that wrote a `started` line: while it lives, the job may still be running. */
export interface JournalOwner {
  readonly pid: number;
  /** Linux: the process's start time in clock ticks since boot (/proc/PID/stat field 22), so a reused pid is told apart; null elsewhere. */
  readonly startTicks: number | null;
}

export type StartedFields = Omit<HistoryRecord, 'endedMs' | 'outcome' | 'writeBytesPerSecond' | 'verifyBytesPerSecond' | 'verify' | 'error'>;
export type EndedFields = Pick<HistoryRecord, 'endedMs' | 'outcome' | 'writeBytesPerSecond' | 'verifyBytesPerSecond' | 'verify' | 'error' | 'targets'> & {
  readonly image?: Partial<HistoryRecord['image']>;
};

export type JournalEvent =
  | ({ readonly v: typeof journalFormatVersion; readonly event: 'started'; readonly owner: JournalOwner } & StartedFields)
  | ({ readonly v: typeof journalFormatVersion; readonly event: 'ended'; readonly id: string } & EndedFields)
  /** A job that ended, folded into one line by compaction (journal-compaction.ts). */
  | ({ readonly v: typeof journalFormatVersion; readonly event: 'record' } & HistoryRecord);

const text = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
const nullableText = (maxLength: number) => v.nullable(text(maxLength));
const byteCount = v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0)));
const rate = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)));
const epochMs = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const appError = v.nullable(
  v.object({
    code: v.picklist(errorCodes),
    message: text(4096),
    detail: v.exactOptional(v.record(text(64), v.nullable(v.union([text(4096), v.number(), v.boolean()])))),
  }),
);
const target = v.object({
  device: text(4096),
  model: nullableText(512),
  serial: nullableText(512),
  sizeBytes: byteCount,
  busPath: nullableText(1024),
  outcome: v.picklist(historyOutcomes),
  error: appError,
  writeBytesPerSecond: v.exactOptional(rate),
  verifyBytesPerSecond: v.exactOptional(rate),
});
const targets = v.pipe(v.array(target), v.maxLength(64));
const image = { path: nullableText(4096), url: nullableText(8192), sizeBytes: byteCount, sha256: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))) };
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

const startedEntries = { id, kind: v.picklist(historyJobKinds), image: v.object(image), targets, mode: nullableText(64), startedMs: epochMs };
const endedEntries = {
  endedMs: v.nullable(epochMs),
  outcome: v.picklist(historyOutcomes),
  writeBytesPerSecond: rate,
  verifyBytesPerSecond: rate,
  verify: v.nullable(v.picklist(['passed', 'failed'])),
  error: appError,
  targets,
};

const eventSchema = v.variant('event', [
  v.object({
    v: v.literal(journalFormatVersion),
    event: v.literal('started'),
    owner: v.object({ pid: v.pipe(v.number(), v.safeInteger(), v.minValue(1)), startTicks: v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0))) }),
    ...startedEntries,
  }),
  v.object({ v: v.literal(journalFormatVersion), event: v.literal('record'), ...startedEntries, ...endedEntries }),
  v.object({
    v: v.literal(journalFormatVersion),
    event: v.literal('ended'),
    id,
    ...endedEntries,
    image: v.exactOptional(
      v.object({
        path: v.exactOptional(image.path),
        url: v.exactOptional(image.url),
        sizeBytes: v.exactOptional(image.sizeBytes),
        sha256: v.exactOptional(image.sha256),
      }),
    ),
  }),
]);

/** One line's event, or null when it is not one this version wrote (damaged, edited, or from a later version). */
export function parseJournalLine(line: string): JournalEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = v.safeParse(eventSchema, value);
  return parsed.success ? parsed.output : null;
}

/** Whether the process that started a job still runs (so a `started` without `ended` is running, not interrupted). */
export type OwnerLiveness = (owner: JournalOwner, id: string) => boolean;

/** A `started` event: what a job's record holds before it ends, and who runs it. */
export type StartedEvent = JournalEvent & { readonly event: 'started' };

/** A compacted `record` line's record (the event without its two fields). */
export function recordOfEvent(event: JournalEvent & { readonly event: 'record' }): HistoryRecord {
  const { v: _version, event: _event, ...record } = event;
  return record;
}

/** A job's record from its `started` and its `ended`: the end's targets (when it names any) and image facts win. */
export function endedRecord(started: StartedFields, ended: EndedFields): HistoryRecord {
  const image = { ...started.image, ...definedFields(ended.image ?? {}) };
  return {
    id: started.id,
    kind: started.kind,
    image,
    targets: ended.targets.length > 0 ? ended.targets : started.targets,
    mode: started.mode,
    startedMs: started.startedMs,
    endedMs: ended.endedMs,
    writeBytesPerSecond: ended.writeBytesPerSecond,
    verifyBytesPerSecond: ended.verifyBytesPerSecond,
    verify: ended.verify,
    outcome: ended.outcome,
    error: ended.error,
  };
}

/** A job that has not ended: running while its owner lives, else interrupted (every target too). */
export function unendedRecord(started: StartedFields, ownerAlive: boolean): HistoryRecord {
  const outcome: HistoryOutcome = ownerAlive ? 'running' : 'interrupted';
  const targets = started.targets.map((target): HistoryTarget => ({ ...target, outcome }));
  const error: AppError | null = null;
  return {
    id: started.id,
    kind: started.kind,
    image: started.image,
    targets,
    mode: started.mode,
    startedMs: started.startedMs,
    endedMs: null,
    writeBytesPerSecond: null,
    verifyBytesPerSecond: null,
    verify: null,
    outcome,
    error,
  };
}

function definedFields<T extends object>(partial: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
