// Extraction: the whole tree of a real xorriso image equals the tree that went in; cancel and failure
// leave nothing behind; hostile names and links never write outside the destination.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { extractEntries, NoSpaceError, SharedExtentsError } from '../../src-main/image/extract-entries.ts';
import { DestinationExistsError } from '../../src-main/image/extract-conflicts.ts';
import { listExtractConflicts } from '../../src-main/image/image-operations.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { withImageFile } from '../../src-main/image/open-image-file.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { writeFeatureTree, xorrisoFeaturesIsoPath, zisofsIsoPath, zisofsTreeFiles } from '../fixtures/iso-images.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from '../iso/iso-builder.ts';
import { zisofsBody } from '../iso/zisofs-builder.ts';
import { isRoot } from '../flash/loop-devices.ts';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'isotope-extract-'));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** path -> "dir" | "link:<target>" | "file:<sha256>" for everything below `root`. */
function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = lstatSync(path);
      const key = `/${relative(root, path)}`;
      if (stats.isSymbolicLink()) out[key] = `link:${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        out[key] = 'dir';
        visit(path);
      } else if (stats.isFile()) out[key] = `file:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      else out[key] = 'other';
    }
  };
  visit(root);
  return out;
}

async function imageFromBytes(bytes: Uint8Array) {
  const image = await openIsoImage(createMemorySource(bytes, 'built.iso'));
  if (!image) throw new Error('not an ISO');
  return image;
}

/** 30 levels of 170-byte folder names ("001nnn…") and a file "deep-file" at the bottom: deeper than PATH_MAX allows. */
const deepLevels = 30;
const deepName = (level: number): string => `${String(level).padStart(3, '0')}${'n'.repeat(167)}`;
function deepIso(): Uint8Array {
  const sectors = new Map<number, Uint8Array>();
  for (let level = 0; level <= deepLevels; level += 1) {
    const lba = 20 + level;
    const child =
      level === deepLevels
        ? directoryRecord({ identifier: 'F;1', lba: 100, sizeBytes: 5, systemUse: concat(rr.px(0o100644), rr.nm('deep-file')) })
        : directoryRecord({ identifier: 'D', lba: lba + 1, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm(deepName(level + 1))) });
    sectors.set(
      lba,
      directoryExtent({
        selfLba: lba,
        parentLba: level === 0 ? 20 : lba - 1,
        ...(level === 0 ? { selfSystemUse: rockRidgeRootSystemUse() } : {}),
        records: [child],
      }),
    );
  }
  sectors.set(100, new TextEncoder().encode('hello'));
  return buildIso({ sectorCount: 110, rootLba: 20, sectors });
}

describe('extractEntries', () => {
  it('extracts a whole xorriso image to exactly the tree that went in (less the FIFO and the link leaving it)', async () => {
    const source = join(scratch, 'source');
    writeFeatureTree(source, { longLinkTarget: true });
    const destination = join(scratch, 'out');
    const summary = await withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: [], destination }));
    const expected = describeTree(source);
    delete expected['/docs/a-fifo'];
    delete expected['/docs/absolute-link'];
    expect(describeTree(destination)).toEqual(expected);
    expect(summary.skipped.map((item) => item.path).sort()).toEqual(['/docs/a-fifo', '/docs/absolute-link']);
    const fileBytes = Object.keys(expected)
      .filter((path) => expected[path]?.startsWith('file:'))
      .reduce((sum, path) => sum + statSync(join(source, path)).size, 0);
    expect(summary.bytesWritten).toBe(fileBytes);
  });

  it('extracts one folder under its own name, and one file', async () => {
    const destination = join(scratch, 'out');
    await withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: ['/deep/level-1', '/README.TXT'], destination }));
    const tree = describeTree(destination);
    expect(Object.keys(tree)).toContain('/level-1/middle.txt');
    expect(Object.keys(tree)).toContain('/README.TXT');
    expect(readFileSync(join(destination, 'README.TXT'), 'utf8')).toBe('Hello from Isotope.\n');
  });

  it('writes zisofs files decompressed', async () => {
    const destination = join(scratch, 'out');
    await withImageFile(zisofsIsoPath(), {}, ({ image }) => extractEntries({ image, entries: [], destination }));
    for (const [path, bytes] of Object.entries(zisofsTreeFiles())) expect(readFileSync(join(destination, path)).equals(bytes), path).toBe(true);
  });

  it('reports progress up to the total and cancels, removing its partial output', async () => {
    const destination = join(scratch, 'out');
    const controller = new AbortController();
    const seen: number[] = [];
    const run = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) =>
      extractEntries({
        image,
        entries: [],
        destination,
        signal: controller.signal,
        onProgress: (progress) => {
          seen.push(progress.bytesWritten);
          expect(progress.totalBytes).toBeGreaterThan(3_000_000);
          controller.abort();
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen.length).toBeGreaterThan(0);
    expect(readdirSync(destination)).toEqual([]);
  });

  it('removes what it wrote when a later file turns out corrupt', async () => {
    const good = directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 5, systemUse: concat(rr.px(0o100644), rr.nm('a.txt')) });
    const badBody = zisofsBody(new Uint8Array(100), { blocks: [Uint8Array.of(9, 9, 9)] });
    const bad = directoryRecord({ identifier: 'Z;1', lba: 31, sizeBytes: badBody.byteLength, systemUse: concat(rr.px(0o100644), rr.nm('z.txt'), rr.zf(100)) });
    const folder = directoryRecord({ identifier: 'D', lba: 21, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm('d')) });
    const sub = directoryExtent({ selfLba: 21, parentLba: 20, records: [good] });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records: [folder, good, bad] });
    const image = await imageFromBytes(
      buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [20, root],
          [21, sub],
          [30, new TextEncoder().encode('hello')],
          [31, badBody],
        ]),
      }),
    );
    const destination = join(scratch, 'out');
    mkdirSync(destination);
    writeFileSync(join(destination, 'keep-me'), 'not ours');
    await expect(extractEntries({ image, entries: [], destination })).rejects.toBeInstanceOf(CorruptImageError);
    expect(readdirSync(destination)).toEqual(['keep-me']);
  });

  it('never writes through a link already in the destination', async () => {
    const destination = join(scratch, 'out');
    const outside = join(scratch, 'outside');
    mkdirSync(destination);
    mkdirSync(outside);
    symlinkSync(outside, join(destination, 'docs'));
    const run = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: ['/docs'], destination }));
    await expect(run).rejects.toMatchObject({ code: 'destination-exists', hostPath: join(destination, 'docs') });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses to overwrite a file already there with destination-exists naming it, not a permissions error', async () => {
    const destination = join(scratch, 'out');
    mkdirSync(destination);
    writeFileSync(join(destination, 'README.TXT'), 'mine');
    const run = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: ['/README.TXT'], destination }));
    await expect(run).rejects.toBeInstanceOf(DestinationExistsError);
    await expect(run).rejects.toMatchObject({ code: 'destination-exists', message: expect.stringContaining(join(destination, 'README.TXT')) as string });
    expect(readFileSync(join(destination, 'README.TXT'), 'utf8')).toBe('mine');
  });

  it('keeps Rock Ridge permission bits but drops setuid', async () => {
    const tool = directoryRecord({ identifier: 'T;1', lba: 30, sizeBytes: 5, systemUse: concat(rr.px(0o104755), rr.nm('tool')) });
    const readOnly = directoryRecord({ identifier: 'R;1', lba: 30, sizeBytes: 5, systemUse: concat(rr.px(0o100444), rr.nm('read-only')) });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records: [tool, readOnly] });
    const image = await imageFromBytes(
      buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [20, root],
          [30, new TextEncoder().encode('hello')],
        ]),
      }),
    );
    const destination = join(scratch, 'out');
    await extractEntries({ image, entries: [], destination });
    expect(statSync(join(destination, 'tool')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(destination, 'read-only')).mode & 0o7777).toBe(0o644);
  });

  it('skips links that climb out of the destination and names over 255 bytes', async () => {
    const escaping = directoryRecord({
      identifier: 'L;1',
      lba: 0,
      sizeBytes: 0,
      systemUse: concat(rr.px(0o120777), rr.nm('up'), rr.sl([{ flags: 4 }, { flags: 4 }, { text: 'etc' }])),
    });
    const longName = concat(rr.nm('n'.repeat(250), 1), rr.nm('n'.repeat(10)));
    const long = directoryRecord({ identifier: 'N;1', lba: 30, sizeBytes: 5, systemUse: concat(rr.px(0o100644), rr.ce(22, 0, longName.byteLength)) });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records: [escaping, long] });
    const image = await imageFromBytes(
      buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [20, root],
          [22, longName],
          [30, new TextEncoder().encode('hello')],
        ]),
      }),
    );
    const destination = join(scratch, 'out');
    const summary = await extractEntries({ image, entries: [], destination });
    expect(summary.skipped.map((item) => item.reason)).toEqual([
      expect.stringMatching(/longer than 255 bytes/),
      expect.stringMatching(/points outside the destination/),
    ]);
    expect(readdirSync(destination)).toEqual([]);
  });

  it('applies the umask and never leaves a file world-writable, setuid or setgid', async () => {
    const modes = { 'setuid-777': 0o104777, 'setgid-2775': 0o102775, 'rw-666': 0o100666, 'sticky-1777': 0o101777 };
    const records = Object.entries(modes).map(([name, mode], index) =>
      directoryRecord({ identifier: `F${index};1`, lba: 30, sizeBytes: 5, systemUse: concat(rr.px(mode), rr.nm(name)) }),
    );
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records });
    const image = await imageFromBytes(
      buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [20, root],
          [30, new TextEncoder().encode('hello')],
        ]),
      }),
    );
    const modeOf = (destination: string, name: string): number => statSync(join(destination, name)).mode & 0o7777;
    const usual = join(scratch, 'umask-022');
    await extractEntries({ image, entries: [], destination: usual, umask: 0o022 });
    expect(Object.keys(modes).map((name) => modeOf(usual, name))).toEqual([0o755, 0o755, 0o644, 0o755]);
    // Even a umask of 0 (the user's own choice for new files) never makes an image's file world-writable.
    const open = join(scratch, 'umask-000');
    await extractEntries({ image, entries: [], destination: open, umask: 0 });
    expect(Object.keys(modes).map((name) => modeOf(open, name))).toEqual([0o775, 0o775, 0o664, 0o775]);
  });

  it('refuses a destination that is itself a symbolic link, writing nothing where it points', async () => {
    const elsewhere = join(scratch, 'autostart');
    mkdirSync(elsewhere);
    const destination = join(scratch, 'innocent-name');
    symlinkSync(elsewhere, destination);
    const run = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: ['/README.TXT'], destination }));
    await expect(run).rejects.toThrow(/destination folder is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses 64 files sharing one 256 KiB extent (16 MiB from a 336 KiB image) unless the caller allows shared extents', async () => {
    const extentBytes = 256 * 1024;
    const data = new Uint8Array(extentBytes).map((_, index) => (index * 7) & 0xff);
    const records = Array.from({ length: 64 }, (_, index) =>
      directoryRecord({ identifier: `F${index};1`, lba: 40, sizeBytes: extentBytes, systemUse: concat(rr.px(0o100644), rr.nm(`copy-${index}`)) }),
    );
    const root = directoryExtent({ selfLba: 20, parentLba: 20, sectors: 4, selfSystemUse: rockRidgeRootSystemUse(), records });
    const bytes = buildIso({
      sectorCount: 40 + extentBytes / sector,
      rootLba: 20,
      rootSizeBytes: 4 * sector,
      sectors: new Map([
        [20, root],
        [40, data],
      ]),
    });
    const image = await imageFromBytes(bytes);
    const destination = join(scratch, 'out');
    const refused = extractEntries({ image, entries: [], destination });
    await expect(refused).rejects.toBeInstanceOf(SharedExtentsError);
    await expect(refused).rejects.toThrow(`read ${64 * extentBytes} bytes from an image of ${bytes.byteLength} bytes`);
    expect(readdirSync(destination)).toEqual([]);
    // A legitimate hard-link-heavy image, with the user's go-ahead: every copy is written.
    const summary = await extractEntries({ image, entries: [], destination, allowSharedExtents: true });
    expect(summary).toMatchObject({ fileCount: 64, bytesWritten: 64 * extentBytes });
    expect(readFileSync(join(destination, 'copy-63')).equals(Buffer.from(data))).toBe(true);
  });

  it('refuses 200 records sharing one zisofs stream, each within the 1024x guard (200 MiB from an 82 KiB image)', async () => {
    const body = zisofsBody(new Uint8Array(1024 * 1024));
    const records = Array.from({ length: 200 }, (_, index) =>
      directoryRecord({
        identifier: `Z${index};1`,
        lba: 40,
        sizeBytes: body.byteLength,
        systemUse: concat(rr.px(0o100644), rr.nm(`z-${index}`), rr.zf(1024 * 1024)),
      }),
    );
    const root = directoryExtent({ selfLba: 20, parentLba: 20, sectors: 16, selfSystemUse: rockRidgeRootSystemUse(), records });
    const image = await imageFromBytes(
      buildIso({
        sectorCount: 40 + Math.ceil(body.byteLength / sector),
        rootLba: 20,
        rootSizeBytes: 16 * sector,
        sectors: new Map([
          [20, root],
          [40, body],
        ]),
      }),
    );
    const destination = join(scratch, 'out');
    await expect(extractEntries({ image, entries: [], destination })).rejects.toBeInstanceOf(SharedExtentsError);
    expect(readdirSync(destination)).toEqual([]);
    // One of them alone is an honest zisofs file: 1 MiB from its stream.
    expect(await extractEntries({ image, entries: ['/z-7'], destination })).toMatchObject({ fileCount: 1, bytesWritten: 1024 * 1024 });
  });

  it('skips, naming the path and its length, entries nested deeper than PATH_MAX allows (30 levels of 170-byte names)', async () => {
    const image = await imageFromBytes(deepIso());
    const destination = join(scratch, 'out');
    const summary = await extractEntries({ image, entries: [], destination });
    expect(summary.skipped.length).toBeGreaterThan(0);
    expect(summary.skipped[0]!.reason).toMatch(/host path would be \d+ bytes, longer than the 4096-byte limit \(PATH_MAX\)/);
    expect(summary.skipped[0]!.path).toMatch(new RegExp(`^/${deepName(1)}/`));
    expect(summary.skipped.at(-1)!.path).toMatch(/\/deep-file$/);
    // What fits was extracted.
    expect(summary.directoryCount + summary.skipped.length).toBe(deepLevels + 1);
  });

  it('lists the conflicts of an image nested deeper than PATH_MAX allows without looking past it (no ENAMETOOLONG)', async () => {
    const path = join(scratch, 'deep.iso');
    writeFileSync(path, deepIso());
    const destination = join(scratch, 'out');
    mkdirSync(join(destination, deepName(1)), { recursive: true });
    writeFileSync(join(destination, deepName(1), deepName(2)), 'a file where the image has a folder');
    const answer = await listExtractConflicts({ path, destination });
    expect(answer).toEqual({
      conflicts: [{ entryPath: `/${deepName(1)}/${deepName(2)}`, destinationPath: join(destination, deepName(1), deepName(2)), existingKind: 'file' }],
      truncated: false,
    });
  });
});

describe.skipIf(!isRoot)('extractEntries on a nearly full file system (tmpfs mounts need root)', () => {
  let small = '';
  beforeEach(() => {
    small = join(scratch, 'small');
    mkdirSync(small);
  });
  afterEach(() => {
    execFileSync('umount', [small], { stdio: 'ignore' });
  });

  /** An image of `count` files of `sizeBytes` each, with distinct extents. */
  async function imageOfFiles(count: number, sizeBytes: number) {
    const sectorsPerFile = Math.ceil(sizeBytes / sector);
    const records = Array.from({ length: count }, (_, index) =>
      directoryRecord({ identifier: `F${index};1`, lba: 40 + index * sectorsPerFile, sizeBytes, systemUse: concat(rr.px(0o100644), rr.nm(`file-${index}`)) }),
    );
    const root = directoryExtent({ selfLba: 20, parentLba: 20, sectors: 2, selfSystemUse: rockRidgeRootSystemUse(), records });
    return imageFromBytes(buildIso({ sectorCount: 40 + count * sectorsPerFile, rootLba: 20, rootSizeBytes: 2 * sector, sectors: new Map([[20, root]]) }));
  }

  it('refuses before writing anything when the folder has less free space than the files need', async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
    const image = await imageOfFiles(3, 1024 * 1024);
    const destination = join(small, 'out');
    const run = extractEntries({ image, entries: [], destination });
    await expect(run).rejects.toBeInstanceOf(NoSpaceError);
    await expect(run).rejects.toThrow(`no space left in ${destination}: the extraction writes ${3 * 1024 * 1024} bytes`);
    expect(readdirSync(destination)).toEqual([]);
  });

  it('reports running out of space while writing (ENOSPC) as no space in the folder, and removes its partial output', async () => {
    // Bytes to spare, but only a handful of inodes: the fifth file's creation fails with ENOSPC.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,nr_inodes=6', 'tmpfs', small]);
    const image = await imageOfFiles(10, 4096);
    const destination = join(small, 'out');
    const run = extractEntries({ image, entries: [], destination });
    await expect(run).rejects.toBeInstanceOf(NoSpaceError);
    await expect(run).rejects.toThrow(`no space left in ${destination}: ENOSPC`);
    expect(readdirSync(destination)).toEqual([]);
  });
});
