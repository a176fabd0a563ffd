// A planned stick (stick/compose-stick.ts: partition table, file system, and the image's files read
// through to the image) as a FlashSource: positioned reads, so it is written like a raw image and
// verified byte for byte, the compare pass naming the first bad byte.
import { readIntoBuffer, type ByteSource } from '../../io/byte-source.ts';
import { FlashFailure } from '../flash-error.ts';
import { seekableFlashSource, type FlashSource } from './image-source.ts';

/** `path` names the stick in results and messages (the image it was composed from). Closing it closes the body, never the image under it. */
export function composedFlashSource(body: ByteSource, path: string): FlashSource {
  const readAt = async (into: Uint8Array, offsetBytes: number): Promise<number> => {
    const lengthBytes = Math.max(0, Math.min(into.length, body.sizeBytes - offsetBytes));
    if (lengthBytes === 0) return 0;
    try {
      // Straight into the flash's slot: the image's files are read with pread into it, as a raw image is.
      await readIntoBuffer(body, into.subarray(0, lengthBytes), offsetBytes);
    } catch (error) {
      // The image's bytes, read through the stick's layout: the offset is the stick's, the message names the image.
      throw new FlashFailure('source-unreadable', `reading ${path} for the stick's byte ${offsetBytes} failed: ${(error as Error).message}`, offsetBytes);
    }
    return lengthBytes;
  };
  return seekableFlashSource({ path, compression: 'none', sizeBytes: body.sizeBytes, readAt, close: () => body.close() });
}
