// Where a target differs from the image: the range a verification failure reports.
import { FlashFailure } from './flash-error.ts';

/** A range of image bytes: where a target differs from the image. */
export interface ByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/**
 * The range from the first to the last differing byte of two equally long views (image offset
 * `baseOffsetBytes`); null when equal. With `withinBlockBytes`, the range ends inside the block of
 * that size holding the first difference (verify-only reports to the block, as digests would).
 */
export function differingRange(
  expected: Uint8Array,
  actual: Uint8Array,
  baseOffsetBytes: number,
  options: { withinBlockBytes?: number } = {},
): ByteRange | null {
  if (Buffer.compare(expected, actual) === 0) return null;
  let first = 0;
  while (first < expected.length && expected[first] === actual[first]) first += 1;
  const block = options.withinBlockBytes;
  const end = block === undefined ? expected.length : Math.min(expected.length, (Math.floor((baseOffsetBytes + first) / block) + 1) * block - baseOffsetBytes);
  let last = end - 1;
  while (last > first && expected[last] === actual[last]) last -= 1;
  return { offsetBytes: baseOffsetBytes + first, lengthBytes: last - first + 1 };
}

/** The failure a target reports when it differs from the image over `range` (bounds inclusive). */
export function mismatchFailure(targetPath: string, imagePath: string, range: ByteRange): FlashFailure {
  const lastByte = range.offsetBytes + range.lengthBytes - 1;
  return new FlashFailure('verification-mismatch', `${targetPath} differs from ${imagePath} at bytes ${range.offsetBytes}..${lastByte}`, range.offsetBytes);
}
