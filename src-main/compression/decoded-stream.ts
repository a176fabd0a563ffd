// A compressed image decoded from its start, as a stream of decoded chunks: what a flash writes and a
// decoded cache file is made of. Each format by a well-kept decoder (decoders.ts, liblzma for xz, yauzl
// for a zip entry), loaded on the first compressed image, not at start-up. Memory stays bounded:
// every decoder is pulled, one chunk at a time.
import { createReadStream, type ReadStream } from 'node:fs';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { pipeline, Readable, Transform } from 'node:stream';
import type { ImageCompression } from '../../shared/image.ts';

export interface DecodedStream {
  /** Decoded chunks (Buffers), in order; destroy it to stop early. */
  readonly stream: Readable;
  /** The decoded size when the format records it exactly (a zip entry); null otherwise. */
  readonly sizeBytes: number | null;
  /** Compressed bytes read from the file so far (progress). */
  compressedBytesRead(): number;
}

/** Decoded chunks of at most 1 MiB: large enough to amortise per-chunk calls, small enough to keep memory flat. */
const xzChunkBytes = 1024 * 1024;

export async function openDecodedStream(path: string, compression: ImageCompression): Promise<DecodedStream> {
  if (compression === 'zip') {
    const { openZipImageStream } = await import('./zip-entry.ts');
    const opened = await openZipImageStream(path);
    let decodedBytes = 0;
    // yauzl reads the entry's bytes as it inflates them: the share decoded stands in for its progress.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        decodedBytes += chunk.length;
        callback(null, chunk);
      },
    });
    pipeline(opened.stream, counted, () => undefined);
    const compressedBytesRead = () => (opened.sizeBytes === 0 ? 0 : Math.floor((decodedBytes / opened.sizeBytes) * opened.compressedSizeBytes));
    return { stream: counted, sizeBytes: opened.sizeBytes, compressedBytesRead };
  }
  if (compression === 'xz') return openXzStream(path);
  const { createDecoder, decodeZstd } = await import('./decoders.ts');
  if (compression === 'zstd') {
    // Pulled one batch of blocks at a time (highWaterMark 1), from small reads: memory stays bounded.
    const compressed = await openedReadStream(path, 64 * 1024);
    return {
      stream: Readable.from(decodeZstd(compressed), { objectMode: true, highWaterMark: 1 }),
      sizeBytes: null,
      compressedBytesRead: () => compressed.bytesRead,
    };
  }
  const file = await openedReadStream(path, 1024 * 1024);
  // pipeline() destroys every stream with the first error, so a read error of the file reaches the
  // consumer of the decoder instead of stalling it.
  const decoder = createDecoder(compression);
  pipeline(file, decoder, () => undefined);
  return { stream: decoder, sizeBytes: null, compressedBytesRead: () => file.bytesRead };
}

/**
 * A read stream whose file is already open: createReadStream opens lazily, and the elevated helper
 * must have every file of the source open before it gives up the invoking user's rights.
 */
async function openedReadStream(path: string, highWaterMark: number): Promise<ReadStream> {
  const stream = createReadStream(path, { highWaterMark });
  await once(stream, 'open');
  return stream;
}

async function openXzStream(path: string): Promise<DecodedStream> {
  const { createXzStreamReader } = await import('./xz-stream.ts');
  const handle = await open(path, 'r');
  const reader = createXzStreamReader(handle, path);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = Buffer.allocUnsafe(xzChunkBytes);
      const filled = await reader.readNext(chunk);
      if (filled > 0) yield chunk.subarray(0, filled);
      if (filled < chunk.length) return;
    }
  }
  const stream = Readable.from(chunks(), { objectMode: true, highWaterMark: 1 });
  // On 'close', not in the generator's finally: a stream destroyed before its first read never runs it.
  stream.once('close', () => {
    reader.close();
    void handle.close();
  });
  return { stream, sizeBytes: null, compressedBytesRead: () => reader.compressedBytesRead };
}
