// Compaction of the history journal (history-journal.ts): once the lines written since the last
// compaction pass a size (default 8 MiB, about 8,000 jobs) and no job anywhere is running, every
// record is rewritten as ONE `record` line (a job's `started` and `ended` are two lines, its targets
// twice), the interrupted ones as their `started` line, damaged lines dropped, into a temporary file
// that is fsynced and renamed over the journal, then the folder fsynced: rename(2) replaces the name
// atomically, so a reader sees the old file or the new one, and a crash (kill -9, power loss) at any
// point before the rename leaves the journal as it was (the temporary file is only ever a copy; the
// next compaction overwrites its own and removes it when it fails). The records are read back from the
// old journal by the index's offsets (journal-index.ts), a batch at a time, never all held at once.
//
// Nothing written meanwhile is lost: lines appended to the old file after it was read and before the
// rename are copied to the new file from a descriptor opened before the rename (the tail), and an
// appender whose line lands in the old file after the rename sees that file unlinked (its link count
// 0) and appends the line again to the journal's name (appendLine in history-journal.ts).
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { HistoryRecord } from '../../shared/history.ts';
import { journalFormatVersion, type JournalEvent, type OwnerLiveness } from './journal-events.ts';
import { readBackBatchRows, type JournalIndex } from './journal-index.ts';
import { currentOwner } from './process-owner.ts';

/** Lines written since the last compaction (not `record` lines) past which the journal is compacted. */
export const defaultCompactAboveBytes = 8 * 1024 * 1024;

const writeBatchBytes = 1024 * 1024;
/**
 * The compacted file's size, kept in its first line as an extra field (JSON allows the spaces that
 * pad it to a fixed width, and readers ignore a field they do not know), so whether the lines
 * appended since pass the limit is one stat and one small read, never a reading of the journal.
 */
const compactedBytesKey = '"compactedBytes":';
const compactedBytesWidth = 16;
const compactedBytesPattern = /^\{"compactedBytes":(\d{1,16}) *,/;

export interface CompactionSource {
  readonly path: string;
  /** The bytes of the journal the index holds (whole lines); what follows is the tail copied after the rename. */
  readonly offsetBytes: number;
  readonly index: JournalIndex;
  /** The journal as the index read it, open: records are read back from it, and its tail copied after the rename. */
  readonly file: FileHandle;
}

/**
 * Whether the lines appended to the journal at `path` since its last compaction pass `aboveBytes`:
 * its size less the compacted size its first line names (all of it when none is named, or one larger
 * than the file, which only grows after a compaction).
 */
export async function journalNeedsCompaction(path: string, aboveBytes: number): Promise<boolean> {
  const file = await open(path, constants.O_RDONLY).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (file === null) return false;
  try {
    const { size } = await file.stat();
    if (size <= aboveBytes) return false;
    const head = Buffer.alloc(compactedBytesKey.length + compactedBytesWidth + 2);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const compactedBytes = Number(compactedBytesPattern.exec(head.toString('latin1', 0, bytesRead))?.[1] ?? 0);
    return size - (compactedBytes <= size ? compactedBytes : 0) > aboveBytes;
  } finally {
    await file.close();
  }
}

/**
 * Rewrites the journal from the index when no job in it is running (else leaves it and answers false).
 * `maxLineBytes` is the readers' line limit: a record longer than that as one line is written as its
 * `started` and `ended` lines instead.
 */
export async function compactJournal(
  source: CompactionSource,
  isOwnerAlive: OwnerLiveness,
  maxLineBytes: number,
  syncFolder: (path: string) => Promise<void>,
): Promise<boolean> {
  const { ended, unended } = source.index.partition(isOwnerAlive);
  if (unended.some(({ running }) => running)) return false;
  const temporaryPath = `${source.path}.compacting-${process.pid}`;
  const lineLimitBytes = maxLineBytes - compactedBytesKey.length - compactedBytesWidth - 1;
  const lines = async function* () {
    for (let start = 0; start < ended.length; start += readBackBatchRows) {
      const records = await source.index.readBack(source.file, ended.slice(start, start + readBackBatchRows), isOwnerAlive);
      for (const record of records) yield* recordLines(record, lineLimitBytes);
    }
    for (const started of await source.index.readBackStarted(
      source.file,
      unended.map(({ row }) => row),
    ))
      yield JSON.stringify(started);
  };
  try {
    await writeCompacted(temporaryPath, lines(), maxLineBytes);
    await rename(temporaryPath, source.path);
    await syncFolder(source.path);
    await copyTail(source.file, source.offsetBytes, source.path);
    return true;
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
}

/** Writes `lines` in batches, the first one carrying the file's size (compactedBytesKey), then fsyncs. */
async function writeCompacted(path: string, lines: AsyncIterable<string>, maxLineBytes: number): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    let batch: string[] = [];
    let writtenBytes = 0;
    let marked = false;
    const flush = async () => {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      if ((await handle.write(bytes, 0, bytes.length)).bytesWritten !== bytes.length) throw new Error(`history compaction ${path}: a short write`);
      writtenBytes += bytes.length;
      batch = [];
    };
    let batchBytes = 0;
    for await (const line of lines) {
      const first = writtenBytes === 0 && batch.length === 0;
      const marker = first ? compactedBytesField(0) : '';
      marked ||= first && Buffer.byteLength(line, 'utf8') + marker.length < maxLineBytes;
      batch.push(first && marked ? `{${marker}${line.slice(1)}\n` : `${line}\n`);
      batchBytes += line.length + 1;
      if (batchBytes >= writeBatchBytes) {
        await flush();
        batchBytes = 0;
      }
    }
    await flush();
    if (marked) await handle.write(Buffer.from(compactedBytesField(writtenBytes), 'latin1'), 0, undefined, 1);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `"compactedBytes":N,` padded to one width, so the final size is written over the first line's placeholder. */
function compactedBytesField(sizeBytes: number): string {
  return `${compactedBytesKey}${String(sizeBytes).padEnd(compactedBytesWidth)},`;
}

/** One `record` line (the record's JSON with the event's two fields spliced in front), or its `started` and `ended` when that is too long. */
function recordLines(record: HistoryRecord, maxLineBytes: number): string[] {
  const line = `{"v":${journalFormatVersion},"event":"record",${JSON.stringify(record).slice(1)}`;
  if (Buffer.byteLength(line, 'utf8') < maxLineBytes) return [line];
  const { id, kind, image, mode, startedMs, endedMs, outcome, writeBytesPerSecond, verifyBytesPerSecond, verify, error, targets } = record;
  // The started line without targets, so the ended line's (the record's own) are the record's.
  const started: JournalEvent = { v: journalFormatVersion, event: 'started', owner: currentOwner(), id, kind, image, targets: [], mode, startedMs };
  const ended: JournalEvent = {
    v: journalFormatVersion,
    event: 'ended',
    id,
    endedMs,
    outcome,
    writeBytesPerSecond,
    verifyBytesPerSecond,
    verify,
    error,
    targets,
  };
  return [JSON.stringify(started), JSON.stringify(ended)];
}

/** Appends what the old journal gained after `fromBytes` (whole lines) to the new one, then fsyncs it. */
async function copyTail(oldJournal: FileHandle, fromBytes: number, path: string): Promise<void> {
  const { size } = await oldJournal.stat();
  if (size <= fromBytes) return;
  const tail = Buffer.alloc(size - fromBytes);
  const { bytesRead } = await oldJournal.read(tail, 0, tail.length, fromBytes);
  const whole = tail.subarray(0, tail.subarray(0, bytesRead).lastIndexOf(0x0a) + 1);
  if (whole.length === 0) return;
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND);
  try {
    await handle.write(whole, 0, whole.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
