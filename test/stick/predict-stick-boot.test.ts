// predictStickBoot on real images: copy mode boots UEFI with the EFI/BOOT loaders the image's tree
// holds and never BIOS ("UEFI only"); raw mode is the image's own raw-write verdict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StickBootPrediction, WriteMode } from '../../shared/stick.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { predictStickBoot } from '../../src-main/stick/predict-stick-boot.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-predict-boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function predict(path: string, mode: WriteMode): Promise<StickBootPrediction> {
  const source = await openFileSource(path);
  try {
    return await predictStickBoot(source, { mode, reason: 'chosen-by-user' });
  } finally {
    await source.close();
  }
}

describe('predictStickBoot', () => {
  it('copy mode: UEFI x64 from the copied EFI/BOOT/BOOTX64.EFI, BIOS never (UEFI only)', async () => {
    expect(await predict(nonhybridGrubIsoPath(), 'copy')).toEqual({ mode: 'copy', usb: 'yes', bios: false, uefi: { x64: true, ia32: false, aa64: false } });
  });

  it('copy mode finds a Windows installer loader named in lower case (efi/boot/bootx64.efi) in its UDF tree', async () => {
    expect(await predict(windowsLikeUdfIsoPath(), 'copy')).toMatchObject({ usb: 'yes', bios: false, uefi: { x64: true } });
  });

  it("copy mode boots UEFI with the El Torito EFI image's loader when the tree has no EFI/BOOT (genisoimage -efi-boot)", async () => {
    expect(await predict(bootFixturePath('plainGenisoimage'), 'copy')).toEqual({
      mode: 'copy',
      usb: 'yes',
      bios: false,
      uefi: { x64: true, ia32: false, aa64: false },
    });
  });

  it('copy mode says no when neither the tree nor an El Torito EFI image holds a loader', async () => {
    expect(await predict(bootFixturePath('plainBiosOnly'), 'copy')).toEqual({
      mode: 'copy',
      usb: 'no',
      bios: false,
      uefi: { x64: false, ia32: false, aa64: false },
    });
  });

  it("raw mode gives the image's raw-write verdict", async () => {
    expect(await predict(bootFixturePath('hybridGpt'), 'raw')).toEqual({ mode: 'raw', usb: 'yes', bios: true, uefi: { x64: true, ia32: true, aa64: false } });
    expect(await predict(bootFixturePath('plainBiosOnly'), 'raw')).toMatchObject({ usb: 'no', bios: false });
    expect(await predict(nonhybridGrubIsoPath(), 'raw')).toMatchObject({ usb: 'depends-on-firmware', bios: false });
  });

  it('raw mode says unknown for bytes that are neither an image nor a disk, never no', async () => {
    const path = join(scratch, 'random.bin');
    writeFileSync(path, seededBytes('predict random', 256 * 1024));
    expect(await predict(path, 'raw')).toEqual({ mode: 'raw', usb: 'unknown', bios: false, uefi: { x64: false, ia32: false, aa64: false } });
  });
});
