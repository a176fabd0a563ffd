// openExfatFilesystem on an exFAT volume made by mkfs.exfat and filled through exfat-fuse (FUSE on a
// loop device, so its fixture needs root; test/fixtures/fat-images.ts): every path, size, time and
// SHA-256 equal the source tree, fsck.exfat finds it clean, and describe() equals blkid (label, UUID)
// and dump.exfat (clusters in use). Crafted and hostile volumes are in exfat-tree.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openExfatFilesystem } from '../../src-main/fat/exfat-tree.ts';
import { openFatFilesystem } from '../../src-main/fat/fat-filesystem.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import { openFileSource, type FileSource } from '../../src-main/io/file-source.ts';
import { exfatFixtureLabel, exfatFixturePath, fatFixturePath, fatTreeFiles, fatTreeFolders, fatTreeTimeMs } from '../fixtures/fat-images.ts';
import { blkidTag, dumpExfatUsedClusters, sha256 } from './fat-test-volumes.ts';

const opened: FileSource[] = [];
afterEach(async () => {
  for (const source of opened.splice(0)) await source.close();
});

async function open(path: string): Promise<FileSource> {
  const source = await openFileSource(path);
  opened.push(source);
  return source;
}

describe('exFAT file systems of disk images', () => {
  it('lists every file and folder of a volume filled by exfat-fuse with the source tree’s sizes, bytes and times', async () => {
    const path = exfatFixturePath();
    const fsck = spawnSync('fsck.exfat', ['-n', path], { encoding: 'utf8' });
    expect(fsck.status, `${fsck.stdout}${fsck.stderr}`).toBe(0);
    const source = await open(path);
    const tree = await openExfatFilesystem(source);
    if (!tree) throw new Error('openExfatFilesystem found no exFAT volume in the fixture');
    const seen = new Map<string, string>();
    for await (const entry of tree.walk()) {
      expect(entry.mtimeMs, entry.path).toBe(fatTreeTimeMs);
      seen.set(entry.path, entry.type === 'file' ? sha256(await entryContentSource(source, entry).read(0, entry.sizeBytes)) : entry.type);
    }
    const expected = new Map<string, string>([...fatTreeFiles()].map(([file, bytes]) => [file, sha256(bytes)]));
    for (const folder of fatTreeFolders) expected.set(folder, 'directory');
    expect(new Map([...seen].sort())).toEqual(new Map([...expected].sort()));
    expect((await tree.lookup('/nested/level one/level two/deep file.bin'))?.sizeBytes).toBe(5000);
  });

  it('describes the volume with the label and UUID blkid prints and the clusters in use dump.exfat counts', async () => {
    const path = exfatFixturePath();
    const tree = await openExfatFilesystem(await open(path));
    const clusterBytes = Number(/Cluster size:\s+(\d+)/.exec(execFileSync('dump.exfat', [path], { encoding: 'utf8' }))?.[1]);
    expect(await tree?.describe()).toEqual({
      kind: 'exfat',
      label: blkidTag(path, 'LABEL'),
      uuid: blkidTag(path, 'UUID'),
      sizeBytes: statSync(path).size,
      usedBytes: dumpExfatUsedClusters(path) * clusterBytes,
      browsable: true,
    });
    expect(blkidTag(path, 'LABEL')).toBe(exfatFixtureLabel);
  });

  it('tells exFAT and FAT apart: each opener answers null for the other’s volume', async () => {
    expect(await openFatFilesystem(await open(exfatFixturePath()))).toBeNull();
    expect(await openExfatFilesystem(await open(fatFixturePath(32)))).toBeNull();
  });
});
