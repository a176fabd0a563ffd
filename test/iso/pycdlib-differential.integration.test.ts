// Differential tests: every listing Isotope reads from images built by xorriso and genisoimage equals
// pycdlib's (names, types, sizes, link targets, content SHA-256), in each namespace the image has.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ImageNamespace } from '../../shared/image.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { genisoimageFeaturesIsoPath, plainIsoPath, xorrisoFeaturesIsoPath, zisofsIsoPath, zisofsTreeFiles } from '../fixtures/iso-images.ts';
import { listWithIsotope, listWithPycdlib } from './reference-listing.ts';

const cases: { image: string; path: () => string; namespaces: ImageNamespace[] }[] = [
  { image: 'xorriso -R -J -joliet-long', path: xorrisoFeaturesIsoPath, namespaces: ['rockridge', 'joliet', 'iso9660'] },
  { image: 'genisoimage -R -J -joliet-long (deep tree relocated)', path: genisoimageFeaturesIsoPath, namespaces: ['rockridge', 'joliet', 'iso9660'] },
  { image: 'genisoimage plain ISO 9660', path: plainIsoPath, namespaces: ['iso9660'] },
  // The boot fixtures (test/fixtures/boot-images.ts): hybrid images with El Torito catalogs and system areas.
  { image: 'xorriso isohybrid MBR + GPT', path: () => bootFixturePath('hybridGpt'), namespaces: ['rockridge', 'joliet', 'iso9660'] },
  { image: 'xorriso isohybrid APM', path: () => bootFixturePath('hybridApm'), namespaces: ['rockridge', 'joliet', 'iso9660'] },
  { image: 'xorriso six El Torito entries', path: () => bootFixturePath('multiEntry'), namespaces: ['rockridge', 'joliet', 'iso9660'] },
];

describe('listings equal pycdlib', () => {
  for (const { image, path, namespaces } of cases) {
    for (const namespace of namespaces) {
      it(`lists the ${namespace} namespace of the ${image} image exactly as pycdlib does`, async () => {
        const ours = await listWithIsotope(path(), namespace);
        const reference = listWithPycdlib(path(), namespace);
        expect(ours.length).toBeGreaterThan(3);
        expect(ours).toEqual(reference);
      });
    }
  }

  it('shows relocated deep directories at their original place in the Rock Ridge namespace', async () => {
    const ours = await listWithIsotope(genisoimageFeaturesIsoPath(), 'rockridge', { content: false });
    const deepest = ours.find((entry) => entry.path.endsWith('/level-12/bottom.txt'));
    expect(deepest?.path).toBe(`/deep/${Array.from({ length: 12 }, (_, index) => `level-${index + 1}`).join('/')}/bottom.txt`);
  });
});

describe('zisofs', () => {
  it('reads every zisofs-compressed file back to the bytes that went into xorriso', async () => {
    const expected = zisofsTreeFiles();
    const opened = await openImageFile(zisofsIsoPath());
    try {
      const seen: Record<string, string> = {};
      const compressed: string[] = [];
      for await (const entry of opened.image.walk()) {
        if (entry.type !== 'file') continue;
        if (entry.compressed) compressed.push(entry.path);
        const digest = createHash('sha256');
        let size = 0;
        for await (const chunk of readEntryContent(opened.source, entry)) {
          digest.update(chunk);
          size += chunk.byteLength;
        }
        expect(size).toBe(entry.sizeBytes);
        seen[entry.path] = digest.digest('hex');
      }
      const wanted = Object.fromEntries(Object.entries(expected).map(([path, bytes]) => [path, createHash('sha256').update(bytes).digest('hex')]));
      expect(seen).toEqual(wanted);
      // xorriso stores incompressible (random) and tiny files plainly; the rest must have gone through zisofs.
      expect(compressed.sort()).toEqual(['/sub/nested.txt', '/text.txt', '/zeros.bin']);
    } finally {
      await opened.close();
    }
  });
});
