// The UDF parsers read through the one bounds-checked field reader (src-main/format/fields.ts): a field
// past the end of the bytes at hand is a CorruptImageError naming the field and its image offset, never
// a silent 0 (ECMA-167 numbers were read as 0 out of range before, issue 13).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { tagIds } from '../../src-main/udf/udf-fields.ts';
import { parsePartitionDescriptor } from '../../src-main/udf/volume-descriptors.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { getUint16, getUint32 } from './udf-patching.ts';

const blockBytes = 2048;

/** The partition descriptor of the real genisoimage -udf image and the sector it was read from. */
function partitionDescriptor(): { bytes: Uint8Array; sector: number } {
  const image = new Uint8Array(readFileSync(udfSmallIsoPath()));
  // ECMA-167 3/10.2: the anchor at sector 256 names the main volume descriptor sequence at byte 20.
  const mainSector = getUint32(image, 256 * blockBytes + 20);
  for (let sector = mainSector; sector < mainSector + 16; sector += 1) {
    if (getUint16(image, sector * blockBytes) === tagIds.partition) return { bytes: image.subarray(sector * blockBytes, (sector + 1) * blockBytes), sector };
  }
  throw new Error('the fixture has no partition descriptor in its main sequence');
}

describe('UDF fields out of range', () => {
  it('reads the whole partition descriptor of a real image', () => {
    const { bytes, sector } = partitionDescriptor();
    const parsed = parsePartitionDescriptor(bytes, { offsetBytes: sector * blockBytes, sectorBytes: blockBytes });
    expect(parsed.lengthBlocks).toBeGreaterThan(0);
    expect(parsed.contents).toBe('+NSR02');
  });

  it('refuses a partition descriptor cut short with a corrupt-image error naming the field and its offset, not a 0', () => {
    const { bytes, sector } = partitionDescriptor();
    const place = { offsetBytes: sector * blockBytes, sectorBytes: blockBytes };
    let caught: unknown = null;
    try {
      parsePartitionDescriptor(bytes.subarray(0, 100), place);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorruptImageError);
    const error = caught as CorruptImageError;
    expect(error.message).toContain('partition access type needs 4 bytes at 184');
    expect(error.message).toContain(`offset ${sector * blockBytes + 184}`);
    expect(error.where).toMatchObject({ offsetBytes: sector * blockBytes + 184, sectorLba: sector });
  });
});
