// Streaming decoders for compressed images, each a well-kept library or tool (no hand-written
// decoders): gzip from node:zlib, bzip2 from the system's own bzip2 where it has one (else
// unbzip2-stream), zstd from fzstd (Node 20's zlib has no zstd). Each is a stream (zstd: an async
// generator) from compressed bytes to image bytes. (xz decodes straight into the slots instead:
// xz-stream.ts.)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Duplex, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import createBunzip2 from 'unbzip2-stream';

export type StreamCompression = 'gzip' | 'bzip2';

/** Output pieces of 1 MiB: large enough to amortise per-chunk calls, small enough to keep memory flat. */
const decodedChunkBytes = 1024 * 1024;

export function createDecoder(compression: StreamCompression): Duplex {
  switch (compression) {
    case 'gzip':
      // Concatenated gzip members (pigz, some vendors) are decoded as one stream by zlib.
      return createGunzip({ chunkSize: decodedChunkBytes });
    case 'bzip2': {
      const tool = systemBzip2Paths.find((path) => existsSync(path));
      return tool ? createBzip2ProcessDecoder(tool) : createBzip2Decoder();
    }
  }
}

/**
 * The system's bzip2, at fixed paths only (the elevated helper never searches PATH). Preferred to
 * unbzip2-stream, which collects each decoded block as a JavaScript array of numbers: a bzip2 block
 * can stand for 45 MB of zeros, and a disk image's empty space made it hold hundreds of MiB.
 */
export const systemBzip2Paths = ['/usr/bin/bzip2', '/bin/bzip2'] as const;

/**
 * `bzip2 -dc` as a stream: compressed bytes to its stdin, image bytes from its stdout, the pipe's
 * backpressure keeping memory flat. The output ends only once bzip2 has exited 0: a damaged archive
 * (bzip2 exits 2 after the blocks it could decode) fails the stream with bzip2's own message.
 */
export function createBzip2ProcessDecoder(tool: string): Duplex {
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let message = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (message.length < 2048) message += text;
  });
  const decoder = new Duplex({
    readableHighWaterMark: decodedChunkBytes,
    write(chunk: Buffer, _encoding, callback) {
      if (child.stdin.write(chunk)) callback();
      else child.stdin.once('drain', () => callback());
    },
    final(callback) {
      child.stdin.end();
      callback();
    },
    read() {
      child.stdout.resume();
    },
    destroy(error, callback) {
      if (child.exitCode === null) child.kill();
      callback(error);
    },
  });
  // bzip2 stops reading when it finds damage: its exit status says why, not this EPIPE.
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (data: Buffer) => {
    if (!decoder.push(data)) child.stdout.pause();
  });
  child.on('error', (error) => decoder.destroy(error));
  child.on('close', (code, signal) => {
    if (code === 0) decoder.push(null);
    else if (!decoder.destroyed) decoder.destroy(new Error(`bzip2 -dc: ${message.trim().split('\n')[0] || `ended with ${signal ?? `exit status ${code}`}`}`));
  });
  return decoder;
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
    for (let offset = 0; offset < chunk.length;) {
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
 * Where there is no bzip2 tool (Windows): unbzip2-stream, a classic `through` stream (no async
 * iteration, no backpressure of its own), wrapped in a real Transform that pauses it while our reader
 * is behind so it stops taking input. (It still decodes every block it can from each write at once,
 * each block as an array of numbers: zero runs can hold hundreds of MiB.)
 */
export function createBzip2Decoder(): Transform {
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
