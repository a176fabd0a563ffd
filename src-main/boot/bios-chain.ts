// What BIOS does after running a disk image's MBR code, as far as the bytes show. GRUB 2's boot.img
// loads one sector, core.img's first (diskboot.img), from the LBA at its offset 0x5c (grub-core/boot/
// i386/pc/boot.S, GRUB_BOOT_MACHINE_KERNEL_SECTOR); grub-install puts core.img in the gap after the
// MBR, or on GPT in the BIOS boot partition (type 21686148-6449-6E6F-744E-656564454649). The MS-DOS/
// Windows code and SYSLINUX's mbr.bin start the active partition's boot sector (status 0x80);
// SYSLINUX's gptmbr.bin the GPT partition with attribute bit 2 (legacy BIOS bootable, UEFI 2.10 5.3.3).
import type { BiosBootChain, MbrReport } from '../../shared/boot.ts';
import { diskSectorBytes } from '../disk/master-boot-record.ts';
import type { PartitionMap } from '../disk/partition-map.ts';
import { readRegion } from '../format/fields.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** grub-core/boot/i386/pc/boot.S: the 64-bit LBA of core.img's first sector. */
const grubKernelSectorOffset = 0x5c;
/** The GPT partition type grub-install writes core.img into on a GPT disk. */
const biosBootPartitionType = '21686148-6449-6E6F-744E-656564454649';
/** grub-core/boot/i386/pc/diskboot.S prints these; together they mark core.img's first sector. */
const diskbootStrings = ['loading', 'Geom', 'Read', ' Error'];

/** Null when the MBR has no boot code (nothing for BIOS to run). */
export async function readBiosChain(source: ByteSource, mbr: MbrReport, map: PartitionMap, budget: WorkBudget): Promise<BiosBootChain | null> {
  if (!mbr.hasBootCode) return null;
  if (mbr.bootCodeKind === 'grub2') return readGrubChain(source, map, budget);
  const active = findActivePartition(mbr, map);
  // An active partition past the image's end (a truncated download) has a boot sector nobody can read here: null, unknown.
  const activeHasBootSector = active ? await hasBootSector(source, active.offsetBytes, budget) : null;
  return {
    bootCode: mbr.bootCodeKind,
    grubCoreSector: null,
    grubCoreLocation: null,
    grubCoreFound: null,
    activePartition: active?.number ?? null,
    activeHasBootSector,
  };
}

/** True when the boot code is of a kind that starts the active partition (or the GPT legacy-bootable one). */
export function startsActivePartition(chain: BiosBootChain): boolean {
  return chain.bootCode === 'windows' || chain.bootCode === 'syslinux' || chain.bootCode === 'syslinux-gpt';
}

async function readGrubChain(source: ByteSource, map: PartitionMap, budget: WorkBudget): Promise<BiosBootChain> {
  budget.spend(2 * diskSectorBytes, 'the GRUB boot.img and its core sector');
  const sector0 = await readRegion(source, { offsetBytes: 0, sectorBytes: diskSectorBytes }, diskSectorBytes, 'master boot record');
  const view = new DataView(sector0.buffer, sector0.byteOffset, sector0.byteLength);
  const coreSector = Number(view.getBigUint64(grubKernelSectorOffset, true));
  const coreOffsetBytes = coreSector * diskSectorBytes;
  // A core sector past the image's end cannot be judged: null (truncated image?), never "not there".
  let grubCoreFound: boolean | null = null;
  if (Number.isSafeInteger(coreOffsetBytes) && coreOffsetBytes + diskSectorBytes <= source.sizeBytes) {
    const sector = await readRegion(source, { offsetBytes: coreOffsetBytes, sectorBytes: diskSectorBytes }, diskSectorBytes, 'GRUB core.img');
    const text = Buffer.from(sector.buffer, sector.byteOffset, sector.byteLength).toString('latin1');
    grubCoreFound = diskbootStrings.every((marker) => text.includes(marker));
  }
  return {
    bootCode: 'grub2',
    grubCoreSector: coreSector,
    grubCoreLocation: locateSector(coreOffsetBytes, map),
    grubCoreFound,
    activePartition: null,
    activeHasBootSector: null,
  };
}

function locateSector(offsetBytes: number, map: PartitionMap): BiosBootChain['grubCoreLocation'] {
  const holder = map.partitions.find((partition) => offsetBytes >= partition.offsetBytes && offsetBytes < partition.offsetBytes + partition.sizeBytes);
  if (holder) return holder.typeCode.toUpperCase() === biosBootPartitionType ? 'bios-boot-partition' : 'elsewhere';
  const firstStartBytes = Math.min(...map.partitions.map((partition) => partition.offsetBytes));
  return offsetBytes >= diskSectorBytes && offsetBytes < firstStartBytes ? 'post-mbr-gap' : 'elsewhere';
}

/**
 * The partition such code starts. gptmbr.bin reads the GPT: the entry with attribute bit 2. The MS-DOS
 * and SYSLINUX mbr.bin codes read only the MBR's own four slots, whatever the map is: on a hybrid MBR
 * (a 0xEE slot beside real ones) the map is the GPT, yet the code starts the MBR slot with status 0x80.
 * Its number is then the MBR slot (1-4), which is what that code sees.
 */
function findActivePartition(mbr: MbrReport, map: PartitionMap): { number: number; offsetBytes: number } | null {
  if (mbr.bootCodeKind === 'syslinux-gpt') {
    return map.partitions.find((partition) => partition.scheme === 'gpt' && partition.bootable) ?? null;
  }
  const slot = mbr.partitions.find((partition) => partition.bootable && partition.type !== protectiveType && partition.sectorCount > 0);
  return slot ? { number: slot.index, offsetBytes: slot.startLba * diskSectorBytes } : null;
}

/** The GPT protective MBR type (UEFI 2.10 5.2.3): not a partition any MBR code starts. */
const protectiveType = 0xee;

/**
 * A volume boot record: the 55 AA signature and code in the first bytes (a FAT boot sector's jump, a GRUB
 * or SYSLINUX VBR), not mkfs.fat's placeholder. Null when that sector lies past the image's end.
 */
async function hasBootSector(source: ByteSource, offsetBytes: number, budget: WorkBudget): Promise<boolean | null> {
  if (offsetBytes + diskSectorBytes > source.sizeBytes) return null;
  budget.spend(diskSectorBytes, `the boot sector of the active partition at byte ${offsetBytes}`);
  const sector = await readRegion(source, { offsetBytes, sectorBytes: diskSectorBytes }, diskSectorBytes, 'partition boot sector');
  if (sector[510] !== 0x55 || sector[511] !== 0xaa || sector.subarray(0, 3).every((byte) => byte === 0)) return false;
  // mkfs.fat's boot code only prints this and waits for a key: a placeholder, not a loader.
  return !Buffer.from(sector.buffer, sector.byteOffset, sector.byteLength).toString('latin1').includes(mkfsFatPlaceholder);
}

/** dosfstools mkfs.fat.c, dummy_boot_code's message. */
const mkfsFatPlaceholder = 'This is not a bootable disk';
