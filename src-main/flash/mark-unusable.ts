// A stick whose write cannot be trusted (its download failed or its bytes were not the published
// ones) is made plainly unusable: its first and last MiB zeroed, so no half-written partition table,
// GPT backup or boot sector is left that firmware or an OS could take for a valid one (issue 19).
import { signatureWipeRanges } from '../disk/partition-table-writer.ts';
import { targetFailure } from './flash-error.ts';
import { headBytes } from './flash-job.ts';
import { allocateAlignedSlots } from './target/aligned-memory.ts';
import { openRawTarget, type ExpectedDevice } from './target/target-device.ts';

/** Zeroes the first and last MiB of the target at `path` and flushes; throws a FlashFailure when it cannot. */
export async function markUnusable(path: string, expected?: ExpectedDevice): Promise<void> {
  const zeros = allocateAlignedSlots(1, headBytes).slots[0]!;
  const target = await openRawTarget(path, expected).catch((error: unknown) => {
    throw targetFailure(error, 'open', path, null);
  });
  try {
    for (const range of signatureWipeRanges(target.sizeBytes)) {
      await target.writeAt(zeros.subarray(0, range.lengthBytes), range.offsetBytes).catch((error: unknown) => {
        throw targetFailure(error, 'write', path, range.offsetBytes);
      });
    }
    await target.flush().catch((error: unknown) => {
      throw targetFailure(error, 'flush', path, null);
    });
  } finally {
    await target.close();
  }
}
