// The history of every job (issue 19): an append-only JSON-lines journal, `<dataDir>/history.jsonl`,
// one event per line (journal-events.ts): `started` with the record's fixed fields when a job
// starts, `ended` with its outcome, speeds and error when it ends.
//
// Why a journal and not SQLite: no native module to build for three OSes and every Electron version;
// the history has one kind of writer (an engine appending its own jobs) and one kind of reader
// (list everything, filter, newest first), which a sequential scan serves; and crash safety comes
// from two rules: every event is appended and fsynced before the job goes on (the folder too when
// the file is created, so the file's name is durable), and a torn last line (power lost mid-write)
// is ignored on read. A `started` without its `ended` reads as interrupted once its process is gone.
//
// Several engines may append at once (the CLI beside the app): the file is opened O_APPEND and
// each event goes out in ONE write() call, so the kernel places each line whole at the end of the
// file, never interleaved with another process's line (POSIX's PIPE_BUF atomicity is a pipe rule;
// for a regular file O_APPEND makes the seek-and-write one step, and a single write of a few KiB is
// not split on local file systems). Lines are bounded (64 KiB), so a line is never torn by size.
//
// Reading is bounded and linear: the file is streamed in 1 MiB chunks, a line over 64 KiB or one
// that is not an event this version wrote is skipped and counted, never fatal; a later listing
// reads only what was appended since. What is kept between listings is compact (journal-events.ts
// KeptRecord: the filter's fields and the record as one JSON string, the raw events dropped), and a
// listing parses back only the records it returns. Once the lines written since the last compaction
// pass `compactAboveBytes` and no job runs, the journal is rewritten one line per record
// (journal-compaction.ts: temporary file, fsync, rename; crash-safe).
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistoryQuery, HistoryRecord } from '../../shared/history.ts';
import { defaultDataDir } from '../io/data-dir.ts';
import { compactJournal, defaultCompactAboveBytes } from './journal-compaction.ts';
import {
  JournalFold,
  journalFormatVersion,
  parseJournalLine,
  type EndedFields,
  type JournalEvent,
  type JournalOwner,
  type KeptRecordFields,
  type StartedFields,
} from './journal-events.ts';
import { currentOwner, isOwnerAlive } from './process-owner.ts';

/** A line longer than this is not one this engine wrote: skipped on read, refused on write. */
export const maxJournalLineBytes = 64 * 1024;
/** history:list's largest answer. */
export const maxListedRecords = 1000;
const readChunkBytes = 1024 * 1024;

export interface HistoryJournal {
  started(record: StartedFields): Promise<void>;
  ended(id: string, end: EndedFields): Promise<void>;
  /**
   * Matching records, newest first (at most query.limit, default and cap 1000, unless `maxRecords`
   * raises the cap for an export), with how many matched in all and how many lines were skipped.
   */
  list(query: HistoryQuery, options?: { readonly maxRecords?: number }): Promise<{ records: HistoryRecord[]; total: number; skippedLines: number }>;
  /** The record of job `id`, or null when the history has none (one record parsed, not the whole history). */
  find(id: string): Promise<HistoryRecord | null>;
}

/** This process's jobs that started and have not ended (through any journal object): running, whatever their lines say. */
const liveJobIds = new Set<string>();

/** The journal at `path` (default `<dataDir>/history.jsonl`, the data folder as it is when each event is written or read). */
export function openHistoryJournal(
  path?: string,
  { compactAboveBytes = defaultCompactAboveBytes }: { readonly compactAboveBytes?: number } = {},
): HistoryJournal {
  const pathNow = (): string => path ?? join(defaultDataDir(), 'history.jsonl');
  // One append at a time from this process, so its own lines keep their order.
  let appending: Promise<void> = Promise.resolve();
  // The events read so far, kept between listings (see readJournal).
  let reading: Promise<JournalReading | null> = Promise.resolve(null);
  const append = (event: JournalEvent): Promise<void> => {
    const next = appending.then(() => appendLine(pathNow(), event));
    appending = next.catch(() => undefined);
    return next;
  };
  const isAlive = (owner: JournalOwner, id: string) => liveJobIds.has(id) || (owner.pid !== process.pid && isOwnerAlive(owner));
  /** Reads on from the last reading (one at a time), then runs `then` on it before the next may start. */
  const read = <T>(then: (reading: JournalReading) => Promise<T>): Promise<T> => {
    const next = reading.then((previous) => readJournal(pathNow(), previous));
    const done = next.then(then);
    reading = done.then(
      () => next,
      () => null,
    );
    return done;
  };
  return {
    async started(record) {
      liveJobIds.add(record.id);
      await append({ v: journalFormatVersion, event: 'started', owner: currentOwner(), ...record });
    },
    async ended(id, end) {
      try {
        await append({ v: journalFormatVersion, event: 'ended', id, ...end });
      } finally {
        liveJobIds.delete(id);
      }
      // Compaction (which waits while any job in the journal runs, this process's too) never fails the
      // job's end: when it fails, the journal is as it was, and it is tried again at the next end.
      await read(async (journal) => {
        if (journal.looseBytes <= compactAboveBytes) return;
        if (await compactJournal(journal, isAlive, maxJournalLineBytes, (file) => syncFolder(dirname(file)))) journal.compacted = true;
      }).catch(() => undefined);
    },
    list(query, { maxRecords = maxListedRecords } = {}) {
      return read(async ({ fold, skippedLines }) => {
        const limit = Math.min(query.limit ?? maxRecords, maxRecords);
        const { records, total } = fold.select(matches(query), limit, isAlive);
        return { records, total, skippedLines: skippedLines + fold.skippedEvents };
      });
    },
    find(id) {
      return read(async ({ fold }) => fold.find(id, isAlive));
    },
  };
}

/** Appends one event as one line in one write() call, then fsyncs the file (and the folder when the file is new). */
async function appendLine(path: string, event: JournalEvent): Promise<void> {
  const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
  if (line.length > maxJournalLineBytes) throw new Error(`history event ${event.id} is ${line.length} bytes, over the ${maxJournalLineBytes}-byte line limit`);
  await mkdir(dirname(path), { recursive: true });
  const { handle, created } = await openForAppend(path);
  try {
    const { bytesWritten } = await handle.write(line, 0, line.length);
    if (bytesWritten !== line.length) throw new Error(`history journal ${path}: wrote ${bytesWritten} of ${line.length} bytes`);
    await handle.sync();
    // Compaction renamed a new journal over this one after it was opened: the line went to the
    // replaced file (and compaction's tail copy may have missed it), so it is appended again to the name.
    if ((await handle.stat()).nlink === 0) return await appendLine(path, event);
  } finally {
    await handle.close();
  }
  if (created) await syncFolder(dirname(path));
}

async function openForAppend(path: string) {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
  try {
    return { handle: await open(path, flags | constants.O_EXCL, 0o600), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { handle: await open(path, flags), created: false };
  }
}

/** POSIX: a new file's name is durable once its folder is fsynced. Windows cannot open a folder for that; its NTFS journals names. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What has been read of one journal file: which file, the bytes up to its last whole line, and their events. */
interface JournalReading {
  readonly path: string;
  readonly device: number;
  readonly inode: number;
  offsetBytes: number;
  readonly fold: JournalFold;
  skippedLines: number;
  /** Bytes of the lines that are not compacted `record` lines: what compaction would shrink. */
  looseBytes: number;
  /** Set once this reading was compacted: the file it read is replaced, the next reading starts afresh. */
  compacted: boolean;
}

/**
 * Streams the journal's lines into a fold; a missing journal is an empty history. The journal only
 * grows, so a reading of the same file (same device and inode, no shorter) goes on from where the
 * last one stopped, and listing again after a filter change reads only the lines appended since.
 */
async function readJournal(path: string, previous: JournalReading | null): Promise<JournalReading> {
  const handle = await open(path, constants.O_RDONLY).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (handle === null) return freshReading(path, -1, -1);
  try {
    const { dev, ino, size } = await handle.stat();
    const sameFile =
      previous !== null && !previous.compacted && previous.path === path && previous.device === dev && previous.inode === ino && size >= previous.offsetBytes;
    const reading = sameFile ? previous : freshReading(path, dev, ino);
    const lines = new LineSplitter((line, lineBytes) => {
      const event = line === null ? null : parseJournalLine(line);
      if (event?.event !== 'record') reading.looseBytes += lineBytes;
      if (event === null) reading.skippedLines += 1;
      else reading.fold.add(event);
    });
    const chunk = Buffer.alloc(readChunkBytes);
    for (let positionBytes = reading.offsetBytes; ;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, positionBytes);
      if (bytesRead === 0) break;
      lines.push(chunk.subarray(0, bytesRead));
      positionBytes += bytesRead;
    }
    // What follows the last newline is a line cut short (a write lost mid-way, or one landing now):
    // not read yet, neither event nor skipped line; the next reading starts with it.
    reading.offsetBytes += lines.consumedBytes;
    return reading;
  } finally {
    await handle.close();
  }
}

function freshReading(path: string, device: number, inode: number): JournalReading {
  return { path, device, inode, offsetBytes: 0, fold: new JournalFold(), skippedLines: 0, looseBytes: 0, compacted: false };
}

/** Splits bytes into lines of at most maxJournalLineBytes; a longer line is reported once as null and its bytes dropped. */
class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overlong = false;
  #pushedBytes = 0;
  #lineStartBytes = 0;
  /** Bytes pushed up to and including the last newline: the whole lines reported. */
  consumedBytes = 0;

  constructor(private readonly onLine: (line: string | null, lineBytes: number) => void) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      this.consumedBytes = this.#pushedBytes + newline + 1;
      this.#take(bytes.subarray(start, newline));
      const lineBytes = this.consumedBytes - this.#lineStartBytes;
      this.#lineStartBytes = this.consumedBytes;
      this.onLine(this.#overlong ? null : Buffer.concat(this.#pending, this.#pendingBytes).toString('utf8'), lineBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#overlong = false;
      start = newline + 1;
    }
    this.#take(bytes.subarray(start));
    this.#pushedBytes += bytes.length;
  }

  #take(piece: Buffer): void {
    if (this.#overlong || piece.length === 0) return;
    if (this.#pendingBytes + piece.length > maxJournalLineBytes) {
      this.#overlong = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    // A copy: the chunk buffer is reused for the next read.
    this.#pending.push(Buffer.from(piece));
    this.#pendingBytes += piece.length;
  }
}

/** history:list's filter: kinds, outcomes, a time window, and text in the image's path or URL or a target's model, serial or device. */
function matches(query: HistoryQuery): (record: KeptRecordFields) => boolean {
  const text = query.text?.trim().toLocaleLowerCase() ?? '';
  return (record) => {
    if (query.kinds && !query.kinds.includes(record.kind)) return false;
    if (query.outcomes && !query.outcomes.includes(record.outcome)) return false;
    if (query.sinceMs !== undefined && record.startedMs < query.sinceMs) return false;
    if (query.untilMs !== undefined && record.startedMs > query.untilMs) return false;
    return text === '' || record.searchText.includes(text);
  };
}
