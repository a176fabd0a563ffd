// The assessment says how `auto` would write an image (issue 14), so the Write screen can say it
// before any drive is chosen: copy files for a non-hybrid El Torito EFI ISO and a Windows-like UDF
// installer, raw for xorriso's hybrid ISO; a compressed image gets no mode (it is written raw, and
// its decoded bytes are judged as a raw image's). Beside it, what a copy-files stick would do with either table.
import { describe, expect, it } from 'vitest';
import { assessImage } from '../../src-main/assess/assess-image.ts';
import { createService } from '../../src-main/service/service.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { flashArchivePath } from '../fixtures/flash-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';

describe('the write mode in the assessment', () => {
  it('is copy files for a non-hybrid El Torito ISO with an EFI loader (genisoimage, no MBR), whose copied stick boots UEFI x64 only', async () => {
    const assessment = await assessImage(nonhybridGrubIsoPath());
    expect(assessment.writeMode).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
    // GRUB's El Torito BIOS image is no ISOLINUX: no SYSLINUX goes onto the stick, so BIOS starts nothing.
    for (const table of ['mbr', 'gpt'] as const) {
      expect(assessment.copyModeBoot?.[table]).toEqual({ mode: 'copy', usb: 'yes', bios: false, uefi: { x64: true, ia32: false, aa64: false } });
    }
  });

  it('is copy files for a Windows-like UDF installer with sources/install.wim', async () => {
    expect((await assessImage(windowsLikeUdfIsoPath())).writeMode).toEqual({ mode: 'copy', reason: 'windows-installer' });
  });

  it('is raw for a hybrid ISO made by xorriso, and crosses the service (its parse worker) unchanged', async () => {
    const service = createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });
    const result = await service.invoke('image:assess', { path: bootFixturePath('hybridGpt') });
    expect(result).toMatchObject({ ok: true, value: { kind: 'hybrid-iso', writeMode: { mode: 'raw', reason: 'hybrid-iso' } } });
  });

  it('is absent for a compressed image, which is written raw (its decoded bytes)', async () => {
    const assessment = await assessImage(flashArchivePath('xz'));
    expect(assessment.kind).toBe('compressed');
    expect(assessment.writeMode).toBeUndefined();
    expect(assessment.copyModeBoot).toBeUndefined();
  });
});
