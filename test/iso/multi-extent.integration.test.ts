// Multi-extent files (ECMA-119 6.5.1, files over 4 GiB) in a real xorriso image. The image is 4.4 GB
// (sparse on disk; about 35 s to build once): ISOTOPE_SKIP_LARGE_FIXTURES=1 skips it on a short run. pycdlib cannot serve as the reference here: it
// reports only one extent of such a file, so the extents come from xorriso's report_lba and the size
// from 7-Zip, and the content check is the marker at the very end of the file.
import { describe, expect, it } from 'vitest';
import { withImageFile } from '../../src-main/image/open-image-file.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { multiExtentFileBytes, multiExtentIsoPath, multiExtentTailMarker } from '../fixtures/iso-images.ts';

describe.skipIf(process.env.ISOTOPE_SKIP_LARGE_FIXTURES === '1')('multi-extent files', () => {
  it('reads a 4400 MiB file as one file over the extents xorriso reports, to its last byte', async () => {
    const path = multiExtentIsoPath();
    const report = runTool('xorriso', ['-indev', path, '-find', '/huge.bin', '-exec', 'report_lba', '--']);
    const extents = [...report.matchAll(/^File data lba:\s*\d+ ,\s*(\d+) ,\s*(\d+) ,/gm)].map((match) => Number(match[1]));
    const sevenZipSize = Number(/Path = huge\.bin\n(?:.*\n)*?Size = (\d+)/.exec(runTool('7zz', ['l', '-slt', path]))?.[1]);
    await withImageFile(path, {}, async ({ image, source }) => {
      const entry = await image.lookup('/huge.bin');
      expect(entry?.sizeBytes).toBe(multiExtentFileBytes);
      expect(entry?.sizeBytes).toBe(sevenZipSize);
      expect(entry?.extents.map((extent) => extent.offsetBytes / 2048)).toEqual(extents);
      let total = 0;
      let last: Uint8Array = new Uint8Array(0);
      for await (const chunk of readEntryContent(source, entry!, { chunkBytes: 64 * 1024 * 1024 })) {
        total += chunk.byteLength;
        last = chunk;
      }
      expect(total).toBe(multiExtentFileBytes);
      expect(Buffer.from(last.subarray(last.byteLength - multiExtentTailMarker.length)).toString()).toBe(multiExtentTailMarker);
    });
  }, 300_000);
});
