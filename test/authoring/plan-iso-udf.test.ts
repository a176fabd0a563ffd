// planIso with the UDF bridge (H3's udf-bridge-writer.ts placed by the composer): the UDF tree shares
// the ISO 9660 file data and reads back alike in our reader, pycdlib, udfinfo and 7-Zip.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { listWithIsotope, listWithPycdlib } from '../iso/reference-listing.ts';
import { authoringOptions, directoryNode, fileNode, isolinuxBiosEntry, writePlannedIso } from './plan-iso-fixtures.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const big = new Uint8Array(70_000).map((_, index) => index % 251);

function udfTree() {
  return directoryNode('', [
    fileNode('Setup Notes.txt', 'install me\n'),
    fileNode('empty.txt', ''),
    directoryNode('sources', [fileNode('install.wim', big), directoryNode('nested folder', [fileNode('deep.txt', 'deep\n')])]),
  ]);
}

describe('planIso: UDF bridge', () => {
  test('writes a UDF tree read alike by our reader and pycdlib, sharing the ISO 9660 file data', async () => {
    const planned = await planIso(authoringOptions(udfTree(), { udf: true, rockRidge: true, joliet: true }));
    expect(planned.summary.namespaces.udf).toBe(true);
    const written = await writePlannedIso(planned);
    cleanups.push(written.remove);
    const udf = await listWithIsotope(written.path, 'udf');
    expect(udf).toEqual(listWithPycdlib(written.path, 'udf'));
    expect(udf).toEqual([
      { path: '/Setup Notes.txt', type: 'file', sizeBytes: 11, sha256: sha256('install me\n') },
      { path: '/empty.txt', type: 'file', sizeBytes: 0, sha256: sha256('') },
      { path: '/sources', type: 'directory' },
      { path: '/sources/install.wim', type: 'file', sizeBytes: big.byteLength, sha256: sha256(big) },
      { path: '/sources/nested folder', type: 'directory' },
      { path: '/sources/nested folder/deep.txt', type: 'file', sizeBytes: 5, sha256: sha256('deep\n') },
    ]);
    // The bridge adds metadata, never a second copy of a file's data.
    const fileRegions = planned.summary.regions.filter((region) => region.name.startsWith('file '));
    expect(fileRegions.reduce((sum, region) => sum + region.sectorCount, 0)).toBe(1 + 35 + 1);
    expect(await listWithIsotope(written.path, 'rockridge')).toEqual(udf);
  });

  test('udfinfo and 7-Zip accept the bridge: label, and every file listed', async () => {
    const written = await writePlannedIso(
      await planIso(authoringOptions(udfTree(), { udf: true, ids: { ...authoringOptions(udfTree()).ids, volume: 'Bridge Label' } })),
    );
    cleanups.push(written.remove);
    expect(runTool('udfinfo', [written.path])).toMatch(/^label=Bridge Label$/m);
    const listing = runTool('7zz', ['l', '-tudf', written.path]);
    expect(listing).toContain('sources/nested folder/deep.txt');
    expect(listing).toContain('Setup Notes.txt');
  });

  test('beside an isohybrid MBR the closing anchor is still the last sector, after the cylinder padding', async () => {
    const isolinux = new Uint8Array(readFileSync('/usr/lib/ISOLINUX/isolinux.bin'));
    const root = directoryNode('', [directoryNode('isolinux', [fileNode('isolinux.bin', isolinux)]), ...udfTree().children!]);
    const hybrid = { mbrBootCode: new Uint8Array(readFileSync('/usr/lib/ISOLINUX/isohdpfx.bin')).subarray(0, 432), gpt: false, apm: false };
    const planned = await planIso(authoringOptions(root, { udf: true, rockRidge: true, boot: { entries: [isolinuxBiosEntry], hybrid } }));
    expect(planned.summary.sectorCount % 512).toBe(0); // whole 1 MiB cylinders (64 heads * 32 sectors)
    expect(planned.summary.regions.at(-1)).toEqual({
      name: 'UDF closing anchor volume descriptor pointer',
      startLba: planned.summary.sectorCount - 1,
      sectorCount: 1,
    });
    const written = await writePlannedIso(planned);
    cleanups.push(written.remove);
    expect(runTool('udfinfo', [written.path])).toMatch(/^numfiles=/m);
    expect((await listWithIsotope(written.path, 'udf')).map((entry) => entry.path)).toContain('/isolinux/isolinux.bin');
    expect(runTool('xorriso', ['-indev', written.path, '-report_system_area', 'plain'])).toMatch(/MBR partition\s+:\s+1\s+0x80\s+0x17\s+0\s+\d+/);
  });

  test('refuses a UDF bridge beside a GPT: both need the last sector', async () => {
    await expect(
      planIso(authoringOptions(udfTree(), { udf: true, boot: { entries: [], hybrid: { mbrBootCode: null, gpt: true, apm: false } } })),
    ).rejects.toMatchObject({
      code: 'unsupported',
    });
  });
});
