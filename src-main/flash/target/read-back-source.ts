// A written target read back as a ByteSource, around the page cache (O_DIRECT where the OS allows),
// so a reader (our FAT reader, verifying a copy-files stick file by file) sees what the drive holds,
// not what the kernel remembers writing. O_DIRECT wants aligned memory, offsets and lengths: each read
// goes through one aligned scratch buffer, a window at a time, and reads are served one at a time.
import { ByteRangeError, assertReadInBounds, type ByteSource } from '../../io/byte-source.ts';
import { allocateAlignedSlots, alignmentBytes } from './aligned-memory.ts';
import type { ReadBackHandle } from './target-device.ts';

/** The scratch window: large enough for a FAT cluster run in a few calls, small enough to keep resident. */
const windowBytes = 1024 * 1024;

export function readBackSource(readBack: ReadBackHandle, path: string, sizeBytes: number): ByteSource {
  const scratch = allocateAlignedSlots(1, windowBytes + alignmentBytes).slots[0]!;
  let queue: Promise<unknown> = Promise.resolve();
  const readWindow = async (out: Uint8Array, offsetBytes: number): Promise<void> => {
    const alignedStart = offsetBytes - (offsetBytes % alignmentBytes);
    const skip = offsetBytes - alignedStart;
    const spanBytes = Math.ceil((skip + out.length) / alignmentBytes) * alignmentBytes;
    const count = await readBack.readAt(scratch.subarray(0, spanBytes), alignedStart);
    // A device ends on its logical block, which may fall inside the last aligned span: short only past the wanted bytes.
    if (count < skip + out.length) throw new ByteRangeError(path, offsetBytes, out.length, alignedStart + count);
    out.set(scratch.subarray(skip, skip + out.length));
  };
  const readRangeInto = async (into: Uint8Array, offsetBytes: number): Promise<void> => {
    assertReadInBounds(path, sizeBytes, offsetBytes, into.byteLength);
    for (let doneBytes = 0; doneBytes < into.byteLength; doneBytes += windowBytes) {
      await readWindow(into.subarray(doneBytes, Math.min(into.byteLength, doneBytes + windowBytes)), offsetBytes + doneBytes);
    }
  };
  /** One read at a time: they share the scratch window. */
  const serialized = <T>(read: () => Promise<T>): Promise<T> => {
    const result = queue.then(read);
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    name: path,
    sizeBytes,
    read(offsetBytes, lengthBytes) {
      return serialized(async () => {
        const out = new Uint8Array(lengthBytes);
        await readRangeInto(out, offsetBytes);
        return out;
      });
    },
    readInto(into, offsetBytes) {
      return serialized(() => readRangeInto(into, offsetBytes));
    },
    close: () => readBack.close(),
  };
}
