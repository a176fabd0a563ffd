// Writing a planned image to its file (issue 15), and what is checked before: the output never lies
// inside a source (the image would read its own bytes), is never a source file, replaces no file
// unless asked, and fits the folder's free space. The bytes go to `OUT.partial` in one ordered pass
// of large writes, each chunk read while the one before is written (two reused buffers), hashed with
// SHA-256 on the way by the hashing worker thread (unless asked not to), so the hash costs the write
// no time; only a complete, fsynced file becomes OUT. A failure or cancel removes the
// partial file, so no half-written image is ever left looking complete.
import { link, lstat, open, realpath, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IsoWriteResult } from '../../shared/authoring.ts';
import { HashWorkerClient } from '../checksum/hash-worker-client.ts';
import { readIntoBuffer, type ByteSource } from '../io/byte-source.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { PlannedIso } from './iso-authoring.ts';

/**
 * Bytes read and written per step: large enough for the disk to stream, two of them are all the
 * memory the write holds. 4 MiB writes a 1 GiB file as fast as 8 MiB did here (2.5 s either way,
 * /dev/shm) and keeps 8 MiB off the peak of a 50,000-file image (issue 15: under 150 MiB).
 */
const chunkBytes = 4 * 1024 * 1024;

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
  // Both buffers live in one shared memory, which the hashing worker reads in place (no copy).
  const memory = new SharedArrayBuffer(2 * Math.min(chunkBytes, sizeBytes));
  const hasher = (target.sha256 ?? true) ? new HashWorkerClient({ memory, algorithms: ['sha256'], blockBytes: 0 }) : null;
  let handle: FileHandle | null = null;
  let created = false;
  let sha256Hex: string | null;
  try {
    // 'wx': a file already named OUT.partial is not ours (a stale one, the user's, even a source), so it
    // is never replaced or removed: the write is refused, naming it.
    handle = await openPartial(partialPath);
    created = true;
    await streamImage(planned, { handle, memory, hasher }, controls);
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
 * The image's bytes in order: each chunk is read into one buffer while the other's bytes are written
 * and hashed. A buffer is refilled only once both its write and its hash are done; the hashes go to
 * the worker in image order, and it answers them in that order.
 */
async function streamImage(
  planned: PlannedIso,
  output: { handle: FileHandle; memory: SharedArrayBuffer; hasher: HashWorkerClient | null },
  controls: { signal: AbortSignal; onProgress(bytesDone: number, bytesTotal: number, subject: string | null): void },
): Promise<void> {
  const source: ByteSource = planned.source;
  const sizeBytes = source.sizeBytes;
  const bufferBytes = output.memory.byteLength / 2;
  const buffers = [new Uint8Array(output.memory, 0, bufferBytes), new Uint8Array(output.memory, bufferBytes, bufferBytes)];
  const buffersFree: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let offsetBytes = 0, index = 0; offsetBytes < sizeBytes; index += 1) {
      if (controls.signal.aborted) throw new CancelledError('writing the image');
      const slot = index % 2;
      await buffersFree[slot];
      const chunk = buffers[slot]!.subarray(0, Math.min(bufferBytes, sizeBytes - offsetBytes));
      // The other buffer may still be on its way to the file and through the hash: this read overlaps both.
      await readIntoBuffer(source, chunk, offsetBytes);
      await writing;
      writing = writeAll(output.handle, chunk, offsetBytes);
      const hashing = output.hasher?.update(slot * bufferBytes, chunk.byteLength);
      const free = Promise.all([writing, hashing]);
      free.catch(() => undefined); // awaited (and thrown) when the buffer is next needed or at the end
      buffersFree[slot] = free;
      offsetBytes += chunk.byteLength;
      controls.onProgress(offsetBytes, sizeBytes, planned.regionAt(offsetBytes - chunk.byteLength));
    }
  } catch (error) {
    await Promise.allSettled(buffersFree); // nothing may still run over the buffers when the caller cleans up
    throw error;
  }
  await Promise.all(buffersFree);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, positionBytes: number): Promise<void> {
  for (let written = 0; written < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written, positionBytes + written);
    written += bytesWritten;
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
