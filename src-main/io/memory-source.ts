// A ByteSource over bytes already in memory: hand-built sectors in tests, small embedded images.
import { assertReadInBounds, type ByteSource } from './byte-source.ts';

export function createMemorySource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    sizeBytes: bytes.byteLength,
    read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, bytes.byteLength, offsetBytes, lengthBytes);
      // A copy, so a caller that keeps or edits the result never aliases the source.
      return Promise.resolve(bytes.slice(offsetBytes, offsetBytes + lengthBytes));
    },
    close() {
      return Promise.resolve();
    },
  };
}
