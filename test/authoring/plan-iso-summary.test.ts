// planIso's plan and its guarantees apart from the bytes' readers: reproducible output, fixed times,
// the summary's caps, hidden boot images, cancellation and the tree limits.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import type { BootImageSpec } from '../../src-main/authoring/iso-authoring.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { maxSummaryDirectoryRegions, maxSummaryFileRegions, maxSummaryRenamed } from '../../src-main/authoring/plan-summary.ts';
import type { PlannedIso } from '../../src-main/authoring/iso-authoring.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { authoringOptions, directoryNode, fileNode, fixedTimeMs, isolinuxBiosEntry, symlinkNode, writePlannedIso } from './plan-iso-fixtures.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function sha256Of(planned: PlannedIso): Promise<string> {
  const digest = createHash('sha256');
  const chunkBytes = 1024 * 1024;
  for (let offsetBytes = 0; offsetBytes < planned.source.sizeBytes; offsetBytes += chunkBytes) {
    digest.update(await planned.source.read(offsetBytes, Math.min(chunkBytes, planned.source.sizeBytes - offsetBytes)));
  }
  return digest.digest('hex');
}

function mixedTree(modifiedMs: number) {
  return directoryNode('', [
    fileNode('b.txt', 'bee', { modifiedMs }),
    fileNode('a.txt', 'ay', { modifiedMs: modifiedMs + 1000 }),
    directoryNode('dir', [symlinkNode('link', '../a.txt'), fileNode('c.bin', new Uint8Array(5000).fill(3), { modifiedMs })], { modifiedMs }),
  ]);
}

describe('planIso: reproducible images', () => {
  test('the same tree and options give the same bytes, whatever order the children come in', async () => {
    const options = { rockRidge: true, joliet: true, udf: true, fixedFileTimesMs: 0 };
    const first = await planIso(authoringOptions(mixedTree(fixedTimeMs), options));
    const reordered = mixedTree(fixedTimeMs);
    reordered.children!.reverse();
    const second = await planIso(authoringOptions(reordered, options));
    expect(await sha256Of(second)).toBe(await sha256Of(first));
  });

  test('fixed file times replace every file time, so trees differing only in times give equal bytes', async () => {
    const options = { rockRidge: true, joliet: true, fixedFileTimesMs: Date.UTC(2020, 0, 1) };
    const early = await planIso(authoringOptions(mixedTree(fixedTimeMs), options));
    const late = await planIso(authoringOptions(mixedTree(fixedTimeMs + 86_400_000), options));
    expect(await sha256Of(late)).toBe(await sha256Of(early));
    const written = await writePlannedIso(early);
    cleanups.push(written.remove);
    const opened = await openImageFile(written.path, { namespace: 'rockridge' });
    try {
      expect((await opened.image.lookup('/dir/c.bin'))?.mtimeMs).toBe(Date.UTC(2020, 0, 1));
    } finally {
      await opened.close();
    }
  });
});

describe('planIso: the summary', () => {
  test(`lists ${maxSummaryFileRegions} file regions and ${maxSummaryRenamed} renamed names at most, counting the rest`, async () => {
    const files = Array.from({ length: 2500 }, (_, index) => fileNode(`file-${String(index).padStart(4, '0')}.txt`, `${index}`));
    const { summary } = await planIso(authoringOptions(directoryNode('', files)));
    expect(summary.regions.filter((region) => region.name.startsWith('file '))).toHaveLength(maxSummaryFileRegions);
    expect(summary.regionsOmitted).toBe(500);
    expect(summary.fileCount).toBe(2500);
    expect(summary.renamed).toHaveLength(maxSummaryRenamed);
    expect(summary.renamed[0]).toEqual({ path: '/file-0000.txt', namespace: 'iso9660', recordedAs: 'FILE_0000.TXT;1' });
  });

  test(`lists ${maxSummaryDirectoryRegions} directory regions at most (ISO 9660 and Joliet together), counting the rest`, async () => {
    // 3,000 folders and the root, in both namespaces: 6,002 directory regions.
    const folders = Array.from({ length: 3000 }, (_, index) => directoryNode(`folder-${String(index).padStart(4, '0')}`, []));
    const { summary } = await planIso(authoringOptions(directoryNode('', folders), { joliet: true }));
    const listed = summary.regions.filter((region) => / directory \//.test(region.name));
    expect(listed).toHaveLength(maxSummaryDirectoryRegions);
    expect(summary.regionsOmitted).toBe(6002 - maxSummaryDirectoryRegions);
    expect(summary.directoryCount).toBe(3000);
    expect(summary.regions.map((region) => region.name)).toContain('Joliet path table (type L)');
  });
});

describe('planIso: hidden boot images', () => {
  test('places an image outside the tree in its own region, which the catalog points at', async () => {
    const efiImage = new Uint8Array(3 * 2048 + 100).map((_, index) => (index * 7) & 0xff);
    const entry: BootImageSpec = {
      platformId: 0xef,
      mediaType: 0,
      loadSegment: 0,
      systemType: 0,
      loadSectorCount: null,
      bootInfoTable: false,
      image: { source: createMemorySource(efiImage), description: 'generated from /EFI/BOOT' },
      partition: false,
    };
    const planned = await planIso(authoringOptions(mixedTree(fixedTimeMs), { boot: { entries: [entry], hybrid: null } }));
    const region = planned.summary.regions.find((candidate) => candidate.name === 'boot image (generated from /EFI/BOOT)')!;
    expect(region.sectorCount).toBe(4);
    expect(planned.summary.boot.entries).toEqual([{ platform: 'efi', emulation: 'none', image: 'generated from /EFI/BOOT', bootInfoTable: false }]);
    expect(await planned.source.read(region.startLba * 2048, efiImage.byteLength)).toEqual(efiImage);
    const written = await writePlannedIso(planned);
    cleanups.push(written.remove);
    expect(runTool('xorriso', ['-indev', written.path, '-report_el_torito', 'plain'])).toMatch(
      new RegExp(`El Torito boot img :\\s+1\\s+UEFI\\s+y\\s+none\\s+0x0000\\s+0x00\\s+13\\s+${region.startLba}`),
    );
  });

  test('refuses a boot image path that is not a file of the tree, naming it', async () => {
    await expect(planIso(authoringOptions(mixedTree(fixedTimeMs), { boot: { entries: [isolinuxBiosEntry], hybrid: null } }))).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('/isolinux/isolinux.bin'),
    });
  });
});

describe('planIso: limits and cancellation', () => {
  test('an aborted signal ends the plan as cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(planIso(authoringOptions(mixedTree(fixedTimeMs)), controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });

  test('records more than 65,535 folders while they are leaves, and refuses a folder inside one numbered past 65,535, naming it', async () => {
    const leaves = (): AuthoringNode[] => Array.from({ length: 65_535 }, (_, index) => directoryNode(`f${index}`, []));
    const { summary } = await planIso(authoringOptions(directoryNode('', [...leaves(), directoryNode('zz', [])])));
    expect(summary.directoryCount).toBe(65_536);
    // Root is number 1, the folders 2 to 65,537 in name order: 'zz' is 65,537 and cannot be a parent.
    const root = directoryNode('', [...leaves(), directoryNode('zz', [directoryNode('inner', [])])]);
    await expect(planIso(authoringOptions(root))).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('/zz/inner lies in directory number 65537'),
    });
  }, 120_000); // two plans of 65,536 folders: about 2 s on an idle machine, far more on a loaded one

  test('refuses a tree of more than 2,000,000 nodes before planning it', async () => {
    const leaf = fileNode('same.txt', 'x');
    const root = directoryNode('', new Array<typeof leaf>(2_000_001).fill(leaf));
    await expect(planIso(authoringOptions(root))).rejects.toMatchObject({ code: 'too-complex', message: expect.stringContaining('2000000') });
  });
});
