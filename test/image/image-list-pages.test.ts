// image:list answers a page at a time (shared/image.ts): bounded in entries and in the characters of
// its paths, so no answer outgrows a transport however many or long the names are.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageListPageMaxEntries, imageListPageMaxTextChars, type ImageListing } from '../../shared/image.ts';
import { ensureFixture, runTool, type FixtureRecipe } from '../fixtures/fixture-cache.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { testService } from '../helpers/in-process-cli.ts';

const longName = (index: number): string => `${String(index).padStart(4, '0')}-${'n'.repeat(195)}`;
const levelCount = 12;
const longFileCount = 2000;

/** 12 nested folders of 200-character names holding 2000 files of 200-character names: paths of about 2,600 characters. */
const longPathsIso: FixtureRecipe = {
  name: 'long-paths.iso',
  recipe: `genisoimage -R: ${levelCount} nested folders and ${longFileCount} files, every name 200 characters v1`,
  build(outputPath, workDir) {
    const deepest = join(workDir, 'tree', ...Array.from({ length: levelCount }, (_, level) => longName(level)));
    mkdirSync(deepest, { recursive: true });
    for (let index = 0; index < longFileCount; index += 1) writeFileSync(join(deepest, longName(index)), '');
    // genisoimage, not xorriso: libisofs 1.5.4 writes a damaged tree for these 2000 names ("tree end
    // address mismatch"). genisoimage relocates the folders below level 8 (RRIP CL/PL/RE).
    runTool('genisoimage', ['-quiet', '-R', '-o', outputPath, join(workDir, 'tree')]);
  },
};

async function listPage(request: Record<string, unknown>): Promise<ImageListing> {
  const answer = await testService().invoke('image:list', request);
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value as ImageListing;
}

async function listAllPages(request: Record<string, unknown>): Promise<ImageListing[]> {
  const pages: ImageListing[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page = await listPage({ ...request, offset });
    expect(page.nextOffset).not.toBeUndefined(); // an unpaged answer would loop here forever
    pages.push(page);
    offset = page.nextOffset;
  }
  return pages;
}

describe('image:list pages', () => {
  it('ends a page of long paths before its text passes the bound, and the pages together are the whole listing', async () => {
    const path = ensureFixture(longPathsIso);
    const pages = await listAllPages({ path, directory: '/', recursive: true, namespace: 'rockridge' });
    const entries = pages.flatMap((page) => page.entries);
    // genisoimage leaves its (emptied) relocation folder /rr_moved in the tree.
    expect(entries.filter((entry) => entry.path !== '/rr_moved')).toHaveLength(levelCount + longFileCount);
    expect(new Set(entries.map((entry) => entry.path)).size).toBe(entries.length);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]?.entries.length).toBeLessThan(imageListPageMaxEntries);
    for (const page of pages) {
      const textChars = page.entries.reduce((sum, entry) => sum + entry.path.length + entry.name.length, 0);
      expect(textChars).toBeLessThanOrEqual(imageListPageMaxTextChars);
    }
  });

  it('gives fewer entries when asked, and the offsets walk the same order', async () => {
    const request = { path: xorrisoFeaturesIsoPath(), directory: '/', recursive: true };
    const whole = await listPage(request);
    expect(whole.nextOffset).toBeNull();
    const pages = await listAllPages({ ...request, maxEntries: 3 });
    for (const page of pages.slice(0, -1)) expect(page.entries).toHaveLength(3);
    expect(pages.flatMap((page) => page.entries)).toEqual(whole.entries);
    expect((await listPage({ ...request, offset: whole.entries.length + 5 })).entries).toEqual([]);
  });

  it.each([
    ['a negative offset', { offset: -1 }],
    ['a fractional offset', { offset: 1.5 }],
    ['zero entries', { maxEntries: 0 }],
    ['a string count', { maxEntries: '10' }],
  ])('refuses %s as invalid-request', async (_case, change) => {
    const answer = await testService().invoke('image:list', { path: xorrisoFeaturesIsoPath(), directory: '/', ...change });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
