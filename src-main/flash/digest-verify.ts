// Verification of a source that can be read only once (a compressed stream): the target is read back
// (O_DIRECT) and each 64 KiB block hashed in the worker, then compared with the digests taken while
// writing. The source cannot be read again, so a mismatch is known to the block.
import { FlashFailure } from './flash-error.ts';
import type { ByteRange } from './differing-range.ts';
import type { GrowableBytes } from './growable-bytes.ts';
import { digestBlockBytes, digestBytes, type Hasher } from './hasher.ts';
import { alignedLengthBytes } from './target/aligned-memory.ts';
import { openReadBack, type ExpectedDevice } from './target/target-device.ts';

export interface DigestVerifyOptions {
  readonly path: string;
  readonly expected: ExpectedDevice;
  readonly imageBytes: number;
  /** The write pass's digests: `digestBytes` per `digestBlockBytes` block of the image, in order. */
  readonly digests: GrowableBytes;
  readonly hasher: Hasher;
  readonly signal: AbortSignal | undefined;
  /** At least two slots: one read ahead while the previous one is hashed. */
  readonly slots: readonly Uint8Array[];
  /** The target has been read back up to `bytesDone`. */
  readonly onRead: (bytesDone: number) => void;
}

/**
 * Resolves with the mismatching block nearest the start (null when every block matched, or after a
 * cancel); throws a FlashFailure when the target cannot be read back to the image's end.
 */
export async function findDigestMismatch(options: DigestVerifyOptions): Promise<ByteRange | null> {
  const { path, imageBytes, slots } = options;
  const readBack = await openReadBack(path, options.expected);
  let mismatch: ByteRange | null = null;
  const compareChunk = async (view: Uint8Array, chunkOffset: number, lengthBytes: number): Promise<void> => {
    const found = firstDifferingBlock(options.digests, await options.hasher.hashBlocks(view.byteOffset, lengthBytes), chunkOffset, lengthBytes);
    // Chunks are compared concurrently: keep the range nearest the start.
    if (found !== null && (mismatch === null || found.offsetBytes < mismatch.offsetBytes)) mismatch = found;
  };
  // Compares in flight, oldest first: while they hash, the next slots are read (a slot is reused
  // only after its compare is done, so at most slots - 1 are pending when a read starts).
  const pending: Promise<void>[] = [];
  try {
    let offsetBytes = 0;
    for (let index = 0; offsetBytes < imageBytes && !options.signal?.aborted && mismatch === null; index += 1) {
      while (pending.length >= slots.length - 1) await pending.shift();
      const view = slots[index % slots.length]!;
      const wanted = Math.min(view.length, imageBytes - offsetBytes);
      // O_DIRECT reads whole blocks: round up; whatever lies past the image is read and ignored.
      const count = await readBack.readAt(view.subarray(0, Math.min(view.length, alignedLengthBytes(wanted))), offsetBytes);
      if (count < wanted)
        throw new FlashFailure('read-failed', `${path} ended at byte ${offsetBytes + count} while verifying ${imageBytes} bytes`, offsetBytes + count);
      pending.push(compareChunk(view, offsetBytes, wanted));
      offsetBytes += wanted;
      options.onRead(offsetBytes);
    }
    await Promise.all(pending.splice(0));
    return mismatch;
  } finally {
    // On an early exit (a read error), compares still in flight must not surface as unhandled.
    await Promise.allSettled(pending);
    await readBack.close();
  }
}

/** The first block of a chunk whose digest differs from the one taken while writing; null when all match. */
function firstDifferingBlock(digests: GrowableBytes, actual: Uint8Array, chunkOffset: number, lengthBytes: number): ByteRange | null {
  const firstBlock = chunkOffset / digestBlockBytes;
  for (let block = 0; block * digestBytes < actual.length; block += 1) {
    if (!digests.equals((firstBlock + block) * digestBytes, actual.subarray(block * digestBytes, (block + 1) * digestBytes))) {
      const blockOffset = chunkOffset + block * digestBlockBytes;
      return { offsetBytes: blockOffset, lengthBytes: Math.min(digestBlockBytes, chunkOffset + lengthBytes - blockOffset) };
    }
  }
  return null;
}
