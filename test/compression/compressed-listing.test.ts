// The first listing of a multi-block .xz decodes only the blocks the ISO 9660 reader touches (the
// volume descriptors, the UDF anchors at the end, the root directory, the file read, and the block
// cache's read-ahead past them), never the whole image: counted in decoded blocks.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCompressedSource } from '../../src-main/compression/compressed-source.ts';
import type { UnitSource } from '../../src-main/compression/unit-source.ts';
import { openImageTrees } from '../../src-main/image/open-image-trees.ts';
import { createCachedSource } from '../../src-main/io/cached-source.ts';

const mib = 1024 * 1024;
const dir = mkdtempSync('/tmp/isotope-xz-listing-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the first listing of a multi-block .xz', () => {
  it('decodes at most 6 of its 32 blocks to list the root and read a small file, not the whole image', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'data'), { recursive: true });
    writeFileSync(join(tree, 'README.TXT'), 'listed without decoding the image\n');
    writeFileSync(join(tree, 'data', 'noise.bin'), randomBytes(12 * mib)); // incompressible: blocks that cost real work
    const image = join(dir, 'image.img');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', image, tree], { stdio: 'ignore' });
    truncateSync(image, 32 * mib);
    const path = join(dir, 'image.img.xz');
    writeFileSync(path, execFileSync('xz', ['-c', '-0', '-T2', '--block-size=1MiB', image], { maxBuffer: 64 * mib }));
    expect(execFileSync('xz', ['--robot', '-l', path], { encoding: 'utf8' })).toMatch(/^totals\t1\t32\t/m);

    const compressed = await openCompressedSource(path, 'xz');
    try {
      const decoded = compressed.source as UnitSource;
      const trees = await openImageTrees(createCachedSource(decoded), 'auto');
      if (!trees) throw new Error('no ISO 9660 volume found');
      const names = (await trees.image.listDirectory(trees.image.root)).map((entry) => entry.name);
      expect(names.sort()).toEqual(['README.TXT', 'data']);
      const readme = await trees.image.lookup('/README.TXT');
      const extent = readme?.extents[0];
      if (!extent) throw new Error('README.TXT has no data');
      expect(Buffer.from(await decoded.read(extent.offsetBytes, extent.sizeBytes)).toString()).toBe(readFileSync(join(tree, 'README.TXT'), 'utf8'));
      expect(decoded.decodedUnitCount).toBeLessThanOrEqual(6);
      expect(decoded.decodedUnitBytes).toBeLessThanOrEqual(6 * mib);
    } finally {
      await compressed.close();
    }
  });
});
