// A ByteSource that keeps a small least-recently-used cache of fixed-size blocks in front of another
// source, so parsers can re-read directory sectors and descriptors without touching the disk again.
// Large reads (file contents being streamed) bypass the cache so they never evict metadata.
import { assertReadInBounds, type ByteSource } from './byte-source.ts';

export interface CachedSourceOptions {
  /** Size of one cached block; a multiple of 2048 keeps ISO sectors inside one block. */
  readonly blockBytes?: number;
  /** How many blocks to keep; the cache holds at most blockBytes x maxBlocks bytes. */
  readonly maxBlocks?: number;
}

export interface CachedSource extends ByteSource {
  /** Reads that reached the underlying source (for tests and benchmarks). */
  readonly underlyingReadCount: number;
}

const defaultBlockBytes = 128 * 1024;
const defaultMaxBlocks = 64; // 8 MiB

export function createCachedSource(inner: ByteSource, options: CachedSourceOptions = {}): CachedSource {
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  const maxBlocks = options.maxBlocks ?? defaultMaxBlocks;
  // Map iteration order is insertion order: deleting and re-inserting on a hit makes it an LRU.
  const blocks = new Map<number, Uint8Array>();
  let underlyingReadCount = 0;

  async function block(index: number): Promise<Uint8Array> {
    const cached = blocks.get(index);
    if (cached) {
      blocks.delete(index);
      blocks.set(index, cached);
      return cached;
    }
    const start = index * blockBytes;
    const length = Math.min(blockBytes, inner.sizeBytes - start);
    underlyingReadCount += 1;
    const bytes = await inner.read(start, length);
    blocks.set(index, bytes);
    if (blocks.size > maxBlocks) {
      const oldest = blocks.keys().next().value;
      if (oldest !== undefined) blocks.delete(oldest);
    }
    return bytes;
  }

  return {
    name: inner.name,
    sizeBytes: inner.sizeBytes,
    get underlyingReadCount() {
      return underlyingReadCount;
    },
    async read(offsetBytes, lengthBytes) {
      assertReadInBounds(inner.name, inner.sizeBytes, offsetBytes, lengthBytes);
      if (lengthBytes > blockBytes) {
        underlyingReadCount += 1;
        return inner.read(offsetBytes, lengthBytes);
      }
      const result = new Uint8Array(lengthBytes);
      let filled = 0;
      while (filled < lengthBytes) {
        const at = offsetBytes + filled;
        const index = Math.floor(at / blockBytes);
        const bytes = await block(index);
        const within = at - index * blockBytes;
        const take = Math.min(lengthBytes - filled, bytes.byteLength - within);
        result.set(bytes.subarray(within, within + take), filled);
        filled += take;
      }
      return result;
    },
    close() {
      blocks.clear();
      return inner.close();
    },
  };
}
