// Boot detection and resolution on real trees walked from disk (readSourceTree): ISOLINUX and GRUB's
// El Torito images, EFI FAT images checked by their bytes (mtools-made, and a fake one), an EFI FAT
// image generated from EFI/BOOT/ (read back by fsck.fat, mtools and our FAT reader), named paths that
// win over detection or are missing, and the hybrid MBR / GPT requests.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBoot, detectTreeBoot } from '../../src-main/authoring/detect-boot.ts';
import { readSourceTree } from '../../src-main/authoring/source-tree.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { buildEfiFloppy, buildGrubEltorito, buildIsolinuxEfiTree, grubBootHybridPath, isohdpfxPath, seededBytes } from '../helpers/boot-reference-images.ts';
import { fsckFat, mtoolsRead, sha256, writeSourceToFile } from '../fat/fat-test-volumes.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-detect-boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let treeCount = 0;

/** A new folder in the scratch area, filled by `fill`, walked as `isotope create` walks it. */
async function walkedTree(fill: (directory: string) => void): Promise<{ root: AuthoringNode; directory: string }> {
  treeCount += 1;
  const directory = join(scratch, `tree-${treeCount}`);
  mkdirSync(directory, { recursive: true });
  fill(directory);
  const { root } = await readSourceTree([directory], { excludes: [] });
  return { root, directory };
}

function writeFile(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

async function allBytes(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.sizeBytes);
}

describe('detectTreeBoot and resolveBoot', () => {
  it('finds ISOLINUX and an EFI FAT image (by its bytes) and makes BIOS then EFI entries, without a hybrid unless asked', async () => {
    const { root } = await walkedTree((directory) => buildIsolinuxEfiTree(directory));
    const detected = await detectTreeBoot(root);
    expect(detected.bios).toEqual({ path: '/isolinux/isolinux.bin', bootInfoTable: true, loader: 'isolinux' });
    expect(detected.efi).toEqual({ path: '/efi.img' });

    const resolved = await resolveBoot(root, {}, 'seed');
    expect(
      resolved.entries.map((entry) => [
        entry.platformId,
        entry.loadSectorCount,
        entry.bootInfoTable,
        entry.grub2BootInfo ?? false,
        entry.image,
        entry.partition,
      ]),
    ).toEqual([
      [0x00, 4, true, false, { path: '/isolinux/isolinux.bin' }, false],
      [0xef, null, false, false, { path: '/efi.img' }, true],
    ]);
    expect(resolved.hybrid).toBeNull();
    expect(resolved.detected).toEqual([
      '/isolinux/isolinux.bin: ISOLINUX, BIOS no-emulation, boot info table',
      '/efi.img: EFI FAT image with BOOTX64.EFI, EFI no-emulation',
    ]);
  });

  it("finds GRUB's eltorito.img and boot/grub/efi.img, asking for GRUB's own boot info patch", async () => {
    const { root } = await walkedTree((directory) => {
      mkdirSync(join(directory, 'boot', 'grub', 'i386-pc'), { recursive: true });
      buildGrubEltorito(join(directory, 'boot', 'grub', 'i386-pc', 'eltorito.img'));
      buildEfiFloppy(join(directory, 'boot', 'grub', 'efi.img'), seededBytes(5000, 3));
    });
    const resolved = await resolveBoot(root, {}, 'seed');
    expect(resolved.entries.map((entry) => [entry.image, entry.bootInfoTable, entry.grub2BootInfo ?? false])).toEqual([
      [{ path: '/boot/grub/i386-pc/eltorito.img' }, true, true],
      [{ path: '/boot/grub/efi.img' }, false, false],
    ]);
    expect(resolved.detected[0]).toBe('/boot/grub/i386-pc/eltorito.img: GRUB, BIOS no-emulation, boot info table');
  });

  it('makes an EFI FAT image from EFI/boot/ (as Debian spells it) when no FAT image is there, which fsck.fat, mtools and our reader read back', async () => {
    const loader = seededBytes(70_000, 5);
    const { root } = await walkedTree((directory) => {
      writeFile(join(directory, 'EFI', 'boot', 'bootx64.efi'), loader);
      writeFile(join(directory, 'EFI', 'boot', 'grub.cfg'), 'set root=(cd0)\n');
      writeFile(join(directory, 'efi.img'), seededBytes(4096, 6)); // not a FAT image: left alone, said so
    });
    const resolved = await resolveBoot(root, {}, 'seed');
    expect(resolved.entries).toHaveLength(1);
    const [efi] = resolved.entries;
    if (!efi || !('source' in efi.image)) throw new Error('expected a generated EFI image');
    expect(efi.image.description).toBe('generated from /EFI/boot');
    expect(resolved.detected).toEqual([
      '/efi.img: not a readable FAT image, not used for EFI',
      '/EFI/boot: bootx64.efi; an EFI FAT image will be made from /EFI/boot',
    ]);

    const path = join(scratch, 'generated-efi.img');
    await writeSourceToFile(efi.image.source, path, { fileSizeBytes: efi.image.source.sizeBytes });
    expect(fsckFat(path).status).toBe(0);
    expect(sha256(mtoolsRead(path, '/EFI/boot/bootx64.efi'))).toBe(sha256(loader));
    const tree = await openFatTree(efi.image.source);
    const paths: string[] = [];
    for await (const entry of tree.walk()) {
      paths.push(entry.path);
      if (entry.path === '/EFI/boot/bootx64.efi') expect(sha256(await allBytes(entryContentSource(efi.image.source, entry)))).toBe(sha256(loader));
    }
    expect(paths.sort()).toEqual(['/EFI', '/EFI/boot', '/EFI/boot/bootx64.efi', '/EFI/boot/grub.cfg']);
  });

  it('makes the same generated EFI image for the same seed and fixed time, whatever the files\u2019 own times', async () => {
    const fill = (seconds: number) => (directory: string) => {
      const path = join(directory, 'EFI', 'BOOT', 'BOOTX64.EFI');
      writeFile(path, seededBytes(3000, 8));
      utimesSync(path, seconds, seconds);
    };
    const images: string[] = [];
    for (const seconds of [1_000_000, 2_000_000]) {
      const { root } = await walkedTree(fill(seconds));
      const [efi] = (await resolveBoot(root, { efiImagePath: 'generate' }, 'same seed', { fixedFileTimesMs: 0 })).entries;
      if (!efi || !('source' in efi.image)) throw new Error('expected a generated EFI image');
      images.push(sha256(await allBytes(efi.image.source)));
    }
    expect(images[0]).toBe(images[1]);
  });

  it('passes over a damaged FAT image (saying so), but fails with the walk\u2019s error when the image vanished after the walk', async () => {
    const { root, directory } = await walkedTree((folder) => {
      buildIsolinuxEfiTree(folder);
      const damaged = readFileSync(join(folder, 'efi.img'));
      damaged.writeUInt16LE(10, 19); // BPB_TotSec16: fewer sectors than the FATs and root directory take
      writeFileSync(join(folder, 'efi.img'), damaged);
    });
    const resolved = await resolveBoot(root, {}, 'seed');
    expect(resolved.detected).toContain('/efi.img: not a readable FAT image, not used for EFI');
    expect(resolved.entries.map((entry) => entry.platformId)).toEqual([0x00, 0xef]); // the EFI image generated from EFI/BOOT instead

    rmSync(join(directory, 'efi.img'));
    await expect(resolveBoot(root, {}, 'seed')).rejects.toMatchObject({ code: 'source-changed', message: expect.stringContaining('efi.img') });
  });

  it('takes named paths over detection, and refuses a named path the tree lacks or an EFI image that is not FAT, naming it', async () => {
    const { root } = await walkedTree((directory) => {
      buildIsolinuxEfiTree(directory);
      writeFile(join(directory, 'boot', 'loader.bin'), seededBytes(2048, 9));
      writeFile(join(directory, 'not-fat.img'), seededBytes(2048, 10));
    });
    const named = await resolveBoot(root, { biosImagePath: '/boot/loader.bin' }, 'seed');
    expect(named.entries.map((entry) => [entry.image, entry.bootInfoTable])).toEqual([
      [{ path: '/boot/loader.bin' }, false],
      [{ path: '/efi.img' }, false],
    ]);
    expect(named.detected[0]).toBe('/boot/loader.bin: a BIOS boot image (named), BIOS no-emulation');
    await expect(resolveBoot(root, { biosImagePath: '/boot/missing.bin' }, 'seed')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('/boot/missing.bin'),
    });
    await expect(resolveBoot(root, { efiImagePath: '/not-fat.img' }, 'seed')).rejects.toMatchObject({
      code: 'not-an-image',
      message: expect.stringContaining('/not-fat.img'),
    });
    await expect(resolveBoot(root, { biosImagePath: '/isolinux' }, 'seed')).rejects.toMatchObject({ code: 'not-a-file' });
    expect((await resolveBoot(root, { detect: false }, 'seed')).entries).toEqual([]);
  });

  it('reads the hybrid MBR boot code (432 bytes) and keeps the GPT only with an EFI image', async () => {
    const { root, directory } = await walkedTree((folder) => buildIsolinuxEfiTree(folder));
    const withGpt = await resolveBoot(root, { hybridMbrPath: isohdpfxPath, gpt: true }, 'seed');
    expect(withGpt.hybrid?.gpt).toBe(true);
    expect(Buffer.from(withGpt.hybrid?.mbrBootCode ?? []).equals(readFileSync(isohdpfxPath).subarray(0, 432))).toBe(true);

    expect(withGpt.detected.filter((line) => line.startsWith(isohdpfxPath))).toEqual([]);
    const grubCode = await resolveBoot(root, { hybridMbrPath: grubBootHybridPath }, 'seed');
    expect(grubCode.detected).toContain(`${grubBootHybridPath}: GRUB's boot_hybrid.img will not start /isolinux/isolinux.bin (ISOLINUX) from a stick`);

    const biosOnly = await resolveBoot(root, { detect: false, biosImagePath: '/isolinux/isolinux.bin', hybridMbrPath: isohdpfxPath, gpt: true }, 'seed');
    expect(biosOnly.hybrid).toEqual({ mbrBootCode: expect.any(Uint8Array), gpt: false, apm: false });
    expect(biosOnly.detected).toContain('GPT left out: it would give the EFI boot image a partition, and the image has none');

    const short = join(directory, '..', 'short-mbr.bin');
    copyFileSync(isohdpfxPath, short);
    writeFileSync(short, readFileSync(isohdpfxPath).subarray(0, 400));
    await expect(resolveBoot(root, { hybridMbrPath: short }, 'seed')).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('holds 400 bytes'),
    });
    await expect(resolveBoot(root, { hybridMbrPath: join(scratch, 'nothing.bin') }, 'seed')).rejects.toMatchObject({ code: 'not-found' });
    await expect(resolveBoot(root, { detect: false, hybridMbrPath: isohdpfxPath }, 'seed')).rejects.toMatchObject({ code: 'invalid-request' });
    // A FIFO with no writer: a plain open would wait for one forever; it is refused as not a file at once.
    const fifo = join(scratch, 'mbr.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(resolveBoot(root, { hybridMbrPath: fifo }, 'seed')).rejects.toMatchObject({ code: 'not-a-file' });
  });
});
