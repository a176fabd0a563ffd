// Where the bytes to write come from: a raw image or block device (positioned reads straight into the
// aligned slots), or a compressed image decoded as a stream without temporary files (.gz, .xz, .bz2,
// .zst, .zip's first image entry). The format is recognised by its magic bytes, not its name.
import { createReadStream, type ReadStream } from 'node:fs';
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import type { SourceCompression } from '../../../shared/flash.ts';
import { detectDiscContainer } from '../../container/open-image-source.ts';
import { FlashFailure } from '../flash-error.ts';
import { readXzDecodedSize } from './xz-index.ts';
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

/** Decoded through a Node stream (xz decodes straight into the slots: xz-source.ts). */
type StreamedCompression = Exclude<SourceCompression, 'none' | 'device' | 'xz'>;

type Magic = { compression: Exclude<SourceCompression, 'none' | 'device'>; bytes: readonly number[] };
const magics: readonly Magic[] = [
  { compression: 'gzip', bytes: [0x1f, 0x8b] }, // RFC 1952 2.3.1: ID1 ID2
  { compression: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }, // xz file format 2.1.1.1: header magic
  { compression: 'bzip2', bytes: [0x42, 0x5a, 0x68] }, // "BZh"
  { compression: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] }, // RFC 8878 3.1.1: frame magic 0xFD2FB528 LE
  { compression: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] }, // APPNOTE 4.3.7: local file header signature
];

export function detectCompression(head: Uint8Array): Exclude<SourceCompression, 'device'> {
  for (const magic of magics) {
    if (magic.bytes.every((byte, index) => head[index] === byte)) return magic.compression;
  }
  return 'none';
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
    const head = new Uint8Array(8);
    await handle.read(head, 0, head.length, 0);
    const compression = detectCompression(stats.size >= 8 ? head : new Uint8Array(8));
    if (compression === 'none') {
      const container = await detectDiscContainer(path);
      if (container !== null) {
        const kind = container === 'nrg' ? 'a Nero (.nrg)' : 'a CUE/BIN';
        throw new FlashFailure('source-unreadable', `${path} is ${kind} disc image, not a raw image: convert it to an ISO first (isotope convert)`);
      }
      return rawSource(path, handle, 'none', stats.size);
    }
    if (compression === 'xz') {
      // The decoded size from the index, both for progress and to catch a file cut short.
      const indexedSizeBytes = await readXzDecodedSize(handle, stats.size, path);
      return (await import('./xz-source.ts')).openXzSource(path, handle, indexedSizeBytes);
    }
    await handle.close();
    return await streamSource(path, compression);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

function rawSource(path: string, handle: FileHandle, compression: 'none' | 'device', sizeBytes: number): FlashSource {
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
  readonly compression: 'none' | 'device';
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

async function streamSource(path: string, compression: StreamedCompression): Promise<FlashSource> {
  const opened = await openDecodedStream(path, compression);
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

function decodeFailure(path: string, compression: string, error: unknown, offsetBytes: number): FlashFailure {
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

interface DecodedStream {
  readonly stream: Readable;
  readonly sizeBytes: number | null;
}

/**
 * A read stream whose file is already open: createReadStream opens lazily, and the elevated helper
 * must have every file of the source open before it gives up the invoking user's rights.
 */
async function openedReadStream(path: string, highWaterMark: number): Promise<ReadStream> {
  const stream = createReadStream(path, { highWaterMark });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new FlashFailure('source-unreadable', `cannot open the image ${path}: ${(error as Error).message}`);
  }
  return stream;
}

async function openDecodedStream(path: string, compression: StreamedCompression): Promise<DecodedStream> {
  // The decoders (fzstd, unbzip2, yauzl; liblzma in xz-source.ts) load on the first compressed image, not at start-up.
  if (compression === 'zip') return (await import('./zip-source.ts')).openFirstZipImage(path);
  const { createDecoder, decodeZstd } = await import('./decoders.ts');
  if (compression === 'zstd') {
    // Pulled one batch of blocks at a time (highWaterMark 1), from small reads: memory stays bounded.
    const compressed = await openedReadStream(path, 64 * 1024);
    return { stream: Readable.from(decodeZstd(compressed), { objectMode: true, highWaterMark: 1 }), sizeBytes: null };
  }
  const file = await openedReadStream(path, 1024 * 1024);
  // pipeline() destroys every stream with the first error, so a read error of the file reaches the
  // consumer of the decoder instead of stalling it.
  const decoder = createDecoder(compression);
  pipeline(file, decoder, () => undefined);
  return { stream: decoder, sizeBytes: null };
}
