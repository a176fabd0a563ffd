// The boot harness and the boot fixtures proven on their own, before any stick: each disc starts the
// loader its El Torito catalog names, in OVMF (UEFI) and SeaBIOS (BIOS), and the harness says "no"
// when another banner appears or nothing boots. One QEMU at a time (TCG, about 5 s a boot here).
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banners, nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { bootAndWatch, type BootOutcome } from '../helpers/qemu-boot.ts';
import type { BootReport } from '../../shared/boot.ts';

const MiB = 1024 * 1024;
const bootTimeoutMs = 90_000; // the harness's own budget is 60 s; this only catches a harness that hangs

/** The console's last lines, so a failed boot shows where the firmware stopped. */
const tail = (outcome: BootOutcome): string => outcome.consoleText.split('\n').slice(-15).join('\n');

describe('QEMU boot harness on the boot fixtures', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-boot-harness-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'SeaBIOS starts the non-hybrid disc from a CD-ROM through its El Torito BIOS image',
    async () => {
      const outcome = await bootAndWatch({ diskPath: nonhybridGrubIsoPath(), medium: 'cdrom', firmware: 'bios', banner: banners.nonhybridBios });
      expect(outcome.bannerSeen, tail(outcome)).toBe(true);
    },
    bootTimeoutMs,
  );

  it(
    'OVMF starts the non-hybrid disc from a CD-ROM through its El Torito EFI image, and the harness reports no boot when watching for another banner',
    async () => {
      const outcome = await bootAndWatch({ diskPath: nonhybridGrubIsoPath(), medium: 'cdrom', firmware: 'uefi', banner: banners.nonhybridTree });
      expect(outcome.consoleText, tail(outcome)).toContain(banners.nonhybridElToritoEfi);
      expect(outcome.bannerSeen).toBe(false); // the tree's own loader never ran: a CD boots El Torito
      expect(outcome.ended).toBe('exited'); // GRUB's halt powered the machine off
    },
    bootTimeoutMs,
  );

  it(
    'reports no boot, ended by the budget, for a blank stick',
    async () => {
      const blank = join(dir, 'blank.img');
      writeFileSync(blank, '');
      truncateSync(blank, 8 * MiB);
      const outcome = await bootAndWatch({ diskPath: blank, medium: 'usb-stick', firmware: 'bios', banner: banners.nonhybridBios, budgetMs: 5_000 });
      expect(outcome.bannerSeen).toBe(false);
      expect(outcome.ended).toBe('budget');
      expect(outcome.elapsedMs).toBeLessThan(15_000);
    },
    bootTimeoutMs,
  );

  it('fails loudly, not as "did not boot", when QEMU cannot open the disk', async () => {
    await expect(bootAndWatch({ diskPath: join(dir, 'missing.img'), medium: 'usb-stick', firmware: 'uefi', banner: banners.nonhybridTree })).rejects.toThrow(
      /missing\.img/,
    );
  });

  // EDK2's PartitionDxe looks for El Torito on every block device, USB disks included, so OVMF boots
  // a raw-written non-hybrid disc from a stick. Many PCs' firmware does not; that is why copy mode
  // exists, why the boot verdict says "depends on the firmware" for it, and why "a raw-written
  // non-hybrid disc does not boot from USB" cannot be proven in OVMF.
  it(
    'OVMF, unlike much real firmware, starts a raw-written non-hybrid disc from a USB stick through El Torito, as the verdict "depends on the firmware" allows',
    async () => {
      const verdict = await isotope(['boot', nonhybridGrubIsoPath(), '--json']);
      expect(verdict.code, verdict.stderr).toBe(0);
      expect((JSON.parse(verdict.stdout) as BootReport).verdict).toMatchObject({ usb: 'depends-on-firmware', opticalBios: true, opticalUefi: { x64: true } });
      const stick = join(dir, 'raw-stick.img');
      copyFileSync(nonhybridGrubIsoPath(), stick);
      truncateSync(stick, 64 * MiB);
      const outcome = await bootAndWatch({ diskPath: stick, medium: 'usb-stick', firmware: 'uefi', banner: banners.nonhybridElToritoEfi });
      expect(outcome.bannerSeen, tail(outcome)).toBe(true);
    },
    bootTimeoutMs,
  );
});
