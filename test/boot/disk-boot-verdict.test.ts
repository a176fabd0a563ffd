// The boot verdict of disk images (issue 16) on real images: Raspberry Pi cards named by their
// firmware files, U-Boot loaders from Debian's u-boot-* packages at the offsets their READMEs give,
// SYSLINUX's MBR code starting the active partition, an ESP on a logical partition, and a blank
// partitioned image judged "unknown" with its partitions listed, never "no".
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BootReport } from '../../shared/boot.ts';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';
import { logicalEspPath, piCardPath, syslinuxCardPath, uBootCardPath, type UBootCardName } from './disk-boot-images.ts';

async function reportOf(path: string): Promise<BootReport> {
  return readBootReport(createMemorySource(new Uint8Array(readFileSync(path)), path));
}

function codesOf(report: BootReport): string[] {
  return report.verdict.reasons.map((reason) => reason.code);
}

describe('Raspberry Pi cards', () => {
  it('names the Pi 4 generation from start4.elf, fixup4.dat and the bcm2711 device tree of a Raspberry Pi OS-like card', async () => {
    const report = await reportOf(diskFixturePath('pi'));
    const pi = report.verdict.boards.raspberryPi;
    expect(pi).not.toBeNull();
    expect(pi?.partitionNumber).toBe(1);
    expect(pi?.generations.map((entry) => entry.generation)).toEqual(['bcm2711']);
    expect(pi?.generations[0]?.files).toEqual(expect.arrayContaining(['start4.elf', 'fixup4.dat', 'bcm2711-rpi-4-b.dtb', 'kernel8.img']));
    expect(pi?.generations[0]?.missing).toEqual([]);
    expect(pi?.boards).toEqual(['4-b']);
    expect(pi?.configFiles).toEqual(['config.txt', 'cmdline.txt']);
    // A Pi card is not a PC image: the USB answer stays "unknown", and the Pi reason replaces the bare partition list.
    expect(report.verdict.usb).toBe('unknown');
    expect(codesOf(report)).toContain('raspberry-pi');
    expect(codesOf(report)).not.toContain('disk-image-unknown');
    expect(report.verdict.reasons.find((reason) => reason.code === 'raspberry-pi')?.message).toMatch(/partition 1 .*bcm2711 from .*start4\.elf/);
  });

  it('names Pi 1, 2 and 3 (BCM2835/6/7) from bootcode.bin and start.elf, not the Pi 4 or 5', async () => {
    const pi = (await reportOf(piCardPath('legacy'))).verdict.boards.raspberryPi;
    expect(pi?.generations.map((entry) => entry.generation)).toEqual(['bcm2835', 'bcm2836', 'bcm2837']);
    const byGeneration = new Map(pi?.generations.map((entry) => [entry.generation, entry]));
    expect(byGeneration.get('bcm2835')?.files).toEqual(
      expect.arrayContaining(['bootcode.bin', 'start.elf', 'fixup.dat', 'kernel.img', 'bcm2708-rpi-b-plus.dtb']),
    );
    expect(byGeneration.get('bcm2837')?.files).toEqual(expect.arrayContaining(['bootcode.bin', 'kernel7.img', 'bcm2710-rpi-3-b.dtb']));
    expect(byGeneration.get('bcm2837')?.files).not.toContain('kernel.img');
    expect(pi?.generations.every((entry) => entry.missing.length === 0)).toBe(true);
    expect(pi?.boards).toEqual(['b-plus', '3-b']);
  });

  it('names the Pi 5 from kernel_2712.img and its bcm2712 device tree, which need no firmware files', async () => {
    const pi = (await reportOf(piCardPath('pi5'))).verdict.boards.raspberryPi;
    expect(pi?.generations).toEqual([{ generation: 'bcm2712', files: ['bcm2712-rpi-5-b.dtb', 'kernel_2712.img'], missing: [] }]);
    expect(pi?.boards).toEqual(['5-b']);
  });
});

describe('U-Boot loaders from Debian packages at their documented offsets', () => {
  const expected: Record<Exclude<UBootCardName, 'misplaced'>, { family: string; offsetBytes: number; board?: string | null }> = {
    allwinner: { family: 'allwinner', offsetBytes: 8192, board: 'sun50i-a64-pine64-plus' },
    rockchip: { family: 'rockchip', offsetBytes: 32768, board: 'RK32' },
    imx: { family: 'nxp-imx', offsetBytes: 1024, board: null },
    tiRaw: { family: 'ti-omap', offsetBytes: 131072, board: null },
    tiFat: { family: 'ti-omap', offsetBytes: 0, board: null },
  };
  for (const [name, want] of Object.entries(expected) as [Exclude<UBootCardName, 'misplaced'>, (typeof expected)['imx']][]) {
    it(`finds the ${name} loader and says it boots the board it was built for`, async () => {
      const report = await reportOf(uBootCardPath(name));
      const loader = report.verdict.boards.uBoot;
      expect(loader?.family).toBe(want.family);
      if (name !== 'tiFat') expect(loader?.offsetBytes).toBe(want.offsetBytes);
      expect(loader?.board).toBe(want.board);
      expect(loader?.version).toMatch(/^U-Boot (SPL |TPL )?2023\.01/);
      expect(codesOf(report)).toContain('u-boot');
      expect(report.verdict.usb).toBe('unknown');
      expect(report.verdict.boards.raspberryPi).toBeNull();
    });
  }

  it('finds the MLO file inside the active FAT partition, at its first cluster', async () => {
    const loader = (await reportOf(uBootCardPath('tiFat'))).verdict.boards.uBoot;
    expect(loader?.evidence).toMatch(/file MLO in the root of FAT partition 1, at byte \d+, with the CHSETTINGS/);
    expect(loader?.offsetBytes).toBeGreaterThan(2048 * 512);
  });

  it('calls a U-Boot SPL at an offset no boot ROM reads "unrecognised", naming where its banner is', async () => {
    const report = await reportOf(uBootCardPath('misplaced'));
    expect(report.verdict.boards.uBoot?.family).toBe('unknown');
    expect(report.verdict.boards.uBoot?.offsetBytes).toBeGreaterThan(64 * 1024);
    expect(codesOf(report)).toContain('u-boot-unrecognised');
  });

  it('reports the partitions and warns, instead of failing, when the MLO file in the FAT partition has a broken cluster chain', async () => {
    const bytes = new Uint8Array(readFileSync(uBootCardPath('tiFat')));
    // The MLO root directory entry (FAT spec 6: name "MLO" padded to 11 bytes); DIR_FstClusLO at byte 26 points past the volume.
    const entryOffset = Buffer.from(bytes).indexOf(Buffer.from('MLO        ', 'latin1'), 2048 * 512);
    expect(entryOffset).toBeGreaterThan(0);
    new DataView(bytes.buffer).setUint16(entryOffset + 26, 0xfff0, true);
    const report = await readBootReport(createMemorySource(bytes, 'damaged-mlo.img'));
    expect(report.partitions.map((partition) => [partition.number, partition.filesystem])).toEqual([[1, expect.stringMatching(/^fat/)]]);
    expect(report.verdict.boards.uBoot).toBeNull();
    const damaged = report.warnings.filter((warning) => warning.code === 'fat-partition-damaged').map((warning) => warning.message);
    expect(damaged).toEqual([
      expect.stringMatching(/^FAT partition 1 is damaged \(FAT cluster chain from cluster 65520 reaches cluster 65520.*\): a TI MLO file unknown$/),
    ]);
  });

  it('calls an Allwinner SPL whose bytes no longer match its eGON check sum damaged, not bootable', async () => {
    const bytes = new Uint8Array(readFileSync(uBootCardPath('allwinner')));
    bytes[8192 + 1024] = (bytes[8192 + 1024] ?? 0) ^ 0x01; // one bit of the SPL's code, inside the checked length
    const report = await readBootReport(createMemorySource(bytes, 'damaged-spl.img'));
    expect(report.verdict.boards.uBoot).toMatchObject({
      family: 'allwinner',
      offsetBytes: 8192,
      damaged: expect.stringMatching(/^the eGON check sum at byte 8204 is 0x[0-9a-f]+, but the \d+ bytes sum to 0x[0-9a-f]+$/),
    });
    expect(codesOf(report)).toContain('u-boot-damaged');
    expect(codesOf(report)).not.toContain('u-boot');
  });
});

describe('disk images for PCs and the rest', () => {
  it('calls a blank partitioned image "unknown", never "no", listing primaries and logicals with their file systems', async () => {
    const report = await reportOf(diskFixturePath('logical'));
    expect(report.verdict.usb).toBe('unknown');
    expect(report.verdict.boards).toEqual({ raspberryPi: null, uBoot: null });
    expect(report.partitions.map((partition) => [partition.number, partition.logical, partition.filesystem])).toEqual([
      [1, false, 'fat16'],
      [5, true, 'fat12'],
      [6, true, 'ext4'],
      [7, true, 'swap'],
    ]);
    const unknown = report.verdict.reasons.find((reason) => reason.code === 'disk-image-unknown')?.message;
    expect(unknown).toMatch(
      /MBR partition 1 \(.*, fat16\), MBR logical partition 5 \(.*, fat12\), MBR logical partition 6 \(.*, ext4\), MBR logical partition 7 \(.*, swap\)/,
    );
  });

  it('finds an EFI system partition that is a logical partition (EDK2 follows extended partitions)', async () => {
    const report = await reportOf(logicalEspPath());
    expect(report.espLoaders).toEqual([{ via: 'mbr', partitionIndex: 5, loaders: ['BOOTX64.EFI'] }]);
    expect(report.verdict).toMatchObject({ usb: 'yes', usbUefi: { x64: true, ia32: false, aa64: false } });
  });

  it('follows SYSLINUX mbr.bin to the active partition and its SYSLINUX boot sector', async () => {
    const report = await reportOf(syslinuxCardPath({ active: true }));
    expect(report.mbr?.bootCodeKind).toBe('syslinux');
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'syslinux', activePartition: 1, activeHasBootSector: true });
    expect(report.verdict.usbBios).toBe(true);
    expect(codesOf(report)).toContain('bios-active-partition');
  });

  it('follows SYSLINUX gptmbr.bin to the GPT partition marked legacy BIOS bootable', async () => {
    const report = await reportOf(syslinuxCardPath({ active: true, table: 'gpt' }));
    expect(report.mbr?.bootCodeKind).toBe('syslinux-gpt');
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'syslinux-gpt', activePartition: 1, activeHasBootSector: true });
    expect(report.verdict.usbBios).toBe(true);
    const unmarked = await reportOf(syslinuxCardPath({ active: false, table: 'gpt' }));
    expect(unmarked.verdict.biosChain).toMatchObject({ bootCode: 'syslinux-gpt', activePartition: null });
    expect(unmarked.verdict.usbBios).toBe(false);
  });

  it('says "unknown", not "no boot sector", when the active partition lies past the end of a truncated image', async () => {
    // The card cut at 1 MiB: its only partition starts at sector 2048, exactly where the file now ends.
    const bytes = new Uint8Array(readFileSync(syslinuxCardPath({ active: true }))).slice(0, 2048 * 512);
    const report = await readBootReport(createMemorySource(bytes, 'truncated-syslinux.img'));
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'syslinux', activePartition: 1, activeHasBootSector: null });
    expect(report.verdict.usb).toBe('unknown');
    expect(codesOf(report)).toContain('bios-chain-past-end');
    expect(codesOf(report)).not.toContain('bios-no-active-partition');
    expect(report.verdict.reasons.find((reason) => reason.code === 'bios-chain-past-end')?.message).toMatch(
      /active partition 1, but that sector lies past the image's end/,
    );
  });

  it('says "unknown", not "GRUB core missing", when GRUB boot.img loads a sector past the image end', async () => {
    const bytes = new Uint8Array(4 * 1024 * 1024);
    // grub-install's boot.img (code bytes 0-439), one Linux partition at sector 2048, and the MBR signature.
    bytes.set(readFileSync('/usr/lib/grub/i386-pc/boot.img').subarray(0, 440), 0);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0x5c, 100_000n, true); // GRUB_BOOT_MACHINE_KERNEL_SECTOR: sector 100000, at 48.8 MiB, past this 4 MiB image
    bytes[446 + 4] = 0x83;
    view.setUint32(446 + 8, 2048, true);
    view.setUint32(446 + 12, 4096, true);
    bytes.set([0x55, 0xaa], 510);
    const report = await readBootReport(createMemorySource(bytes, 'grub-core-past-end.img'));
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'grub2', grubCoreSector: 100000, grubCoreFound: null });
    expect(codesOf(report)).toContain('bios-chain-past-end');
    expect(codesOf(report)).not.toContain('bios-grub-core-missing');
    expect(report.verdict.usb).toBe('unknown');
  });

  it('follows SYSLINUX mbr.bin on a hybrid MBR to the MBR slot marked active, though the map is the GPT', async () => {
    const bytes = new Uint8Array(readFileSync(syslinuxCardPath({ active: false, table: 'gpt' })));
    // gdisk's hybrid MBR: mbr.bin's code, the 0xEE slot kept, slot 2 naming the same FAT16 volume with status 0x80.
    bytes.set(readFileSync('/usr/lib/syslinux/mbr/mbr.bin').subarray(0, 440), 0);
    const slot2 = 446 + 16;
    bytes.set([0x80, 0, 0, 0, 0x0e, 0, 0, 0], slot2);
    new DataView(bytes.buffer).setUint32(slot2 + 8, 2048, true);
    new DataView(bytes.buffer).setUint32(slot2 + 12, 32768, true);
    const report = await readBootReport(createMemorySource(bytes, 'hybrid-mbr.img'));
    expect(report.partitions.every((partition) => partition.scheme === 'gpt')).toBe(true);
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'syslinux', activePartition: 2, activeHasBootSector: true });
    expect(report.verdict.usbBios).toBe(true);
    expect(codesOf(report)).toContain('bios-active-partition');
  });

  it('says BIOS may stop when SYSLINUX mbr.bin finds no active partition, and the USB answer stays "unknown"', async () => {
    const report = await reportOf(syslinuxCardPath({ active: false }));
    expect(report.verdict.biosChain).toMatchObject({ bootCode: 'syslinux', activePartition: null, activeHasBootSector: null });
    expect(report.verdict.usbBios).toBe(false);
    expect(report.verdict.usb).toBe('unknown');
    expect(codesOf(report)).toContain('bios-no-active-partition');
  });
});
