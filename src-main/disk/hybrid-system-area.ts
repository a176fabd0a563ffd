// The system area (ISO 9660 sectors 0-15, 32 KiB) of a hybrid image, so the same file boots from a
// stick: what xorriso (libisofs) writes for `-isohybrid-mbr isohdpfx.bin ... -isohybrid-gpt-basdat`,
// read off images it made (`xorriso -report_system_area plain`, sfdisk -d, the raw bytes):
// - sector 0: the MBR boot code, patched with the El Torito BIOS image's address; partition 1 (active)
//   covers the whole image from LBA 0, type 0x17 (0x00 when an EFI partition or a GPT is there);
//   partition 2 is the EFI image, type 0xEF, its CHS fields FE FF FF as libisofs writes them;
// - with a GPT: the header at LBA 1, 248 entries filling LBAs 2-63 (the rest of the system area),
//   "ISOHybrid" (basic data, the image up to the GPT backup) and "ISOHybrid1" (basic data, the EFI
//   image), both with attributes 0x1000000000000001; the backup entries and header in the last 16
//   ISO sectors, which the composer reserves (hybridTailSectors) inside the volume.
// - with an Apple Partition Map (-isohybrid-apm-hfsplus, for Intel Macs): block 0 starts "ER" with
//   2048-byte blocks (over the boot code's first bytes, which isohdpfx.bin and boot_hybrid.img leave
//   free for it), block 1 describes the map, block 2 the EFI image (Apple_HFS, as libisofs marks it);
//   the GPT's entries then start after the map's blocks (LBA 12, 208 entries), its tail shrinks to 14.
// The CHS geometry is libisofs': 32 sectors a head, at least 64 heads, more (up to 255) so that the
// image fits 1024 cylinders; the composer pads the image to whole cylinders (hybridAlignedSectorCount),
// which xorriso reports as "cyl-align-on". Beyond xorriso: an EFI image gets its 0xEF MBR partition
// without a GPT too (xorriso gives it one only with -isohybrid-gpt-basdat), so UEFI firmware that reads
// only the MBR finds it on a stick.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib'; // CRC-32 of IEEE 802.3, the one UEFI 2.10 5.3.2 specifies for GPT
import { sectorBytes } from '../format/fields.ts';
import { CodedError } from '../jobs/errors.ts';
import { gptHeaderLba } from './guid-partition-table.ts';
import { basicDataPartitionGuid } from './guid.ts';
import { classifyBootCode, diskSectorBytes } from './master-boot-record.ts';
import { gptEntryArrayOf, gptHeader, mbrSector, version4Guid, type GptEntryWrite, type MbrRecord } from './partition-table-writer.ts';

export interface HybridSystemAreaInput {
  /** The whole image in 2048-byte sectors (including the tail below). */
  readonly imageSectorCount: number;
  /** First 432 bytes used (isohdpfx.bin, or GRUB's boot_hybrid.img); patched with the BIOS boot image LBA as isohybrid/xorriso do. */
  readonly mbrBootCode: Uint8Array | null;
  /** LBA of the El Torito BIOS image (isolinux.bin / eltorito.img) for the patch. */
  readonly biosBootImageLba: number | null;
  /** 2048-byte sectors. */
  readonly efiImage: { readonly lba: number; readonly sectorCount: number } | null;
  readonly gpt: boolean;
  readonly apm: boolean;
  /** GPT disk/partition GUIDs derived from it (stable). */
  readonly identitySeed: string;
  /** MBR 0x1B8, derived from the seed by the caller. */
  readonly diskSignature: number;
}

const diskSectorsPerIsoSector = sectorBytes / diskSectorBytes;
const systemAreaBytes = 16 * sectorBytes;
/** isohybrid and libisofs use the boot code's first 432 bytes; 432-439 take the boot image's address. */
const mbrBootCodeBytes = 432;
const gptEntryBytes = 128;
/** Apple Partition Map blocks (2048 bytes, as libisofs writes them beside a GPT): block 0 ("ER"), the map's entry, the EFI image's entry. */
const apmBlockBytes = 2048;
const apmMapEntries = 2;
const apmBlocks = 1 + apmMapEntries;
/** UEFI 2.10 table 5-7: bit 0 "required partition"; bit 60, as xorriso sets it: read-only. */
const isoHybridAttributes = 0x1000000000000001n;
/** libisofs' CHS geometry of an isohybrid image. */
const sectorsPerHead = 32;
const minimumHeads = 64;
const maximumHeads = 255;
const maximumCylinders = 1024;
/** MBR partition types: 0x17 (hidden NTFS/IFS) as isohybrid writes it alone; 0x00 beside an EFI partition or GPT; 0xEF EFI System. */
const isoPartitionType = 0x17;
const isoPartitionTypeBesideEfi = 0x00;
const efiPartitionType = 0xef;
/** What libisofs writes as the EFI partition's CHS addresses: the "beyond CHS" marker. */
const beyondChs = [0xfe, 0xff, 0xff] as const;

/**
 * libisofs: the GPT entry array fills the system area after the header (LBAs 2-63, 248 entries), or
 * after the Apple Partition Map's blocks (LBAs 12-63, 208 entries); its backup and the backup header
 * end the image, in whole ISO sectors.
 */
function gptLayout(apm: boolean): { entriesLba: number; entryArraySectors: number; entryCount: number; tailSectors: number } {
  const entriesLba = apm ? (apmBlocks * apmBlockBytes) / diskSectorBytes : gptHeaderLba + 1;
  const entryArraySectors = systemAreaBytes / diskSectorBytes - entriesLba;
  const tailSectors = Math.ceil((entryArraySectors + 1) / diskSectorsPerIsoSector);
  return { entriesLba, entryArraySectors, entryCount: (entryArraySectors * diskSectorBytes) / gptEntryBytes, tailSectors };
}

/** Trailing 2048-byte sectors the composer must reserve at the image's end for the GPT backup (0 without GPT; 16, or 14 beside an APM). */
export function hybridTailSectors(gpt: boolean, apm = false): number {
  return gpt ? gptLayout(apm).tailSectors : 0;
}

/** Heads per cylinder for an image of `diskSectors` 512-byte sectors (libisofs: 32 sectors a head, the fewest heads >= 64 that keep it within 1024 cylinders). */
function headsFor(diskSectors: number): number {
  const heads = Math.ceil(diskSectors / (maximumCylinders * sectorsPerHead));
  return Math.min(maximumHeads, Math.max(minimumHeads, heads));
}

/** The image's sector count padded to whole cylinders, as xorriso pads an isohybrid image ("cyl-align-on"); the tail is part of the count. */
export function hybridAlignedSectorCount(imageSectorCount: number): number {
  const cylinderIsoSectors = (headsFor(imageSectorCount * diskSectorsPerIsoSector) * sectorsPerHead) / diskSectorsPerIsoSector;
  return Math.ceil(imageSectorCount / cylinderIsoSectors) * cylinderIsoSectors;
}

/** libisofs iso_compute_cyl_head_sec: head, sector with the cylinder's high bits, cylinder's low byte; past cylinder 1023 the last address. */
function chsOf(lba: number, heads: number): number[] {
  const cylinder = Math.floor(lba / (heads * sectorsPerHead));
  if (cylinder >= maximumCylinders) return [heads - 1, sectorsPerHead | 0xc0, 0xff];
  const head = Math.floor((lba % (heads * sectorsPerHead)) / sectorsPerHead);
  const sector = (lba % sectorsPerHead) + 1;
  return [head, sector | ((cylinder >> 8) << 6), cylinder & 0xff];
}

/** The 32 KiB system area (sectors 0-15) and the GPT backup bytes for the reserved tail. */
export function buildHybridSystemArea(input: HybridSystemAreaInput): { systemArea: Uint8Array; tail: Uint8Array | null } {
  checkInput(input);
  const diskSectors = input.imageSectorCount * diskSectorsPerIsoSector;
  const systemArea = new Uint8Array(systemAreaBytes);
  systemArea.set(masterBootRecord(input, diskSectors), 0);
  if (input.apm) writeApplePartitionMap(systemArea, input);
  if (!input.gpt) return { systemArea, tail: null };
  const gpt = hybridGpt(input, diskSectors);
  systemArea.set(gpt.header, gptHeaderLba * diskSectorBytes);
  systemArea.set(gpt.entries, gpt.entriesLba * diskSectorBytes);
  return { systemArea, tail: gpt.tail };
}

function checkInput(input: HybridSystemAreaInput): void {
  if (input.apm && !input.efiImage) {
    throw new CodedError('invalid-request', 'an Apple Partition Map (as xorriso -isohybrid-apm-hfsplus) describes the EFI boot image; the image has none');
  }
  const minimumSectors = 16 + hybridTailSectors(input.gpt, input.apm) + 1;
  if (
    !Number.isSafeInteger(input.imageSectorCount) ||
    input.imageSectorCount < minimumSectors ||
    input.imageSectorCount * diskSectorsPerIsoSector > 0xffffffff
  ) {
    throw new RangeError(
      `a hybrid image of ${input.imageSectorCount} sectors is outside ${minimumSectors}-${0xffffffff / diskSectorsPerIsoSector} sectors (MBR LBAs are 32-bit)`,
    );
  }
  if (input.mbrBootCode && input.mbrBootCode.byteLength < mbrBootCodeBytes) {
    throw new CodedError(
      'invalid-request',
      `MBR boot code of ${input.mbrBootCode.byteLength} bytes is shorter than the ${mbrBootCodeBytes} bytes of an isohybrid MBR`,
    );
  }
  if (input.mbrBootCode && input.biosBootImageLba === null) {
    throw new CodedError('invalid-request', 'MBR boot code needs the El Torito BIOS boot image it starts; the image has none');
  }
  if (input.gpt && !input.efiImage) {
    throw new CodedError('invalid-request', 'a hybrid GPT (as xorriso -isohybrid-gpt-basdat) needs an EFI boot image to give a partition; the image has none');
  }
  const efiEnd = input.efiImage ? input.efiImage.lba + input.efiImage.sectorCount : 0;
  if (
    input.efiImage &&
    (input.efiImage.lba < 16 || input.efiImage.sectorCount < 1 || efiEnd > input.imageSectorCount - hybridTailSectors(input.gpt, input.apm))
  ) {
    throw new RangeError(
      `the EFI image at LBA ${input.efiImage.lba} of ${input.efiImage.sectorCount} sectors is not inside the image's ${input.imageSectorCount} sectors`,
    );
  }
}

/**
 * Sector 0. The boot code's address patch at byte 432 is what each loader reads: isohdpfx.bin a 32-bit
 * LE count of 512-byte sectors to isolinux.bin (syslinux isohybrid.c, libisofs make_isolinux_mbr);
 * GRUB's boot_hybrid.img a 64-bit LE sector of core.img, 4 sectors (cdboot.img's 2048 bytes) into
 * eltorito.img (xorriso --grub2-mbr).
 */
function masterBootRecord(input: HybridSystemAreaInput, diskSectors: number): Uint8Array {
  const heads = headsFor(diskSectors);
  const besideEfi = input.efiImage !== null || input.gpt || input.apm;
  const records: MbrRecord[] = [
    {
      bootIndicator: 0x80,
      startingChs: chsOf(0, heads),
      osType: besideEfi ? isoPartitionTypeBesideEfi : isoPartitionType,
      endingChs: chsOf(diskSectors - 1, heads),
      startingLba: 0,
      sizeInLba: diskSectors,
    },
  ];
  if (input.efiImage) {
    const { lba, sectorCount } = input.efiImage;
    records.push({
      bootIndicator: 0,
      startingChs: beyondChs,
      osType: efiPartitionType,
      endingChs: beyondChs,
      startingLba: lba * diskSectorsPerIsoSector,
      sizeInLba: sectorCount * diskSectorsPerIsoSector,
    });
  }
  const signature = new Uint8Array(4);
  new DataView(signature.buffer).setUint32(0, input.diskSignature >>> 0, true);
  const sector = mbrSector(records, signature);
  if (input.mbrBootCode && input.biosBootImageLba !== null) {
    sector.set(input.mbrBootCode.subarray(0, mbrBootCodeBytes), 0);
    const view = new DataView(sector.buffer);
    const imageDiskLba = BigInt(input.biosBootImageLba) * BigInt(diskSectorsPerIsoSector);
    if (classifyBootCode(input.mbrBootCode) === 'grub2') view.setBigUint64(mbrBootCodeBytes, imageDiskLba + 4n, true);
    else view.setBigUint64(mbrBootCodeBytes, imageDiskLba, true); // 32-bit value, the next 4 bytes zero
  }
  return sector;
}

/** A version-4 GUID derived from the seed and a purpose ('disk', 'partition 1', ...): equal seeds give equal tables. */
function seededGuid(seed: string, purpose: string): Uint8Array {
  return version4Guid(createHash('sha256').update(`isotope hybrid GPT\0${seed}\0${purpose}`).digest());
}

/** The primary header (LBA 1) and entries (from entriesLba to LBA 63), and the tail: spare sectors, the backup entries, the backup header at the last LBA. */
function hybridGpt(input: HybridSystemAreaInput, diskSectors: number): { header: Uint8Array; entries: Uint8Array; entriesLba: number; tail: Uint8Array } {
  const { entriesLba, entryArraySectors, entryCount, tailSectors } = gptLayout(input.apm);
  const tailDiskSectors = tailSectors * diskSectorsPerIsoSector;
  const lastLba = diskSectors - 1;
  const backupEntriesLba = lastLba - entryArraySectors;
  const entries: GptEntryWrite[] = [
    {
      typeGuid: basicDataPartitionGuid,
      partitionGuid: seededGuid(input.identitySeed, 'partition 1'),
      firstLba: 0,
      lastLba: diskSectors - tailDiskSectors - 1,
      attributes: isoHybridAttributes,
      name: 'ISOHybrid',
    },
  ];
  if (input.efiImage) {
    const firstLba = input.efiImage.lba * diskSectorsPerIsoSector;
    entries.push({
      typeGuid: basicDataPartitionGuid,
      partitionGuid: seededGuid(input.identitySeed, 'partition 2'),
      firstLba,
      lastLba: firstLba + input.efiImage.sectorCount * diskSectorsPerIsoSector - 1,
      attributes: isoHybridAttributes,
      name: 'ISOHybrid1',
    });
  }
  const array = gptEntryArrayOf(entries, entryCount);
  const common = {
    entryCount,
    firstUsableLba: entriesLba + entryArraySectors,
    lastUsableLba: backupEntriesLba - 1,
    diskGuid: seededGuid(input.identitySeed, 'disk'),
    entriesCrc32: crc32(array),
  };
  const header = gptHeader({ ...common, myLba: gptHeaderLba, alternateLba: lastLba, entriesLba });
  const tail = new Uint8Array(tailDiskSectors * diskSectorBytes);
  const tailFirstLba = diskSectors - tailDiskSectors;
  tail.set(array, (backupEntriesLba - tailFirstLba) * diskSectorBytes);
  tail.set(gptHeader({ ...common, myLba: lastLba, alternateLba: gptHeaderLba, entriesLba: backupEntriesLba }), (lastLba - tailFirstLba) * diskSectorBytes);
  return { header, entries: array, entriesLba, tail };
}

/**
 * The Apple Partition Map as libisofs writes it for an isohybrid image (Inside Macintosh: Devices,
 * "SCSI Manager"; reader: apple-partition-map.ts): block 0's Driver Descriptor Record reduced to its
 * "ER" signature and block size (the rest stays the MBR's boot code: isohdpfx.bin's first 32 bytes
 * become isohybrid's header, other code gets libisofs' harmless x86 "ER" template, a jump over itself),
 * then one 2048-byte block per entry: the map itself, then the EFI image as Apple_HFS.
 */
function writeApplePartitionMap(systemArea: Uint8Array, input: HybridSystemAreaInput): void {
  const isolinuxCode = input.mbrBootCode !== null && classifyBootCode(input.mbrBootCode) !== 'grub2';
  if (isolinuxCode) {
    // syslinux isohybrid.c's afp_header: 32 bytes over isohdpfx.bin's 32 bytes of NOP padding.
    systemArea.fill(0, 0, 32);
    systemArea.set([0x45, 0x52, 0x08, 0x00, 0x00, 0x00, 0x90, 0x90], 0);
  } else {
    systemArea.set([0x45, 0x52, 0x08, 0x00, 0xeb, 0x02, 0xff, 0xff], 0);
  }
  const efi = input.efiImage as { lba: number; sectorCount: number };
  writeApmEntry(systemArea, 1, { startBlock: 1, blockCount: apmMapEntries, name: 'Apple', type: 'Apple_partition_map', status: 0x3 });
  // libisofs: status valid, allocated, readable (0x13), and automatic mount (bit 30) for Apple_HFS.
  writeApmEntry(systemArea, 2, { startBlock: efi.lba, blockCount: efi.sectorCount, name: 'EFI', type: 'Apple_HFS', status: 0x40000013 });
}

function writeApmEntry(
  systemArea: Uint8Array,
  block: number,
  entry: { startBlock: number; blockCount: number; name: string; type: string; status: number },
): void {
  const at = block * apmBlockBytes;
  const view = new DataView(systemArea.buffer, systemArea.byteOffset);
  const text = new TextEncoder();
  systemArea.set(text.encode('PM'), at); // pmSig
  view.setUint32(at + 4, apmMapEntries, false); // pmMapBlkCnt
  view.setUint32(at + 8, entry.startBlock, false); // pmPyPartStart
  view.setUint32(at + 12, entry.blockCount, false); // pmPartBlkCnt
  systemArea.set(text.encode(entry.name), at + 16); // pmPartName, 32 bytes
  systemArea.set(text.encode(entry.type), at + 48); // pmParType, 32 bytes
  view.setUint32(at + 84, entry.blockCount, false); // pmDataCnt (pmLgDataStart at 80 stays 0)
  view.setUint32(at + 88, entry.status, false); // pmPartStatus
}
