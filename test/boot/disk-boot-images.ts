// Disk images for the boot verdict of issue 16, built with the tools that make real ones: sfdisk lays
// out the table, mkfs.fat + mcopy fill the FAT partitions (test/fixtures/disk-images.ts), and the
// REAL U-Boot loaders of Debian's u-boot-* packages (/usr/lib/u-boot/BOARD/) are written at the
// offsets their READMEs give (/usr/share/doc/u-boot-*/README*): Allwinner sunxi-spl.bin at 8 KiB,
// Rockchip idbloader.img at sector 64, i.MX SPL at 1 KiB, TI MLO at sector 256 or as a FAT file.
// SYSLINUX's mbr.bin and an installed SYSLINUX volume boot record give the active-partition chain.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixture, runTool } from '../fixtures/fixture-cache.ts';
import { espTree, volumes, writeDiskImage, type DiskPartitionRecipe, type SourceTree } from '../fixtures/disk-images.ts';
import { seededBytes } from '../fixtures/iso-images.ts';

export const uBootDir = '/usr/lib/u-boot';

/** A boot partition's root files with stand-in content (the verdict reads names, not firmware bytes). */
function bootFiles(names: readonly string[]): SourceTree {
  return { files: new Map(names.map((name) => [`/${name}`, { bytes: seededBytes(`pi ${name}`, 2048 + name.length) }])), folders: [] };
}

/** A Pi SD card: FAT32 first partition (type 0x0c) with `names` in its root, then an empty Linux partition. */
function piCard(label: string, names: readonly string[]): DiskPartitionRecipe[] {
  return [
    { sizeMiB: 36, type: 'c', volume: volumes.fat({ bits: 32, label, volumeId: '1234ABCD', tree: bootFiles(names) }) },
    { sizeMiB: 2, type: '83' },
  ];
}

/** Raspberry Pi OS's names for the Pi 1-3 firmware and kernels, no Pi 4 or 5 files. */
export const piLegacyFiles = [
  'bootcode.bin',
  'start.elf',
  'fixup.dat',
  'start_x.elf',
  'fixup_x.dat',
  'kernel.img',
  'kernel7.img',
  'bcm2708-rpi-b-plus.dtb',
  'bcm2710-rpi-3-b.dtb',
  'config.txt',
];
/** A Pi 5 boot partition: no firmware files at all, its kernel and device tree (Raspberry Pi OS bookworm). */
export const pi5Files = ['kernel_2712.img', 'bcm2712-rpi-5-b.dtb', 'config.txt', 'cmdline.txt'];

interface RawLoader {
  /** A file under /usr/lib/u-boot. */
  readonly file: string;
  readonly offsetBytes: number;
}

/**
 * An SD card whose FAT16 partition starts at `firstSector`, with U-Boot's files written raw before it
 * (as `dd conv=notrunc seek=...` of the READMEs does) and `fatFiles` copied into the partition.
 */
function writeUBootCard(outputPath: string, workDir: string, card: UBootCard): void {
  const sizeMiB = card.firstSector / 2048 + 20;
  runTool('truncate', ['-s', `${sizeMiB}M`, outputPath]);
  execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', outputPath], {
    input: `label: dos\nlabel-id: 0x5eed0b00\nstart=${card.firstSector}, size=16MiB, type=e, bootable\n`,
  });
  const fatPath = join(workDir, 'fat.img');
  runTool('mkfs.fat', ['-C', '-F', '16', '-n', 'BOOT', '-i', '0B00B00B', fatPath, String(16 * 1024)]);
  for (const file of card.fatFiles ?? []) {
    execFileSync('mcopy', ['-i', fatPath, join(uBootDir, file.file), `::/${file.name}`], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  }
  const disk = openSync(outputPath, 'r+');
  try {
    const fat = readFileSync(fatPath);
    writeSync(disk, fat, 0, fat.byteLength, card.firstSector * 512);
    for (const loader of card.raw ?? []) {
      const bytes = readFileSync(join(uBootDir, loader.file));
      writeSync(disk, bytes, 0, bytes.byteLength, loader.offsetBytes);
    }
  } finally {
    closeSync(disk);
  }
}

interface UBootCard {
  readonly firstSector: number;
  readonly raw?: readonly RawLoader[];
  readonly fatFiles?: readonly { readonly file: string; readonly name: string }[];
}

const uBootCards = {
  // README.sunxi64: dd if=spl/sunxi-spl.bin bs=8k seek=1; dd if=u-boot.itb bs=8k seek=5.
  allwinner: {
    firstSector: 2048,
    raw: [
      { file: 'pine64_plus/sunxi-spl.bin', offsetBytes: 8 * 1024 },
      { file: 'pine64_plus/u-boot-sunxi-with-spl.fit.itb', offsetBytes: 40 * 1024 },
    ],
  },
  // u-boot-rockchip README.Debian: idbloader.img at seek=64, u-boot.img at seek=16384 (so the partition starts at 16 MiB).
  rockchip: {
    firstSector: 32768,
    raw: [
      { file: 'rock64-rk3328/idbloader.img', offsetBytes: 64 * 512 },
      { file: 'rock64-rk3328/u-boot.img', offsetBytes: 16384 * 512 },
    ],
  },
  // u-boot-imx README.Debian (wandboard): SPL at bs=1k seek=1, u-boot.img at bs=1k seek=69.
  imx: {
    firstSector: 2048,
    raw: [
      { file: 'wandboard/SPL', offsetBytes: 1024 },
      { file: 'wandboard/u-boot.img', offsetBytes: 69 * 1024 },
    ],
  },
  // u-boot-omap README.Debian: MLO at seek=256, u-boot.img at seek=768, first partition at 4 MiB.
  tiRaw: {
    firstSector: 8192,
    raw: [
      { file: 'am335x_boneblack/MLO', offsetBytes: 256 * 512 },
      { file: 'am335x_boneblack/u-boot.img', offsetBytes: 768 * 512 },
    ],
  },
  // The BeagleBone's other way: MLO and u-boot.img as files of the active FAT partition (AM335x TRM 26.1.8.5.5).
  tiFat: {
    firstSector: 2048,
    fatFiles: [
      { file: 'am335x_boneblack/MLO', name: 'MLO' },
      { file: 'am335x_boneblack/u-boot.img', name: 'u-boot.img' },
    ],
  },
  // The same i.MX SPL at 64 KiB, where no boot ROM looks: only its "U-Boot SPL" banner says what it is.
  misplaced: { firstSector: 2048, raw: [{ file: 'wandboard/SPL', offsetBytes: 64 * 1024 }] },
} as const satisfies Record<string, UBootCard>;

export type UBootCardName = keyof typeof uBootCards;

export function uBootCardPath(name: UBootCardName): string {
  const card: UBootCard = uBootCards[name];
  const recipe = `u-boot card v1 ${name}: start ${card.firstSector}; ${JSON.stringify(card)}; ${(card.raw ?? []).map((loader) => readFileSync(join(uBootDir, loader.file)).byteLength).join(',')}`;
  return ensureFixture({ name: `u-boot-${name}.img`, recipe, build: (outputPath, workDir) => writeUBootCard(outputPath, workDir, card) });
}

const piCards = {
  legacy: piCard('PILEGACY', piLegacyFiles),
  pi5: piCard('PIFIVE', pi5Files),
} as const;

export function piCardPath(name: keyof typeof piCards): string {
  const partitions = piCards[name];
  const recipe = `pi card v1 ${name}: ${partitions.map((partition) => partition.volume?.recipe ?? partition.type).join(' | ')}`;
  return ensureFixture({ name: `pi-${name}.img`, recipe, build: (outputPath, workDir) => writeDiskImage(outputPath, workDir, 'dos', partitions) });
}

/** A dos table whose ESP is logical partition 5 (type 0xef inside an extended partition); no boot code. */
export function logicalEspPath(): string {
  const partitions: DiskPartitionRecipe[] = [
    { sizeMiB: 2, type: '83' },
    { sizeMiB: 0, type: '5' },
    { sizeMiB: 16, type: 'ef', volume: volumes.fat({ bits: 16, label: 'ESP', volumeId: 'E5E5E5E5', tree: espTree }) },
  ];
  const recipe = `logical esp v1: ${partitions.map((partition) => partition.volume?.recipe ?? partition.type).join(' | ')}`;
  return ensureFixture({ name: 'logical-esp.img', recipe, build: (outputPath, workDir) => writeDiskImage(outputPath, workDir, 'dos', partitions) });
}

/** What SYSLINUX prints on the serial console once BIOS has reached it through mbr.bin and the boot sector (its copyright line). */
export const syslinuxBanner = 'H. Peter Anvin et al';
/** syslinux.cfg: the serial console, then a prompt that waits (QEMU is killed at the banner). */
const syslinuxConfig = 'SERIAL 0 115200\nPROMPT 1\nTIMEOUT 0\n';

/**
 * SYSLINUX's mbr.bin in sector 0 and `syslinux --install` on the FAT16 partition (its volume boot
 * record loads ldlinux.sys); `active` sets the partition's 0x80 status.
 */
export function syslinuxCardPath(options: { active: boolean; table?: 'dos' | 'gpt' }): string {
  const table = options.table ?? 'dos';
  // SYSLINUX's README: mbr.bin for a dos table (starts the 0x80 partition), gptmbr.bin for GPT (the LegacyBIOSBootable one).
  const mbrCode = `/usr/lib/syslinux/mbr/${table === 'dos' ? 'mbr.bin' : 'gptmbr.bin'}`;
  const recipe = `syslinux card v5 ${table} active=${options.active}: sfdisk, mkfs.fat -F 16, syslinux --install, syslinux.cfg (${syslinuxConfig}), ${mbrCode} ${readFileSync(mbrCode).byteLength}`;
  const layout =
    table === 'dos'
      ? `label: dos\nlabel-id: 0x5eed5151\nstart=2048, size=16MiB, type=e${options.active ? ', bootable' : ''}\n`
      : `label: gpt\nlabel-id: 5EED5151-0000-4000-8000-00000000B105\nstart=2048, size=16MiB, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7${options.active ? ', attrs="LegacyBIOSBootable"' : ''}\n`;
  return ensureFixture({
    name: `syslinux-${table}-${options.active ? 'active' : 'inactive'}.img`,
    recipe,
    build(outputPath, workDir) {
      runTool('truncate', ['-s', '20M', outputPath]);
      execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', outputPath], { input: layout });
      const fatPath = join(workDir, 'fat.img');
      // -h: BPB_HiddSec, the partition's start, which SYSLINUX's boot sector adds to find its own sectors.
      runTool('mkfs.fat', ['-C', '-F', '16', '-h', '2048', '-n', 'SYSLINUX', '-i', '5151AAAA', fatPath, String(16 * 1024)]);
      runTool('syslinux', ['--install', fatPath]);
      const configPath = join(workDir, 'syslinux.cfg');
      writeFileSync(configPath, syslinuxConfig);
      execFileSync('mcopy', ['-i', fatPath, configPath, '::/syslinux.cfg'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
      const disk = openSync(outputPath, 'r+');
      try {
        const fat = readFileSync(fatPath);
        writeSync(disk, fat, 0, fat.byteLength, 2048 * 512);
        // syslinux's README: dd bs=440 count=1 conv=notrunc if=mbr.bin of=DEVICE (bytes 0-439 only, the table stays).
        writeSync(disk, readFileSync(mbrCode).subarray(0, 440), 0, 440, 0);
      } finally {
        closeSync(disk);
      }
    },
  });
}
