// Writing a planned image to its file (issue 15), and what is checked before: the output never lies
// inside a source (the image would read its own bytes), is never a source file, replaces no file
// unless asked, and fits the folder's free space. The bytes go to `OUT.partial` in one ordered pass
// of small synchronous reads and writes through a ring of shared memory, hashed with SHA-256 beside
// them by the hashing worker thread on the other core (unless asked not to); only a complete, fsynced
// file becomes OUT. A failure or cancel removes the partial file, so no half-written image is ever
// left looking complete.
import { writeSync } from 'node:fs';
import { link, lstat, open, realpath, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IsoWriteResult } from '../../shared/authoring.ts';
import { HashWorkerClient } from '../checksum/hash-worker-client.ts';
import { readIntoBuffer, type ByteSource } from '../io/byte-source.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { PlannedIso } from './iso-authoring.ts';
import { yieldWhenSliceSpent } from './sync-slices.ts';

/** Bytes read and then written per synchronous step (streamImage says why this small). */
const sliceBytes = 128 * 1024;
/**
 * The ring the slices go through. Without a hash, one slice, used again and again: it stays in the
 * core's cache. With one, batches of slices the worker hashes one request each (one message per
 * batch, not per slice), and the write runs up to the ring's length ahead of the hash.
 */
const ringShapes = {
  plain: { batchBytes: sliceBytes, batchCount: 1 },
  hashed: { batchBytes: 512 * 1024, batchCount: 4 },
} as const;

export interface IsoOutputCheck {
  readonly outputPath: string;
  readonly overwrite: boolean;
  /** What the image is made of (folders, files, a remastered original): the output may be none of them nor inside one. */
  readonly sources: readonly string[];
}

/** Refuses, before any work, an output that would lie in a source, be one, replace a file unasked, or has no folder. */
export async function checkIsoOutput(check: IsoOutputCheck): Promise<void> {
  const { outputPath } = check;
  const existing = await lstat(outputPath).catch(ignoreMissing);
  if (existing !== null && !existing.isFile()) throw new CodedError('not-a-file', `${outputPath} exists and is not a regular file`, { path: outputPath });
  const folder = dirname(outputPath);
  const folderStats = await stat(folder).catch(ignoreMissing);
  if (folderStats === null) throw new CodedError('not-found', `the folder ${folder} does not exist`, { path: folder });
  if (!folderStats.isDirectory()) throw new CodedError('not-a-file', `${folder} is not a folder`, { path: folder });
  const realFolder = await realpath(folder);
  for (const source of check.sources) {
    const sourceStats = await stat(source).catch(ignoreMissing);
    if (sourceStats === null) continue; // named in the walk's own not-found
    const realSource = await realpath(source);
    const inside = sourceStats.isDirectory() && (realFolder === realSource || isStrictlyInside(realSource, realFolder));
    const same = existing !== null && sourceStats.dev === existing.dev && sourceStats.ino === existing.ino;
    if (inside || same) {
      throw new CodedError(
        'output-on-source',
        inside
          ? `${outputPath} lies inside ${source}, which the image is made of: the image would take in its own bytes; write it elsewhere`
          : `${outputPath} is ${source}, which the image is made of: write the image to another file`,
        { path: outputPath },
      );
    }
  }
  if (existing !== null && !check.overwrite) {
    throw new CodedError('file-exists', `${outputPath} exists (${existing.size} bytes); asked again with overwrite it is replaced`, { path: outputPath });
  }
}

/**
 * Streams planned.source to `${outputPath}.partial` (large ordered writes, SHA-256 while writing
 * unless `target.sha256` is false, the like-for-like run against tools that compute nothing),
 * fsyncs, then renames it to outputPath (or, without overwrite, links it there, which fails rather
 * than replace a file that appeared meanwhile); on error or cancel removes the partial file it created.
 * An existing OUT.partial is never touched: the write is refused (`file-exists`).
 */
export async function writeIsoFile(
  planned: PlannedIso,
  target: { jobId: string; outputPath: string; overwrite: boolean; sha256?: boolean },
  controls: { signal: AbortSignal; onProgress(bytesDone: number, bytesTotal: number, subject: string | null): void },
): Promise<IsoWriteResult> {
  const startedMs = performance.now();
  const { outputPath } = target;
  const partialPath = `${outputPath}.partial`;
  const sizeBytes = planned.source.sizeBytes;
  await checkFreeSpace(dirname(outputPath), sizeBytes);
  // The ring is shared memory, which the hashing worker reads in place (no copy).
  const hashing = target.sha256 ?? true;
  const shape = ringShapes[hashing ? 'hashed' : 'plain'];
  const memory = new SharedArrayBuffer(shape.batchCount * shape.batchBytes);
  const hasher = hashing ? new HashWorkerClient({ memory, algorithms: ['sha256'], blockBytes: 0 }) : null;
  let handle: FileHandle | null = null;
  let created = false;
  let sha256Hex: string | null;
  try {
    // 'wx': a file already named OUT.partial is not ours (a stale one, the user's, even a source), so it
    // is never replaced or removed: the write is refused, naming it.
    handle = await openPartial(partialPath);
    created = true;
    await streamImage(planned, { handle, memory, batchBytes: shape.batchBytes, hasher }, controls);
    sha256Hex = hasher === null ? null : ((await hasher.digest()).sha256 ?? null);
    await handle.sync();
    await handle.close();
    handle = null;
    await publish(partialPath, outputPath, target.overwrite);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    // Only the partial file this run created is removed; none was created when the open failed.
    if (created) await rm(partialPath, { force: true });
    if (controls.signal.aborted) throw new CancelledError(`writing ${outputPath}`);
    throw writeFailure(error, outputPath);
  } finally {
    await hasher?.close();
  }
  return {
    jobId: target.jobId,
    outputPath,
    sizeBytes,
    sha256Hex,
    elapsedMs: Math.round(performance.now() - startedMs),
    summary: planned.summary,
  };
}

/** Creates OUT.partial, refusing (file-exists, naming it) when something of that name is already there. */
async function openPartial(partialPath: string): Promise<FileHandle> {
  try {
    return await open(partialPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new CodedError('file-exists', `${partialPath} exists, and the image is written there before it is complete: remove it or choose another name`, {
      path: partialPath,
    });
  }
}

/**
 * The image's bytes in order, in slices read and written synchronously: a slice this small stays in
 * the core's cache between its read and its write, and a synchronous call costs no thread-pool round
 * trip (sync-slices.ts). A plain copy of 1 GiB from the page cache to tmpfs took 932 ms in 4 MiB
 * asynchronous steps and 642 ms in 128 KiB synchronous ones here. The hash runs beside it on the
 * hashing worker, a batch of slices at a time: batches fill a ring of shared memory, and a batch is
 * refilled only once the worker is done with it; the hashes go in image order and are answered so.
 * The event loop gets a turn between batches when the slice of time is spent, so progress and
 * cancel still run.
 */
async function streamImage(
  planned: PlannedIso,
  output: { handle: FileHandle; memory: SharedArrayBuffer; batchBytes: number; hasher: HashWorkerClient | null },
  controls: { signal: AbortSignal; onProgress(bytesDone: number, bytesTotal: number, subject: string | null): void },
): Promise<void> {
  const source: ByteSource = planned.source;
  const sizeBytes = source.sizeBytes;
  const ring = new Uint8Array(output.memory);
  const { batchBytes } = output;
  const batchesFree: Promise<unknown>[] = Array.from({ length: ring.byteLength / batchBytes }, () => Promise.resolve());
  try {
    for (let offsetBytes = 0, index = 0; offsetBytes < sizeBytes; index += 1) {
      if (controls.signal.aborted) throw new CancelledError('writing the image');
      const slot = index % batchesFree.length;
      await batchesFree[slot];
      const batch = ring.subarray(slot * batchBytes, slot * batchBytes + Math.min(batchBytes, sizeBytes - offsetBytes));
      for (let filledBytes = 0; filledBytes < batch.byteLength; filledBytes += sliceBytes) {
        const slice = batch.subarray(filledBytes, filledBytes + sliceBytes);
        // Tree files read slices this small synchronously (tree-file-source.ts): the await costs a microtask.
        await readIntoBuffer(source, slice, offsetBytes + filledBytes);
        writeAllSync(output.handle.fd, slice, offsetBytes + filledBytes);
      }
      if (output.hasher) {
        const hashing = output.hasher.update(slot * batchBytes, batch.byteLength);
        hashing.catch(() => undefined); // awaited (and thrown) when the batch is next needed or at the end
        batchesFree[slot] = hashing;
      }
      controls.onProgress(offsetBytes + batch.byteLength, sizeBytes, planned.regionAt(offsetBytes));
      offsetBytes += batch.byteLength;
      await yieldWhenSliceSpent();
    }
  } catch (error) {
    await Promise.allSettled(batchesFree); // the worker may not still read the ring when the caller cleans up
    throw error;
  }
  await Promise.all(batchesFree);
}

function writeAllSync(descriptor: number, bytes: Uint8Array, positionBytes: number): void {
  for (let written = 0; written < bytes.byteLength;) {
    written += writeSync(descriptor, bytes, written, bytes.byteLength - written, positionBytes + written);
  }
}

/** The finished file takes its name: replacing what is there only with overwrite. */
async function publish(partialPath: string, outputPath: string, overwrite: boolean): Promise<void> {
  if (overwrite) return rename(partialPath, outputPath);
  const linked = await link(partialPath, outputPath).then(
    () => true,
    (error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
        throw new CodedError('file-exists', `${outputPath} appeared while the image was written; it was left as it is`, { path: outputPath });
      }
      return false; // a file system without hard links (FAT, some network ones)
    },
  );
  if (linked) return rm(partialPath, { force: true });
  if ((await lstat(outputPath).catch(ignoreMissing)) !== null) {
    throw new CodedError('file-exists', `${outputPath} appeared while the image was written; it was left as it is`, { path: outputPath });
  }
  await rename(partialPath, outputPath);
}

/** Refuses before writing when the folder's file system has less room than the image (checked first, as extraction does). */
async function checkFreeSpace(folder: string, sizeBytes: number): Promise<void> {
  const space = await statfs(folder);
  const availableBytes = space.bavail * space.bsize;
  if (sizeBytes > availableBytes) {
    throw new CodedError('no-space', `no space left in ${folder}: the image is ${sizeBytes} bytes, ${availableBytes} are free`, { path: folder });
  }
}

function writeFailure(error: unknown, outputPath: string): unknown {
  if (error instanceof CodedError) return error;
  const code = error instanceof Error && 'code' in error ? error.code : null;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new CodedError('no-space', `writing ${outputPath}: ${(error as Error).message}`, { path: outputPath });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new CodedError('permission-denied', `writing ${outputPath}: ${(error as Error).message}`, { path: outputPath });
  }
  return error;
}

function ignoreMissing(error: unknown): null {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
  throw error;
}
