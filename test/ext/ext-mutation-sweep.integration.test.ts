// A seeded mutation sweep of the ext reader alone: the hostile bases (test/fixtures/ext-images.ts, an
// ext4 volume with a depth-1 extent tree and an ext2 one with indirect blocks) damaged where debugfs
// places their structures: the superblock, the group descriptors, every inode, every directory block,
// the extent node and the indirect blocks. Random bytes and smashed 32-bit fields, 1 to 4 per case;
// each case opens, walks and reads every file (its first 8 MiB). Only CorruptImageError (the work
// budget's included) may end a case, within a time limit. Integration, as the other sweeps: about ten seconds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openExtFilesystem } from '../../src-main/ext/ext-tree.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { extHostileBasePath, hostileBaseBlockBytes as blockBytes } from '../fixtures/ext-images.ts';
import { randomDamage, walkAndReadEveryFile, withDamage } from '../helpers/random-damage.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { dataBlocks, extentNodeBlock, indirectBlocks, inodeOffset } from './ext-debugfs.ts';

const casesPerVolume = 2500;
const caseLimitMs = 2000;
const maxReadBytes = 8 * 1024 * 1024;
const paths = ['/', '/a.txt', '/dir', '/dir/sub', '/dir/sub/x.txt', '/islands.bin', '/lost+found'];
const folders = ['/', '/dir', '/dir/sub'];

/** [start, length] of every structure debugfs finds in the clean volume. */
function structureRegions(image: string, type: 'ext4' | 'ext2'): [number, number][] {
  const regions: [number, number][] = [
    [1024, 1024], // the superblock
    [2048, blockBytes], // the group descriptors
  ];
  for (const path of paths) regions.push([inodeOffset(image, path), 256]);
  for (const folder of folders) for (const block of dataBlocks(image, folder)) regions.push([block * blockBytes, blockBytes]);
  const treeBlocks = type === 'ext4' ? [extentNodeBlock(image, '/islands.bin')] : indirectBlocks(image, '/islands.bin');
  for (const block of treeBlocks) regions.push([block * blockBytes, blockBytes]);
  return regions;
}

async function openWalkRead(bytes: Uint8Array): Promise<number> {
  const source = createMemorySource(bytes, 'sweep.img');
  const tree = await openExtFilesystem(source);
  if (!tree) return 0;
  const { entries } = await walkAndReadEveryFile(source, tree, maxReadBytes);
  await tree.describe();
  return entries;
}

describe.each(['ext4', 'ext2'] as const)('the %s volume under random damage', (type) => {
  it(`opens, walks and reads or refuses as corrupt each of ${casesPerVolume} seeded mutations of its structures`, async () => {
    const path = extHostileBasePath(type);
    const image = readFileSync(path);
    expect(await openWalkRead(image)).toBe(6);
    const regions = structureRegions(path, type);
    const next = createSeededRandom(type === 'ext4' ? 20261205 : 20261206);
    // 0xf30a: the extent header's magic, so a smashed field can look like a node that is not one.
    const damage = { fieldChance: 0.4, smashes: [0, 0xffffffff, 0x80000000, 0x7fffffff, 1, 2, 0xf30a] };
    let corrupt = 0;
    let slowestMs = 0;
    for (let run = 0; run < casesPerVolume; run += 1) {
      const edits = randomDamage(next, regions, damage);
      const started = performance.now();
      try {
        await withDamage(image, edits, () => openWalkRead(image));
      } catch (error) {
        if (!(error instanceof CorruptImageError)) throw new Error(`case ${run} (edits ${JSON.stringify(edits)}): ${String(error)}`, { cause: error });
        corrupt += 1;
      }
      const caseMs = performance.now() - started;
      slowestMs = Math.max(slowestMs, caseMs);
      expect(caseMs, `case ${run} (edits ${JSON.stringify(edits)})`).toBeLessThan(caseLimitMs);
    }
    console.info(`ext ${type} mutation sweep: ${casesPerVolume} cases, ${corrupt} refused as corrupt, slowest ${Math.round(slowestMs)} ms`);
    // The damage reaches the checks: a sweep nothing refused would prove nothing.
    expect(corrupt).toBeGreaterThan(casesPerVolume / 10);
  }, 180_000);
});
