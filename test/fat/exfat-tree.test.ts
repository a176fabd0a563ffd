// openExfatFilesystem on exFAT volumes crafted entry by entry (test/fat/exfat-crafted-volumes.ts): what
// exfat-fuse does not write (NoFatChain runs, a ValidDataLength short of DataLength, a UTC offset),
// checked with fsck.exfat, then hostile volumes, each a CorruptImageError naming the cluster or offset
// within a second. The exfat-fuse-filled fixture is in exfat-tree.integration.test.ts.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openExfatFilesystem } from '../../src-main/fat/exfat-tree.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { CraftedExfat, exfatTimestamp, firstFreeCluster, sampleVolume } from './exfat-crafted-volumes.ts';
import { dumpExfatUsedClusters, scratchPath } from './fat-test-volumes.ts';

async function walk(image: Uint8Array): Promise<Map<string, TreeEntry>> {
  const source = createMemorySource(image);
  const tree = await openExfatFilesystem(source);
  if (!tree) throw new Error('openExfatFilesystem found no exFAT boot sector');
  const entries = new Map<string, TreeEntry>();
  for await (const entry of tree.walk()) entries.set(entry.path, entry);
  return entries;
}

async function walkError(image: Uint8Array): Promise<string> {
  const started = Date.now();
  const error: unknown = await walk(image).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(Date.now() - started).toBeLessThan(1000);
  expect(error).toBeInstanceOf(CorruptImageError);
  return (error as Error).message;
}

describe('exFAT reader on crafted volumes', () => {
  it('reads FAT chains, NoFatChain runs and a ValidDataLength tail as zeros, on a volume fsck.exfat finds clean', async () => {
    const { volume, contents } = await sampleVolume();
    const path = scratchPath('crafted.exfat');
    writeFileSync(path, volume.image);
    const fsck = spawnSync('fsck.exfat', ['-n', path], { encoding: 'utf8' });
    expect(fsck.status, `${fsck.stdout}${fsck.stderr}`).toBe(0);
    const source = createMemorySource(volume.image);
    const entries = await walk(volume.image);
    expect([...entries.keys()].sort()).toEqual(['/chained.bin', '/contiguous.bin', '/folder', '/folder/inner.txt', '/tail.bin']);
    for (const [file, bytes] of contents) {
      const entry = entries.get(file) as TreeEntry;
      expect(Buffer.from(await entryContentSource(source, entry).read(0, entry.sizeBytes)).equals(Buffer.from(bytes)), file).toBe(true);
    }
    expect(entries.get('/tail.bin')?.extents.at(-1)).toEqual({ offsetBytes: 0, sizeBytes: 1.5 * volume.clusterBytes, unrecorded: true });
    expect(entries.get('/contiguous.bin')?.extents).toHaveLength(1);
  });

  it('gives the last-modified time in UTC from its UtcOffset and 10 ms increments, and the attributes that are set', async () => {
    const volume = await CraftedExfat.create();
    // 16:26:52 local at UTC+02:00 (8 quarter hours, bit 7: valid), plus 150 × 10 ms.
    const modified = { timestamp: exfatTimestamp(2024, 3, 9, 16, 26, 52), tenMs: 150, utcOffset: 0x80 | 8 };
    volume.addEntrySet(volume.rootCluster, { name: 'stamped', firstCluster: 0, dataLengthBytes: 0, attributes: 0x01 | 0x02 | 0x04, modified });
    // 07:00 local at UTC-05:00 (-20 quarter hours as a 7-bit two's complement number).
    const west = { timestamp: exfatTimestamp(2024, 3, 9, 7, 0, 0), tenMs: 0, utcOffset: 0x80 | (128 - 20) };
    volume.addEntrySet(volume.rootCluster, { name: 'west', firstCluster: 0, dataLengthBytes: 0, modified: west });
    const entries = await walk(volume.image);
    expect(entries.get('/stamped')).toMatchObject({
      mtimeMs: Date.UTC(2024, 2, 9, 14, 26, 53, 500),
      attributes: ['read-only', 'hidden', 'system'],
      hidden: true,
    });
    expect(entries.get('/west')?.mtimeMs).toBe(Date.UTC(2024, 2, 9, 12, 0, 0));
  });

  it('describes the volume: label, serial as blkid prints it, size, and the clusters in use by the allocation bitmap', async () => {
    const { volume } = await sampleVolume();
    const tree = await openExfatFilesystem(createMemorySource(volume.image));
    // Clusters 2 .. root (bitmap, up-case table, root), 4 + 5 + 2 for the files, 1 + 1 for the folder and its file.
    const usedClusters = volume.rootCluster - 1 + 4 + 5 + 2 + 1 + 1;
    expect(usedClusters).toBe(dumpExfatUsedClusters(volume.image));
    expect(await tree?.describe()).toEqual({
      kind: 'exfat',
      label: 'CRAFTED',
      uuid: '1234-ABCD',
      sizeBytes: volume.image.byteLength,
      usedBytes: usedClusters * volume.clusterBytes,
      browsable: true,
    });
  });
});

describe('exFAT reader on hostile volumes', () => {
  it('refuses a file entry set whose SetChecksum does not match, naming its offset', async () => {
    const { volume, records } = await sampleVolume();
    const at = records.get('/chained.bin') as number;
    volume.view.setUint8(at + 32 + 8, volume.view.getUint8(at + 32 + 8) ^ 0x01); // one bit of ValidDataLength, the checksum left as it was
    expect(await walkError(volume.image)).toMatch(new RegExp(`SetChecksum is 0x[0-9a-f]+, its 3 entries sum to 0x[0-9a-f]+ .*offset ${at + 2}\\)`));
  });

  it('refuses a SecondaryCount that runs past the end of the directory', async () => {
    const volume = await CraftedExfat.create();
    const root = volume.clusterOffset(volume.rootCluster);
    const at = root + volume.clusterBytes - 32; // the root's last slot
    // Entries not in use (6.2.1.4: InUse clear) up to it, so the walk reaches it before an end-of-directory entry.
    for (let slot = root + 3 * 32; slot < at; slot += 32) volume.image[slot] = 0x05;
    volume.image.set([0x85, 2], at);
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`SecondaryCount 2 runs 64 bytes past the end of its ${volume.clusterBytes}-byte directory .*offset ${at + 1}\\)`),
    );
  });

  it('refuses a NoFatChain file longer than the cluster heap', async () => {
    const volume = await CraftedExfat.create();
    const first = volume.clusterCount - 2;
    volume.addEntrySet(volume.rootCluster, { name: 'huge.bin', firstCluster: first, dataLengthBytes: 10 * volume.clusterBytes, noFatChain: true });
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`/huge.bin: its 10 contiguous clusters from cluster ${first} \\(NoFatChain\\) run past the heap's clusters 2-${volume.clusterCount + 1}`),
    );
  });

  it('refuses an allocation bitmap too small for the cluster count', async () => {
    const volume = await CraftedExfat.create();
    const entry = volume.clusterOffset(volume.rootCluster) + 32; // the root's second entry: the bitmap (7.1)
    volume.view.setBigUint64(entry + 24, 10n, true);
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`allocation bitmap holds 10 bytes, ${volume.clusterCount} clusters need ${Math.ceil(volume.clusterCount / 8)}`),
    );
  });

  it('refuses an up-case table at a cluster outside the heap', async () => {
    const volume = await CraftedExfat.create();
    const entry = volume.clusterOffset(volume.rootCluster) + 64; // the root's third entry: the up-case table (7.2)
    volume.view.setUint32(entry + 20, volume.clusterCount + 7, true);
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`up-case table .*from cluster ${volume.clusterCount + 7} reaches cluster ${volume.clusterCount + 7}, outside 2-`),
    );
  });

  it('refuses a FAT chain that loops back on itself, naming the file and cluster', async () => {
    const { volume, contents } = await sampleVolume();
    expect(contents.has('/chained.bin')).toBe(true);
    const first = firstFreeCluster(volume);
    volume.setFat(first + 1, first);
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`/chained.bin: the chain from cluster ${first} reaches cluster ${first}, which a chain already holds`),
    );
  });

  it('refuses two files that share a cluster (a cross-link)', async () => {
    const volume = await CraftedExfat.create();
    const first = firstFreeCluster(volume);
    volume.allocate(first, 2);
    volume.addEntrySet(volume.rootCluster, { name: 'one', firstCluster: first, dataLengthBytes: 2 * volume.clusterBytes });
    volume.addEntrySet(volume.rootCluster, { name: 'two', firstCluster: first + 1, dataLengthBytes: 10 });
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`/two: the chain from cluster ${first + 1} reaches cluster ${first + 1}, which a chain already holds`),
    );
  });

  it('refuses a folder whose clusters are the root directory’s (a folder that contains itself)', async () => {
    const volume = await CraftedExfat.create();
    volume.addEntrySet(volume.rootCluster, { name: 'loop', firstCluster: volume.rootCluster, dataLengthBytes: volume.clusterBytes, directory: true });
    expect(await walkError(volume.image)).toMatch(
      new RegExp(`/loop: the chain from cluster ${volume.rootCluster} reaches cluster ${volume.rootCluster}, which a chain already holds`),
    );
  });

  it('refuses a folder claiming more than a directory’s 256 MiB, without following its clusters', async () => {
    const volume = await CraftedExfat.create();
    const first = firstFreeCluster(volume);
    volume.allocate(first, 1);
    const at = volume.addEntrySet(volume.rootCluster, { name: 'vast', firstCluster: first, dataLengthBytes: 300 * 1024 * 1024, directory: true });
    expect(await walkError(volume.image)).toMatch(new RegExp(`folder /vast claims 314572800 bytes, past a directory's 256 MiB .*offset ${at}\\)`));
  });

  it('refuses a boot region whose checksum does not match', async () => {
    const volume = await CraftedExfat.create();
    volume.view.setUint32(96, volume.rootCluster + 1, true); // FirstClusterOfRootDirectory, sector 11 not updated
    expect(await walkError(volume.image)).toMatch(/exFAT boot checksum is 0x[0-9a-f]+, the boot region sums to 0x[0-9a-f]+ .*offset 5632\)/);
  });

  it('stops listing with a CancelledError once its signal is aborted', async () => {
    const { volume } = await sampleVolume();
    const controller = new AbortController();
    const tree = await openExfatFilesystem(createMemorySource(volume.image), { signal: controller.signal });
    controller.abort();
    await expect(tree?.listDirectory(tree.root)).rejects.toBeInstanceOf(CancelledError);
  });

  it('answers null (not exFAT) for zeros and for a FAT boot sector', async () => {
    expect(await openExfatFilesystem(createMemorySource(new Uint8Array(64 * 1024)))).toBeNull();
    const fat = new Uint8Array(64 * 1024);
    fat.set([0xeb, 0x3c, 0x90, ...Buffer.from('mkfs.fat')], 0);
    expect(await openExfatFilesystem(createMemorySource(fat))).toBeNull();
  });
});
