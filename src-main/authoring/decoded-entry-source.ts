// A zisofs-compressed file of a remastered image as a ByteSource of its decoded bytes (Rock Ridge ZF,
// zisofs2_format.txt). A remaster keeps such a file's content, not its compression: the new image
// records it plain (the composer writes no ZF), so Linux, Windows and every reader see the same bytes.
import { readEntryContent } from '../image/read-entry.ts';
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';
import type { TreeEntry } from '../format/file-tree.ts';

/**
 * The decoded content of `entry` (zisofs) from `image`. The composer reads a file's bytes in order,
 * so one decoder runs forward from the last read and a block is decoded once; a read before the
 * current block starts the decoder again (correct, only slower). Holds one decoded block at a time.
 */
export function decodedEntrySource(image: ByteSource, entry: TreeEntry): ByteSource {
  const name = `${image.name}:${entry.path}`;
  let decoder: AsyncGenerator<Uint8Array> | null = null;
  let block: Uint8Array = new Uint8Array(0);
  let blockStartBytes = 0;

  async function nextBlock(): Promise<void> {
    decoder ??= readEntryContent(image, entry);
    const next = await decoder.next();
    if (next.done) throw new Error(`${name}: the decoder ended at ${blockStartBytes + block.byteLength} bytes of ${entry.sizeBytes}`);
    blockStartBytes += block.byteLength;
    block = next.value;
  }

  async function restart(): Promise<void> {
    await decoder?.return(undefined);
    decoder = null;
    block = new Uint8Array(0);
    blockStartBytes = 0;
  }

  return {
    name,
    sizeBytes: entry.sizeBytes,
    async read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, entry.sizeBytes, offsetBytes, lengthBytes);
      if (offsetBytes < blockStartBytes) await restart();
      const out = new Uint8Array(lengthBytes);
      let filled = 0;
      while (filled < lengthBytes) {
        const at = offsetBytes + filled;
        if (at >= blockStartBytes + block.byteLength) {
          await nextBlock();
          continue;
        }
        const take = Math.min(lengthBytes - filled, blockStartBytes + block.byteLength - at);
        out.set(block.subarray(at - blockStartBytes, at - blockStartBytes + take), filled);
        filled += take;
      }
      return out;
    },
    async close() {
      await restart();
    },
  };
}
