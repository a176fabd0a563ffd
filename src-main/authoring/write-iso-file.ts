// Writing a planned image to its file (issue 15), and what is checked before: the output never lies
// inside a source (the image would read its own bytes), is never a source file, replaces no file
// unless asked, and fits the folder's free space. The bytes go to `OUT.partial` in one ordered pass
// through a ring of shared memory: each slot is filled from the sources, then written (on libuv's
// thread pool) while the next slot fills, and hashed with SHA-256 beside them by the hashing worker
// thread (unless asked not to); only a complete, fsynced file becomes OUT. A failure or cancel
// removes the partial file, so no half-written image is ever left looking complete.
import { link, lstat, open, realpath, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IsoWriteResult } from '../../shared/authoring.ts';
import { HashWorkerClient } from '../checksum/hash-worker-client.ts';
import { readIntoBuffer, type ByteSource } from '../io/byte-source.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { pageAlignedSharedMemory } from '../io/shared-memory.ts';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { PlannedIso } from './iso-authoring.ts';
import { yieldWhenSliceSpent } from './sync-slices.ts';

/** Bytes of the image per slot of the ring, emptied by one write (streamImage says why this size). */
const slotBytes = 1024 * 1024;
/**
 * A slot is filled by reads of this many bytes, one after another. A tree file's read this small is
 * synchronous (tree-file-source.ts), and a tree of small files has at most ~128 of them read at once:
 * a 1 MiB read of 2 KiB files starts ~500 reads together, whose promises outlive the small young
 * generation's scavenges, and raised the 50,000-file peak RSS by ~6 MiB.
 */
const fillBytes = 256 * 1024;
/**
 * Slots in the ring: one being written while the next fills; with a hash, two more, so the hashing
 * worker (one request per slot) may lag a little behind the write.
 */
const slotCounts = { plain: 2, hashed: 4 } as const;

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
  const memory = pageAlignedSharedMemory(slotCounts[hashing ? 'hashed' : 'plain'] * slotBytes);
  const hasher = hashing ? new HashWorkerClient({ memory, algorithms: ['sha256'], blockBytes: 0 }) : null;
  let handle: FileHandle | null = null;
  let created = false;
  let sha256Hex: string | null;
  try {
    // 'wx': a file already named OUT.partial is not ours (a stale one, the user's, even a source), so it
    // is never replaced or removed: the write is refused, naming it.
    handle = await openPartial(partialPath);
    created = true;
    await streamImage(planned, { handle, ring: new Uint8Array(memory), hasher }, controls);
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
 * The image's bytes in order, a slot of the ring at a time: the slot is filled from the sources (in
 * reads of fillBytes), then handed to one write on libuv's thread pool and to the hashing worker, and
 * the next slot fills while they run. The copy's two halves (page cache to ring, ring to output) so
 * run on two cores; the write is the larger (tmpfs allocates a page per 4 KiB written), and the main
 * thread mostly waits for it. A slot's write is queued as soon as it is full, not when the write
 * before it ends: the pool goes on to it without waiting for this thread (a file takes its writes one
 * at a time anyway). Progress is reported in image order, each slot once the writes up to it are
 * done; a failed write's error ends the loop when its slot is next needed or at the end. A slot is
 * filled again only once those writes and its hash are done; 1 MiB slots make 1,024 thread-pool round
 * trips per GiB. Issue 15's 1 GiB file, --no-sha256, load 4 to 8 on 2 cores, medians of per-round
 * ratios to genisoimage: 1.24 with 128 KiB synchronous reads and writes in turn, 1.16 with each
 * write waiting for the one before, 1.00 queued at once (12 rounds), all about 0.95 s of CPU. The
 * event loop gets a turn between slots when the slice of time is spent.
 */
async function streamImage(
  planned: PlannedIso,
  output: { handle: FileHandle; ring: Uint8Array; hasher: HashWorkerClient | null },
  controls: { signal: AbortSignal; onProgress(bytesDone: number, bytesTotal: number, subject: string | null): void },
): Promise<void> {
  const source: ByteSource = planned.source;
  const sizeBytes = source.sizeBytes;
  // What still reads each slot (the writes up to its own, and its hash); a failed write's error travels in it.
  const slotsInUse: Promise<unknown>[] = Array.from({ length: output.ring.byteLength / slotBytes }, () => Promise.resolve());
  // Every write up to the latest slot's, and the progress reported for them in image order.
  let written: Promise<void> = Promise.resolve();
  try {
    for (let offsetBytes = 0, index = 0; offsetBytes < sizeBytes; index += 1) {
      if (controls.signal.aborted) throw new CancelledError('writing the image');
      const slot = index % slotsInUse.length;
      await slotsInUse[slot];
      const slotStartBytes = slot * slotBytes;
      const bytes = output.ring.subarray(slotStartBytes, slotStartBytes + Math.min(slotBytes, sizeBytes - offsetBytes));
      for (let filledBytes = 0; filledBytes < bytes.byteLength; filledBytes += fillBytes) {
        await readIntoBuffer(source, bytes.subarray(filledBytes, filledBytes + fillBytes), offsetBytes + filledBytes);
      }
      const atBytes = offsetBytes;
      const doneBytes = atBytes + bytes.byteLength;
      const writing = writeAll(output.handle, bytes, atBytes);
      written = Promise.all([written, writing]).then(() => controls.onProgress(doneBytes, sizeBytes, planned.regionAt(atBytes)));
      const inUse = Promise.all([written, output.hasher?.update(slotStartBytes, bytes.byteLength)]);
      inUse.catch(() => undefined); // awaited (and thrown) when the slot is next needed or at the end
      slotsInUse[slot] = inUse;
      offsetBytes = doneBytes;
      await yieldWhenSliceSpent();
    }
  } catch (error) {
    await Promise.allSettled(slotsInUse); // no write or hash may still read the ring when the caller cleans up
    throw error;
  }
  await Promise.all(slotsInUse);
}

/** Writes all of `bytes` at `positionBytes` (a write may take fewer bytes than given). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, positionBytes: number): Promise<void> {
  for (let written = 0; written < bytes.byteLength;) {
    written += (await handle.write(bytes, written, bytes.byteLength - written, positionBytes + written)).bytesWritten;
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
