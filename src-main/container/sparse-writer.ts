// Writes a stream of decoded chunks into a new file, leaving all-zero runs unwritten: the file is
// extended over them at the end, so they are holes (sparse) and take no disk space. Disk images are
// mostly empty space: a 2 GiB card image of a few hundred MiB of files stays a few hundred MiB.
import type { FileHandle } from 'node:fs/promises';
import { throwIfCancelled } from '../jobs/errors.ts';

/** Zero runs shorter than this are written: holes are allocated in file-system blocks anyway. */
export const holeBytes = 64 * 1024;
/** The free space is checked again after each this many decoded bytes. */
const spaceCheckBytes = 64 * 1024 * 1024;
const zeros = new Uint8Array(holeBytes);

export interface SparseWriteOptions {
  readonly signal: AbortSignal | undefined;
  /** What is being done, for the CancelledError. */
  readonly what: string;
  /** Throws (no-space) when `decodedBytes` more bytes would not fit; called before the first write and every 64 MiB. */
  checkSpace(decodedBytes: number): Promise<void>;
  onProgress(decodedBytes: number): void;
}

/** Answers the number of bytes the stream held (the file's size). */
export async function writeSparse(handle: FileHandle, chunks: AsyncIterable<Uint8Array>, options: SparseWriteOptions): Promise<number> {
  let positionBytes = 0;
  let nextCheckBytes = 0;
  for await (const chunk of chunks) {
    throwIfCancelled(options.signal, options.what);
    if (positionBytes + chunk.length > nextCheckBytes) {
      await options.checkSpace(positionBytes + chunk.length);
      nextCheckBytes = positionBytes + chunk.length + spaceCheckBytes;
    }
    await writeNonZeroRuns(handle, chunk, positionBytes);
    positionBytes += chunk.length;
    options.onProgress(positionBytes);
  }
  throwIfCancelled(options.signal, options.what);
  // Extends the file over a final zero run (a hole), so its size is the decoded size.
  await handle.truncate(positionBytes);
  return positionBytes;
}

/** Writes the pieces of `chunk` (cut at the file's 64 KiB boundaries) that hold a non-zero byte, neighbours in one write. */
async function writeNonZeroRuns(handle: FileHandle, chunk: Uint8Array, positionBytes: number): Promise<void> {
  let runStart = -1;
  let at = 0;
  while (at < chunk.length) {
    const pieceEnd = Math.min(chunk.length, at + holeBytes - ((positionBytes + at) % holeBytes));
    const piece = chunk.subarray(at, pieceEnd);
    const isZero = Buffer.compare(piece, zeros.subarray(0, piece.length)) === 0;
    if (!isZero && runStart < 0) runStart = at;
    if (isZero && runStart >= 0) {
      await writeAll(handle, chunk.subarray(runStart, at), positionBytes + runStart);
      runStart = -1;
    }
    at = pieceEnd;
  }
  if (runStart >= 0) await writeAll(handle, chunk.subarray(runStart), positionBytes + runStart);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, positionBytes: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, positionBytes + written);
    written += bytesWritten;
  }
}
