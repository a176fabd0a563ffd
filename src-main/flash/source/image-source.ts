// Where the bytes to write come from: a raw image or block device (positioned reads straight into the
// aligned slots), or a compressed image decoded as a stream without temporary files (.gz, .xz, .bz2,
// .zst, .zip's first image entry). The format is recognised by its magic bytes, not its name.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SourceCompression } from '../../../shared/flash.ts';
import type { ImageCompression } from '../../../shared/image.ts';
import { compressionMagicBytes, detectCompression } from '../../compression/detect-compression.ts';
import { openDecodedStream } from '../../compression/decoded-stream.ts';
import { findDecodedCache, retainDecodedCache } from '../../container/decoded-cache.ts';
import { detectDiscContainer } from '../../container/open-image-source.ts';
import { CorruptImageError } from '../../io/corrupt-image-error.ts';
import { FlashFailure } from '../flash-error.ts';
import { deviceSizeBytes } from '../target/target-device.ts';

export interface FlashSource {
  readonly path: string;
  readonly compression: SourceCompression;
  /** Bytes the source will produce; null when a compressed stream does not say. */
  readonly sizeBytes: number | null;
  /** True when `readAt` can re-read any range (raw files and devices): verification can then name the exact first bad byte. */
  readonly isSeekable: boolean;
  /**
   * Fills `into` from the current position; returns how many bytes it placed, short only at the end.
   * Decoder errors become `corrupt-archive`, I/O errors `source-unreadable`, with the offset.
   */
  readNext(into: Uint8Array): Promise<number>;
  /** Positioned read of the decoded bytes (seekable sources only). */
  readAt(into: Uint8Array, offsetBytes: number): Promise<number>;
  close(): Promise<void>;
}

export async function openFlashSource(path: string): Promise<FlashSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FlashFailure('source-unreadable', `cannot open the image ${path}: ${(error as Error).message}`);
  }
  try {
    const stats = await handle.stat();
    if (stats.isBlockDevice()) return rawSource(path, handle, 'device', await deviceSizeBytes(path));
    if (!stats.isFile()) throw new FlashFailure('source-unreadable', `${path} is neither a regular file nor a block device`);
    const head = new Uint8Array(compressionMagicBytes);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    if (compression === null) {
      const container = await detectDiscContainer(path);
      if (container !== null) {
        const kind = container === 'nrg' ? 'a Nero (.nrg)' : 'a CUE/BIN';
        throw new FlashFailure('source-unreadable', `${path} is ${kind} disc image, not a raw image: convert it to an ISO first (isotope convert)`);
      }
      return rawSource(path, handle, 'none', stats.size);
    }
    await handle.close();
    // Decoded once already (image:decode): the cache file of this very file version is read at random,
    // so verification names the exact first bad byte, and nothing is decoded twice.
    const cached = await findDecodedCache(path);
    if (cached !== null) return await decodedCacheSource(path, compression, cached.cachePath, cached.decodedSizeBytes);
    if (compression === 'xz') return await (await import('./xz-source.ts')).openXzSource(path);
    return await streamSource(path, compression);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function decodedCacheSource(path: string, compression: ImageCompression, cachePath: string, sizeBytes: number): Promise<FlashSource> {
  let handle: FileHandle;
  try {
    handle = await open(cachePath, 'r');
  } catch (error) {
    throw new FlashFailure('source-unreadable', `cannot open the decoded cache file ${cachePath} of ${path}: ${(error as Error).message}`);
  }
  // Clearing the cache keeps this file while the flash reads it.
  const release = retainDecodedCache(cachePath, `the flash of ${path}`);
  const source = rawSource(path, handle, compression, sizeBytes);
  return {
    ...source,
    close: async () => {
      release();
      await source.close();
    },
  };
}

function rawSource(path: string, handle: FileHandle, compression: SourceCompression, sizeBytes: number): FlashSource {
  const readAt = async (into: Uint8Array, offsetBytes: number): Promise<number> => {
    let filled = 0;
    // read() may return fewer bytes than asked: loop until the view is full or the source ends.
    while (filled < into.length && offsetBytes + filled < sizeBytes) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(into, filled, Math.min(into.length - filled, sizeBytes - offsetBytes - filled), offsetBytes + filled));
      } catch (error) {
        throw new FlashFailure(
          'source-unreadable',
          `reading ${path} at byte ${offsetBytes + filled} failed: ${(error as Error).message}`,
          offsetBytes + filled,
        );
      }
      if (bytesRead === 0)
        throw new FlashFailure('source-unreadable', `${path} ended at byte ${offsetBytes + filled}, expected ${sizeBytes}`, offsetBytes + filled);
      filled += bytesRead;
    }
    return filled;
  };
  return seekableFlashSource({ path, compression, sizeBytes, readAt, close: () => handle.close() });
}

/** The parts of a seekable source that differ: where its bytes come from and how it closes. */
export interface SeekableReads {
  readonly path: string;
  /** 'none' or 'device', or the compression of an image read from its decoded cache file. */
  readonly compression: SourceCompression;
  readonly sizeBytes: number;
  /** Fills `into` from `offsetBytes`; short only at the end. Errors are FlashFailures naming the offset. */
  readAt(into: Uint8Array, offsetBytes: number): Promise<number>;
  close(): Promise<void>;
}

/** A FlashSource of positioned reads (raw files, devices, composed sticks): `readNext` reads on from where its last read ended. */
export function seekableFlashSource(reads: SeekableReads): FlashSource {
  let positionBytes = 0;
  return {
    ...reads,
    isSeekable: true,
    async readNext(into) {
      const count = await reads.readAt(into, positionBytes);
      positionBytes += count;
      return count;
    },
  };
}

/** Decoded through a Node stream (xz decodes straight into the slots: xz-source.ts). Decoder errors become `corrupt-archive`, file errors `source-unreadable` (decodeFailure). */
async function streamSource(path: string, compression: Exclude<ImageCompression, 'xz'>): Promise<FlashSource> {
  let opened;
  try {
    opened = await openDecodedStream(path, compression);
  } catch (error) {
    if (error instanceof CorruptImageError) throw new FlashFailure('corrupt-archive', error.message);
    throw new FlashFailure('source-unreadable', `cannot open the image ${path}: ${(error as Error).message}`);
  }
  const expectedBytes = opened.sizeBytes;
  const iterator = opened.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  let producedBytes = 0;
  return {
    path,
    compression,
    sizeBytes: expectedBytes,
    isSeekable: false,
    async readNext(into) {
      let filled = 0;
      while (filled < into.length) {
        if (pending.length === 0) {
          if (ended) break;
          let next: IteratorResult<Buffer>;
          try {
            next = await iterator.next();
          } catch (error) {
            throw decodeFailure(path, compression, error, producedBytes + filled);
          }
          if (next.done) {
            ended = true;
            if (expectedBytes !== null && producedBytes + filled !== expectedBytes) {
              throw new FlashFailure(
                'corrupt-archive',
                `${basename(path)}: the ${compression} data ended after ${producedBytes + filled} decoded bytes; the archive says ${expectedBytes}`,
                producedBytes + filled,
              );
            }
            break;
          }
          pending = next.value;
          continue;
        }
        const count = Math.min(pending.length, into.length - filled);
        into.set(pending.subarray(0, count), filled);
        pending = pending.subarray(count);
        filled += count;
      }
      producedBytes += filled;
      return filled;
    },
    readAt() {
      return Promise.reject(new Error(`${compression} sources are read once, in order`));
    },
    async close() {
      opened.stream.destroy();
    },
  };
}

export function decodeFailure(path: string, compression: string, error: unknown, offsetBytes: number): FlashFailure {
  if (error instanceof FlashFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const errno = error instanceof Error && 'code' in error ? String(error.code) : '';
  // File-system errors (EIO, ENOENT after removal) are the source's; anything from the decoder means damage.
  if (/^E[A-Z]+$/.test(errno) && errno !== 'Z_DATA_ERROR' && errno !== 'Z_BUF_ERROR') {
    return new FlashFailure('source-unreadable', `reading ${path} failed after ${offsetBytes} decoded bytes: ${message}`, offsetBytes);
  }
  return new FlashFailure(
    'corrupt-archive',
    `${basename(path)}: the ${compression} data is damaged after ${offsetBytes} decoded bytes: ${message}`,
    offsetBytes,
  );
}
