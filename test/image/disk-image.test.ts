// Disk images built by sfdisk, mkfs.fat, mkfs.ext4 -d and mkswap (test/fixtures/disk-images.ts), read
// through the 'partitions' tree: every listing and every file's SHA-256 equal the tree that went in,
// the partition table equals `sfdisk --json`, the file systems' labels and UUIDs equal `blkid -p`, and
// the FAT and ext listings equal `mdir` and `debugfs` on the same bytes. A hybrid ISO is seen through
// its partitions too, and `isotope info` / `ls` print it all.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../shared/image.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import { createCachedSource } from '../../src-main/io/cached-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openDiskImage, type DiskImage } from '../../src-main/image/disk-image.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { summarizeImage } from '../../src-main/image/summarize-image.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { diskFixturePath, piBootTree, piRootTree, piRootUuid, smallTree, espTree, writeSourceTree, type SourceTree } from '../fixtures/disk-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { exfatFixtureLabel, fatFixtureLabel, fatFixturePath, fatTreeFiles, fatTreeFolders } from '../fixtures/fat-images.ts';
import { isotope, isotopeCat, testService } from '../helpers/in-process-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-disk-image-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function withDisk<T>(path: string, use: (disk: DiskImage, source: ByteSource) => Promise<T>): Promise<T> {
  const source = createCachedSource(await openFileSource(path));
  try {
    const disk = await openDiskImage(source);
    if (!disk) throw new Error(`${path} opened as no disk image`);
    return await use(disk, source);
  } finally {
    await source.close();
  }
}

async function contentOf(source: ByteSource, entry: TreeEntry): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readEntryContent(source, entry)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every entry below a partition folder, by path inside the partition. */
async function walkPartition(disk: DiskImage, folder: string): Promise<Map<string, TreeEntry>> {
  const from = await disk.tree.lookup(`/${folder}`);
  if (!from) throw new Error(`no folder /${folder}`);
  const entries = new Map<string, TreeEntry>();
  for await (const entry of disk.tree.walk(from)) entries.set(entry.path.slice(folder.length + 1), entry);
  return entries;
}

/** The listing holds exactly the tree's files (same SHA-256), folders, links and nodes, and `extra` besides. */
async function expectTree(disk: DiskImage, source: ByteSource, folder: string, tree: SourceTree, extra: readonly string[] = []): Promise<void> {
  const entries = await walkPartition(disk, folder);
  const expected = [...tree.files.keys(), ...tree.folders, ...(tree.symlinks?.keys() ?? []), ...(tree.nodes?.keys() ?? []), ...extra].sort();
  expect([...entries.keys()].sort()).toEqual(expected);
  for (const [path, file] of tree.files) {
    const entry = entries.get(path) as TreeEntry;
    expect(entry.type, path).toBe('file');
    expect(sha256(await contentOf(source, entry)), path).toBe(sha256(file.bytes));
  }
  for (const path of tree.folders) expect(entries.get(path)?.type, path).toBe('directory');
  for (const [path, target] of tree.symlinks ?? []) expect(entries.get(path), path).toMatchObject({ type: 'symlink', target });
}

describe('a Raspberry Pi OS-like image (MBR: FAT32 bootfs + ext4 rootfs)', () => {
  let path = '';
  beforeAll(() => {
    path = diskFixturePath('pi');
  });

  it('lists the partitions as sfdisk lays them out, named by number, label and file system', async () => {
    const sfdisk = JSON.parse(runTool('sfdisk', ['--json', path])) as { partitiontable: { partitions: { start: number; size: number; type: string }[] } };
    await withDisk(path, async (disk) => {
      expect(disk.info.partitionTable).toBe('mbr');
      expect(disk.info.partitions.map((partition) => [partition.offsetBytes / 512, partition.sizeBytes / 512, partition.typeCode])).toEqual(
        sfdisk.partitiontable.partitions.map((partition) => [partition.start, partition.size, `0x${partition.type.padStart(2, '0')}`]),
      );
      const root = await disk.tree.listDirectory(disk.tree.root);
      expect(root.map((entry) => entry.name)).toEqual(['1-bootfs (FAT32)', '2-rootfs (ext4)']);
      expect(root.map((entry) => entry.partition)).toEqual([
        { number: 1, filesystem: 'fat32', browsable: true },
        { number: 2, filesystem: 'ext4', browsable: true },
      ]);
      const last = sfdisk.partitiontable.partitions.at(-1) as { start: number; size: number };
      expect(disk.info.requiredTargetBytes).toBe((last.start + last.size) * 512);
      expect(disk.info.warnings).toEqual([]);
    });
  });

  it('gives each file system the label, UUID and size blkid -p reads from the same bytes', async () => {
    await withDisk(path, async (disk) => {
      for (const partition of disk.info.partitions) {
        const probe = runTool('blkid', ['-p', '-o', 'export', '-O', String(partition.offsetBytes), '-S', String(partition.sizeBytes), path]);
        const fields = Object.fromEntries(
          probe
            .trim()
            .split('\n')
            .map((line) => line.split('=', 2) as [string, string]),
        );
        expect(partition.filesystem?.label).toBe(fields.LABEL);
        expect(partition.filesystem?.uuid).toBe(fields.UUID);
        expect(partition.filesystem?.browsable).toBe(true);
        expect(partition.filesystem?.usedBytes).toBeGreaterThan(0);
      }
      expect(disk.info.partitions[1]?.filesystem?.uuid).toBe(piRootUuid);
    });
  });

  it('reads every file of bootfs and rootfs with the SHA-256 of the tree that went in', async () => {
    await withDisk(path, async (disk, source) => {
      await expectTree(disk, source, '1-bootfs (FAT32)', piBootTree);
      await expectTree(disk, source, '2-rootfs (ext4)', piRootTree, ['/lost+found']);
    });
  });

  it('keeps the rootfs modes, owners, symlink targets and device numbers mkfs.ext4 -d copied', async () => {
    await withDisk(path, async (disk) => {
      const entries = await walkPartition(disk, '2-rootfs (ext4)');
      expect(entries.get('/usr/bin/hello')).toMatchObject({ mode: 0o100755, uid: 0, gid: 0 });
      expect(entries.get('/home/pi/notes.txt')).toMatchObject({ mode: 0o100600, uid: 1000, gid: 1000 });
      expect(entries.get('/tmp')).toMatchObject({ mode: 0o41777 });
      expect(entries.get('/dev/null')).toMatchObject({ type: 'other', device: { high: 1, low: 3 } });
      expect(entries.get('/dev/sda1')).toMatchObject({ type: 'other', device: { high: 8, low: 1 } });
      expect(entries.get('/run/initctl')).toMatchObject({ type: 'other' });
      // debugfs on the same bytes (its own libext2fs) lists the same names with the same modes.
      const partition = (await withDisk(path, (opened) => Promise.resolve(opened.info.partitions[1]))) as { offsetBytes: number; sizeBytes: number };
      const volume = join(scratch, 'rootfs.img');
      writeFileSync(volume, readFileSync(path).subarray(partition.offsetBytes, partition.offsetBytes + partition.sizeBytes));
      for (const folder of ['/', '/dev', '/home/pi', '/usr/bin']) {
        const listed = debugfsListing(volume, folder);
        const ours = [...entries].filter(([entryPath]) => parentOf(entryPath) === folder).map(([, entry]) => [entry.name, (entry.mode ?? 0).toString(8)]);
        expect(ours.sort(), folder).toEqual(listed.filter(([name]) => name !== '.' && name !== '..').sort());
      }
    });
  });

  it('lists bootfs with the names and sizes mdir lists at the partition offset', async () => {
    await withDisk(path, async (disk) => {
      const offsetBytes = disk.info.partitions[0]?.offsetBytes as number;
      const mdir = execFileSync('mdir', ['-a', '-b', '-i', `${path}@@${offsetBytes}`, '::/'], {
        encoding: 'utf8',
        env: { ...process.env, MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C.UTF-8' },
      });
      const names = mdir
        .trim()
        .split('\n')
        .map((line) => line.replace(/^::\//, ''));
      const ours = (await disk.tree.listDirectory((await disk.tree.lookup('/1-bootfs (FAT32)')) as TreeEntry)).map((entry) =>
        entry.type === 'directory' ? `${entry.name}/` : entry.name,
      );
      expect(ours.sort()).toEqual(names.sort());
    });
  });
});

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** `debugfs -R 'ls -l FOLDER'`: [name, octal mode] per entry. */
function debugfsListing(volume: string, folder: string): [string, string][] {
  const out = execFileSync('debugfs', ['-R', `ls -l "${folder}"`, volume], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .map((line) => /^\s*\d+\s+(\d+)\s+\(\d+\)\s+\d+\s+\d+\s+(?:\d+|\s*\d+,\s*\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [decodeDebugfsName(match[2] as string), match[1] as string]);
}

/** debugfs prints bytes outside ASCII as "\\xc3"; the name is their UTF-8. */
function decodeDebugfsName(printed: string): string {
  const bytes: number[] = [];
  for (let at = 0; at < printed.length;) {
    const escaped = /^\\x([0-9a-f]{2})/.exec(printed.slice(at, at + 4));
    bytes.push(escaped ? Number.parseInt(escaped[1] as string, 16) : printed.charCodeAt(at));
    at += escaped ? 4 : 1;
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('an MBR with an extended partition holding logical partitions', () => {
  it('numbers the logicals 5, 6, 7 in chain order, as sfdisk does, and browses each', async () => {
    const path = diskFixturePath('logical');
    const sfdisk = JSON.parse(runTool('sfdisk', ['--json', path])) as {
      partitiontable: { partitions: { node: string; start: number; size: number; type: string }[] };
    };
    const listed = sfdisk.partitiontable.partitions.filter((partition) => partition.type !== '5');
    await withDisk(path, async (disk, source) => {
      expect(disk.info.partitions.map((partition) => [partition.number, partition.offsetBytes / 512, partition.sizeBytes / 512, partition.logical])).toEqual(
        listed.map((partition) => [
          Number(/(\d+)$/.exec(partition.node)?.[1]),
          partition.start,
          partition.size,
          Number(/(\d+)$/.exec(partition.node)?.[1]) >= 5,
        ]),
      );
      expect(disk.info.partitions.map((partition) => partition.folderName)).toEqual([
        '1-PRIMARY (FAT16)',
        '5-LOGICAL5 (FAT12)',
        '6-logical6 (ext4)',
        '7-swaplabel (swap)',
      ]);
      expect(disk.info.partitions[0]?.bootable).toBe(true);
      await expectTree(disk, source, '1-PRIMARY (FAT16)', smallTree('primary'));
      await expectTree(disk, source, '5-LOGICAL5 (FAT12)', smallTree('logical five'));
      await expectTree(disk, source, '6-logical6 (ext4)', smallTree('logical six'), ['/lost+found']);
      expect(disk.info.partitions[3]?.filesystem).toMatchObject({ kind: 'swap', label: 'swaplabel', browsable: false });
      expect(await disk.tree.listDirectory((await disk.tree.lookup('/7-swaplabel (swap)')) as TreeEntry)).toEqual([]);
    });
  });
});

describe('a GPT image with an ESP', () => {
  it('names partitions by label, else by GPT name, and reads the ESP loader', async () => {
    const path = diskFixturePath('gpt');
    await withDisk(path, async (disk, source) => {
      expect(disk.info.partitionTable).toBe('gpt');
      expect(disk.info.partitions.map((partition) => [partition.number, partition.typeName, partition.name])).toEqual([
        [1, 'EFI System', 'EFI system partition'],
        [2, 'Linux filesystem', 'root'],
        [3, 'Microsoft basic data', 'data'],
        [4, 'Linux swap', 'swap'],
      ]);
      expect(disk.info.partitions[0]?.folderName).toBe('1-ESP (FAT16)');
      expect(disk.info.partitions[1]?.folderName).toBe('2-root (ext4)');
      await expectTree(disk, source, '1-ESP (FAT16)', espTree);
      await expectTree(disk, source, '2-root (ext4)', smallTree('gpt root'), ['/lost+found']);
      // The exFAT volume (H5's fixture, filled by exfat-fuse) under its label, with every file of its tree.
      expect(disk.info.partitions[2]?.folderName).toBe(`3-${exfatFixtureLabel} (exFAT)`);
      const exfat = await walkPartition(disk, `3-${exfatFixtureLabel} (exFAT)`);
      expect([...exfat.keys()].sort()).toEqual([...fatTreeFiles().keys(), ...fatTreeFolders].sort());
      for (const [filePath, bytes] of fatTreeFiles()) expect(sha256(await contentOf(source, exfat.get(filePath) as TreeEntry)), filePath).toBe(sha256(bytes));
      // The backup GPT lies in the image's last 33 sectors: the target needs the whole image.
      expect(disk.info.requiredTargetBytes).toBe(source.sizeBytes);
    });
  });
});

describe('a hybrid ISO seen through its partitions', () => {
  it('offers the partitions after the ISO views, the ESP browsable as FAT', async () => {
    const summary = await summarizeImage(bootFixturePath('appendedEsp'));
    expect(summary.format).toBe('iso9660');
    expect(summary.namespaces?.at(-1)).toBe('partitions');
    expect(summary.disk?.partitionTable).toBe('gpt');
    const esp = summary.disk?.partitions.find((partition) => partition.typeName === 'EFI System');
    expect(esp?.filesystem).toMatchObject({ kind: 'fat32', browsable: true });
    const run = await isotope(['ls', bootFixturePath('appendedEsp'), `/${esp?.folderName}/EFI/BOOT`, '--namespace', 'partitions', '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { path: string }[]).map((entry) => entry.path).sort()).toEqual([
      `/${esp?.folderName}/EFI/BOOT/BOOTAA64.EFI`,
      `/${esp?.folderName}/EFI/BOOT/BOOTX64.EFI`,
    ]);
  });

  it('browses the isohybrid whole-disc partition as ISO 9660, with no overlap warning for the ESP inside it', async () => {
    await withDisk(bootFixturePath('hybridGpt'), async (disk) => {
      expect(disk.info.partitions.map((partition) => partition.filesystem?.kind)).toEqual(['iso9660', 'fat12']);
      expect(disk.info.warnings).toEqual([]);
      const readme = await disk.tree.lookup(`/${disk.info.partitions[0]?.folderName}/README.TXT`);
      expect(readme?.type).toBe('file');
    });
  });
});

describe('isotope info and ls on disk images', () => {
  it('info prints the table, each file system with label, UUID, size and use, and the space a target needs', async () => {
    const path = diskFixturePath('pi');
    const run = await isotope(['info', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Format:        disk image');
    expect(run.stdout).toContain('Partitions:    MBR');
    expect(run.stdout).toMatch(/fat32, label "bootfs", UUID 1234-ABCD, 37748736 bytes, \d+ used/);
    expect(run.stdout).toContain(`ext4, label "rootfs", UUID ${piRootUuid}`);
    expect(run.stdout).toContain('folder: /2-rootfs (ext4)/');
    const json = JSON.parse((await isotope(['info', path, '--json'])).stdout) as ImageSummary;
    expect(json.format).toBe('disk');
    expect(json.namespaces).toEqual(['partitions']);
    expect(run.stdout).toContain(`Drive needs:   ${json.sizeBytes} bytes`);
  });

  it('ls addresses a partition folder by its name and carries owners and partitions in --json', async () => {
    const path = diskFixturePath('pi');
    const text = await isotope(['ls', path, '/1-bootfs (FAT32)/']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ \/1-bootfs \(FAT32\)\/config\.txt$/m);
    const root = JSON.parse((await isotope(['ls', path, '--json'])).stdout) as { path: string; partition?: unknown }[];
    expect(root).toEqual([
      expect.objectContaining({ path: '/1-bootfs (FAT32)', partition: { number: 1, filesystem: 'fat32', browsable: true } }),
      expect.objectContaining({ path: '/2-rootfs (ext4)', partition: { number: 2, filesystem: 'ext4', browsable: true } }),
    ]);
    const home = JSON.parse((await isotope(['ls', path, '/2-rootfs (ext4)/home/pi', '--json'])).stdout) as { path: string; uid?: number }[];
    expect(home.find((entry) => entry.path.endsWith('/notes.txt'))).toMatchObject({ uid: 1000, gid: 1000 });
    const cat = await isotopeCat(path, '/2-rootfs (ext4)/var/big.bin');
    expect(cat.code).toBe(0);
    expect(sha256(cat.bytes)).toBe(sha256(piRootTree.files.get('/var/big.bin')?.bytes as Buffer));
  });
});

describe('compressed disk images', () => {
  it('summarises a multi-block .img.xz from its blocks (random access): the partitions and the real decoded size', async () => {
    const path = join(scratch, 'pi-style.img.xz');
    execFileSync('sh', ['-c', `xz -0 -T1 --block-size=4MiB -c "${diskFixturePath('pi')}" > "${path}"`]);
    const summary = await summarizeImage(path);
    expect(summary.compression).toMatchObject({ kind: 'xz', access: 'random-access', decodedSizeBytes: readFileSync(diskFixturePath('pi')).byteLength });
    expect(summary.format).toBe('disk');
    expect(summary.disk?.partitions.map((partition) => partition.folderName)).toEqual(['1-bootfs (FAT32)', '2-rootfs (ext4)']);
    const cat = await isotopeCat(path, '/1-bootfs (FAT32)/kernel8.img');
    expect(sha256(cat.bytes)).toBe(sha256(piBootTree.files.get('/kernel8.img')?.bytes as Buffer));
  });

  it('summarises a .img.gz, which has no random access, as needing a decode instead of failing; info decodes it, then reads its partitions', async () => {
    const path = join(scratch, 'pi-style.img.gz');
    execFileSync('sh', ['-c', `gzip -1 -c "${diskFixturePath('pi')}" > "${path}"`]);
    const summary = await summarizeImage(path);
    expect(summary.format).toBe('unknown');
    expect(summary.compression).toMatchObject({ kind: 'gzip', access: 'needs-decoding' });
    expect(summary.disk).toBeUndefined();
    // The CLI decodes such an image into the decoded cache first, then reads the partitions from it.
    const run = await isotope(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Format:        disk image');
    expect(run.stdout).toContain('gzip, ');
    expect(run.stdout).toContain('read from its decoded copy');
    expect(run.stdout).toContain('folder: /2-rootfs (ext4)/');
    const service = testService();
    const caches = await service.call('cache:list', {});
    if (!caches.ok) throw new Error(caches.error.message);
    const cachePaths = caches.value.entries.filter((entry) => entry.imagePath === path).map((entry) => entry.cachePath);
    expect(cachePaths).toHaveLength(1);
    await service.call('cache:clear', { cachePaths });
  });
});

/** `7zz l -slt FILE`: the entries after the archive's own block, as path -> { folder, sizeBytes, mode }. */
function sevenZipListing(file: string): Map<string, { folder: boolean; sizeBytes: number | null; mode: string }> {
  const out = execFileSync('7zz', ['l', '-slt', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const blocks = out.split('----------\n')[1]?.split('\n\n') ?? [];
  const entries = new Map<string, { folder: boolean; sizeBytes: number | null; mode: string }>();
  for (const block of blocks) {
    const fields = Object.fromEntries(block.split('\n').map((line) => line.split(' = ', 2) as [string, string]));
    // 7-Zip also shows an ext journal as "[SYS]/Journal": no file of the volume.
    if (fields.Path === undefined || fields.Path.startsWith('[SYS]')) continue;
    entries.set(`/${fields.Path}`, { folder: fields.Folder === '+', sizeBytes: fields.Size ? Number(fields.Size) : null, mode: fields.Mode ?? '' });
  }
  return entries;
}

describe('7-Zip on the same disk image', () => {
  it('finds the partitions where we do, and lists the same names and file sizes inside the FAT32 and ext4 ones', async () => {
    const path = diskFixturePath('pi');
    const partitions = sevenZipListing(path);
    await withDisk(path, async (disk) => {
      const expected = disk.info.partitions.map((partition) => partition.sizeBytes);
      expect([...partitions.values()].slice(0, 2).map((entry) => entry.sizeBytes)).toEqual(expected);
      for (const [index, folder] of ['1-bootfs (FAT32)', '2-rootfs (ext4)'].entries()) {
        const name = [...partitions.keys()][index] as string;
        const volume = join(scratch, `7z-partition-${index}.img`);
        execFileSync('sh', ['-c', `7zz x -so "${path}" "${name.slice(1)}" > "${volume}"`]);
        const listed = sevenZipListing(volume);
        const ours = await walkPartition(disk, folder);
        expect([...ours.keys()].sort(), folder).toEqual([...listed.keys()].sort());
        for (const [entryPath, entry] of ours) {
          if (entry.type === 'file') expect(entry.sizeBytes, entryPath).toBe(listed.get(entryPath)?.sizeBytes);
        }
      }
    });
  });
});

describe('damaged and cut disk images', () => {
  it('lists a partition whose file system is damaged as an empty, unbrowsable folder with the damage, and keeps the others browsable', async () => {
    const image = Buffer.from(readFileSync(diskFixturePath('pi')));
    const rootfs = await withDisk(diskFixturePath('pi'), (disk) => Promise.resolve(disk.info.partitions[1]?.offsetBytes as number));
    // ext4 superblock s_log_block_size (byte 0x18): 20 would mean blocks of a gigabyte.
    image.writeUInt32LE(20, rootfs + 1024 + 0x18);
    const damagedPath = join(scratch, 'damaged-rootfs.img');
    writeFileSync(damagedPath, image);
    await withDisk(damagedPath, async (disk, source) => {
      const [boot, root] = disk.info.partitions;
      expect(root?.filesystem).toMatchObject({ kind: 'ext4', browsable: false, notBrowsableKind: 'damaged' });
      expect(root?.filesystem?.notBrowsableReason).toMatch(/^damaged: ext superblock: s_log_block_size 20/);
      expect(root?.folderName).toBe('2 (ext4)');
      const folder = (await disk.tree.lookup('/2 (ext4)')) as TreeEntry;
      expect(folder.partition).toEqual({ number: 2, filesystem: 'ext4', browsable: false, notBrowsableKind: 'damaged' });
      expect(await disk.tree.listDirectory(folder)).toEqual([]);
      expect(boot?.filesystem?.browsable).toBe(true);
      await expectTree(disk, source, '1-bootfs (FAT32)', piBootTree);
    });
    const listed = await isotope(['ls', damagedPath]);
    expect(listed.stdout).toMatch(/ \/2 \(ext4\) {2}\(not browsable\)$/m);
  });

  it('reads a partition cut by the end of the image as far as it goes, with a warning naming the bytes', async () => {
    const whole = readFileSync(diskFixturePath('pi'));
    const rootfs = await withDisk(diskFixturePath('pi'), (disk) => Promise.resolve(disk.info.partitions[1] as { offsetBytes: number; sizeBytes: number }));
    const cutPath = join(scratch, 'cut.img');
    writeFileSync(cutPath, whole.subarray(0, rootfs.offsetBytes + 4096));
    await withDisk(cutPath, async (disk, source) => {
      expect(disk.info.partitions.map((partition) => partition.withinImage)).toEqual([true, false]);
      expect(disk.info.warnings).toEqual([
        `partition 2 ends at byte ${rootfs.offsetBytes + rootfs.sizeBytes}, past the end of the image (${source.sizeBytes} bytes)`,
      ]);
      expect(disk.info.requiredTargetBytes).toBe(source.sizeBytes);
      await expectTree(disk, source, '1-bootfs (FAT32)', piBootTree);
    });
  });
});

describe('extraction, stat and preview through the partitions view', () => {
  it('extracts a partition folder to exactly its files, and stats a file at its disk image offset', async () => {
    const path = diskFixturePath('pi');
    const destination = join(scratch, 'extracted');
    const run = await isotope(['extract', path, '/1-bootfs (FAT32)', '--to', destination]);
    expect(run.code, run.stderr).toBe(0);
    for (const [filePath, file] of piBootTree.files) {
      expect(sha256(readFileSync(join(destination, '1-bootfs (FAT32)', filePath))), filePath).toBe(sha256(file.bytes));
    }
    const stat = await testService().call('image:stat', { path, file: '/1-bootfs (FAT32)/config.txt' });
    if (!stat.ok) throw new Error(stat.error.message);
    const config = piBootTree.files.get('/config.txt')?.bytes as Buffer;
    const [extent] = stat.value.extents;
    expect(readFileSync(path).subarray(extent?.offsetBytes, (extent?.offsetBytes as number) + config.byteLength)).toEqual(config);
    const preview = await testService().call('image:preview', { path, file: '/2-rootfs (ext4)/etc/hostname' });
    expect(preview.ok && preview.value.content).toBe('raspberrypi\n');
  });
});

describe('a bare file system (no partition table)', () => {
  it('is the root of the partitions view itself: a FAT32 volume image lists its tree at /, named by its label', async () => {
    const path = fatFixturePath(32);
    const summary = await summarizeImage(path);
    expect(summary.format).toBe('disk');
    expect(summary.volumeLabel).toBe(fatFixtureLabel(32));
    expect(summary.namespaces).toEqual(['partitions']);
    expect(summary.disk).toMatchObject({ partitionTable: 'none', warnings: [] });
    expect(summary.disk?.partitions).toEqual([
      expect.objectContaining({ number: 0, scheme: 'none', folderName: '', filesystem: expect.objectContaining({ kind: 'fat32' }) }),
    ]);
    const listed = JSON.parse((await isotope(['ls', path, '-R', '--json'])).stdout) as { path: string; type: string }[];
    expect(listed.map((entry) => entry.path).sort()).toEqual([...fatTreeFiles().keys(), ...fatTreeFolders].sort());
    const readme = await isotopeCat(path, '/README.TXT');
    expect(readme.bytes).toEqual(fatTreeFiles().get('/README.TXT'));
  });

  it('reads a bare ext4 volume made by mkfs.ext4 -d the same way', async () => {
    const volume = join(scratch, 'bare-ext4.img');
    const tree = join(scratch, 'bare-ext4-tree');
    writeSourceTree(smallTree('bare'), tree);
    runTool('mkfs.ext4', ['-q', '-F', '-L', 'bare', '-d', tree, volume, '4M']);
    await withDisk(volume, async (disk, source) => {
      expect(disk.info.partitions[0]?.filesystem).toMatchObject({ kind: 'ext4', label: 'bare', browsable: true });
      const entries = new Map<string, TreeEntry>();
      for await (const entry of disk.tree.walk()) entries.set(entry.path, entry);
      expect([...entries.keys()].sort()).toEqual([...smallTree('bare').files.keys(), ...smallTree('bare').folders, '/lost+found'].sort());
      for (const [filePath, file] of smallTree('bare').files)
        expect(sha256(await contentOf(source, entries.get(filePath) as TreeEntry))).toBe(sha256(file.bytes));
    });
  });
});
