// An .xz image decoded by liblzma (node-liblzma's engine) straight into the caller's slot: no stream,
// no intermediate buffers, no copy. liblzma stops when the slot is full (lzma_code with a bounded
// avail_out), so memory stays bounded however far the data expands (LZMA2 turns a few KiB into many
// MiB of zeros or text, which a Transform stream would push out in one go, whatever its highWaterMark).
// Decoding runs on libuv's thread pool, so it overlaps with the writes of the previous slots.
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { createUnxz, LZMA_FINISH, LZMA_OK, LZMA_RUN, LZMA_STREAM_END, LZMAErrorMessage } from 'node-liblzma';
import { FlashFailure } from '../flash-error.ts';
import type { FlashSource } from './image-source.ts';

/** Compressed bytes read from the file at a time. */
const inputBytes = 1024 * 1024;

/** The engine under node-liblzma's Transform (`lzma`, not in its typings): lzma_code on the thread pool. */
interface LzmaEngine {
  code(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputAvailable: number,
    output: Uint8Array,
    outputOffset: number,
    done: (errno: number, inputLeft: number, outputLeft: number) => void,
  ): void;
  close(): void;
}

function engineOf(stream: unknown): LzmaEngine {
  const engine = (stream as { lzma?: Partial<LzmaEngine> }).lzma;
  if (typeof engine?.code !== 'function' || typeof engine.close !== 'function')
    throw new Error('node-liblzma no longer exposes its engine: update xz-source.ts');
  return engine as LzmaEngine;
}

/** Takes ownership of `handle` (closed by `close`). `expectedBytes` is the decoded size from the xz index, when known. */
export function openXzSource(path: string, handle: FileHandle, expectedBytes: number | null): FlashSource {
  const engine = engineOf(createUnxz());
  const input = Buffer.allocUnsafe(inputBytes);
  let inputStart = 0;
  let inputLength = 0;
  let filePositionBytes = 0;
  let fileEnded = false;
  let streamEnded = false;
  let producedBytes = 0;

  const code = (flush: number, into: Uint8Array, outputOffset: number): Promise<{ errno: number; inputLeft: number; outputLeft: number }> =>
    new Promise((resolve) =>
      engine.code(flush, input, inputStart, inputLength, into, outputOffset, (errno, inputLeft, outputLeft) => resolve({ errno, inputLeft, outputLeft })),
    );

  const damaged = (detail: string, offsetBytes: number): FlashFailure =>
    new FlashFailure('corrupt-archive', `${basename(path)}: the xz data is damaged after ${offsetBytes} decoded bytes: ${detail}`, offsetBytes);

  return {
    path,
    compression: 'xz',
    sizeBytes: expectedBytes,
    isSeekable: false,
    async readNext(into) {
      let filled = 0;
      while (filled < into.length && !streamEnded) {
        if (inputLength === 0 && !fileEnded) {
          let bytesRead: number;
          try {
            ({ bytesRead } = await handle.read(input, 0, input.length, filePositionBytes));
          } catch (error) {
            throw new FlashFailure(
              'source-unreadable',
              `reading ${path} failed after ${producedBytes + filled} decoded bytes: ${(error as Error).message}`,
              producedBytes + filled,
            );
          }
          filePositionBytes += bytesRead;
          inputStart = 0;
          inputLength = bytesRead;
          fileEnded = bytesRead === 0;
        }
        const { errno, inputLeft, outputLeft } = await code(fileEnded ? LZMA_FINISH : LZMA_RUN, into, filled);
        const decoded = into.length - filled - outputLeft;
        inputStart += inputLength - inputLeft;
        inputLength = inputLeft;
        filled += decoded;
        if (errno === LZMA_STREAM_END) streamEnded = true;
        else if (errno !== LZMA_OK) throw damaged(Object.values(LZMAErrorMessage)[errno] ?? `liblzma error ${errno}`, producedBytes + filled);
        // The file ended, liblzma has everything and still wants more: the archive was cut short.
        else if (fileEnded && decoded === 0) throw damaged('the file ends before the xz stream does', producedBytes + filled);
      }
      producedBytes += filled;
      if (streamEnded && filled < into.length && expectedBytes !== null && producedBytes !== expectedBytes) {
        throw new FlashFailure(
          'corrupt-archive',
          `${basename(path)}: the xz data ended after ${producedBytes} decoded bytes; the archive says ${expectedBytes}`,
          producedBytes,
        );
      }
      return filled;
    },
    readAt() {
      return Promise.reject(new Error('xz sources are read once, in order'));
    },
    async close() {
      engine.close();
      await handle.close();
    },
  };
}
