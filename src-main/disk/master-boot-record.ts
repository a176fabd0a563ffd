// The master boot record in sector 0 of the system area (UEFI 2.10 5.2.1, legacy MBR): boot code,
// the four primary partition entries at byte 446 and the 0x55 0xAA signature at byte 510.
import type { MbrBootCodeKind, MbrPartition, MbrReport } from '../../shared/boot.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { FieldReader, readRegion } from '../format/fields.ts';

export const diskSectorBytes = 512;
export const partitionTableOffset = 446;
export const partitionEntryBytes = 16;
const partitionSlots = 4;
/** UEFI 2.10 table 5-1: the boot code is bytes 0-439 (440-443 hold the disk signature). */
const bootCodeBytes = 440;
/** UEFI 2.10 table 5-1: UniqueMBRDiskSignature, 4 bytes. */
export const diskSignatureOffset = 440;
/** UEFI 2.10 table 5-2: the fields of a partition record, by offset in it. */
export const mbrEntryOffsets = { bootIndicator: 0, startingChs: 1, osType: 4, endingChs: 5, startingLba: 8, sizeInLba: 12 } as const;

/** Parses sector 0; null when it has no 0x55 0xAA signature or its status bytes say it is not an MBR. */
export function parseMasterBootRecord(sector: Uint8Array, options: { imageSizeBytes: number }): MbrReport | null {
  const fields = new FieldReader(sector, { offsetBytes: 0, sectorBytes: diskSectorBytes });
  // UEFI 2.10 table 5-1: signature 0xAA55 at byte 510.
  if (fields.uint8(510, 'MBR signature') !== 0x55 || fields.uint8(511, 'MBR signature') !== 0xaa) return null;

  const partitions: MbrPartition[] = [];
  for (let slot = 0; slot < partitionSlots; slot += 1) {
    const at = partitionTableOffset + slot * partitionEntryBytes;
    const status = fields.uint8(at + mbrEntryOffsets.bootIndicator, 'partition status');
    // UEFI 2.10 table 5-2: BootIndicator is 0x80 or 0x00; anything else means sector 0 is not an
    // MBR (a FAT boot sector or a DOS floppy has code or data here). Leniency: such a sector is
    // reported as "no MBR" rather than as corrupt, because it may be a valid something-else.
    if (status !== 0x80 && status !== 0x00) return null;
    const type = fields.uint8(at + mbrEntryOffsets.osType, 'partition type');
    const startLba = fields.uint32Le(at + mbrEntryOffsets.startingLba, 'partition starting LBA');
    const sectorCount = fields.uint32Le(at + mbrEntryOffsets.sizeInLba, 'partition size in sectors');
    if (type === 0 && sectorCount === 0) continue; // an empty slot
    partitions.push({
      index: slot + 1,
      type,
      bootable: status === 0x80,
      startLba,
      sectorCount,
      withinImage: (startLba + sectorCount) * diskSectorBytes <= options.imageSizeBytes,
    });
  }
  const bootCode = fields.slice(0, bootCodeBytes, 'MBR boot code');
  const hasBootCode = bootCode.some((byte) => byte !== 0);
  return { hasBootCode, bootCodeKind: hasBootCode ? classifyBootCode(bootCode) : 'none', partitions };
}

export async function readMasterBootRecord(source: ByteSource): Promise<MbrReport | null> {
  if (source.sizeBytes < diskSectorBytes) return null;
  const sector = await readRegion(source, { offsetBytes: 0, sectorBytes: diskSectorBytes }, diskSectorBytes, 'master boot record');
  return parseMasterBootRecord(sector, { imageSizeBytes: source.sizeBytes });
}

/** True when the MBR says "the disk is GPT" (UEFI 2.10 5.2.3: a protective partition of type 0xEE). */
export function hasProtectivePartition(mbr: MbrReport): boolean {
  return mbr.partitions.some((partition) => partition.type === 0xee);
}

/**
 * Known boot code by its messages: SYSLINUX's isohdpfx/isohdppx (isohybrid), GRUB 2's boot.img
 * (boot_hybrid.img), SYSLINUX's gptmbr.bin and mbr.bin, and the MS-DOS/Windows MBR (whose messages
 * every version since DOS 3.3 prints). altmbr.bin and others start a partition Isotope cannot tell: 'unknown'.
 */
export function classifyBootCode(code: Uint8Array): MbrBootCodeKind {
  const text = String.fromCharCode(...code);
  if (text.includes('isolinux.bin missing or corrupt')) return 'isohybrid';
  if (text.includes('GRUB \0Geom\0Hard Disk') || text.includes('GRUB \0')) return 'grub2';
  if (text.includes('Missing OS') && text.includes('!GPT')) return 'syslinux-gpt';
  if (text.includes('Multiple active partitions.') && text.includes('Operating system load error.')) return 'syslinux';
  if (text.includes('Invalid partition table') && (text.includes('Error loading operating system') || text.includes('Missing operating system')))
    return 'windows';
  return 'unknown';
}
