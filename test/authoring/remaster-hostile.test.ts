// Hostile originals: a remaster reads an image it did not make, so damage is refused with a
// CorruptImageError (corrupt-image) naming what and where, never a hang, a crash or a silent wrong copy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { findBootRecord } from '../../src-main/boot/boot-record.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { plainIsoPath } from '../fixtures/iso-images.ts';
import { patchedCopy, recordExtentPatches, uint32 } from './remaster-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function remaster(imagePath: string): Promise<void> {
  const remastered = await remasterAuthoringOptions({ imagePath, outputPath: join(scratch, 'out.iso'), edits: [] });
  await remastered.close();
}

describe('a remaster of a damaged original', () => {
  it('refuses a folder whose extent is the root again (a directory loop), naming it', async () => {
    const source = await openFileSource(plainIsoPath());
    let patches: { offsetBytes: number; bytes: Uint8Array }[];
    try {
      const iso = await openIsoImage(source);
      const docs = (await iso!.listDirectory(iso!.root)).find((entry) => entry.name === 'DOCS');
      patches = recordExtentPatches(docs!.recordOffsetBytes, { lba: iso!.root.extentLba });
    } finally {
      await source.close();
    }
    await expect(remaster(patchedCopy(plainIsoPath(), join(scratch, 'loop.iso'), patches))).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringMatching(/directory \/DOCS points at logical block \d+, already visited \(a directory loop\)/),
    });
  });

  it('refuses a boot catalog entry whose image lies past the end of the image, naming its LBA', async () => {
    const imagePath = bootFixturePath('hybridGpt');
    const source = await openFileSource(imagePath);
    let catalogLba: number;
    try {
      catalogLba = (await findBootRecord(source))!.catalogLba;
    } finally {
      await source.close();
    }
    // El Torito 1.0 2.2: the initial entry is the catalog's second record; its load RBA at byte 8.
    const patched = patchedCopy(imagePath, join(scratch, 'catalog.iso'), [{ offsetBytes: catalogLba * 2048 + 32 + 8, bytes: uint32(0x7fffffff, true) }]);
    await expect(remaster(patched)).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringContaining('boot image at LBA 2147483647 lies past the end of the image'),
    });
  });
  it('refuses hidden boot images that overlap to claim more than the whole image, before planning a byte', async () => {
    const imagePath = bootFixturePath('hybridGpt'); // 4 MiB: a BIOS entry, then an EFI section entry
    const source = await openFileSource(imagePath);
    let catalogLba: number;
    try {
      catalogLba = (await findBootRecord(source))!.catalogLba;
    } finally {
      await source.close();
    }
    // El Torito 1.0 2.2/2.4: both entries become 2.88 MB floppies (media type 3) at LBAs 20 and 21,
    // where no file starts: two hidden images of 2,949,120 bytes each, overlapping, in a 4 MiB image.
    const entryOffsets = [catalogLba * 2048 + 32, catalogLba * 2048 + 96];
    const patches = entryOffsets.flatMap((at, index) => [
      { offsetBytes: at + 1, bytes: Uint8Array.of(3) },
      { offsetBytes: at + 8, bytes: uint32(20 + index, true) },
    ]);
    await expect(remaster(patchedCopy(imagePath, join(scratch, 'overlapping-floppies.iso'), patches))).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringContaining('hidden boot images claim 5898240 bytes together, more than the whole image (4194304 bytes)'),
    });
  });

  it("never takes an empty file pointing at a boot image's LBA for that image", async () => {
    const imagePath = bootFixturePath('hybridGpt');
    const source = await openFileSource(imagePath);
    let patches: { offsetBytes: number; bytes: Uint8Array }[];
    try {
      const iso = await openIsoImage(source, { namespace: 'iso9660' });
      const readme = (await iso!.listDirectory(iso!.root)).find((entry) => entry.name === 'README.TXT');
      const isolinux = await iso!.lookup('/ISOLINUX/ISOLINUX.BIN');
      patches = recordExtentPatches(readme!.recordOffsetBytes, { lba: isolinux!.extentLba, sizeBytes: 0 });
    } finally {
      await source.close();
    }
    const remastered = await remasterAuthoringOptions({
      imagePath: patchedCopy(imagePath, join(scratch, 'empty.iso'), patches),
      outputPath: join(scratch, 'out.iso'),
      edits: [],
    });
    try {
      expect(remastered.options.boot.entries[0]?.image).toEqual({ path: '/isolinux/isolinux.bin' });
    } finally {
      await remastered.close();
    }
  });
  it('refuses files whose overlapping extents claim more data than the image holds, before planning a byte', async () => {
    const imagePath = plainIsoPath();
    const source = await openFileSource(imagePath);
    let patches: { offsetBytes: number; bytes: Uint8Array }[];
    try {
      const iso = (await openIsoImage(source))!;
      const readme = (await iso.listDirectory(iso.root)).find((entry) => entry.name === 'README.TXT')!;
      // README.TXT now claims the whole image from sector 0: inside the image, but overlapping every other file.
      patches = recordExtentPatches(readme.recordOffsetBytes, { lba: 0, sizeBytes: source.sizeBytes });
    } finally {
      await source.close();
    }
    await expect(remaster(patchedCopy(imagePath, join(scratch, 'overlap.iso'), patches))).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringMatching(/claim \d+ bytes of data, more than the image's \d+: their extents overlap/),
    });
  });
});
