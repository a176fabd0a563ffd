// chooseWriteMode on real images: isohybrid ISOs and disk images are written raw, non-hybrid El
// Torito images with a UEFI loader and Windows installers get their files copied, and the user's
// explicit choice always wins.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { chooseWriteMode } from '../../src-main/stick/choose-write-mode.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { udfBridgeIsoPath, udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-write-mode-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function choose(path: string, request: WriteModeRequest = 'auto'): Promise<WriteModeChoice> {
  const source = await openFileSource(path);
  try {
    return await chooseWriteMode(source, request);
  } finally {
    await source.close();
  }
}

describe('chooseWriteMode', () => {
  it('writes an isohybrid ISO (MBR + GPT) raw: its own boot structures work from a stick', async () => {
    expect(await choose(bootFixturePath('hybridGpt'))).toEqual({ mode: 'raw', reason: 'hybrid-iso' });
  });

  it('writes a partitioned disk image (an SD-card image) raw', async () => {
    expect(await choose(bootFixturePath('sdCard'))).toEqual({ mode: 'raw', reason: 'disk-image' });
  });

  it('writes a file that is neither an image nor a disk raw, saying why', async () => {
    const path = join(scratch, 'random.bin');
    writeFileSync(path, seededBytes('not an image', 1024 * 1024));
    expect(await choose(path)).toEqual({ mode: 'raw', reason: 'not-a-file-system-image' });
  });

  it('copies the files of a non-hybrid El Torito image whose tree holds EFI/BOOT/BOOTX64.EFI', async () => {
    expect(await choose(nonhybridGrubIsoPath())).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
  });

  it('copies the files of a non-hybrid image with only an El Torito EFI entry (genisoimage -efi-boot)', async () => {
    expect(await choose(bootFixturePath('plainGenisoimage'))).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
  });

  it('writes a BIOS-only non-hybrid ISO raw: copying its files would not boot either', async () => {
    expect(await choose(bootFixturePath('plainBiosOnly'))).toEqual({ mode: 'raw', reason: 'no-efi-loader' });
  });

  it('copies a Windows installer, found in UDF behind a README-only ISO 9660 tree', async () => {
    expect(await choose(udfWindowsStubIsoPath())).toEqual({ mode: 'copy', reason: 'windows-installer' });
    expect(await choose(windowsLikeUdfIsoPath())).toEqual({ mode: 'copy', reason: 'windows-installer' });
  });

  it('writes a UDF bridge without Windows setup images or EFI loaders raw', async () => {
    expect(await choose(udfBridgeIsoPath())).toEqual({ mode: 'raw', reason: 'no-efi-loader' });
  });

  it("follows the user's explicit choice either way", async () => {
    expect(await choose(bootFixturePath('hybridGpt'), 'copy')).toEqual({ mode: 'copy', reason: 'chosen-by-user' });
    expect(await choose(udfWindowsStubIsoPath(), 'raw')).toEqual({ mode: 'raw', reason: 'chosen-by-user' });
  });
});
