// Issue 15's boot proof, as a user makes the images: the built `isotope create` and `isotope remaster`.
//   created   a GRUB tree made from scratch (grub-mkrescue's layout: boot/grub/i386-pc/eltorito.img for
//             BIOS, EFI/BOOT/BOOTX64.EFI for UEFI, each a banner loader), boot detected by create
//             (--boot-efi generate makes the El Torito EFI image from EFI/BOOT), hybrid with GRUB's
//             boot_hybrid.img and a GPT: it boots BIOS and UEFI, as a CD and as a USB stick.
//   remastered  Debian's own boot images with a file replaced and one added: grub-rescue-cdrom.iso
//             (GRUB, BIOS) with a /boot/grub/grub.cfg that prints a banner, and ipxe.iso (ISOLINUX for
//             BIOS, iPXE's efi.img for UEFI) with an isolinux.cfg whose one label loads a kernel added
//             under a new name (ISOLINUX's 'Loading isotope-added.krn... ok', which SeaBIOS mirrors to
//             the serial port, is the banner: SAY lines do not reach it). Each banner proves the
//             original loader started from the copy and read the new files from our ISO 9660 tree.
// Each boot is the product's runner (tryInVm, through test/helpers/qemu-boot.ts), decided from the
// firmware's hand-off to the medium and the banner. One QEMU at a time; each takes about 1-15 s here.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../fixtures/fixture-cache.ts';
import { bootBanner, writeBannerLoader } from '../fixtures/qemu-boot-images.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { grubBootHybridPath } from '../helpers/boot-reference-images.ts';
import { bootAndWatch, bootEvidence, booted, qemuAvailable, type BootFirmware, type BootMedium } from '../helpers/qemu-boot.ts';

const bootTimeoutMs = 120_000;
const grubRescueIsoPath = '/usr/lib/grub-rescue/grub-rescue-cdrom.iso';
const ipxeIsoPath = '/usr/lib/ipxe/ipxe.iso';
const banners = {
  createdBios: bootBanner('created-bios'),
  createdUefi: bootBanner('created-uefi'),
  remasteredGrub: bootBanner('remastered-grub-rescue'),
  remasteredIsolinux: 'Loading isotope-added.krn... ok',
  /** What iPXE's EFI loader prints first (OVMF mirrors the console to the serial port). */
  ipxeEfi: 'iPXE initialising devices',
} as const;

/** `isotope ARGS`, which must exit 0. */
function isotope(args: readonly string[]): string {
  const run = runIsotope(args);
  if (run.status !== 0) throw new Error(`isotope ${args.join(' ')} exited with ${run.status}:\n${run.stderr}\n${run.stdout}`);
  return run.stdout;
}

async function expectBoot(diskPath: string, medium: BootMedium, firmware: BootFirmware, banner: string): Promise<void> {
  const outcome = await bootAndWatch({ diskPath, medium, firmware, banner, budgetMs: 60_000 });
  expect(booted(outcome), `${medium} ${firmware}:\n${bootEvidence(outcome)}`).toBe(true);
}

describe.skipIf(!qemuAvailable())('images made by isotope create and remaster boot in QEMU', () => {
  let workDir = '';
  beforeAll(() => {
    assertBuilt();
    workDir = mkdtempSync(join(tmpdir(), 'isotope-created-boot-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  describe('a GRUB tree created from scratch, hybrid with boot_hybrid.img and a GPT', () => {
    let imagePath = '';
    beforeAll(() => {
      const tree = join(workDir, 'grub-tree');
      mkdirSync(join(tree, 'boot/grub/i386-pc'), { recursive: true });
      mkdirSync(join(tree, 'EFI/BOOT'), { recursive: true });
      writeBannerLoader(join(tree, 'boot/grub/i386-pc/eltorito.img'), 'i386-pc-eltorito', banners.createdBios, workDir);
      writeBannerLoader(join(tree, 'EFI/BOOT/BOOTX64.EFI'), 'x86_64-efi', banners.createdUefi, workDir);
      writeFileSync(join(tree, 'README.TXT'), 'A GRUB tree made into a hybrid image by isotope create.\n');
      imagePath = join(workDir, 'created.iso');
      isotope(['create', tree, '-o', imagePath, '--label', 'ISOTOPE_GRUB', '--boot-efi', 'generate', '--hybrid-mbr', grubBootHybridPath, '--gpt']);
    }, bootTimeoutMs);

    it('carries the BIOS and UEFI El Torito entries and the MBR + GPT xorriso reports', () => {
      const elTorito = runTool('xorriso', ['-indev', imagePath, '-report_el_torito', 'plain']);
      expect(elTorito).toMatch(/El Torito boot img :\s+1\s+BIOS\s+y\s+none/);
      expect(elTorito).toMatch(/El Torito boot img :\s+2\s+UEFI\s+y\s+none/);
      expect(elTorito).toContain('/boot/grub/i386-pc/eltorito.img');
      const systemArea = runTool('xorriso', ['-indev', imagePath, '-report_system_area', 'plain']);
      expect(systemArea).toMatch(/^System area summary: MBR .*GPT/m);
      expect(systemArea).toMatch(/^GPT disk GUID\s+:/m);
      expect(systemArea).toMatch(/^MBR partition table:/m);
    });

    it.each([
      ['cdrom', 'bios', banners.createdBios],
      ['cdrom', 'uefi', banners.createdUefi],
      ['usb-stick', 'bios', banners.createdBios],
      ['usb-stick', 'uefi', banners.createdUefi],
    ] as const)('boots as a %s under %s firmware', async (medium, firmware, banner) => expectBoot(imagePath, medium, firmware, banner), bootTimeoutMs);
  });

  describe.skipIf(!existsSync(grubRescueIsoPath))("Debian's grub-rescue-cdrom.iso remastered with a new grub.cfg and an added file", () => {
    let imagePath = '';
    beforeAll(() => {
      const config = join(workDir, 'rescue-grub.cfg');
      writeFileSync(config, `insmod serial\nserial --unit=0 --speed=115200\nterminal_output serial console\necho ${banners.remasteredGrub}\nhalt\n`);
      writeFileSync(join(workDir, 'preseed.cfg'), 'd-i debian-installer/locale string en_US\n');
      imagePath = join(workDir, 'grub-rescue-remastered.iso');
      isotope([
        'remaster',
        grubRescueIsoPath,
        '-o',
        imagePath,
        '--add',
        `${config}:/boot/grub/grub.cfg`,
        '--add',
        `${join(workDir, 'preseed.cfg')}:/preseed.cfg`,
      ]);
    }, bootTimeoutMs);

    it.each([['cdrom'], ['usb-stick']] as const)(
      'boots as a %s under BIOS and runs the new grub.cfg',
      async (medium) => expectBoot(imagePath, medium, 'bios', banners.remasteredGrub),
      bootTimeoutMs,
    );
  });

  describe.skipIf(!existsSync(ipxeIsoPath))("Debian's ipxe.iso remastered with a new isolinux.cfg and an added file", () => {
    let imagePath = '';
    beforeAll(() => {
      const config = join(workDir, 'isolinux.cfg');
      writeFileSync(config, 'SERIAL 0 115200\nDEFAULT isotope\nPROMPT 0\nLABEL isotope\n  KERNEL isotope-added.krn\n');
      // iPXE's kernel, taken out of the original by xorriso (not by our reader), added under a new name.
      const kernel = join(workDir, 'isotope-added.krn');
      runTool('xorriso', ['-osirrox', 'on', '-indev', ipxeIsoPath, '-extract', '/ipxe.krn', kernel]);
      imagePath = join(workDir, 'ipxe-remastered.iso');
      isotope(['remaster', ipxeIsoPath, '-o', imagePath, '--add', `${config}:/isolinux.cfg`, '--add', `${kernel}:/isotope-added.krn`]);
    }, bootTimeoutMs);

    it.each([
      ['cdrom', 'bios', banners.remasteredIsolinux],
      ['cdrom', 'uefi', banners.ipxeEfi],
      ['usb-stick', 'bios', banners.remasteredIsolinux],
    ] as const)('boots as a %s under %s firmware', async (medium, firmware, banner) => expectBoot(imagePath, medium, firmware, banner), bootTimeoutMs);
  });
});
