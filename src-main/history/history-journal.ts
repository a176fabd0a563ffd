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
// that is not an event this version wrote is skipped and counted (with the byte offset of the first,
// for the listing to name), never fatal; a later listing reads only what was appended since. What
// is kept between listings is an index, not the records (journal-index.ts: per job its kind,
// outcome, start time and the offsets of its lines), and a listing reads back by offset only the
// records it returns (a text filter reads back the candidates a batch at a time). Compaction
// (journal-compaction.ts: temporary file, fsync, rename; crash-safe) is decided at a job's end
// from the file's size and the compacted size its first line names, without reading the journal:
// once the lines appended since the last compaction pass `compactAboveBytes` and no job runs, the
// journal is rewritten one line per record.
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistoryQuery, HistoryRecord } from '../../shared/history.ts';
import { defaultDataDir } from '../io/data-dir.ts';
import { compactJournal, defaultCompactAboveBytes, journalNeedsCompaction } from './journal-compaction.ts';
import {
  journalFormatVersion,
  parseJournalLine,
  type EndedFields,
  type JournalEvent,
  type JournalOwner,
  type OwnerLiveness,
  type StartedFields,
} from './journal-events.ts';
import { JournalChangedError, JournalIndex, readBackBatchRows, type IndexedJob } from './journal-index.ts';
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
   * raises the cap for an export), with how many matched in all, how many lines were skipped and
   * (when any was) the byte offset of the first.
   */
  list(query: HistoryQuery, options?: { readonly maxRecords?: number }): Promise<HistoryListing>;
  /** The record of job `id`, or null when the history has none (one record parsed, not the whole history). */
  find(id: string): Promise<HistoryRecord | null>;
}

export interface HistoryListing {
  readonly records: HistoryRecord[];
  readonly total: number;
  readonly skippedLines: number;
  readonly firstSkippedOffsetBytes?: number;
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
  // The index of what was read so far, kept between listings (see readJournal).
  let reading: Promise<JournalReading | null> = Promise.resolve(null);
  const append = (event: JournalEvent): Promise<void> => {
    const next = appending.then(() => appendLine(pathNow(), event));
    appending = next.catch(() => undefined);
    return next;
  };
  const isAlive = (owner: JournalOwner, id: string) => liveJobIds.has(id) || (owner.pid !== process.pid && isOwnerAlive(owner));
  /**
   * Reads on from the last reading (one at a time), then runs `then` on it with the file still open
   * (records are read back from it). A file changed in place under the index is read afresh, once.
   */
  const read = <T>(then: (reading: JournalReading, file: FileHandle | null) => Promise<T>): Promise<T> => {
    const done = reading.then((previous) =>
      withReading(pathNow(), previous, then).catch((error: unknown) => {
        if (!(error instanceof JournalChangedError)) throw error;
        return withReading(pathNow(), null, then);
      }),
    );
    reading = done.then(
      ({ reading: next }) => next,
      () => null,
    );
    return done.then(({ value }) => value);
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
      const compact = async () => {
        if (!(await journalNeedsCompaction(pathNow(), compactAboveBytes))) return;
        await read(async (journal, file) => {
          if (file === null) return;
          const source = { path: journal.path, offsetBytes: journal.offsetBytes, index: journal.index, file };
          if (await compactJournal(source, isAlive, maxJournalLineBytes, (path) => syncFolder(dirname(path)))) journal.compacted = true;
        });
      };
      await compact().catch(() => undefined);
    },
    list(query, { maxRecords = maxListedRecords } = {}) {
      return read(async ({ index }, file) => {
        const limit = Math.min(query.limit ?? maxRecords, maxRecords);
        const rows = index.select(indexedMatches(query), isAlive);
        const text = query.text?.trim().toLocaleLowerCase() ?? '';
        const { records, total } = file === null ? { records: [], total: 0 } : await readBackMatching(file, index, rows, text, limit, isAlive);
        const skipped = index.firstSkippedOffsetBytes === null ? {} : { firstSkippedOffsetBytes: index.firstSkippedOffsetBytes };
        return { records, total, skippedLines: index.skippedLines, ...skipped };
      });
    },
    find(id) {
      return read(async ({ index }, file) => {
        const row = index.rowOf(id);
        if (row === null || file === null) return null;
        return (await index.readBack(file, [row], isAlive))[0] ?? null;
      });
    },
  };
}

/**
 * The records of `rows` (newest first) whose search text holds `text` (lower-case; '' is in every
 * one): the first `limit` and how many in all, read back a batch at a time. Without a text the index
 * has decided: only the first `limit` rows are read back. A text is in the records, not the index,
 * so every candidate is read back, and only those whose lines, as written, may hold it are parsed.
 */
async function readBackMatching(
  file: FileHandle,
  index: JournalIndex,
  rows: readonly number[],
  text: string,
  limit: number,
  isAlive: OwnerLiveness,
): Promise<{ records: HistoryRecord[]; total: number }> {
  const candidates = text === '' ? rows.slice(0, limit) : rows;
  const mayMatch =
    text !== '' && rawTextFindable(text)
      ? (lines: readonly string[]) => lines.some((line) => line.includes('\\') || line.toLocaleLowerCase().includes(text))
      : undefined;
  const records: HistoryRecord[] = [];
  let matched = 0;
  for (let start = 0; start < candidates.length; start += readBackBatchRows) {
    for (const record of await index.readBack(file, candidates.slice(start, start + readBackBatchRows), isAlive, mayMatch)) {
      if (text !== '' && !searchText(record).includes(text)) continue;
      matched += 1;
      if (records.length < limit) records.push(record);
    }
  }
  return { records, total: text === '' ? rows.length : matched };
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

/** What has been read of one journal file: which file, the bytes up to its last whole line, and their index. */
interface JournalReading {
  readonly path: string;
  readonly device: number;
  readonly inode: number;
  offsetBytes: number;
  readonly index: JournalIndex;
  /** Set once this reading was compacted: the file it read is replaced, the next reading starts afresh. */
  compacted: boolean;
}

/**
 * Opens the journal, reads on into the index (readJournal) and runs `then` with the file open; a
 * missing journal is an empty history (and no file).
 */
async function withReading<T>(
  path: string,
  previous: JournalReading | null,
  then: (reading: JournalReading, file: FileHandle | null) => Promise<T>,
): Promise<{ reading: JournalReading; value: T }> {
  const file = await open(path, constants.O_RDONLY).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (file === null) {
    const reading = freshReading(path, -1, -1);
    return { reading, value: await then(reading, null) };
  }
  try {
    const reading = await readJournal(file, path, previous);
    return { reading, value: await then(reading, file) };
  } finally {
    await file.close();
  }
}

/**
 * Streams the journal's lines into the index. The journal only grows, so a reading of the same file
 * (same device and inode, no shorter) goes on from where the last one stopped, and listing again
 * after a filter change reads only the lines appended since.
 */
async function readJournal(file: FileHandle, path: string, previous: JournalReading | null): Promise<JournalReading> {
  const { dev, ino, size } = await file.stat();
  const sameFile =
    previous !== null && !previous.compacted && previous.path === path && previous.device === dev && previous.inode === ino && size >= previous.offsetBytes;
  const reading = sameFile ? previous : freshReading(path, dev, ino);
  const fromBytes = reading.offsetBytes;
  const lines = new LineSplitter((line, lineOffsetBytes, lengthBytes) => {
    const span = { offsetBytes: fromBytes + lineOffsetBytes, lengthBytes };
    const event = line === null ? null : parseJournalLine(line);
    if (event === null) reading.index.skip(span.offsetBytes);
    else reading.index.add(event, span);
  });
  const chunk = Buffer.alloc(readChunkBytes);
  for (let positionBytes = fromBytes; ;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, positionBytes);
    if (bytesRead === 0) break;
    lines.push(chunk.subarray(0, bytesRead));
    positionBytes += bytesRead;
  }
  // What follows the last newline is a line cut short (a write lost mid-way, or one landing now):
  // not read yet, neither event nor skipped line; the next reading starts with it.
  reading.offsetBytes += lines.consumedBytes;
  return reading;
}

function freshReading(path: string, device: number, inode: number): JournalReading {
  return { path, device, inode, offsetBytes: 0, index: new JournalIndex(), compacted: false };
}

/**
 * Splits bytes into lines of at most maxJournalLineBytes, each reported with its offset from the
 * first byte pushed and its length without the newline; a longer line is reported once as null.
 */
class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overlong = false;
  #pushedBytes = 0;
  #lineStartBytes = 0;
  /** Bytes pushed up to and including the last newline: the whole lines reported. */
  consumedBytes = 0;

  constructor(private readonly onLine: (line: string | null, lineOffsetBytes: number, lengthBytes: number) => void) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      this.consumedBytes = this.#pushedBytes + newline + 1;
      this.#take(bytes.subarray(start, newline));
      const lineOffsetBytes = this.#lineStartBytes;
      this.#lineStartBytes = this.consumedBytes;
      const line = this.#overlong ? null : Buffer.concat(this.#pending, this.#pendingBytes).toString('utf8');
      this.onLine(line, lineOffsetBytes, this.consumedBytes - lineOffsetBytes - 1);
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

/** history:list's filter on what the index holds: kinds, outcomes and a time window. */
function indexedMatches(query: HistoryQuery): (job: IndexedJob) => boolean {
  return (job) => {
    if (query.kinds && !query.kinds.includes(job.kind)) return false;
    if (query.outcomes && !query.outcomes.includes(job.outcome)) return false;
    if (query.sinceMs !== undefined && job.startedMs < query.sinceMs) return false;
    return query.untilMs === undefined || job.startedMs <= query.untilMs;
  };
}

/**
 * Whether `text` found in a record's field is found in the field's line as written: JSON writes a
 * string as its characters between quotes unless it escapes one (RFC 8259 section 7: '"', '\\',
 * U+0000-U+001F; JSON.stringify also a lone surrogate), so for a text with none of those, a line
 * without a backslash holds the text wherever its record does (readBackMatching sends every line
 * with a backslash, where an escape could hide it, to the full parse).
 */
function rawTextFindable(text: string): boolean {
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    const loneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    if (character === '"' || character === '\\' || codePoint < 0x20 || loneSurrogate) return false;
  }
  return true;
}

/** What history:list's text is looked for in: the image's path and URL and each target's model, serial and device, lower-case. */
function searchText(record: HistoryRecord): string {
  const searched = [record.image.path, record.image.url, ...record.targets.flatMap((target) => [target.model, target.serial, target.device])];
  return searched
    .filter((value) => value !== null)
    .join('\u0000')
    .toLocaleLowerCase();
}
