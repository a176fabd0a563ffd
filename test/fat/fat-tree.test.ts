// openFatTree on volumes made by mkfs.fat and mtools (FAT12, FAT16, FAT32; long and unicode names,
// hidden files, times, a fragmented file), compared with what went in; and on hostile volumes (chain
// loops, cross-links, clusters out of range, sizes past the chain, a folder that is its own ancestor,
// a boot sector claiming more than the image holds), each a clean CorruptImageError naming the cluster.
import { execFileSync } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import { planFat32Volume } from '../../src-main/fat/fat32-writer.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import { WorkBudget } from '../../src-main/format/work-budget.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { directory, file, scratchPath, seededBytes, sha256 } from './fat-test-volumes.ts';

const mtoolsEnv = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' };
const fileTimeMs = Date.UTC(2023, 10, 5, 8, 9, 10);

interface Walked {
  readonly type: string;
  readonly sizeBytes: number;
  readonly hidden: boolean;
  readonly mtimeMs: number | undefined;
  readonly sha256: string | null;
}

async function walkAll(image: Uint8Array): Promise<{ entries: Map<string, Walked>; byPath: Map<string, TreeEntry> }> {
  const source = createMemorySource(image);
  const tree = await openFatTree(source);
  const entries = new Map<string, Walked>();
  const byPath = new Map<string, TreeEntry>();
  for await (const entry of tree.walk()) {
    byPath.set(entry.path, entry);
    const content = entry.type === 'file' ? sha256(await entryContentSource(source, entry).read(0, entry.sizeBytes)) : null;
    entries.set(entry.path, {
      type: entry.type,
      sizeBytes: entry.type === 'file' ? entry.sizeBytes : 0,
      hidden: entry.hidden,
      mtimeMs: entry.mtimeMs,
      sha256: content,
    });
  }
  return { entries, byPath };
}

/** A volume made by mkfs.fat and filled by mcopy from a folder of files with these contents. */
function mkfsVolume(fatBits: 12 | 16 | 32, sizeKib: number, files: ReadonlyMap<string, Uint8Array>, hidden: readonly string[]): Uint8Array {
  const image = scratchPath(`fat${fatBits}.img`);
  const clusterArgs = fatBits === 32 ? ['-s', '1'] : [];
  execFileSync('mkfs.fat', ['-C', '-F', String(fatBits), ...clusterArgs, '-n', 'TESTVOL', image, String(sizeKib)], { stdio: 'ignore' });
  const folder = join(dirname(image), 'files');
  for (const [path, bytes] of files) {
    execFileSync('mkdir', ['-p', dirname(join(folder, path))]);
    writeFileSync(join(folder, path), bytes);
    utimesSync(join(folder, path), fileTimeMs / 1000, fileTimeMs / 1000);
  }
  execFileSync('sh', ['-c', `cd "${folder}" && mcopy -s -m -i "${image}" ./* ::/`], { env: mtoolsEnv });
  for (const path of hidden) execFileSync('mattrib', ['+h', '-i', image, `::${path}`], { env: mtoolsEnv });
  return new Uint8Array(readFileSync(image));
}

function sampleFiles(): Map<string, Uint8Array> {
  return new Map([
    ['/EFI/BOOT/BOOTX64.EFI', seededBytes(9000, 1)],
    ['/A long name, with commas.txt', seededBytes(1500, 2)],
    ['/Ünïcödé файл.bin', seededBytes(3, 3)],
    ['/docs/lower.txt', seededBytes(700, 4)],
    ['/docs/empty', new Uint8Array(0)],
    ['/secret.dat', seededBytes(10, 5)],
  ]);
}

describe('FAT tree reader', () => {
  for (const [fatBits, sizeKib] of [
    [12, 2000],
    [16, 20000],
    [32, 40000],
  ] as const) {
    it(`lists a FAT${fatBits} volume made by mkfs.fat and mcopy with its long names, sizes, times, hidden flag and bytes`, async () => {
      const files = sampleFiles();
      const { entries } = await walkAll(mkfsVolume(fatBits, sizeKib, files, ['/secret.dat']));
      expect([...entries.keys()].sort()).toEqual([...files.keys(), '/EFI', '/EFI/BOOT', '/docs'].sort());
      for (const [path, bytes] of files) {
        expect(entries.get(path), path).toEqual({
          type: 'file',
          sizeBytes: bytes.byteLength,
          hidden: path === '/secret.dat',
          mtimeMs: fileTimeMs,
          sha256: sha256(bytes),
        });
      }
      expect(entries.get('/docs')?.type).toBe('directory');
    });
  }

  it('follows a fragmented chain as several extents and reads the file whole', async () => {
    const image = scratchPath('fragmented.img');
    execFileSync('mkfs.fat', ['-C', '-F', '16', image, '20000'], { stdio: 'ignore' });
    const run = (args: string[], input?: Uint8Array): void =>
      void execFileSync(args[0] as string, args.slice(1), { env: mtoolsEnv, ...(input ? { input } : {}) });
    const scratch = join(dirname(image), 'part');
    for (const name of ['A', 'B', 'C']) {
      writeFileSync(scratch, seededBytes(5000, name.charCodeAt(0)));
      run(['mcopy', '-i', image, scratch, `::/${name}`]);
    }
    run(['mdel', '-i', image, '::/B']);
    const big = seededBytes(40_000, 99);
    writeFileSync(scratch, big);
    run(['mcopy', '-i', image, scratch, '::/BIG']);
    const { entries, byPath } = await walkAll(new Uint8Array(readFileSync(image)));
    expect(byPath.get('/BIG')?.extents.length).toBeGreaterThan(1);
    expect(entries.get('/BIG')?.sha256).toBe(sha256(big));
  });
});

/** Our writer's volume in memory, with where its FAT lies and each entry's first cluster. */
async function writtenVolume(): Promise<{ image: Uint8Array; setFatEntry: (cluster: number, value: number) => void; byPath: Map<string, TreeEntry> }> {
  const plan = planFat32Volume({
    volumeSizeBytes: 40 * 1024 * 1024,
    hiddenSectors: 0,
    label: 'HOSTILE',
    volumeId: 1,
    entries: [
      directory('/dir'),
      directory('/dir/sub'),
      file('/dir/one.bin', seededBytes(4000, 1)),
      file('/two.bin', seededBytes(3000, 2)),
      file('/CASE.TXT', seededBytes(5, 3)),
    ],
  });
  const image = new Uint8Array(40 * 1024 * 1024);
  image.set(await plan.source.read(0, plan.source.sizeBytes));
  const view = new DataView(image.buffer);
  const fatOffsetBytes = view.getUint16(14, true) * 512;
  const fatBytes = view.getUint32(36, true) * 512;
  const setFatEntry = (cluster: number, value: number): void => {
    view.setUint32(fatOffsetBytes + cluster * 4, value, true);
    view.setUint32(fatOffsetBytes + fatBytes + cluster * 4, value, true);
  };
  return { image, setFatEntry, byPath: (await walkAll(image)).byPath };
}

async function walkError(image: Uint8Array): Promise<CorruptImageError> {
  const started = Date.now();
  const error: unknown = await walkAll(image).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(Date.now() - started).toBeLessThan(5000);
  expect(error).toBeInstanceOf(CorruptImageError);
  return error as CorruptImageError;
}

describe('FAT tree reader on short names', () => {
  it('shows an 8.3 name in lower case where Windows NT set the case bits (DIR_NTRes 0x08 base, 0x10 extension)', async () => {
    const { image, byPath } = await writtenVolume();
    const record = byPath.get('/CASE.TXT')?.recordOffsetBytes as number;
    image[record + 12] = 0x08;
    expect((await walkAll(image)).entries.has('/case.TXT')).toBe(true);
    image[record + 12] = 0x18;
    expect((await walkAll(image)).entries.get('/case.txt')?.sha256).toBe(sha256(seededBytes(5, 3)));
  });
});

describe('FAT tree reader lookup', () => {
  it('finds a path whatever its case, as FAT compares names', async () => {
    const { image } = await writtenVolume();
    const tree = await openFatTree(createMemorySource(image));
    expect((await tree.lookup('/DIR/One.BIN'))?.path).toBe('/dir/one.bin');
    expect((await tree.lookup('/case.txt'))?.path).toBe('/CASE.TXT');
    expect(await tree.lookup('/dir/three.bin')).toBeNull();
  });
});

describe('FAT tree reader budget', () => {
  it('pays for a folder once however many paths are looked up in it', async () => {
    const entries = [directory('/many')];
    for (let index = 0; index < 200; index += 1) entries.push(file(`/many/file number ${index}.bin`, seededBytes(10, index)));
    const plan = planFat32Volume({ volumeSizeBytes: 40 * 1024 * 1024, hiddenSectors: 0, label: '', volumeId: 1, entries });
    const image = new Uint8Array(40 * 1024 * 1024);
    image.set(await plan.source.read(0, plan.source.sizeBytes));
    // Enough to list /many a few times (about 70 KB each), far from enough for 200 listings.
    const budget = new WorkBudget(image.byteLength, { perSourceByte: 0, baseBytes: 400_000 });
    const tree = await openFatTree(createMemorySource(image), { budget });
    for (let index = 0; index < 200; index += 1) expect((await tree.lookup(`/many/file number ${index}.bin`))?.sizeBytes).toBe(10);
    // One listing of the root and of /many, and the FAT sectors their chains lie in, read once.
    expect(budget.spentBytes).toBeLessThan(120_000);
  });
});

describe('FAT tree reader, cancelled', () => {
  it('stops listing with a CancelledError once its signal is aborted', async () => {
    const { image } = await writtenVolume();
    const controller = new AbortController();
    const tree = await openFatTree(createMemorySource(image), { signal: controller.signal });
    controller.abort();
    await expect(tree.listDirectory(tree.root)).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('FAT tree reader on hostile volumes', () => {
  it('refuses a file chain that loops back on itself, naming the file and cluster', async () => {
    const { image, setFatEntry, byPath } = await writtenVolume();
    const first = byPath.get('/dir/one.bin')?.extentLba as number;
    setFatEntry(first, first);
    expect((await walkError(image)).message).toMatch(
      new RegExp(`/dir/one.bin: the chain from cluster ${first} reaches cluster ${first}, which a chain already holds`),
    );
  });

  it('refuses a chain that runs into another file’s clusters (a cross-link)', async () => {
    const { image, setFatEntry, byPath } = await writtenVolume();
    const one = byPath.get('/dir/one.bin')?.extentLba as number;
    const two = byPath.get('/two.bin')?.extentLba as number;
    setFatEntry(two, one + 1);
    expect((await walkError(image)).message).toMatch(new RegExp(`reaches cluster ${one + 1}, which a chain already holds`));
  });

  it('refuses a chain that reaches a cluster outside the volume or a free cluster', async () => {
    const { image, setFatEntry, byPath } = await writtenVolume();
    const two = byPath.get('/two.bin')?.extentLba as number;
    setFatEntry(two, 0x0ffffff0);
    expect((await walkError(image)).message).toMatch(new RegExp(`chain from cluster ${two} reaches cluster ${0x0ffffff0}, outside 2-`));
    setFatEntry(two, 0);
    expect((await walkError(image)).message).toMatch(new RegExp(`chain from cluster ${two} reaches cluster 0, outside 2-`));
  });

  it('refuses a file whose size is past the end of its chain', async () => {
    const { image, byPath } = await writtenVolume();
    const record = byPath.get('/two.bin')?.recordOffsetBytes as number;
    new DataView(image.buffer).setUint32(record + 28, 0xffffffff, true);
    expect((await walkError(image)).message).toMatch(/\/two.bin: its chain from cluster \d+ ends after 6 clusters of 512 bytes, short of its 4294967295 bytes/);
  });

  it('refuses a folder that names its own ancestor’s clusters (a directory loop)', async () => {
    const { image, byPath } = await writtenVolume();
    const sub = byPath.get('/dir/sub')?.recordOffsetBytes as number;
    const dir = byPath.get('/dir')?.extentLba as number;
    new DataView(image.buffer).setUint16(sub + 26, dir, true);
    // Its listing claims /dir's first cluster a second time.
    expect((await walkError(image)).message).toMatch(new RegExp(`/dir/sub: the chain from cluster ${dir} reaches cluster ${dir}, which a chain already holds`));
  });

  it('refuses two files that start at the same cluster (a cross-link at the first cluster)', async () => {
    const { image, byPath } = await writtenVolume();
    const one = byPath.get('/dir/one.bin')?.extentLba as number;
    const record = byPath.get('/two.bin')?.recordOffsetBytes as number;
    new DataView(image.buffer).setUint16(record + 26, one, true); // DIR_FstClusLO (FAT32: DIR_FstClusHI stays 0)
    expect((await walkError(image)).message).toMatch(new RegExp(`the chain from cluster ${one} reaches cluster ${one}, which a chain already holds`));
  });

  it('refuses a folder naming the root folder’s cluster (a folder that contains itself)', async () => {
    const { image, byPath } = await writtenVolume();
    const record = byPath.get('/dir')?.recordOffsetBytes as number;
    new DataView(image.buffer).setUint16(record + 26, 2, true); // BPB_RootClus of our writer
    expect((await walkError(image)).message).toMatch(/\/dir: the chain from cluster 2 reaches cluster 2, which a chain already holds/);
  });

  it('refuses a folder whose chain is longer than the 65,536 entries a folder may hold, without reading it', async () => {
    const { image, setFatEntry, byPath } = await writtenVolume();
    const dir = byPath.get('/dir')?.extentLba as number;
    // 4,200 free clusters of 512 bytes after /dir's one: 2.1 MiB of folder, past FAT spec 6's 2 MiB.
    setFatEntry(dir, 10_000);
    for (let cluster = 10_000; cluster < 14_200; cluster += 1) setFatEntry(cluster, cluster + 1);
    setFatEntry(14_200, 0x0fffffff);
    expect((await walkError(image)).message).toMatch(new RegExp(`chain from cluster ${dir} is longer than 4096 clusters`));
  });

  it('refuses a FAT16 volume cut short before its root directory', async () => {
    const whole = mkfsVolume(16, 20000, new Map([['/a.txt', seededBytes(10, 1)]]), []);
    const view = new DataView(whole.buffer);
    const rootOffsetBytes = (view.getUint16(14, true) + 2 * view.getUint16(22, true)) * 512;
    expect((await walkError(whole.slice(0, rootOffsetBytes + 512))).message).toMatch(/the entries of \/ \(16384 bytes\) lies outside the image/);
  });

  it('refuses a boot sector that claims far more clusters than the image holds, without reading them', async () => {
    const { image } = await writtenVolume();
    const small = image.slice(0, 2 * 1024 * 1024);
    const view = new DataView(small.buffer);
    view.setUint32(32, 0xffffffff, true); // BPB_TotSec32
    small[13] = 64; // BPB_SecPerClus: 32 KiB clusters, so a 1 GiB FAT has an entry for each of the 67 million claimed
    view.setUint32(36, 0x00200000, true); // BPB_FATSz32
    expect((await walkError(small)).message).toMatch(/cluster 2 of the chain from cluster 2 lies past the end of the image \(2097152 bytes\)/);
  });
});
