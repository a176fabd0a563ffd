// An .xz file decoded from its start by liblzma straight into the caller's buffers (lzma-engine.ts):
// the whole decode of a flash or of a decoded cache file. Damage is a CorruptImageError naming the
// decoded offset; a file error stays the file system's error.
import type { FileHandle } from 'node:fs/promises';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { createLzmaDecoder, LZMA_FINISH, LZMA_OK, LZMA_RUN, LZMA_STREAM_END, lzmaErrorMessage } from './lzma-engine.ts';

/** Compressed bytes read from the file at a time. */
const inputBytes = 1024 * 1024;

export interface XzStreamReader {
  /** Fills `into` with the next decoded bytes; short only at the end of the data. */
  readNext(into: Uint8Array): Promise<number>;
  readonly compressedBytesRead: number;
  /** Closes the decoder; the handle stays its owner's. */
  close(): void;
}

/** Where the compressed bytes come from: an open file, or a pass that hashes them as they are read (checksum/). */
export type XzInput = Pick<FileHandle, 'read'> | { read(into: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> };

export function createXzStreamReader(handle: XzInput, name: string): XzStreamReader {
  const decoder = createLzmaDecoder();
  const input = Buffer.allocUnsafe(inputBytes);
  let inputStart = 0;
  let inputLength = 0;
  let filePositionBytes = 0;
  let fileEnded = false;
  let streamEnded = false;
  let producedBytes = 0;
  const damaged = (detail: string, offsetBytes: number): CorruptImageError =>
    new CorruptImageError(`${name}: the xz data is damaged after ${offsetBytes} decoded bytes: ${detail}`, { file: name, decodedOffsetBytes: offsetBytes });
  return {
    get compressedBytesRead() {
      return filePositionBytes;
    },
    async readNext(into) {
      let filled = 0;
      while (filled < into.length && !streamEnded) {
        if (inputLength === 0 && !fileEnded) {
          const { bytesRead } = await handle.read(input, 0, input.length, filePositionBytes);
          filePositionBytes += bytesRead;
          inputStart = 0;
          inputLength = bytesRead;
          fileEnded = bytesRead === 0;
        }
        const step = await decoder.code(fileEnded ? LZMA_FINISH : LZMA_RUN, input, inputStart, inputLength, into, filled);
        const decoded = into.length - filled - step.outputLeft;
        inputStart += inputLength - step.inputLeft;
        inputLength = step.inputLeft;
        filled += decoded;
        if (step.errno === LZMA_STREAM_END) streamEnded = true;
        else if (step.errno !== LZMA_OK) throw damaged(lzmaErrorMessage(step.errno), producedBytes + filled);
        // The file ended, liblzma has everything and still wants more: the archive was cut short.
        else if (fileEnded && decoded === 0) throw damaged('the file ends before the xz stream does', producedBytes + filled);
      }
      producedBytes += filled;
      return filled;
    },
    close: () => decoder.close(),
  };
}
