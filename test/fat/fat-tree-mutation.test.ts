// A seeded mutation sweep over a volume our FAT32 writer made: random bytes of its boot sector, FSInfo,
// FAT head and directory clusters are changed; listing and reading every file must answer or throw
// CorruptImageError, never crash with anything else or hang; so must describe() (label, volume id, the
// used-cluster count from the FAT).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openFatFilesystem } from '../../src-main/fat/fat-filesystem.ts';
import { planFat32Volume } from '../../src-main/fat/fat32-writer.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { walkAndReadEveryFile, withDamage, type ByteEdit } from '../helpers/random-damage.ts';
import { directory, file, seededBytes } from './fat-test-volumes.ts';

const volumeSizeBytes = 34 * 1024 * 1024;

async function sweptVolume(): Promise<{ image: Uint8Array; regions: (readonly [number, number])[] }> {
  const entries = [
    directory('/EFI'),
    directory('/EFI/BOOT'),
    file('/EFI/BOOT/BOOTX64.EFI', seededBytes(3000, 1)),
    file('/a long name.txt', seededBytes(700, 2)),
  ];
  for (let index = 0; index < 20; index += 1) entries.push(file(`/EFI/file ${index}.bin`, seededBytes(600, 10 + index)));
  const plan = planFat32Volume({ volumeSizeBytes, hiddenSectors: 0, label: 'SWEEP', volumeId: 7, entries });
  const image = new Uint8Array(volumeSizeBytes);
  image.set(await plan.source.read(0, plan.source.sizeBytes));
  const view = new DataView(image.buffer);
  const dataOffsetBytes = (32 + 2 * view.getUint32(36, true)) * 512;
  return {
    image,
    regions: [
      [0, 90], // jump, BPB and the FAT32 extension
      [510, 2], // the signature
      [512 + 484, 16], // FSInfo's counts
      [32 * 512, 160], // the FAT's first 40 entries: every chain of this volume
      [dataOffsetBytes, 4 * 512], // the root, /EFI (two clusters of entries) and /EFI/BOOT
    ],
  };
}

async function listAndRead(image: Uint8Array): Promise<number> {
  const source = createMemorySource(image);
  const tree = await openFatFilesystem(source);
  if (!tree) return 0;
  const { bytesRead } = await walkAndReadEveryFile(source, tree);
  await tree.describe();
  return bytesRead;
}

describe('FAT tree reader under random damage', () => {
  it('lists, reads and describes or throws CorruptImageError for 600 seeded mutations of a written FAT32 volume', async () => {
    const { image, regions } = await sweptVolume();
    expect(await listAndRead(image)).toBe(3000 + 700 + 20 * 600);
    const offset = fc.constantFrom(...regions).chain(([start, length]) => fc.integer({ min: start, max: start + length - 1 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ at: offset, value: fc.nat(255) }), { minLength: 1, maxLength: 8 }), async (edits) => {
        try {
          await withDamage(
            image,
            edits.map(({ at, value }): ByteEdit => [at, value]),
            () => listAndRead(image),
          );
        } catch (error) {
          if (!(error instanceof CorruptImageError)) throw error;
        }
      }),
      { seed: 20261204, numRuns: 600 },
    );
  });
});
