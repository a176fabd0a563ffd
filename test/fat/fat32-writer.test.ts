// The FAT32 writer proven by the reference tools: each planned volume is written to a sparse file (or
// at a partition's offset in a disk made by sfdisk) and checked by fsck.fat, mtools, 7-Zip and blkid,
// every file's SHA-256 compared with what went in, and read back through our own openFatTree.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import { defaultFat32ClusterBytes } from '../../src-main/fat/fat32-layout.ts';
import type { FatInputEntry } from '../../src-main/fat/fat-directories.ts';
import { planFat32Volume, type Fat32VolumeOptions } from '../../src-main/fat/fat32-writer.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import { CodedError } from '../../src-main/jobs/errors.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { directory, file, fsckFat, mtoolsImage, mtoolsList, scratchPath, seededBytes, sha256, testTimeMs, writeSourceToFile } from './fat-test-volumes.ts';

const mib = 1024 * 1024;
const volumeSizeBytes = 48 * mib;
const utf8Env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };

/** Long, lower-case, unicode and colliding names, a tree 24 folders deep, 300 files in one folder (many clusters of entries), empty files. */
function richEntries(): FatInputEntry[] {
  const entries: FatInputEntry[] = [
    directory('/EFI'),
    directory('/EFI/BOOT'),
    file('/EFI/BOOT/BOOTX64.EFI', seededBytes(70_001, 1)),
    file('/readme.txt', seededBytes(513, 2)),
    file('/A long file name with spaces.text', seededBytes(4096, 3)),
    file('/A long file name with spaces.text2', seededBytes(1, 4)),
    file('/Ünïcödé файл 日本語.txt', seededBytes(2000, 5)),
    file('/EMPTY.BIN', new Uint8Array(0)),
    file('/empty too', new Uint8Array(0)),
    file('/.hidden-style name', seededBytes(10, 6)),
    directory('/many'),
  ];
  for (let index = 0; index < 300; index += 1)
    entries.push(file(`/many/file number ${String(index).padStart(3, '0')}.data`, seededBytes(100 + index, 100 + index)));
  let deep = '';
  for (let level = 0; level < 24; level += 1) {
    deep += `/level ${level}`;
    entries.push(directory(deep));
  }
  entries.push(file(`${deep}/bottom.txt`, seededBytes(3333, 7)));
  return entries;
}

function options(entries: readonly FatInputEntry[], overrides: Partial<Fat32VolumeOptions> = {}): Fat32VolumeOptions {
  return { volumeSizeBytes, hiddenSectors: 0, label: 'Win11 x64 ß', volumeId: 0x1234abcd, entries, ...overrides };
}

async function contentHashes(entries: readonly FatInputEntry[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type === 'file') hashes.set(entry.path, sha256(entry.content ? await entry.content.read(0, entry.sizeBytes) : new Uint8Array(0)));
  }
  return hashes;
}

/** Every file below `folder` (as mcopy -s wrote it) by its path on the volume. */
function hashesOnDisk(folder: string, prefix = ''): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) for (const [inner, hash] of hashesOnDisk(path, `${prefix}/${name}`)) hashes.set(inner, hash);
    else hashes.set(`${prefix}/${name}`, sha256(readFileSync(path)));
  }
  return hashes;
}

async function hashesThroughOurReader(path: string, offsetBytes = 0): Promise<Map<string, string>> {
  const source = await openFileSource(path);
  try {
    const tree = await openFatTree(source, { offsetBytes });
    const hashes = new Map<string, string>();
    for await (const entry of tree.walk()) {
      if (entry.type === 'file') hashes.set(entry.path, sha256(await entryContentSource(source, entry).read(0, entry.sizeBytes)));
    }
    return hashes;
  } finally {
    await source.close();
  }
}

function expectCleanFsck(path: string): string {
  const { status, output } = fsckFat(path);
  expect(output).not.toMatch(/wrong|differ|invalid|bad|mark|fix|free cluster summary wrong/i);
  expect(status, output).toBe(0);
  return output;
}

describe('FAT32 writer', () => {
  it('writes long, unicode, lower-case, deep, crowded and empty files that fsck.fat finds clean and mtools, 7-Zip and our reader read back byte for byte', async () => {
    const entries = richEntries();
    const expected = await contentHashes(entries);
    const plan = planFat32Volume(options(entries));
    const path = scratchPath('rich.img');
    await writeSourceToFile(plan.source, path, { fileSizeBytes: volumeSizeBytes });

    expect(expectCleanFsck(path)).toMatch(/512 bytes per cluster/);
    expect(mtoolsList(mtoolsImage(path))).toEqual(entries.map((entry) => entry.path).sort());
    const copied = mkdtempSync(join(tmpdir(), 'fat-copy-'));
    execFileSync('mcopy', ['-s', '-n', '-i', path, '::/*', copied], { env: utf8Env });
    expect(hashesOnDisk(copied)).toEqual(expected);
    const sevenZip = execFileSync('7zz', ['l', '-slt', path], { encoding: 'utf8', env: utf8Env });
    const listed = sevenZip
      .split('\n')
      .filter((line) => line.startsWith('Path = ') && line !== `Path = ${path}`)
      .map((line) => `/${line.slice('Path = '.length)}`);
    expect(listed.sort()).toEqual(entries.map((entry) => entry.path).sort());
    expect(await hashesThroughOurReader(path)).toEqual(expected);
    // Short names as Windows gives them: a name 8.3 but for its case keeps it, others get a numeric tail.
    const shortListing = execFileSync('mdir', ['-i', path, '::/'], { encoding: 'utf8', env: utf8Env });
    expect(shortListing).toMatch(/^README {3}TXT .* readme\.txt$/m);
    expect(shortListing).toMatch(/^ALONGF~1 TEX .* A long file name with spaces\.text$/m);
    expect(shortListing).toMatch(/^ALONGF~2 TEX .* A long file name with spaces\.text2$/m);
    expect(execFileSync('mdir', ['-i', path, '::/EFI/BOOT'], { encoding: 'utf8', env: utf8Env })).toMatch(/^BOOTX64 {2}EFI /m);
    // Where the plan says each file lies is where its bytes are.
    const image = readFileSync(path);
    const boot = entries.find((entry) => entry.path === '/EFI/BOOT/BOOTX64.EFI') as FatInputEntry;
    const at = plan.fileOffsets.get(boot.path) as number;
    expect(sha256(image.subarray(at, at + boot.sizeBytes))).toBe(expected.get(boot.path));
  });

  it('names the volume in its boot sector and root directory as blkid and our reader see it, with times that read back as given', async () => {
    const plan = planFat32Volume(options([file('/x.txt', seededBytes(10, 9))]));
    const path = scratchPath('label.img');
    await writeSourceToFile(plan.source, path, { fileSizeBytes: volumeSizeBytes });
    const probe = execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'utf8' });
    expect(probe).toMatch(/^TYPE=vfat$/m);
    expect(probe).toMatch(/^VERSION=FAT32$/m);
    expect(probe).toMatch(/^LABEL=WIN11\\ X64\\ S$/m); // upper-case, 11 bytes at most ("ß" upper-cases to "SS", cut at 11); blkid escapes spaces
    expect(probe).toMatch(/^UUID=1234-ABCD$/m);
    const source = await openFileSource(path);
    const tree = await openFatTree(source);
    const [entry] = await tree.listDirectory(tree.root);
    expect(entry?.name).toBe('x.txt');
    expect(entry?.mtimeMs).toBe(testTimeMs);
    await source.close();
  });

  it('writes a volume at a partition offset inside an MBR disk made by sfdisk, with the partition start as its hidden sectors', async () => {
    const diskBytes = 64 * mib;
    const path = scratchPath('disk.img');
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, diskBytes);
    execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', path], {
      input: 'label: dos\nstart=2048, size=110592, type=c\n',
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const entries = [directory('/boot'), file('/boot/kernel image', seededBytes(200_000, 11))];
    const plan = planFat32Volume(options(entries, { volumeSizeBytes: 110592 * 512, hiddenSectors: 2048 }));
    const mbr = readFileSync(path).subarray(0, 512);
    await writeSourceToFile(plan.source, path, { offsetBytes: mib, fileSizeBytes: diskBytes });
    expect(readFileSync(path).subarray(0, 512)).toEqual(mbr); // the volume stays inside its partition
    const info = execFileSync('minfo', ['-i', mtoolsImage(path, mib), '::'], { encoding: 'utf8', env: utf8Env });
    expect(info).toMatch(/hidden sectors: 2048/);
    expect(mtoolsList(mtoolsImage(path, mib))).toEqual(['/boot', '/boot/kernel image']);
    expect(execFileSync('blkid', ['-p', '-o', 'export', '-O', String(mib), path], { encoding: 'utf8' })).toMatch(/^TYPE=vfat$/m);
    expect(await hashesThroughOurReader(path, mib)).toEqual(await contentHashes(entries));
  });

  it('formats an empty volume (no files) that fsck.fat finds clean, with every cluster but the root free', async () => {
    const plan = planFat32Volume(options([]));
    const path = scratchPath('empty.img');
    await writeSourceToFile(plan.source, path, { fileSizeBytes: volumeSizeBytes });
    expect(expectCleanFsck(path)).toMatch(/ 1\/\d+ clusters/);
    expect(mtoolsList(mtoolsImage(path))).toEqual([]);
    // FSInfo (FAT spec 5): the free count and the next free cluster, as fsck.fat would recompute them.
    const fsInfo = Buffer.from(await plan.source.read(512, 512));
    const clusterCount = Number(/(\d+) data clusters/.exec(fsckFat(path).output)?.[1]);
    expect(fsInfo.readUInt32LE(488)).toBe(clusterCount - 1);
    expect(fsInfo.readUInt32LE(492)).toBe(3);
    // The source ends where the root's cluster ends: the free space is never written.
    expect(plan.source.sizeBytes).toBeLessThan(2 * mib);
  });

  it('chooses the cluster size Windows and mkfs.fat choose for the volume size, and fsck.fat agrees with the layout at 4 GiB and 9 GiB', async () => {
    const gib = 1024 ** 3;
    expect([200 * mib, 261 * mib, 8 * gib, 8 * gib + 512, 16 * gib, 32 * gib, 32 * gib + 512, 2 * 1024 * gib].map(defaultFat32ClusterBytes)).toEqual([
      512, 4096, 4096, 8192, 8192, 16384, 32768, 32768,
    ]);
    for (const [sizeBytes, clusterBytes] of [
      [4 * gib, 4096],
      [9 * gib, 8192],
    ] as const) {
      const plan = planFat32Volume(options([file('/a.bin', seededBytes(10_000, 12))], { volumeSizeBytes: sizeBytes }));
      expect(plan.clusterBytes).toBe(clusterBytes);
      const path = scratchPath('big.img');
      await writeSourceToFile(plan.source, path, { fileSizeBytes: sizeBytes });
      expect(expectCleanFsck(path)).toMatch(new RegExp(`${clusterBytes} bytes per cluster`));
    }
  });

  it('plans a volume just under 2 TiB without holding its 256 MiB FATs, generating any FAT sector on read', async () => {
    const heapBeforeBytes = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const plan = planFat32Volume(options([file('/a.bin', seededBytes(100_000, 13))], { volumeSizeBytes: 2 * 1024 ** 4 - 512 }));
    expect(plan.clusterBytes).toBe(32768);
    const reserved = Buffer.from(await plan.source.read(0, 512));
    const fatSectors = reserved.readUInt32LE(36);
    expect(fatSectors * 512).toBeGreaterThan(255 * mib);
    expect(process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBeforeBytes).toBeLessThan(64 * mib);
    // FAT spec 4: entries 0 and 1, the root's end of chain, a.bin's 4 clusters (3 links and an end), then free.
    const fatStart = Buffer.from(await plan.source.read(32 * 512, 32));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((index) => fatStart.readUInt32LE(index * 4))).toEqual([0x0ffffff8, 0x0fffffff, 0x0fffffff, 4, 5, 6, 0x0fffffff, 0]);
    // The second FAT is the first's copy, and the last FAT sector is free.
    expect(Buffer.from(await plan.source.read((32 + fatSectors) * 512, 32))).toEqual(fatStart);
    expect((await plan.source.read((32 + fatSectors - 1) * 512, 512)).every((byte) => byte === 0)).toBe(true);
  });

  it('gives the same bytes for the same input', async () => {
    const first = planFat32Volume(options(richEntries())).source;
    const second = planFat32Volume(options(richEntries())).source;
    expect(second.sizeBytes).toBe(first.sizeBytes);
    expect(sha256(await second.read(0, second.sizeBytes))).toBe(sha256(await first.read(0, first.sizeBytes)));
  });

  it('refuses a 5 GiB file as file-too-large, naming it', async () => {
    const path = scratchPath('five-gib.bin');
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, 5 * 1024 ** 3);
    const content = await openFileSource(path);
    const entries: FatInputEntry[] = [
      directory('/sources'),
      { path: '/sources/install.wim', type: 'file', sizeBytes: content.sizeBytes, modifiedMs: 0, content },
    ];
    const error = (() => {
      try {
        planFat32Volume(options(entries, { volumeSizeBytes: 16 * 1024 ** 3 }));
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('file-too-large');
    expect((error as CodedError).message).toMatch(/\/sources\/install\.wim holds 5368709120 bytes/);
    await content.close();
  });

  it('refuses volumes too small for FAT32 or for the files, and over 2 TiB, giving the sizes', () => {
    const plan = (overrides: Partial<Fat32VolumeOptions>, entries: FatInputEntry[] = []): unknown => {
      try {
        return planFat32Volume(options(entries, overrides));
      } catch (caught) {
        return caught;
      }
    };
    expect(plan({ volumeSizeBytes: 20 * mib })).toMatchObject({ code: 'target-too-small', message: expect.stringMatching(/65525 clusters: 20971520 bytes/) });
    expect(plan({ volumeSizeBytes: 48 * mib, clusterBytes: 4096 })).toMatchObject({ code: 'target-too-small' });
    expect(plan({}, [file('/big', new Uint8Array(50 * mib))])).toMatchObject({
      code: 'target-too-small',
      message: expect.stringMatching(/need \d+ bytes .* the FAT32 volume of 50331648 bytes holds \d+/),
    });
    expect(plan({ volumeSizeBytes: 2 * 1024 ** 4 + 512 })).toMatchObject({
      code: 'volume-too-large',
      message: expect.stringMatching(/2199023256064 bytes is over 2 TiB/),
    });
  });

  it('refuses names FAT cannot hold, naming the path: forbidden characters, a trailing period, names equal but for case', () => {
    const refusal = (entries: FatInputEntry[]): string => {
      try {
        planFat32Volume(options(entries));
      } catch (caught) {
        expect(caught).toMatchObject({ code: 'unsupported' });
        return (caught as Error).message;
      }
      return 'accepted';
    };
    expect(refusal([directory('/docs'), file('/docs/what?.txt', seededBytes(1, 1))])).toMatch(/^\/docs\/what\?\.txt: .*character FAT forbids/);
    expect(refusal([file('/trailing.', seededBytes(1, 1))])).toMatch(/^\/trailing\.: .*ends with a period/);
    expect(refusal([file('/README', seededBytes(1, 1)), file('/readme', seededBytes(1, 1))])).toMatch(/\/readme and \/README differ only in case/);
  });
});
