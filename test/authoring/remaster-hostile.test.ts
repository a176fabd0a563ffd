// Hostile originals: a remaster reads an image it did not make, so damage is refused with a
// CorruptImageError (corrupt-image) naming what and where, never a hang, a crash or a silent wrong copy.
import { copyFileSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { findBootRecord } from '../../src-main/boot/boot-record.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { plainIsoPath } from '../fixtures/iso-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of `imagePath` with `bytes` written at `offsetBytes`. */
function patchedCopy(imagePath: string, name: string, patches: readonly { offsetBytes: number; bytes: Uint8Array }[]): string {
  const copy = join(scratch, name);
  copyFileSync(imagePath, copy);
  const descriptor = openSync(copy, 'r+');
  try {
    for (const patch of patches) writeSync(descriptor, patch.bytes, 0, patch.bytes.byteLength, patch.offsetBytes);
  } finally {
    closeSync(descriptor);
  }
  return copy;
}

function uint32(value: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, littleEndian);
  return bytes;
}

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
      // ECMA-119 9.1.3: the extent's location, both-endian at BP 3-10 of the record.
      const at = docs!.recordOffsetBytes + 2;
      patches = [
        { offsetBytes: at, bytes: uint32(iso!.root.extentLba, true) },
        { offsetBytes: at + 4, bytes: uint32(iso!.root.extentLba, false) },
      ];
    } finally {
      await source.close();
    }
    await expect(remaster(patchedCopy(plainIsoPath(), 'loop.iso', patches))).rejects.toMatchObject({
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
    const patched = patchedCopy(imagePath, 'catalog.iso', [{ offsetBytes: catalogLba * 2048 + 32 + 8, bytes: uint32(0x7fffffff, true) }]);
    await expect(remaster(patched)).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringContaining('boot image at LBA 2147483647 lies past the end of the image'),
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
      // ECMA-119 9.1.3-9.1.4: the extent's location and data length, both-endian, at BP 3-18.
      const at = readme!.recordOffsetBytes + 2;
      patches = [
        { offsetBytes: at, bytes: uint32(isolinux!.extentLba, true) },
        { offsetBytes: at + 4, bytes: uint32(isolinux!.extentLba, false) },
        { offsetBytes: at + 8, bytes: uint32(0, true) },
        { offsetBytes: at + 12, bytes: uint32(0, false) },
      ];
    } finally {
      await source.close();
    }
    const remastered = await remasterAuthoringOptions({
      imagePath: patchedCopy(imagePath, 'empty.iso', patches),
      outputPath: join(scratch, 'out.iso'),
      edits: [],
    });
    try {
      expect(remastered.options.boot.entries[0]?.image).toEqual({ path: '/isolinux/isolinux.bin' });
    } finally {
      await remastered.close();
    }
  });
});
