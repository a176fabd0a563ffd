// The tree a remaster copies (src-main/authoring/remaster-tree.ts via remasterAuthoringOptions): real
// images made by xorriso and genisoimage, read back by xorriso (libisofs's reader) as the reference.
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { findAuthoringNode, type AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { genisoimageFeaturesIsoPath, plainIsoPath, xorrisoFeaturesIsoPath, zisofsIsoPath, zisofsTreeFiles } from '../fixtures/iso-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { udfMkudffsPath, udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';
import { xorrisoOracle } from './differential/oracles/xorriso-oracle.ts';
import { asTreeEntries, byPath, keptPaths, onlyFields, sha256Of, walkNodes, withOptions } from './remaster-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-tree-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the tree a remaster copies', () => {
  it("keeps every file's bytes, mode, owner, time and link target as xorriso reads them in the original", async () => {
    const imagePath = xorrisoFeaturesIsoPath();
    const reference = await xorrisoOracle.read(imagePath, 'rockridge', { content: true, scratchDir: join(scratch, 'rr') });
    const mine = await withOptions(imagePath, (options) => asTreeEntries(options.root, reference.fields));
    expect(mine.sort(byPath)).toEqual([...reference.entries].sort(byPath));
  });

  it("keeps the original's Joliet names, long ones included, and says the image needs long Joliet names", async () => {
    const imagePath = xorrisoFeaturesIsoPath();
    const reference = await xorrisoOracle.read(imagePath, 'joliet', { content: false, scratchDir: join(scratch, 'joliet') });
    const { paths, jolietLong } = await withOptions(imagePath, async (options) => ({
      paths: keptPaths(options.root, 'joliet'),
      jolietLong: options.jolietLong,
    }));
    expect(paths).toEqual(reference.entries.map((entry) => entry.path).sort());
    expect(jolietLong).toBe(true);
  });
});

describe('the tree a remaster copies, other originals', () => {
  it('shows folders genisoimage relocated into rr_moved where they belong, and leaves the emptied rr_moved out', async () => {
    const imagePath = genisoimageFeaturesIsoPath();
    const reference = await xorrisoOracle.read(imagePath, 'rockridge', { content: true, scratchDir: join(scratch, 'geniso') });
    const mine = await withOptions(imagePath, (options) => asTreeEntries(options.root, reference.fields));
    expect(mine.some((entry) => entry.path.endsWith('/level-12/bottom.txt'))).toBe(true);
    // xorriso shows the emptied rr_moved; the remaster leaves it to the composer, which relocates anew.
    expect(mine.sort(byPath)).toEqual(reference.entries.filter((entry) => entry.path !== '/rr_moved').sort(byPath));
  });

  it('names the files of an image without Rock Ridge or Joliet by their ISO 9660 names, kept as recorded', async () => {
    const imagePath = plainIsoPath();
    const reference = await xorrisoOracle.read(imagePath, 'iso9660', { content: true, scratchDir: join(scratch, 'plain') });
    const found = await withOptions(imagePath, async (options) => ({
      entries: await asTreeEntries(options.root, reference.fields),
      keptIso: [...walkNodes(options.root)].map(({ node }) => node.keptNames?.iso9660),
      namespaces: { rockRidge: options.rockRidge, joliet: options.joliet },
    }));
    expect(found.entries.sort(byPath)).toEqual(onlyFields(reference.entries, reference.fields));
    expect(found.keptIso.sort()).toEqual(['DOCS', 'GUIDE.TXT;1', 'NOEXT.;1', 'README.TXT;1']);
    expect(found.namespaces).toEqual({ rockRidge: false, joliet: false });
  });

  it('keeps the decoded content of zisofs-compressed files and says they are written uncompressed', async () => {
    const found = await withOptions(zisofsIsoPath(), async (options) => {
      const contents: Record<string, string> = {};
      for (const { path, node } of walkNodes(options.root)) if (node.kind === 'file') contents[path] = await sha256Of(node);
      return { contents, warnings: options.warnings };
    });
    const expected = Object.fromEntries(Object.entries(zisofsTreeFiles()).map(([path, bytes]) => [path, createHash('sha256').update(bytes).digest('hex')]));
    expect(found.contents).toEqual(expected);
    expect(found.warnings.join('\n')).toMatch(/zisofs-compressed files of the original are written uncompressed/);
  });

  it('reads any range of a zisofs file, forwards, backwards and across blocks, as its decoded bytes', async () => {
    const expected = zisofsTreeFiles()['/random.bin'] as Buffer;
    const ranges = [
      [150_000, 40_000],
      [10, 100_000],
      [199_990, 10],
      [0, 1],
      [32_760, 20],
    ] as const;
    const found = await withOptions(zisofsIsoPath(), async (options) => {
      const node = findAuthoringNode(options.root, '/random.bin') as AuthoringNode;
      const slices: Buffer[] = [];
      for (const [offsetBytes, lengthBytes] of ranges) slices.push(Buffer.from(await node.content!.read(offsetBytes, lengthBytes)));
      return slices;
    });
    expect(found).toEqual(ranges.map(([offsetBytes, lengthBytes]) => expected.subarray(offsetBytes, offsetBytes + lengthBytes)));
  });

  it('links the names of one hard-linked file by their shared extent, but never an empty file or a separate copy', async () => {
    const tree = join(scratch, 'links');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'a.bin'), 'linked content\n');
    linkSync(join(tree, 'a.bin'), join(tree, 'b.bin'));
    writeFileSync(join(tree, 'copy.bin'), 'linked content\n');
    writeFileSync(join(tree, 'empty-1'), '');
    writeFileSync(join(tree, 'empty-2'), '');
    const imagePath = join(scratch, 'links.iso');
    runTool('xorriso', ['-outdev', imagePath, '-hardlinks', 'on', '-map', tree, '/', '-commit']);
    const keys = await withOptions(imagePath, async (options) =>
      Object.fromEntries([...walkNodes(options.root)].map(({ path, node }) => [path, node.hardLinkKey])),
    );
    expect(keys['/a.bin']).not.toBeNull();
    expect(keys['/b.bin']).toBe(keys['/a.bin']);
    expect(keys['/copy.bin']).not.toBe(keys['/a.bin']);
    expect([keys['/empty-1'], keys['/empty-2']]).toEqual([null, null]);
  });

  it('refuses a UDF-only image and a Windows-style image whose ISO 9660 tree is a stub, as unsupported', async () => {
    for (const imagePath of [udfMkudffsPath('1.02'), udfWindowsStubIsoPath()]) {
      await expect(remasterAuthoringOptions({ imagePath, outputPath: join(scratch, 'out.iso'), edits: [] })).rejects.toMatchObject({
        code: 'unsupported',
        message: expect.stringContaining('UDF only'),
      });
    }
  });
});
