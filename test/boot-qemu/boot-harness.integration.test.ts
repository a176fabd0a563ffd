// The boot harness (test/helpers/qemu-boot.ts: the product's tryInVm, watched) and the boot fixtures
// proven on their own, before any stick: each disc starts the loader its El Torito catalog names, in
// OVMF (UEFI) and SeaBIOS (BIOS), the firmware's own hand-off line naming the medium, and the harness
// says "no" when another banner appears or nothing boots, the latter from the firmware's own words.
// One QEMU at a time (TCG, about 5 s a boot here).
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banners, nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { ovmfWords, seaBiosWords } from '../helpers/firmware-words.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { bootAndWatch, bootEvidence, booted } from '../helpers/qemu-boot.ts';
import type { BootReport } from '../../shared/boot.ts';

const MiB = 1024 * 1024;
const bootTimeoutMs = 90_000; // the harness's own budget is 60 s; this only catches a harness that hangs

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
      // SeaBIOS's "Booting from DVD/CD..." then "Booting from 0000:7c00", then the loader's banner.
      expect(booted(outcome), bootEvidence(outcome)).toBe(true);
    },
    bootTimeoutMs,
  );

  it(
    'OVMF starts the non-hybrid disc from a CD-ROM through its El Torito EFI image, and the harness reports no boot when watching for another banner',
    async () => {
      const outcome = await bootAndWatch({ diskPath: nonhybridGrubIsoPath(), medium: 'cdrom', firmware: 'uefi', banner: banners.nonhybridTree });
      expect(outcome.handedOff, bootEvidence(outcome)).toBe(true); // 'BdsDxe: starting Boot0001 "UEFI QEMU DVD-ROM ..."'
      expect(outcome.consoleText, bootEvidence(outcome)).toContain(banners.nonhybridElToritoEfi);
      expect(outcome.bannerSeen).toBe(false); // the tree's own loader never ran: a CD boots El Torito
      expect(outcome.ended).toBe('exited'); // GRUB's halt powered the machine off
    },
    bootTimeoutMs,
  );

  it.each(['bios', 'uefi'] as const)(
    'reports no boot for a blank stick under %s from the firmware\'s own "nothing to boot" words, stopping there',
    async (firmware) => {
      const blank = join(dir, `blank-${firmware}.img`);
      writeFileSync(blank, '');
      truncateSync(blank, 8 * MiB);
      const outcome = await bootAndWatch({ diskPath: blank, medium: 'usb-stick', firmware, banner: banners.nonhybridBios, budgetMs: 60_000 });
      expect(outcome.bannerSeen).toBe(false);
      expect(outcome.handedOff).toBe(false);
      expect(outcome.ended, bootEvidence(outcome)).toBe('nothing-to-boot');
      if (firmware === 'bios') {
        // SeaBIOS's debug console: the stick refused, then every other device, then its last word.
        expect(outcome.firmwareLog).toMatch(seaBiosWords.stickNotBootable);
        expect(outcome.firmwareLog).toMatch(seaBiosWords.nothingToBoot);
      } else {
        // Debian's OVMF logs nothing on the debug console; its boot manager says it on the serial console.
        expect(outcome.firmwareLog).toBe('');
        expect(outcome.consoleText).toMatch(ovmfWords.loadFailed['usb-stick']);
      }
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
      expect(booted(outcome), bootEvidence(outcome)).toBe(true);
    },
    bootTimeoutMs,
  );
});
