// The El Torito helper's lookup: which file starts at a logical block. Compared with xorriso's
// report_lba for every non-empty file of a real image.
import { describe, expect, it } from 'vitest';
import { indexFilesByExtentLba } from '../../src-main/format/tree-lookup.ts';
import { withImageFile } from '../../src-main/image/open-image-file.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';

describe('indexFilesByExtentLba', () => {
  it('finds the file xorriso says starts at each logical block, and null for a block no file starts at', async () => {
    const report = runTool('xorriso', ['-indev', xorrisoFeaturesIsoPath(), '-find', '/', '-type', 'f', '-exec', 'report_lba', '--']);
    const files = [...report.matchAll(/^File data lba:\s*\d+ ,\s*(\d+) ,\s*\d+ ,\s*(\d+) , '(.*)'$/gm)]
      .map((match) => ({ lba: Number(match[1]), sizeBytes: Number(match[2]), path: match[3] as string }))
      .filter((file) => file.sizeBytes > 0);
    expect(files.length).toBeGreaterThan(5);
    await withImageFile(xorrisoFeaturesIsoPath(), {}, async ({ image }) => {
      const index = await indexFilesByExtentLba(image);
      for (const file of files) expect(index.get(file.lba)?.path).toBe(file.path);
      expect(index.has(16)).toBe(false);
    });
  });
});
