// A ByteSource over bytes already in memory: hand-built sectors in tests, small embedded images.
import { assertReadInBounds, type ByteSource } from './byte-source.ts';

export function createMemorySource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    sizeBytes: bytes.byteLength,
    read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, bytes.byteLength, offsetBytes, lengthBytes);
      // A copy, so a caller that keeps or edits the result never aliases the source. Uint8Array's
      // slice, not the bytes' own: a Buffer's slice is a view, and a parser zeroing a CRC field to
      // check it (GPT) then changed the image it was given.
      return Promise.resolve(Uint8Array.prototype.slice.call(bytes, offsetBytes, offsetBytes + lengthBytes));
    },
    close() {
      return Promise.resolve();
    },
  };
}
