// Streaming decoders for compressed images, each a well-kept library (no hand-written decoders):
// gzip from node:zlib, bzip2 from unbzip2-stream, zstd from fzstd (Node 20's zlib has no zstd). Each
// is a Transform (zstd: an async generator) from compressed bytes to image bytes. (xz decodes straight
// into the slots instead: xz-source.ts.)
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import createBunzip2 from 'unbzip2-stream';

export type StreamCompression = 'gzip' | 'bzip2';

/** Output pieces of 1 MiB: large enough to amortise per-chunk calls, small enough to keep memory flat. */
const decodedChunkBytes = 1024 * 1024;

export function createDecoder(compression: StreamCompression): Transform {
  switch (compression) {
    case 'gzip':
      // Concatenated gzip members (pigz, some vendors) are decoded as one stream by zlib.
      return createGunzip({ chunkSize: decodedChunkBytes });
    case 'bzip2':
      return createBzip2Decoder();
  }
}

/** zstd input slices: 1 KiB while the data barely expands, down to 256 bytes in zero runs (see decodeZstd). */
const zstdSliceBytes = { normal: 1024, expanding: 256 } as const;
/** A slice whose blocks decoded to more than this is followed by a small slice. */
const zstdExpandingBytes = 4 * 1024 * 1024;

/**
 * zstd through fzstd's push-style Decompress, pulled by the consumer: the input goes in small slices
 * and each slice's blocks are yielded before the next slice is pushed. A zstd block decodes to at
 * most 128 KiB (RFC 8878 3.1.1.2.3) but an RLE block takes only 4 bytes, so the slice bounds what one
 * push can produce: 1 KiB of all-RLE input (long zero runs) is 256 blocks, 32 MiB, so in such runs
 * the slices shrink to 256 bytes (8 MiB).
 */
export async function* decodeZstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let output: Buffer[] = [];
  let outputBytes = 0;
  // In streaming mode fzstd allocates every block afresh (fzstd 0.1.1 rzb() without an output
  // buffer), so a view is safe to pass on: no copy.
  const decoder = new Decompress((data) => {
    output.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    outputBytes += data.byteLength;
  });
  let sliceBytes: number = zstdSliceBytes.normal;
  let sawInput = false;
  for await (const chunk of input) {
    sawInput ||= chunk.length > 0;
    for (let offset = 0; offset < chunk.length; ) {
      const slice = chunk.subarray(offset, offset + sliceBytes);
      offset += slice.length;
      decoder.push(slice);
      sliceBytes = outputBytes > zstdExpandingBytes ? zstdSliceBytes.expanding : zstdSliceBytes.normal;
      if (output.length > 0) {
        const ready = output;
        output = [];
        outputBytes = 0;
        yield* ready;
      }
    }
  }
  if (!sawInput) throw new Error('the zstd stream is empty');
  decoder.push(new Uint8Array(0), true); // throws on a truncated frame
  yield* output;
}

/**
 * unbzip2-stream is a classic `through` stream (no async iteration, no backpressure of its own): wrap
 * it in a real Transform, pausing it while our reader is behind so it stops taking input. (It still
 * decodes every block it can from each write at once: a bzip2 block of zeros is ~50 bytes for ~5 MB,
 * so zero runs can hold hundreds of MiB; bounding that needs a block-at-a-time decoder.)
 */
function createBzip2Decoder(): Transform {
  const inner = createBunzip2();
  const outer = new Transform({
    readableHighWaterMark: decodedChunkBytes,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      // A paused through stream answers false and emits 'drain' once resumed and emptied.
      if (inner.write(chunk)) callback();
      else inner.once('drain', () => callback());
    },
    flush(callback: TransformCallback) {
      inner.once('end', () => callback());
      inner.end();
    },
    read(this: Transform, size: number) {
      inner.resume();
      Transform.prototype._read.call(this, size);
    },
  });
  inner.on('data', (data: Buffer) => {
    if (!outer.push(data)) inner.pause();
  });
  inner.on('error', (error: Error) => outer.destroy(error));
  return outer;
}
