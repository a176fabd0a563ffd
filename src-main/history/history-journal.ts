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
// reads only what was appended since. Compaction is not needed yet (a job is ~1 KiB of journal, so
// 50,000 jobs are 50 MB, whose first listing takes seconds and holds ~300 MB while it runs); when
// it is, rewrite the ended records to a new file and rename it over this one (a new inode: every
// reader then reads it afresh).
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistoryQuery, HistoryRecord } from '../../shared/history.ts';
import { defaultDataDir } from '../io/data-dir.ts';
import { JournalFold, journalFormatVersion, parseJournalLine, type EndedFields, type JournalEvent, type StartedFields } from './journal-events.ts';
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
}

/** This process's jobs that started and have not ended (through any journal object): running, whatever their lines say. */
const liveJobIds = new Set<string>();

/** The journal at `path` (default `<dataDir>/history.jsonl`, the data folder as it is when each event is written or read). */
export function openHistoryJournal(path?: string): HistoryJournal {
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
    },
    async list(query, { maxRecords = maxListedRecords } = {}) {
      // One reading at a time: each goes on from the last one's end.
      const next = reading.then((previous) => readJournal(pathNow(), previous));
      reading = next.catch(() => null);
      const { fold, skippedLines } = await next;
      const records = fold.records((owner, id) => liveJobIds.has(id) || (owner.pid !== process.pid && isOwnerAlive(owner)));
      const matching = records.filter(matches(query)).sort((a, b) => b.startedMs - a.startedMs);
      const limit = Math.min(query.limit ?? maxRecords, maxRecords);
      return { records: matching.slice(0, limit), total: matching.length, skippedLines: skippedLines + fold.skippedEvents };
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
  if (handle === null) return { path, device: -1, inode: -1, offsetBytes: 0, fold: new JournalFold(), skippedLines: 0 };
  try {
    const { dev, ino, size } = await handle.stat();
    const sameFile = previous !== null && previous.path === path && previous.device === dev && previous.inode === ino && size >= previous.offsetBytes;
    const reading = sameFile ? previous : { path, device: dev, inode: ino, offsetBytes: 0, fold: new JournalFold(), skippedLines: 0 };
    const lines = new LineSplitter((line) => {
      const event = line === null ? null : parseJournalLine(line);
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

/** Splits bytes into lines of at most maxJournalLineBytes; a longer line is reported once as null and its bytes dropped. */
class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overlong = false;
  #pushedBytes = 0;
  /** Bytes pushed up to and including the last newline: the whole lines reported. */
  consumedBytes = 0;

  constructor(private readonly onLine: (line: string | null) => void) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      this.consumedBytes = this.#pushedBytes + newline + 1;
      this.#take(bytes.subarray(start, newline));
      this.onLine(this.#overlong ? null : Buffer.concat(this.#pending, this.#pendingBytes).toString('utf8'));
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
function matches(query: HistoryQuery): (record: HistoryRecord) => boolean {
  const text = query.text?.trim().toLocaleLowerCase() ?? '';
  return (record) => {
    if (query.kinds && !query.kinds.includes(record.kind)) return false;
    if (query.outcomes && !query.outcomes.includes(record.outcome)) return false;
    if (query.sinceMs !== undefined && record.startedMs < query.sinceMs) return false;
    if (query.untilMs !== undefined && record.startedMs > query.untilMs) return false;
    if (text === '') return true;
    const haystack = [record.image.path, record.image.url, ...record.targets.flatMap((target) => [target.model, target.serial, target.device])];
    return haystack.some((value) => value?.toLocaleLowerCase().includes(text) === true);
  };
}
