// planIso without boot or hybrid: plain ISO 9660 and Joliet images of hand-made trees, written to a
// file and read back by our reader, pycdlib, isoinfo and xorriso.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, onTestFinished, test } from 'vitest';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { modeTypeBits, type AuthoringKind, type AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { encodeUcs2 } from '../../src-main/iso/joliet-names.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { listWithIsotope, listWithPycdlib, type ComparableEntry } from '../iso/reference-listing.ts';
import { authoringOptions, directoryNode, fileNode, symlinkNode, writeIsoForTest, writePlannedIso, zeroSource } from './plan-iso-fixtures.ts';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A tree with the cases the layout must get right: nesting, an empty folder, a 0-byte file, sizes on and off sector multiples. */
function sampleTree(): AuthoringNode {
  return directoryNode('', [
    fileNode('readme.txt', 'hello, image\n'),
    fileNode('sector.bin', new Uint8Array(2048).fill(0xa5)),
    fileNode('two-sectors.bin', new Uint8Array(4096).fill(0x5a)),
    fileNode('empty.dat', ''),
    directoryNode('empty-folder', []),
    directoryNode('boot', [directoryNode('grub', [fileNode('grub.cfg', 'set timeout=5\n'), fileNode('odd.bin', new Uint8Array(2049).fill(1))])]),
  ]);
}

/** The listing a namespace that keeps the source's names must show for sampleTree(). */
const sampleListing: ComparableEntry[] = [
  { path: '/boot', type: 'directory' },
  { path: '/boot/grub', type: 'directory' },
  { path: '/boot/grub/grub.cfg', type: 'file', sizeBytes: 14, sha256: sha256('set timeout=5\n') },
  { path: '/boot/grub/odd.bin', type: 'file', sizeBytes: 2049, sha256: sha256(new Uint8Array(2049).fill(1)) },
  { path: '/empty-folder', type: 'directory' },
  { path: '/empty.dat', type: 'file', sizeBytes: 0, sha256: sha256('') },
  { path: '/readme.txt', type: 'file', sizeBytes: 13, sha256: sha256('hello, image\n') },
  { path: '/sector.bin', type: 'file', sizeBytes: 2048, sha256: sha256(new Uint8Array(2048).fill(0xa5)) },
  { path: '/two-sectors.bin', type: 'file', sizeBytes: 4096, sha256: sha256(new Uint8Array(4096).fill(0x5a)) },
];

describe('planIso: plain ISO 9660', () => {
  test('writes an image our reader and pycdlib list alike, with every file byte in place and ISO names uppercased', async () => {
    const path = await writeIsoForTest(authoringOptions(sampleTree()));
    const ours = await listWithIsotope(path, 'iso9660');
    expect(ours).toEqual(listWithPycdlib(path, 'iso9660'));
    // ECMA-119 7.4.1: d-characters are A-Z, 0-9 and '_', so '-' is recorded as '_'.
    const fitted = sampleListing.map((entry) => ({ ...entry, path: entry.path.toUpperCase().replaceAll('-', '_') })).sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(ours).toEqual(fitted);
  });

  test('isoinfo and xorriso accept the image: volume id, size, and every sector readable', async () => {
    const planned = await planIso(authoringOptions(sampleTree()));
    const written = await writePlannedIso(planned);
    onTestFinished(written.remove);
    const info = runTool('isoinfo', ['-d', '-i', written.path]);
    expect(info).toMatch(/^Volume id: TEST_VOLUME$/m);
    expect(info).toMatch(new RegExp(`^Volume size is: ${planned.summary.sectorCount}$`, 'm'));
    expect(runTool('xorriso', ['-indev', written.path, '-check_media', '--'])).toMatch(
      new RegExp(`Media region :\\s+0 ,\\s+${planned.summary.sectorCount} , \\+ good`),
    );
  });

  test('lays file data out in path order after the metadata, zero-byte files pointing at the file area', async () => {
    const { summary } = await planIso(authoringOptions(sampleTree()));
    const files = summary.regions.filter((region) => region.name.startsWith('file '));
    expect(files.map((region) => region.name)).toEqual([
      'file /boot/grub/grub.cfg',
      'file /boot/grub/odd.bin',
      'file /empty.dat',
      'file /readme.txt',
      'file /sector.bin',
      'file /two-sectors.bin',
    ]);
    expect(files.map((region) => region.sectorCount)).toEqual([1, 2, 0, 1, 1, 2]);
    const firstFileLba = files[0]!.startLba;
    expect(files.find((region) => region.name === 'file /empty.dat')!.startLba).toBe(firstFileLba + 3);
    expect(summary).toMatchObject({ fileCount: 6, directoryCount: 3, fileBytes: 13 + 2048 + 4096 + 14 + 2049, level: 3 });
    for (const [previous, next] of summary.regions.slice(0, -1).map((region, index) => [region, summary.regions[index + 1]!] as const)) {
      expect(next.startLba).toBeGreaterThanOrEqual(previous.startLba + previous.sectorCount);
    }
  });

  test('hard links are laid out once and every name points at the same data', async () => {
    const shared = new Uint8Array(3000).fill(9);
    const root = directoryNode('', [
      fileNode('a.bin', shared, { hardLinkKey: '1:42' }),
      directoryNode('sub', [fileNode('b.bin', shared, { hardLinkKey: '1:42' })]),
    ]);
    const planned = await planIso(authoringOptions(root));
    expect(planned.summary.regions.filter((region) => region.name.startsWith('file '))).toHaveLength(1);
    expect(planned.summary.fileBytes).toBe(3000);
    const written = await writePlannedIso(planned);
    onTestFinished(written.remove);
    const listing = runTool('isoinfo', ['-l', '-i', written.path]);
    const extents = [...listing.matchAll(/\[\s*(\d+) 00\]\s+(A|B)\.BIN;1/g)].map((match) => match[1]);
    expect(extents).toHaveLength(2);
    expect(extents[0]).toBe(extents[1]);
  });
});

describe('planIso: hidden entries', () => {
  test('a node marked hidden gets the existence bit (ECMA-119 9.1.6 bit 0) in ISO 9660 and Joliet, and keeps its data', async () => {
    const root = directoryNode('', [fileNode('shown.txt', 'shown'), fileNode('hidden.txt', 'hidden', { hidden: true })]);
    const path = await writeIsoForTest(authoringOptions(root, { joliet: true }));
    for (const namespace of ['iso9660', 'joliet'] as const) {
      const opened = await openImageFile(path, { namespace });
      try {
        const entries = await opened.image.listDirectory(opened.image.root);
        expect(entries.map((entry) => [entry.name.toLowerCase(), entry.hidden, entry.sizeBytes])).toEqual([
          ['hidden.txt', true, 6],
          ['shown.txt', false, 5],
        ]);
      } finally {
        await opened.close();
      }
    }
  });
});

describe('planIso: Joliet', () => {
  test('records the source names in the Joliet tree, read alike by our reader and pycdlib', async () => {
    const path = await writeIsoForTest(authoringOptions(sampleTree(), { joliet: true }));
    const ours = await listWithIsotope(path, 'joliet');
    expect(ours).toEqual(listWithPycdlib(path, 'joliet'));
    expect(ours).toEqual(sampleListing);
    expect(runTool('isoinfo', ['-d', '-i', path])).toMatch(/Joliet with UCS level 3 found/);
  });

  test('records Joliet file names without a version, as xorriso and genisoimage do', async () => {
    const image = readFileSync(await writeIsoForTest(authoringOptions(sampleTree(), { joliet: true })));
    expect(image.includes(Buffer.from(encodeUcs2('readme.txt')))).toBe(true);
    expect(image.includes(Buffer.from(encodeUcs2('readme.txt;1')))).toBe(false);
  });

  test('leaves symlinks, devices, fifos and sockets out of the Joliet tree (Rock Ridge records them), as xorriso does', async () => {
    const special = (name: string, kind: AuthoringKind, typeBits: number): AuthoringNode =>
      fileNode(name, '', { kind, mode: typeBits | 0o644, content: null, ...(kind === 'character-device' ? { device: { major: 1, minor: 3 } } : {}) });
    const root = directoryNode('', [
      ...(sampleTree().children ?? []),
      symlinkNode('link', 'readme.txt'),
      directoryNode('dev', [special('null', 'character-device', modeTypeBits.characterDevice), special('pipe', 'fifo', modeTypeBits.fifo)]),
      special('socket', 'socket', modeTypeBits.socket),
    ]);
    const path = await writeIsoForTest(authoringOptions(root, { joliet: true, rockRidge: true }));
    const joliet = await listWithIsotope(path, 'joliet');
    expect(joliet).toEqual(listWithPycdlib(path, 'joliet'));
    expect(joliet).toEqual([...sampleListing, { path: '/dev', type: 'directory' }].sort((a, b) => (a.path < b.path ? -1 : 1)));
    const rockRidgePaths = (await listWithIsotope(path, 'rockridge', { content: false })).map((entry) => entry.path);
    expect(rockRidgePaths).toEqual(expect.arrayContaining(['/dev/null', '/dev/pipe', '/link', '/socket']));
  });
});

describe('planIso: files of 4 GiB and more', () => {
  const hugeBytes = 4 * 1024 * 1024 * 1024 + 512 * 1024 * 1024;

  test.each([1, 2] as const)('refuses a 4.5 GiB file at level %i, naming it', async (level) => {
    const root = directoryNode('', [directoryNode('data', [fileNode('huge.img', zeroSource(hugeBytes))])]);
    await expect(planIso(authoringOptions(root, { level }))).rejects.toMatchObject({
      code: 'file-too-large',
      message: expect.stringContaining('/data/huge.img'),
    });
  });

  test('at level 3 records a 4.5 GiB file as two extents (4 GiB - 2048, then the rest), contiguous', async () => {
    const root = directoryNode('', [fileNode('huge.img', zeroSource(hugeBytes))]);
    const planned = await planIso(authoringOptions(root, { joliet: true }));
    const region = planned.summary.regions.find((candidate) => candidate.name === 'file /huge.img')!;
    expect(region.sectorCount).toBe(hugeBytes / 2048);
    // The data ends 150 sectors before the image does (mkisofs -pad, for read-ahead).
    expect(planned.summary.sizeBytes).toBe((region.startLba + region.sectorCount + 150) * 2048);
    // The directory sectors: read the root's records straight from the composed source.
    const rootRegion = planned.summary.regions.find((candidate) => candidate.name === 'ISO 9660 directory /')!;
    const directory = await planned.source.read(rootRegion.startLba * 2048, 2048);
    const records: { lba: number; sizeBytes: number; flags: number }[] = [];
    for (let at = 0; directory[at]! > 0; at += directory[at]!) {
      const view = new DataView(directory.buffer, directory.byteOffset + at);
      if (directory[at + 32] === 1 && directory[at + 33]! <= 1) continue; // "." and ".."
      records.push({ lba: view.getUint32(2, true), sizeBytes: view.getUint32(10, true), flags: directory[at + 25]! });
    }
    expect(records).toEqual([
      { lba: region.startLba, sizeBytes: 0xfffff800, flags: 0x80 },
      { lba: region.startLba + 0xfffff800 / 2048, sizeBytes: hugeBytes - 0xfffff800, flags: 0 },
    ]);
  });
});
