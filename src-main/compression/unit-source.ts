// Random access to decoded bytes made of independently decodable units (xz blocks, zstd frames): a
// read finds its units by binary search, decodes each once and keeps the most recently used ones up
// to a byte cap, so memory stays bounded however large the image. A unit being decoded is shared by
// every read that needs it, never decoded twice at once.
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';

/** Where each unit's decoded bytes lie, ascending and contiguous from 0. */
export interface DecodedUnits {
  readonly count: number;
  readonly decodedOffsetBytes: Float64Array;
  readonly decodedSizeBytes: Float64Array;
}

/** Decoded bytes kept for reuse; a unit larger than this is never read at random (needs decoding). */
export const decodedUnitCacheBytes = 64 * 1024 * 1024;
/** The largest unit read at random: two fit in the cache, so a read across a boundary decodes each once. */
export const maxRandomAccessUnitBytes = decodedUnitCacheBytes / 2;

export interface UnitSource extends ByteSource {
  /** Units decoded so far, and their bytes (tests and benchmarks: the first listing must not decode them all). */
  readonly decodedUnitCount: number;
  readonly decodedUnitBytes: number;
}

export function createUnitSource(
  name: string,
  units: DecodedUnits,
  decodeUnit: (index: number) => Promise<Uint8Array>,
  onClose: () => Promise<void>,
): UnitSource {
  const last = units.count - 1;
  const sizeBytes = units.count === 0 ? 0 : (units.decodedOffsetBytes[last] as number) + (units.decodedSizeBytes[last] as number);
  // Map iteration order is insertion order: deleting and re-inserting on a hit makes it an LRU.
  const cached = new Map<number, Promise<Uint8Array>>();
  let cachedBytes = 0;
  let decodedUnitCount = 0;
  let decodedUnitBytes = 0;

  // Counted once decoded (tests and benchmarks: the first listing must not decode every unit).
  const counted = (bytes: Uint8Array): Uint8Array => {
    decodedUnitCount += 1;
    decodedUnitBytes += bytes.byteLength;
    return bytes;
  };
  function unit(index: number): Promise<Uint8Array> {
    const hit = cached.get(index);
    if (hit) {
      cached.delete(index);
      cached.set(index, hit);
      return hit;
    }
    const unitBytes = units.decodedSizeBytes[index] as number;
    const decoded = decodeUnit(index).then(counted);
    // A failed decode is not kept: the next read tries again and sees the error.
    decoded.catch(() => {
      if (cached.get(index) === decoded) {
        cached.delete(index);
        cachedBytes -= unitBytes;
      }
    });
    cached.set(index, decoded);
    cachedBytes += unitBytes;
    for (const [oldest] of cached) {
      if (cachedBytes <= decodedUnitCacheBytes || oldest === index) break;
      cached.delete(oldest);
      cachedBytes -= units.decodedSizeBytes[oldest] as number;
    }
    return decoded;
  }

  async function readInto(into: Uint8Array, offsetBytes: number): Promise<void> {
    assertReadInBounds(name, sizeBytes, offsetBytes, into.byteLength);
    let filled = 0;
    let index = unitAt(units, offsetBytes);
    while (filled < into.byteLength) {
      const bytes = await unit(index);
      const within = offsetBytes + filled - (units.decodedOffsetBytes[index] as number);
      const take = Math.min(into.byteLength - filled, bytes.byteLength - within);
      into.set(bytes.subarray(within, within + take), filled);
      filled += take;
      index += 1;
    }
  }

  return {
    name,
    sizeBytes,
    get decodedUnitCount() {
      return decodedUnitCount;
    },
    get decodedUnitBytes() {
      return decodedUnitBytes;
    },
    async read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, lengthBytes);
      if (lengthBytes === 0) return new Uint8Array(0);
      const index = unitAt(units, offsetBytes);
      const within = offsetBytes - (units.decodedOffsetBytes[index] as number);
      // Inside one unit (most reads of a parser): a view of the decoded unit, no copy.
      if (within + lengthBytes <= (units.decodedSizeBytes[index] as number)) return (await unit(index)).subarray(within, within + lengthBytes);
      const bytes = new Uint8Array(lengthBytes);
      await readInto(bytes, offsetBytes);
      return bytes;
    },
    readInto,
    close() {
      cached.clear();
      return onClose();
    },
  };
}

/** The unit holding decoded byte `offsetBytes` (the last unit starting at or before it, skipping empty units). */
function unitAt(units: DecodedUnits, offsetBytes: number): number {
  let low = 0;
  let high = units.count - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((units.decodedOffsetBytes[middle] as number) <= offsetBytes) low = middle;
    else high = middle - 1;
  }
  // Empty units share their offset with the next one: the binary search lands on the last of them.
  return low;
}
