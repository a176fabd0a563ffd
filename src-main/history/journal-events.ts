// The history journal's lines (see history-journal.ts): what one `started` or `ended` event holds, how
// a line is checked (the journal is a file on disk anyone with the user's rights may edit, so every
// line is untrusted: schema-checked, bounded, a bad one skipped and counted), and how the events
// fold into HistoryRecords. Pure: the owner's liveness is asked through a callback.
import * as v from 'valibot';
import { errorCodes, type AppError } from '../../shared/errors.ts';
import type { HistoryJobKind, HistoryOutcome, HistoryRecord, HistoryTarget } from '../../shared/history.ts';

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
  | ({ readonly v: typeof journalFormatVersion; readonly event: 'ended'; readonly id: string } & EndedFields);

const text = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
const nullableText = (maxLength: number) => v.nullable(text(maxLength));
const byteCount = v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0)));
const rate = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)));
const epochMs = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const kinds: readonly HistoryJobKind[] = ['flash', 'verify', 'format', 'backup', 'download'];
const outcomes: readonly HistoryOutcome[] = ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted', 'running'];
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
  outcome: v.picklist(outcomes),
  error: appError,
  writeBytesPerSecond: v.exactOptional(rate),
  verifyBytesPerSecond: v.exactOptional(rate),
});
const targets = v.pipe(v.array(target), v.maxLength(64));
const image = { path: nullableText(4096), url: nullableText(8192), sizeBytes: byteCount, sha256: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))) };
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

const eventSchema = v.variant('event', [
  v.object({
    v: v.literal(journalFormatVersion),
    event: v.literal('started'),
    owner: v.object({ pid: v.pipe(v.number(), v.safeInteger(), v.minValue(1)), startTicks: v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0))) }),
    id,
    kind: v.picklist(kinds),
    image: v.object(image),
    targets,
    mode: nullableText(64),
    startedMs: epochMs,
  }),
  v.object({
    v: v.literal(journalFormatVersion),
    event: v.literal('ended'),
    id,
    endedMs: v.nullable(epochMs),
    outcome: v.picklist(outcomes),
    writeBytesPerSecond: rate,
    verifyBytesPerSecond: rate,
    verify: v.nullable(v.picklist(['passed', 'failed'])),
    error: appError,
    targets,
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

/**
 * Folds events into records in journal order: a `started` opens a record, its `ended` closes it. An
 * `ended` without its `started`, or a second `started` under one id, is skipped and counted: the
 * journal was edited or damaged there. A record never ended is `running` while its owner lives,
 * else `interrupted` (the process died mid-job: kill -9, power loss, a crash).
 */
export class JournalFold {
  readonly #open = new Map<string, { readonly started: JournalEvent & { event: 'started' }; ended: EndedFields | null }>();
  skippedEvents = 0;

  add(event: JournalEvent): void {
    const known = this.#open.get(event.id);
    if (event.event === 'started') {
      if (known) this.skippedEvents += 1;
      else this.#open.set(event.id, { started: event, ended: null });
    } else if (!known || known.ended !== null) {
      this.skippedEvents += 1;
    } else {
      known.ended = event;
    }
  }

  records(isOwnerAlive: OwnerLiveness): HistoryRecord[] {
    return [...this.#open.values()].map(({ started, ended }) =>
      ended ? endedRecord(started, ended) : unendedRecord(started, isOwnerAlive(started.owner, started.id)),
    );
  }
}

function endedRecord(started: StartedFields, ended: EndedFields): HistoryRecord {
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

function unendedRecord(started: StartedFields, ownerAlive: boolean): HistoryRecord {
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
