// A seeded mutation sweep of 5,000 cases over a disk image holding FAT32, exFAT and ext4 partitions
// (test/fixtures/disk-images.ts, made by sfdisk, mkfs.fat, mkfs.exfat and mkfs.ext4 -d): random bytes
// and smashed 32-bit fields in the partition table and in each file system's structures (boot
// sectors, FATs, directories, superblock, group descriptors, inode table). For each case the image is
// opened, every entry walked and every file read (its first 8 MiB: a damaged size may describe a
// terabyte-long sparse file, whose zeros prove nothing). Only CorruptImageError (and its work-budget
// kind) may end a case, each within a time limit. Integration: it runs about half a minute.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { openDiskImage } from '../../src-main/image/disk-image.ts';
import { readPartitionMap } from '../../src-main/disk/partition-map.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';
import { randomDamage, walkAndReadEveryFile, withDamage } from '../helpers/random-damage.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

const cases = 5000;
/** Per case: a damaged image may cost more than a clean one, never this much. */
const caseLimitMs = 2000;
const maxReadBytes = 8 * 1024 * 1024;

/** Where the structures lie: [start, length] regions of the image, found from the clean image's own fields. */
async function structureRegions(image: Buffer): Promise<[number, number][]> {
  const map = await readPartitionMap(createMemorySource(image));
  const [fat, exfat, ext] = map.partitions.map((partition) => partition.offsetBytes) as [number, number, number];
  const regions: [number, number][] = [[446, 66]]; // the MBR's four slots and signature
  // FAT32 (FAT spec 3.1-3.3): BPB, FSInfo, the FAT's head, the root directory's first clusters.
  const reservedSectors = image.readUInt16LE(fat + 14);
  const fatSectors = image.readUInt32LE(fat + 36);
  regions.push([fat, 90], [fat + 512 + 484, 16], [fat + reservedSectors * 512, 512], [fat + (reservedSectors + 2 * fatSectors) * 512, 8 * 512]);
  // exFAT (spec 3.1): boot sector, the FAT's head, the cluster heap's first clusters (bitmap, up-case table, root).
  const exfatFatOffset = image.readUInt32LE(exfat + 80) * 512;
  const heapOffset = image.readUInt32LE(exfat + 88) * 512;
  regions.push([exfat, 120], [exfat + exfatFatOffset, 256], [exfat + heapOffset, 64 * 1024]);
  // ext4: superblock and group descriptors, then the bitmaps, inode table and first directory blocks.
  regions.push([ext + 1024, 1024], [ext + 2048, 1024], [ext + 4096, 512 * 1024]);
  return regions;
}

interface Outcome {
  readonly corrupt: number;
  readonly clean: number;
  readonly slowestMs: number;
}

async function openWalkRead(image: Uint8Array): Promise<void> {
  const source = createMemorySource(image, 'sweep-disk.img');
  const disk = await openDiskImage(source);
  if (disk) await walkAndReadEveryFile(source, disk.tree, maxReadBytes);
}

describe('disk images under random damage', () => {
  it(`opens, walks and reads or refuses as corrupt each of ${cases} seeded mutations of a FAT32 + exFAT + ext4 image`, async () => {
    const image = readFileSync(diskFixturePath('sweep'));
    // The clean image: three browsable partitions, nothing refused.
    const clean = await openDiskImage(createMemorySource(image));
    expect(clean?.info.partitions.map((partition) => [partition.filesystem?.kind, partition.filesystem?.browsable])).toEqual([
      ['fat32', true],
      ['exfat', true],
      ['ext4', true],
    ]);
    await openWalkRead(image);

    const regions = await structureRegions(image);
    const next = createSeededRandom(20261205); // the same cases every run
    const damage = { fieldChance: 0.3, smashes: [0, 0xffffffff, 0x80000000, 0x7fffffff, 1, 2] };
    const outcome: { -readonly [K in keyof Outcome]: Outcome[K] } = { corrupt: 0, clean: 0, slowestMs: 0 };
    const started = performance.now();
    for (let run = 0; run < cases; run += 1) {
      const edits = randomDamage(next, regions, damage);
      const caseStarted = performance.now();
      try {
        await withDamage(image, edits, () => openWalkRead(image));
        outcome.clean += 1;
      } catch (error) {
        if (!(error instanceof CorruptImageError)) throw new Error(`case ${run} (edits ${JSON.stringify(edits)}): ${String(error)}`, { cause: error });
        outcome.corrupt += 1;
      }
      const caseMs = performance.now() - caseStarted;
      outcome.slowestMs = Math.max(outcome.slowestMs, caseMs);
      expect(caseMs, `case ${run} (edits ${JSON.stringify(edits)})`).toBeLessThan(caseLimitMs);
    }
    const totalMs = performance.now() - started;
    console.info(
      `disk mutation sweep: ${cases} cases in ${Math.round(totalMs)} ms (${Math.round((cases * 1000) / totalMs)} cases/s), ${outcome.clean} read through, ${outcome.corrupt} refused as corrupt, slowest ${Math.round(outcome.slowestMs)} ms`,
    );
    expect(outcome.clean + outcome.corrupt).toBe(cases);
    // About 30 s on an idle 2-core machine (6 ms a case), 75 s beside seven other test runs: a bound, not a benchmark.
    expect(totalMs).toBeLessThan(300_000);
  }, 600_000);
});
