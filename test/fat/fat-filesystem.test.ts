// openFatFilesystem, the FAT reader of disk images, on FAT12/16/32 volumes made by mkfs.fat and filled
// by mcopy (test/fixtures/fat-images.ts): every path, size and SHA-256 equal the source tree, names and
// sizes equal `mdir -/ -a`, attributes equal `mattrib`, and describe() equals blkid (label, UUID) and
// fsck.fat (used clusters). Hostile volumes are in fat-filesystem-hostile.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openFatFilesystem } from '../../src-main/fat/fat-filesystem.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import type { FilesystemTree } from '../../src-main/format/filesystem-tree.ts';
import { openFileSource, type FileSource } from '../../src-main/io/file-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import {
  fatFixtureLabel,
  fatFixturePath,
  fatTreeAttributes,
  fatTreeFiles,
  fatTreeFolders,
  fatTreeTimeMs,
  type FatFixtureBits,
} from '../fixtures/fat-images.ts';
import { blkidTag, scratchPath, sha256 } from './fat-test-volumes.ts';

const mtoolsEnv = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' };
const opened: FileSource[] = [];
afterEach(async () => {
  for (const source of opened.splice(0)) await source.close();
});

async function openAndKeep(path: string): Promise<FileSource> {
  const source = await openFileSource(path);
  opened.push(source);
  return source;
}

async function openFixture(bits: FatFixtureBits): Promise<{ source: FileSource; tree: FilesystemTree }> {
  const source = await openAndKeep(fatFixturePath(bits));
  const tree = await openFatFilesystem(source);
  if (!tree) throw new Error(`openFatFilesystem found no FAT volume in the FAT${bits} fixture`);
  return { source, tree };
}

/** `mdir -/ -a` as path -> size (null for a folder): the long name where mdir shows one, else the 8.3 name. */
function mdirListing(image: string): Map<string, number | null> {
  const output = execFileSync('mdir', ['-/', '-a', '-i', image, '::/'], { encoding: 'utf8', env: mtoolsEnv });
  const listing = new Map<string, number | null>();
  let folder = '';
  for (const line of output.split('\n')) {
    const heading = /^Directory for ::(\/.*)$/.exec(line);
    if (heading) folder = (heading[1] as string).replace(/\/$/, '');
    // "BASE     EXT       SIZE DATE  TIME  [long name]": 8 + 1 + 3 characters of short name first.
    const entry = /^(.{8}) (.{3}) +(<DIR>|\d+) +\d{4}-\d\d-\d\d +\d\d:\d\d\s*(.*)$/u.exec(line);
    if (!entry) continue;
    const [base, extension, size, longName] = [(entry[1] as string).trimEnd(), (entry[2] as string).trimEnd(), entry[3] as string, entry[4] as string];
    const name = longName !== '' ? longName : extension ? `${base}.${extension}` : base;
    if (name === '.' || name === '..') continue;
    listing.set(`${folder}/${name}`, size === '<DIR>' ? null : Number(size));
  }
  return listing;
}

/** `mattrib -/` as path -> its attribute letters (A, R, H, S), sorted. */
function mattribListing(image: string): Map<string, string> {
  const output = execFileSync('mattrib', ['-/', '-i', image, '::/'], { encoding: 'utf8', env: mtoolsEnv });
  const listing = new Map<string, string>();
  for (const line of output.split('\n')) {
    const at = line.indexOf('::/');
    if (at < 0 || line.slice(at) === '::/') continue;
    listing.set(line.slice(at + 2), [...line.slice(0, at).replace(/\s/g, '')].sort().join(''));
  }
  return listing;
}

const attributeLetters: Record<string, string> = { 'read-only': 'R', hidden: 'H', system: 'S', archive: 'A' };

describe('FAT file systems of disk images', () => {
  for (const bits of [12, 16, 32] as const) {
    it(`lists every file and folder of a FAT${bits} volume made by mkfs.fat and mcopy with the source tree's sizes, bytes and times`, async () => {
      const { source, tree } = await openFixture(bits);
      const files = fatTreeFiles();
      const seen = new Map<string, string | null>();
      for await (const entry of tree.walk()) {
        expect(entry.mtimeMs, entry.path).toBe(fatTreeTimeMs);
        seen.set(entry.path, entry.type === 'file' ? sha256(await entryContentSource(source, entry).read(0, entry.sizeBytes)) : entry.type);
      }
      const expected = new Map<string, string | null>([...files].map(([path, bytes]) => [path, sha256(bytes)]));
      for (const folder of fatTreeFolders) expected.set(folder, 'directory');
      expect(new Map([...seen].sort())).toEqual(new Map([...expected].sort()));
    });

    it(`names every entry of a FAT${bits} volume with the sizes and attributes mdir and mattrib read`, async () => {
      const { tree } = await openFixture(bits);
      const listing = new Map<string, number | null>();
      const attributes = new Map<string, string>();
      for await (const entry of tree.walk()) {
        listing.set(entry.path, entry.type === 'directory' ? null : entry.sizeBytes);
        attributes.set(
          entry.path,
          (entry.attributes ?? [])
            .map((name) => attributeLetters[name])
            .sort()
            .join(''),
        );
      }
      expect(listing).toEqual(mdirListing(fatFixturePath(bits)));
      expect(attributes).toEqual(mattribListing(fatFixturePath(bits)));
      for (const [path, flag] of fatTreeAttributes) expect(attributes.get(path), path).toContain(flag.slice(1).toUpperCase());
    });

    it(`describes a FAT${bits} volume with the label and UUID blkid prints and the used clusters fsck.fat counts`, async () => {
      const { tree } = await openFixture(bits);
      const path = fatFixturePath(bits);
      const fsck = spawnSync('fsck.fat', ['-n', path], { encoding: 'utf8' });
      expect(fsck.status, fsck.stdout).toBe(0);
      const [usedClusters] = (/(\d+)\/\d+ clusters/.exec(fsck.stdout) ?? []).slice(1).map(Number);
      const clusterBytes = Number(/(\d+) bytes per cluster/.exec(execFileSync('fsck.fat', ['-n', '-v', path], { encoding: 'utf8' }))?.[1]);
      expect(await tree.describe()).toEqual({
        kind: `fat${bits}`,
        label: fatFixtureLabel(bits),
        uuid: blkidTag(path, 'UUID'),
        sizeBytes: statSync(path).size,
        usedBytes: (usedClusters as number) * clusterBytes,
        browsable: true,
      });
      expect(blkidTag(path, 'LABEL')).toBe(fatFixtureLabel(bits));
    });
  }

  it('gives no label for a volume made without one ("NO NAME"), as blkid prints none', async () => {
    const path = scratchPath('unlabelled.img');
    execFileSync('mkfs.fat', ['-C', '-F', '16', '-i', 'C0FFEE01', path, '16384'], { stdio: 'ignore' });
    const tree = await openFatFilesystem(await openAndKeep(path));
    expect(await tree?.describe()).toMatchObject({ kind: 'fat16', label: null, uuid: 'C0FF-EE01' });
    expect(blkidTag(path, 'LABEL')).toBeNull();
    expect(blkidTag(path, 'UUID')).toBe('C0FF-EE01');
  });

  it('counts the last cluster of a FAT12 whose entry count is odd (its entry shares no byte triple), as fsck.fat does', async () => {
    // 1440 KiB: 2,847 clusters of 512 bytes, so FAT entries 0-2848: the last one sits alone in 1.5 bytes.
    const path = scratchPath('full-floppy.img');
    execFileSync('mkfs.fat', ['-C', '-F', '12', path, '1440'], { stdio: 'ignore' });
    const filler = scratchPath('filler.bin');
    writeFileSync(filler, Buffer.alloc(2847 * 512, 7));
    execFileSync('mcopy', ['-i', path, filler, '::/FILLER.BIN'], { env: mtoolsEnv });
    expect(spawnSync('fsck.fat', ['-n', path], { encoding: 'utf8' }).stdout).toContain('2847/2847 clusters');
    const tree = await openFatFilesystem(await openAndKeep(path));
    expect((await tree?.describe())?.usedBytes).toBe(2847 * 512);
  });

  it('answers null (not FAT) for zeros and for an exFAT boot sector', async () => {
    expect(await openFatFilesystem(createMemorySource(new Uint8Array(1024 * 1024)))).toBeNull();
    const exfatBoot = new Uint8Array(1024 * 1024);
    exfatBoot.set([0xeb, 0x76, 0x90, ...Buffer.from('EXFAT   ')], 0);
    exfatBoot.set([0x55, 0xaa], 510);
    expect(await openFatFilesystem(createMemorySource(exfatBoot))).toBeNull();
  });
});
