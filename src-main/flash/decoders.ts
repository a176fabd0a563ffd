// Streaming decoders for compressed images, each a well-kept library (no hand-written decoders):
// gzip from node:zlib, xz from liblzma (node-liblzma), bzip2 from unbzip2-stream, zstd from fzstd
// (Node 20's zlib has no zstd). Each is a Transform (zstd: an async generator) from compressed
// bytes to image bytes.
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { createUnxz } from 'node-liblzma';
import createBunzip2 from 'unbzip2-stream';

export type StreamCompression = 'gzip' | 'xz' | 'bzip2';

/** Output pieces of 1 MiB: large enough to amortise per-chunk calls (liblzma's default 64 KiB costs 5x), small enough to keep memory flat. */
const decodedChunkBytes = 1024 * 1024;

export function createDecoder(compression: StreamCompression): Transform {
  switch (compression) {
    case 'gzip':
      // Concatenated gzip members (pigz, some vendors) are decoded as one stream by zlib.
      return createGunzip({ chunkSize: decodedChunkBytes });
    case 'xz':
      // node-liblzma's typings narrow `on`; it is a plain Transform underneath.
      return createUnxz({ chunkSize: decodedChunkBytes }, { highWaterMark: decodedChunkBytes }) as unknown as Transform;
    case 'bzip2':
      return createBzip2Decoder();
  }
}

/**
 * zstd through fzstd's push-style Decompress, pulled by the consumer: the input goes in 1 KiB
 * slices and each slice's blocks are yielded before the next slice is pushed. A zstd block decodes
 * to at most 128 KiB (RFC 8878 3.1.1.2.3) but an RLE block takes only 4 bytes, so small slices
 * bound what one push can produce (all-RLE input, i.e. long zero runs: 256 blocks, 32 MiB).
 */
export async function* decodeZstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const sliceBytes = 1024;
  let output: Buffer[] = [];
  // In streaming mode fzstd allocates every block afresh (fzstd 0.1.1 rzb() without an output
  // buffer), so a view is safe to pass on: no copy.
  const decoder = new Decompress((data) => void output.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  let sawInput = false;
  for await (const chunk of input) {
    sawInput ||= chunk.length > 0;
    for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
      decoder.push(chunk.subarray(offset, offset + sliceBytes));
      if (output.length > 0) {
        const ready = output;
        output = [];
        yield* ready;
      }
    }
  }
  if (!sawInput) throw new Error('the zstd stream is empty');
  decoder.push(new Uint8Array(0), true); // throws on a truncated frame
  yield* output;
}

/** unbzip2-stream is a classic `through` stream (no async iteration): wrap it in a real Transform. */
function createBzip2Decoder(): Transform {
  const inner = createBunzip2();
  const outer = new Transform({
    readableHighWaterMark: decodedChunkBytes,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (inner.write(chunk)) callback();
      else inner.once('drain', () => callback());
    },
    flush(callback: TransformCallback) {
      inner.once('end', () => callback());
      inner.end();
    },
  });
  inner.on('data', (data: Buffer) => outer.push(data));
  inner.on('error', (error: Error) => outer.destroy(error));
  return outer;
}
