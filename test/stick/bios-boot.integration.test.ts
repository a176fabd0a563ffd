// The BIOS boot proof of copy-files mode: an ISOLINUX image composed onto an MBR stick (a file here,
// no root needed) boots in QEMU's SeaBIOS as a USB stick, and SYSLINUX loads the image's own
// isolinux.cfg: it tries to load the default kernel that file names (the banner).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions } from '../../shared/stick.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { composeCopyModeStick } from '../../src-main/stick/compose-stick.ts';
import { isolinuxBanner, isolinuxEfiIsoPath } from '../fixtures/isolinux-images.ts';
import { bootAndWatch, qemuAvailable } from '../helpers/qemu-boot.ts';
import { writeStickToFile } from './stick-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-bios-boot-qemu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!qemuAvailable())('copy-files mode boots PC BIOS through SYSLINUX', () => {
  it('an ISOLINUX image copied onto an MBR stick starts SYSLINUX in SeaBIOS, which reads the image isolinux.cfg', async () => {
    const deviceSizeBytes = 64 * 1024 * 1024;
    const image = await openFileSource(isolinuxEfiIsoPath());
    const stickPath = join(scratch, 'stick.img');
    try {
      const stick = await composeCopyModeStick(image, {
        deviceSizeBytes,
        copy: { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions },
      });
      await writeStickToFile(stick, stickPath, deviceSizeBytes);
    } finally {
      await image.close();
    }
    const outcome = await bootAndWatch({ diskPath: stickPath, medium: 'usb-stick', firmware: 'bios', banner: isolinuxBanner, budgetMs: 90_000 });
    expect(outcome.bannerSeen, outcome.consoleText.slice(-1500)).toBe(true);
    expect(outcome.consoleText).toMatch(/SYSLINUX \d+\.\d+/);
  }, 120_000);
});
