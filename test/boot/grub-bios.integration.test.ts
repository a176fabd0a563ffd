// The BIOS verdict of disk images with GRUB installed by GRUB's own installer: grub-mkimage builds
// core.img and grub-bios-setup (what grub-install runs) writes boot.img into the MBR and core.img into
// the gap after it (dos) or into the BIOS boot partition (GPT). grub-bios-setup finds the GRUB
// directory's disk through a device map, so that directory lives on an ext2 volume mounted from a loop
// device (root only); the disk image itself stays a plain file. SeaBIOS in QEMU then boots each image
// as a USB stick: the verdict must match what the firmware does.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BootReport } from '../../shared/boot.ts';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { ensureFixture, runTool } from '../fixtures/fixture-cache.ts';
import { bootAndWatch } from '../helpers/qemu-boot.ts';

const grubPcDir = '/usr/lib/grub/i386-pc';
const biosBootType = '21686148-6449-6E6F-744E-656564454649';

/** A 24 MiB disk image with a FAT16 partition (and, for GPT, a 1 MiB BIOS boot partition before it), GRUB installed for BIOS. */
function grubDiskPath(table: 'dos' | 'gpt'): string {
  return ensureFixture({
    name: `grub-bios-${table}.img`,
    recipe: `grub bios v2 ${table}: sfdisk, mkfs.fat -F 16, grub-mkimage -O i386-pc -c (${grubConfig(table)}), grub-bios-setup ${readFileSync(join(grubPcDir, 'boot.img')).byteLength}`,
    build(outputPath, workDir) {
      runTool('truncate', ['-s', '24M', outputPath]);
      const layout =
        table === 'dos'
          ? 'label: dos\nlabel-id: 0x6b0b0b0b\nstart=2048, size=16MiB, type=e, bootable\n'
          : `label: gpt\nlabel-id: 6B0B0B0B-0000-4000-8000-00000000B105\nstart=2048, size=1MiB, type=${biosBootType}\nstart=4096, size=16MiB, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n`;
      execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', outputPath], { input: layout });
      const fatStartBytes = (table === 'dos' ? 2048 : 4096) * 512;
      const fatPath = join(workDir, 'fat.img');
      runTool('mkfs.fat', ['-C', '-F', '16', '-n', 'GRUBDISK', fatPath, String(16 * 1024)]);
      execFileSync('dd', [`if=${fatPath}`, `of=${outputPath}`, 'bs=512', `seek=${fatStartBytes / 512}`, 'conv=notrunc', 'status=none']);
      installGrub(outputPath, workDir, table);
    },
  });
}

/** The banner core.img prints on the serial console once BIOS has started it (the QEMU proof below). */
function grubBanner(table: 'dos' | 'gpt'): string {
  return `ISOTOPE-BOOT-OK-grub-bios-${table}`;
}

/** core.img's embedded configuration: the serial console, then the banner (GRUB then waits at its rescue prompt). */
function grubConfig(table: 'dos' | 'gpt'): string {
  return `serial --unit=0 --speed=115200; terminal_output serial; echo ${grubBanner(table)}`;
}

function installGrub(diskPath: string, workDir: string, table: 'dos' | 'gpt'): void {
  const helperPath = join(workDir, 'grub-dir.img');
  runTool('truncate', ['-s', '8M', helperPath]);
  runTool('mkfs.ext2', ['-q', '-F', helperPath]);
  const mountPoint = join(workDir, 'mnt');
  mkdirSync(mountPoint);
  const loop = runTool('losetup', ['--find', '--show', helperPath]).trim();
  try {
    runTool('mount', [loop, mountPoint]);
    try {
      const grubDir = join(mountPoint, 'grub');
      mkdirSync(grubDir);
      copyFileSync(join(grubPcDir, 'boot.img'), join(grubDir, 'boot.img'));
      const partitionModule = table === 'dos' ? 'part_msdos' : 'part_gpt';
      const configPath = join(workDir, 'embedded.cfg');
      writeFileSync(configPath, `${grubConfig(table).replaceAll('; ', '\n')}\n`);
      const prefix = `(hd0,${table === 'dos' ? 'msdos1' : 'gpt2'})/boot/grub`;
      const modules = ['biosdisk', partitionModule, 'fat', 'serial', 'terminal', 'echo'];
      runTool('grub-mkimage', ['-O', 'i386-pc', '-o', join(grubDir, 'core.img'), '-c', configPath, '-p', prefix, ...modules]);
      const deviceMap = join(workDir, 'device.map');
      writeFileSync(deviceMap, `(hd0) ${diskPath}\n(hd1) ${loop}\n`);
      runTool(join(grubPcDir, 'grub-bios-setup'), ['--force', '--directory', grubDir, '--device-map', deviceMap, diskPath]);
    } finally {
      runTool('umount', [mountPoint]);
    }
  } finally {
    runTool('losetup', ['--detach', loop]);
  }
}

async function reportOf(image: Uint8Array): Promise<BootReport> {
  return readBootReport(createMemorySource(image, 'grub-disk.img'));
}

describe('GRUB installed for BIOS on a disk image', () => {
  it('follows boot.img to core.img in the gap after the MBR of a dos disk', async () => {
    const report = await reportOf(new Uint8Array(readFileSync(grubDiskPath('dos'))));
    expect(report.mbr?.bootCodeKind).toBe('grub2');
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'grub2', grubCoreSector: 1, grubCoreLocation: 'post-mbr-gap', grubCoreFound: true });
    expect(report.verdict).toMatchObject({ usb: 'yes', usbBios: true });
    expect(report.verdict.reasons.find((reason) => reason.code === 'bios-grub-core')?.message).toMatch(/core\.img from sector 1, in the gap after the MBR/);
  });

  it('follows boot.img to core.img in the BIOS boot partition of a GPT disk', async () => {
    const report = await reportOf(new Uint8Array(readFileSync(grubDiskPath('gpt'))));
    expect(report.partitions.map((partition) => partition.typeCode.toUpperCase())).toEqual([biosBootType, 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7']);
    expect(report.verdict.biosChain).toMatchObject({ grubCoreSector: 2048, grubCoreLocation: 'bios-boot-partition', grubCoreFound: true });
    expect(report.verdict.usbBios).toBe(true);
  });

  it('says BIOS stops with a GRUB error, and the USB answer is "unknown", not "no", when core.img is gone', async () => {
    const image = new Uint8Array(readFileSync(grubDiskPath('dos')));
    image.fill(0, 512, 2048 * 512); // the post-MBR gap: core.img wiped, boot.img left
    const report = await reportOf(image);
    expect(report.verdict.biosChain).toMatchObject({ grubCoreSector: 1, grubCoreFound: false });
    expect(report.verdict).toMatchObject({ usb: 'unknown', usbBios: false });
    expect(report.verdict.reasons.map((reason) => reason.code)).toContain('bios-grub-core-missing');
  });

  // The verdict against the real thing: SeaBIOS starts the image as a USB stick, and GRUB's core prints its banner.
  it('matches SeaBIOS: the dos and GPT images start GRUB from a USB stick, the wiped one does not', { timeout: 120_000 }, async () => {
    for (const table of ['dos', 'gpt'] as const) {
      const outcome = await bootAndWatch({ diskPath: grubDiskPath(table), medium: 'usb-stick', firmware: 'bios', banner: grubBanner(table), budgetMs: 40_000 });
      expect(outcome.bannerSeen, outcome.consoleText).toBe(true);
    }
    const scratch = mkdtempSync(join(tmpdir(), 'isotope-grub-wiped-'));
    try {
      const image = new Uint8Array(readFileSync(grubDiskPath('dos')));
      image.fill(0, 512, 2048 * 512);
      const wiped = join(scratch, 'wiped.img');
      writeFileSync(wiped, image);
      const outcome = await bootAndWatch({ diskPath: wiped, medium: 'usb-stick', firmware: 'bios', banner: grubBanner('dos'), budgetMs: 15_000 });
      expect(outcome.bannerSeen).toBe(false);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
