// A seeded mutation sweep over a crafted exFAT volume (test/fat/exfat-crafted-volumes.ts): random bytes
// of its boot sector, FAT head, allocation bitmap, root directory and a folder are changed, and half the
// time the boot checksum and the entry sets' SetChecksums are recomputed so the damage reaches the
// checks behind them. Listing, reading every file and describe() must answer or throw CorruptImageError,
// never crash with anything else or hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openExfatFilesystem } from '../../src-main/fat/exfat-tree.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { walkAndReadEveryFile } from '../helpers/random-damage.ts';
import { sampleVolume } from './exfat-crafted-volumes.ts';

async function listReadDescribe(image: Uint8Array): Promise<number> {
  const source = createMemorySource(image);
  const tree = await openExfatFilesystem(source);
  if (!tree) return 0;
  const { bytesRead } = await walkAndReadEveryFile(source, tree);
  await tree.describe();
  return bytesRead;
}

describe('exFAT reader under random damage', () => {
  it('lists, reads and describes or throws CorruptImageError for 600 seeded mutations of a crafted volume', async () => {
    const { volume, contents, records } = await sampleVolume();
    const expectedBytes = [...contents.values()].reduce((total, bytes) => total + bytes.byteLength, 0);
    expect(await listReadDescribe(volume.image)).toBe(expectedBytes);
    const folderCluster = new DataView(volume.image.buffer).getUint32((records.get('/folder') as number) + 32 + 20, true);
    const regions: (readonly [number, number])[] = [
      [0, 120], // the boot sector's fields
      [volume.fatOffsetBytes, (volume.rootCluster + 16) * 4], // the FAT head: the metadata's and every file's chains
      [volume.clusterOffset(2), 8], // the allocation bitmap's first bytes
      [volume.clusterOffset(volume.rootCluster), 13 * 32], // the root: label, bitmap, up-case table, four entry sets
      [volume.clusterOffset(folderCluster), 3 * 32], // the folder's one entry set
    ];
    const original = volume.image.slice();
    const offset = fc.constantFrom(...regions).chain(([start, length]) => fc.integer({ min: start, max: start + length - 1 }));
    const edits = fc.array(fc.record({ at: offset, value: fc.nat(255) }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(edits, fc.boolean(), async (changes, reseal) => {
        try {
          for (const { at, value } of changes) volume.image[at] = value;
          if (reseal) {
            volume.resealBoot();
            for (const at of records.values()) if (volume.image[at] === 0x85) volume.resealEntrySet(at);
          }
          await listReadDescribe(volume.image);
        } catch (error) {
          if (!(error instanceof CorruptImageError)) throw error;
        } finally {
          volume.image.set(original);
        }
      }),
      { seed: 20261205, numRuns: 600 },
    );
  });
});
