// A window of another source: a partition of a disk image, read as if it were a file of its own, so a
// file system reader sees its volume start at byte 0 and can never read outside the partition.
import { assertReadInBounds, readIntoBuffer, type ByteSource } from './byte-source.ts';

/**
 * The bytes [offsetBytes, offsetBytes + sizeBytes) of `source`. The window must lie inside the source
 * (a partition past the end of an image is cut to what the image holds before it is sliced). Closing
 * the slice does not close the source it views.
 */
export function sliceSource(source: ByteSource, offsetBytes: number, sizeBytes: number, name = `${source.name} @${offsetBytes}`): ByteSource {
  assertReadInBounds(source.name, source.sizeBytes, offsetBytes, sizeBytes);
  return {
    name,
    sizeBytes,
    read(at, lengthBytes) {
      assertReadInBounds(name, sizeBytes, at, lengthBytes);
      return source.read(offsetBytes + at, lengthBytes);
    },
    readInto(into, at) {
      assertReadInBounds(name, sizeBytes, at, into.byteLength);
      return readIntoBuffer(source, into, offsetBytes + at);
    },
    close: () => Promise.resolve(),
  };
}
