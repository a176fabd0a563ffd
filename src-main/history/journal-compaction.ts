// Compaction of the history journal (history-journal.ts): once the lines written since the last
// compaction pass a size (default 8 MiB, about 8,000 jobs) and no job anywhere is running, every
// record is rewritten as ONE `record` line (a job's `started` and `ended` are two lines, its targets
// twice), the interrupted ones as their `started` line, damaged lines dropped, into a temporary file
// that is fsynced and renamed over the journal, then the folder fsynced: rename(2) replaces the name
// atomically, so a reader sees the old file or the new one, and a crash (kill -9, power loss) at any
// point before the rename leaves the journal as it was (the temporary file is only ever a copy; the
// next compaction overwrites its own and removes it when it fails).
//
// Nothing written meanwhile is lost: lines appended to the old file after it was read and before the
// rename are copied to the new file from a descriptor opened before the rename (the tail), and an
// appender whose line lands in the old file after the rename sees that file unlinked (its link count
// 0) and appends the line again to the journal's name (appendLine in history-journal.ts).
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import type { HistoryRecord } from '../../shared/history.ts';
import { journalFormatVersion, type JournalEvent, type JournalFold, type OwnerLiveness } from './journal-events.ts';
import { currentOwner } from './process-owner.ts';

/** Lines written since the last compaction (not `record` lines) past which the journal is compacted. */
export const defaultCompactAboveBytes = 8 * 1024 * 1024;

const writeBatchBytes = 1024 * 1024;

export interface CompactionSource {
  readonly path: string;
  /** The bytes of the journal the fold holds (whole lines); what follows is the tail copied after the rename. */
  readonly offsetBytes: number;
  readonly fold: JournalFold;
}

/**
 * Rewrites the journal from the fold when no job in it is running (else leaves it and answers false).
 * `maxLineBytes` is the readers' line limit: a record longer than that as one line is written as its
 * `started` and `ended` lines instead.
 */
export async function compactJournal(
  source: CompactionSource,
  isOwnerAlive: OwnerLiveness,
  maxLineBytes: number,
  syncFolder: (path: string) => Promise<void>,
): Promise<boolean> {
  const unended = source.fold.unended(isOwnerAlive);
  if (unended.some(({ running }) => running)) return false;
  const temporaryPath = `${source.path}.compacting-${process.pid}`;
  const oldJournal = await open(source.path, constants.O_RDONLY);
  try {
    await writeCompacted(
      temporaryPath,
      source.fold,
      unended.map(({ started }) => JSON.stringify(started)),
      maxLineBytes,
    );
    await rename(temporaryPath, source.path);
    await syncFolder(source.path);
    await copyTail(oldJournal, source.offsetBytes, source.path);
    return true;
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  } finally {
    await oldJournal.close();
  }
}

async function writeCompacted(path: string, fold: JournalFold, unendedLines: readonly string[], maxLineBytes: number): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    let batch: string[] = [];
    let batchBytes = 0;
    const flush = async () => {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      if ((await handle.write(bytes, 0, bytes.length)).bytesWritten !== bytes.length) throw new Error(`history compaction ${path}: a short write`);
      batch = [];
      batchBytes = 0;
    };
    const lines = (function* () {
      for (const json of fold.endedJson()) yield* recordLines(json, maxLineBytes);
      yield* unendedLines;
    })();
    for (const line of lines) {
      batch.push(`${line}\n`);
      batchBytes += line.length + 1;
      if (batchBytes >= writeBatchBytes) await flush();
    }
    await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One `record` line (the record's JSON with the event's two fields spliced in front), or its `started` and `ended` when that is too long. */
function recordLines(json: string, maxLineBytes: number): string[] {
  const line = `{"v":${journalFormatVersion},"event":"record",${json.slice(1)}`;
  if (Buffer.byteLength(line, 'utf8') < maxLineBytes) return [line];
  const record = JSON.parse(json) as HistoryRecord;
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
async function copyTail(oldJournal: Awaited<ReturnType<typeof open>>, fromBytes: number, path: string): Promise<void> {
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
