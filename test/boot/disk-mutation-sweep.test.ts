// Seeded mutation sweeps over the disk-image boot evidence (issue 16): random bytes of real SD cards
// are changed where the verdict reads (the MBR table, the first partition's FAT boot sector, FAT and
// root directory, the MLO file's first cluster, a U-Boot loader's header); the boot report must answer
// or throw CorruptImageError (NotAnImageError once the MBR signature is gone), never crash with anything else or hang. Edits are undone after each run,
// so one copy of the card serves the whole sweep.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { NotAnImageError } from '../../src-main/format/not-an-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { withDamage, type ByteEdit } from '../helpers/random-damage.ts';
import { uBootCardPath, type UBootCardName } from './disk-boot-images.ts';

/** The regions of a card the verdict reads: its MBR, the FAT16 partition at 1 MiB (boot sector, FAT, root, first data), and the loader area. */
function fieldRegions(image: Uint8Array): (readonly [number, number])[] {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const partitionBytes = view.getUint32(446 + 8, true) * 512;
  // FAT spec 3.1: BPB_RsvdSecCnt at 14, BPB_NumFATs at 16, BPB_RootEntCnt at 17, BPB_FATSz16 at 22.
  const reservedBytes = view.getUint16(partitionBytes + 14, true) * 512;
  const fatBytes = view.getUint16(partitionBytes + 22, true) * 512;
  const rootBytes = partitionBytes + reservedBytes + view.getUint8(partitionBytes + 16) * fatBytes;
  const dataBytes = rootBytes + view.getUint16(partitionBytes + 17, true) * 32;
  return [
    [0, 16],
    [432, 80], // the partition table and signature
    [512, 64], // sector 1 (Amlogic's @AML, GRUB's core)
    [1024, 64], // i.MX IVT
    [8192, 64], // Allwinner eGON
    [32 * 1024, 64], // Rockchip header
    [32 * 1024 + 2048, 8], // Rockchip SPL magic
    [partitionBytes, 64], // FAT boot sector
    [partitionBytes + 510, 2],
    [partitionBytes + reservedBytes, 64], // the first FAT's head
    [rootBytes, 128], // root directory entries (MLO, u-boot.img)
    [dataBytes, 64], // the first data cluster (MLO's TOC)
  ];
}

async function sweep(name: UBootCardName, seed: number): Promise<void> {
  const image = new Uint8Array(readFileSync(uBootCardPath(name)));
  const regions = fieldRegions(image);
  const offsets = fc.oneof(
    fc.nat(64 * 1024 - 1),
    fc.constantFrom(...regions).chain(([start, length]) => fc.integer({ min: start, max: start + length - 1 })),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ at: offsets, value: fc.nat(255) }), { minLength: 1, maxLength: 12 }), async (edits) => {
      try {
        const report = await withDamage(
          image,
          edits.map(({ at, value }): ByteEdit => [at, value]),
          () => readBootReport(createMemorySource(image)),
        );
        expect(report.verdict.reasons.length).toBeGreaterThan(0);
      } catch (error) {
        // A damaged 55 AA signature leaves no partition table: "not an image" is then the answer.
        if (!(error instanceof CorruptImageError) && !(error instanceof NotAnImageError)) throw error;
      }
    }),
    { seed, numRuns: 500 },
  );
}

describe('disk-image boot evidence under random damage', () => {
  it('answers or throws a coded error for 500 seeded mutations of a TI card with MLO in its FAT partition', async () => {
    await sweep('tiFat', 20261205);
  });

  it('answers or throws a coded error for 500 seeded mutations of an Allwinner card with a raw SPL', async () => {
    await sweep('allwinner', 20261206);
  });
});
