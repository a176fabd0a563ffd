// Search across an image (`image:search`): the glob and part-of-name matcher on its own, then the
// walk over real images built by xorriso, genisoimage -udf and mkfs.fat + mtools, compared with the
// trees that went in; the cap, cancellation, batches, and the call through the service as a job.
import { mkdtempSync, readdirSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileNamePattern } from '../../src-main/image/name-pattern.ts';
import { searchImage, searchBatchMaxMatches, type ImageSearchProgress } from '../../src-main/image/search-image.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { writeFeatureTree, xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { udfBridgeIsoPath, writeUdfTree } from '../fixtures/udf-images.ts';
import { bootFiles, bootPartition, diskImagePath } from '../fixtures/ui-disk-images.ts';
import { bigFileName, bigFolderFileCount, bigIsoPath } from '../fixtures/ui-images.ts';
import { testService } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';
import type { ImageSearchFound } from '../../shared/image.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from '../iso/iso-builder.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-search-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every path below `root` (as the image names it: "/docs/guide.txt"), with its name. */
function hostTree(root: string): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      out.push({ path: `/${relative(root, path)}`, name });
      if (lstatSync(path).isDirectory()) visit(path);
    }
  };
  visit(root);
  return out;
}

async function searchAll(path: string, pattern: string, extra: { namespace?: 'partitions' | 'udf'; maxMatches?: number } = {}) {
  const batches: ImageSearchProgress[] = [];
  const result = await searchImage({ path, pattern, ...extra }, { onBatch: (batch) => batches.push(batch) });
  return { result, batches, paths: batches.flatMap((batch) => batch.matches.map((match) => match.path)).sort() };
}

describe('compileNamePattern', () => {
  const matches = (pattern: string, path: string): boolean => compileNamePattern(pattern)(path.slice(path.lastIndexOf('/') + 1), path);

  it('without glob characters matches a part of the name, whatever the case', () => {
    expect(matches('readme', '/docs/README.TXT')).toBe(true);
    expect(matches('docs', '/docs/README.TXT')).toBe(false); // the folder's name, not this entry's
    expect(matches('Boot/Grub', '/boot/grub')).toBe(true); // with a '/', a part of the path
  });

  it('matches *, ? and bracket classes against the whole name', () => {
    expect(matches('*.txt', '/a/guide.TXT')).toBe(true);
    expect(matches('*.txt', '/a/guide.txt.gz')).toBe(false);
    expect(matches('f0000?.txt', '/big/f00042.txt')).toBe(false);
    expect(matches('f0004?.txt', '/big/f00042.txt')).toBe(true);
    expect(matches('level-[1-3]', '/deep/level-2')).toBe(true);
    expect(matches('level-[!1-3]', '/deep/level-2')).toBe(false);
    expect(matches('level-[^1-3]', '/deep/level-7')).toBe(true);
    expect(matches('[]x]', '/]')).toBe(true);
    expect(matches('a[b', '/a[b')).toBe(true); // an unclosed bracket is itself
  });

  it('with a / matches the whole path from the root; ** spans folders, * stays in one', () => {
    expect(matches('docs/*.txt', '/docs/guide.txt')).toBe(true);
    expect(matches('/docs/*.txt', '/docs/guide.txt')).toBe(true);
    expect(matches('docs/*.txt', '/x/docs/guide.txt')).toBe(false);
    expect(matches('*/bottom.txt', '/deep/level-1/bottom.txt')).toBe(false);
    expect(matches('**/bottom.txt', '/deep/level-1/level-2/bottom.txt')).toBe(true);
    expect(matches('deep/**/bottom.txt', '/deep/bottom.txt')).toBe(true);
    expect(matches('deep/**', '/deep/level-1/x')).toBe(true);
  });

  it('matches a hostile name against a star-heavy pattern in bounded time', () => {
    const name = 'a'.repeat(4000);
    const matcher = compileNamePattern(`${'*a'.repeat(100)}*b`);
    const startMs = performance.now();
    expect(matcher(name, `/${name}`)).toBe(false);
    const pathMatcher = compileNamePattern(`${'**/'.repeat(50)}*b`);
    const deepPath = `/${Array.from({ length: 2000 }, () => 'a').join('/')}`;
    expect(pathMatcher('a', deepPath)).toBe(false);
    expect(performance.now() - startMs).toBeLessThan(2000);
  });
});

describe('searchImage', () => {
  it('finds every *.txt of a real xorriso image (Rock Ridge names), as the tree that went in holds them', async () => {
    const tree = join(scratch, 'iso-tree');
    writeFeatureTree(tree, { longLinkTarget: true });
    const expected = hostTree(tree)
      .filter((entry) => entry.name.toLowerCase().endsWith('.txt'))
      .map((entry) => entry.path)
      .sort();
    const { result, paths } = await searchAll(xorrisoFeaturesIsoPath(), '*.txt');
    expect(paths).toEqual(expected);
    expect(result).toEqual({ matchCount: expected.length, entriesSearched: hostTree(tree).length, truncated: false });
  });

  it('searches a UDF image by part of a name, and by a path glob', async () => {
    const tree = join(scratch, 'udf-tree');
    writeUdfTree(tree);
    const byName = await searchAll(udfBridgeIsoPath(), 'FILE-01', { namespace: 'udf' });
    expect(byName.paths).toEqual(Array.from({ length: 10 }, (_unused, index) => `/many/file-01${index}.txt`));
    const byPath = await searchAll(udfBridgeIsoPath(), 'deep/**/bottom.txt', { namespace: 'udf' });
    expect(byPath.paths).toEqual(
      hostTree(tree)
        .filter((entry) => entry.name === 'bottom.txt')
        .map((entry) => entry.path),
    );
  });

  it('searches a disk image through its partitions view (FAT32 written by mtools)', async () => {
    const { paths, batches } = await searchAll(diskImagePath(), '*.txt', { namespace: 'partitions' });
    const expected = Object.keys(bootFiles)
      .filter((path) => path.endsWith('.txt'))
      .map((path) => `/${bootPartition.folderName}${path}`)
      .sort();
    expect(paths).toEqual(expected);
    expect(batches.flatMap((batch) => batch.matches).every((match) => match.kind === 'file' && match.sizeBytes > 0)).toBe(true);
  });

  it('stops at maxMatches and says it stopped', async () => {
    const { result, paths } = await searchAll(xorrisoFeaturesIsoPath(), '*', { maxMatches: 3 });
    expect(paths).toHaveLength(3);
    expect(result).toMatchObject({ matchCount: 3, truncated: true });
  });

  it('hands 50,000 matches over in batches of at most 500, and stops at 10,000', async () => {
    const { result, batches } = await searchAll(bigIsoPath(), 'f*.txt');
    const sizes = batches.map((batch) => batch.matches.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(searchBatchMaxMatches);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10_000);
    expect(result).toMatchObject({ matchCount: 10_000, truncated: true });
    expect(batches.find((batch) => batch.matches.length > 0)?.matches[0]?.path).toBe(`/big/${bigFileName(0)}`);
    expect(bigFolderFileCount).toBeGreaterThan(10_000);
  });

  it('hands over a match in the first sectors of a 50,000-entry folder at once, before the rest of the folder is decoded', async () => {
    let entriesAtFirstMatch: number | null = null;
    await searchImage(
      { path: bigIsoPath(), pattern: bigFileName(0), maxMatches: 1 },
      {
        onBatch: (batch) => {
          if (entriesAtFirstMatch === null && batch.matches.length > 0) entriesAtFirstMatch = batch.entriesSearched;
        },
      },
    );
    // One 64 KiB part of the folder holds about 480 of its Rock Ridge records: the match goes out with
    // that part, not after all 50,000 (nor an interval later, when thousands more have been decoded).
    expect(entriesAtFirstMatch).not.toBeNull();
    expect(entriesAtFirstMatch).toBeLessThan(1_000);
  });

  it('refuses a hostile image whose folder points back at the root as corrupt (a directory loop), in bounded time', async () => {
    const loop = directoryRecord({ identifier: 'D', lba: 20, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm('d')) });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records: [loop] });
    const path = join(scratch, 'loop.iso');
    writeFileSync(path, buildIso({ sectorCount: 30, rootLba: 20, sectors: new Map([[20, root]]) }));
    const startMs = performance.now();
    const search = searchImage({ path, pattern: '*' }, { onBatch: () => undefined });
    await expect(search).rejects.toBeInstanceOf(CorruptImageError);
    await expect(search).rejects.toThrow(/directory loop/);
    expect(performance.now() - startMs).toBeLessThan(5000);
  });

  it('ends with CancelledError once its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = searchImage({ path: bigIsoPath(), pattern: 'x' }, { signal: controller.signal, onBatch: () => undefined });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('image:search through the service', () => {
  it('runs as a job of kind search: matches come as image:search-found, the job ends with the counts', async () => {
    const service = testService();
    const found: ImageSearchFound[] = [];
    const unsubscribe = service.on('image:search-found', (batch) => found.push(batch));
    const result = await runJob(service, 'search', 'image:search', { path: xorrisoFeaturesIsoPath(), pattern: 'README' });
    unsubscribe();
    expect(result).toEqual({ ok: true, value: { matchCount: 1, entriesSearched: expect.any(Number) as number, truncated: false } });
    expect(found.flatMap((batch) => batch.matches)).toEqual([{ path: '/README.TXT', kind: 'file', sizeBytes: 20 }]);
  });

  it('refuses an empty pattern at the boundary', async () => {
    const answer = await testService().invoke('image:search', { path: xorrisoFeaturesIsoPath(), pattern: '' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
