// A fresh partition table holding one partition, for a stick made in copy-files mode or restored to
// a normal one: an MBR as fdisk writes it (UEFI 2.10 5.2.1, legacy MBR) or a GPT (UEFI 2.10 5.3:
// protective MBR, header at LBA 1 and 128 entries after it, their backup at the disk's end). The fields'
// offsets, type GUIDs and the CRC-32 are the readers' beside this file: what is written here is
// exactly what they read back.
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib'; // CRC-32 of IEEE 802.3, the one UEFI 2.10 5.3.2 specifies for GPT
import type { NewFileSystem, PartitionTableChoice } from '../../shared/stick.ts';
import { CodedError } from '../jobs/errors.ts';
import { utf16Prefix } from '../format/utf16-prefix.ts';
import { gptEntryOffsets, gptHeaderLba, gptHeaderOffsets, gptPartitionNameBytes, gptSignature, minimumHeaderBytes } from './guid-partition-table.ts';
import { basicDataPartitionGuid, efiSystemPartitionGuid, parseGuid } from './guid.ts';
import { diskSectorBytes, diskSignatureOffset, mbrEntryOffsets, partitionEntryBytes, partitionTableOffset } from './master-boot-record.ts';

export interface NewPartition {
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly fileSystem: NewFileSystem; // MBR type 0x0C (FAT32 LBA) or 0x07 (exFAT)
  /** GPT: the EFI System Partition type instead of Microsoft basic data. MBR: ignored (the partition is always active). */
  readonly esp: boolean;
  readonly name: string; // GPT partition name
}

export interface PartitionTableWrite {
  /** From LBA 0: the MBR, or the protective MBR + GPT header + entries. */
  readonly head: Uint8Array;
  /** The GPT backup entries + header at the disk's end (offset from the disk's start); null for MBR. */
  readonly tail: { readonly offsetBytes: number; readonly bytes: Uint8Array } | null;
}

const mebibyte = 1024 * 1024;
const alignmentSectors = mebibyte / diskSectorBytes;
/** UEFI 2.10 5.3.2: room for at least 16,384 bytes of entries: 128 entries of 128 bytes, 32 sectors. */
const gptEntryCount = 128;
const gptEntryBytes = 128;
const gptEntryArraySectors = (gptEntryCount * gptEntryBytes) / diskSectorBytes;
/** UEFI 2.10 5.3.2: the primary entries follow the header at LBA 2; usable space starts after them. */
const primaryEntriesLba = gptHeaderLba + 1;
const firstUsableLba = primaryEntriesLba + gptEntryArraySectors;
/** UEFI 2.10 table 5-5: Revision 1.0. */
const gptRevision = 0x00010000;
/** UEFI 2.10 table 5-2: MBR LBAs are 32-bit, so an MBR partition ends by 2^32 sectors (2 TiB). */
const mbrMaxLba = 2 ** 32;
const mbrPartitionTypes: Readonly<Record<NewFileSystem, number>> = { fat32: 0x0c, exfat: 0x07 };
/** UEFI 2.10 table 5-4: the protective MBR's one partition record. */
const protectivePartitionType = 0xee;
/** The geometry fdisk assumes for an LBA disk (libfdisk dos.c): 255 heads, 63 sectors a track. */
const chsHeads = 255;
const chsSectorsPerTrack = 63;

/**
 * Where the one partition goes: from 1 MiB (the alignment Windows, fdisk and Rufus use), a whole
 * number of MiB long. The disk's last MiB stays outside it: signatureWipeRanges zeroes it (an old
 * GPT backup lies there) without touching the new file system, and a new GPT's backup fits in it.
 */
export function singlePartitionLayout(diskSizeBytes: number, table: PartitionTableChoice): { firstLba: number; sectorCount: number } {
  const diskSectors = Math.floor(diskSizeBytes / diskSectorBytes);
  const firstLba = alignmentSectors;
  let endLba = Math.floor((diskSectors - alignmentSectors) / alignmentSectors) * alignmentSectors;
  if (table === 'mbr') endLba = Math.min(endLba, mbrMaxLba);
  if (endLba <= firstLba) {
    throw new CodedError(
      'target-too-small',
      `a partitioned stick needs at least ${3 * mebibyte} bytes (1 MiB each for the table, the partition and the end), the drive has ${diskSizeBytes}`,
    );
  }
  return { firstLba, sectorCount: endLba - firstLba };
}

/** The old signatures to wipe before a new table: the first and the last MiB (which holds an old GPT backup). */
export function signatureWipeRanges(diskSizeBytes: number): { offsetBytes: number; lengthBytes: number }[] {
  const headBytes = Math.min(mebibyte, diskSizeBytes);
  const tailOffsetBytes = Math.max(headBytes, diskSizeBytes - mebibyte);
  const ranges = [{ offsetBytes: 0, lengthBytes: headBytes }];
  if (tailOffsetBytes < diskSizeBytes) ranges.push({ offsetBytes: tailOffsetBytes, lengthBytes: diskSizeBytes - tailOffsetBytes });
  return ranges;
}

/** The last LBA a GPT partition may use: the backup entries and header take the disk's last 33 sectors. */
function lastUsableLba(diskSectors: number): number {
  return diskSectors - 1 - gptEntryArraySectors - 1;
}

/** The table holding `partition`. One disk id gives one table, byte for byte: the MBR signature and the GUIDs derive from it. */
export function buildPartitionTable(options: {
  table: PartitionTableChoice;
  diskSizeBytes: number;
  partition: NewPartition;
  diskId?: Uint8Array; // 16 bytes; default random
}): PartitionTableWrite {
  const diskId = options.diskId ?? new Uint8Array(randomBytes(16));
  if (diskId.byteLength !== 16) throw new RangeError(`a disk id is 16 bytes, not ${diskId.byteLength}`);
  const diskSectors = Math.floor(options.diskSizeBytes / diskSectorBytes);
  const { firstLba, sectorCount } = options.partition;
  const endLba = firstLba + sectorCount;
  const [lowestLba, highestEndLba] = options.table === 'mbr' ? [1, Math.min(diskSectors, mbrMaxLba)] : [firstUsableLba, lastUsableLba(diskSectors) + 1];
  if (!Number.isSafeInteger(firstLba) || !Number.isSafeInteger(sectorCount) || sectorCount < 1 || firstLba < lowestLba || endLba > highestEndLba) {
    throw new RangeError(
      `a partition at LBA ${firstLba} of ${sectorCount} sectors does not fit the ${options.table} table of a disk of ${diskSectors} sectors`,
    );
  }
  return options.table === 'mbr'
    ? { head: masterBootRecord(options.partition, diskId), tail: null }
    : guidPartitionTable(options.partition, diskSectors, diskId);
}

/**
 * The CHS address fdisk writes for an LBA (libfdisk dos.c set_partition and set_hsc): head, then
 * sector with the cylinder's two high bits, then the cylinder's low byte. An LBA past cylinder 1023
 * is written as the last CHS address, cylinder 1023, head 254, sector 63 (FE FF FF).
 */
function chsOf(lba: number): [number, number, number] {
  const lastChsLba = 1024 * chsHeads * chsSectorsPerTrack - 1;
  const clampedLba = Math.min(lba, lastChsLba);
  const track = Math.floor(clampedLba / chsSectorsPerTrack);
  const cylinder = Math.floor(track / chsHeads);
  return [track % chsHeads, ((clampedLba % chsSectorsPerTrack) + 1) | ((cylinder >> 8) << 6), cylinder & 0xff];
}

/** One MBR partition record (UEFI 2.10 table 5-2), CHS addresses as 3 bytes each. */
export interface MbrRecord {
  readonly bootIndicator: number;
  readonly startingChs: readonly number[];
  readonly osType: number;
  readonly endingChs: readonly number[];
  readonly startingLba: number;
  readonly sizeInLba: number;
}

/** Sector 0 with the partition records in slots 1, 2, ... (UEFI 2.10 tables 5-1 and 5-2) and the 0x55 0xAA signature; the boot code stays zero. */
export function mbrSector(records: readonly MbrRecord[], diskSignature: Uint8Array): Uint8Array {
  const sector = new Uint8Array(diskSectorBytes);
  const view = new DataView(sector.buffer);
  sector.set(diskSignature, diskSignatureOffset);
  records.forEach((record, slot) => {
    const at = partitionTableOffset + slot * partitionEntryBytes;
    sector[at + mbrEntryOffsets.bootIndicator] = record.bootIndicator;
    sector.set(record.startingChs, at + mbrEntryOffsets.startingChs);
    sector[at + mbrEntryOffsets.osType] = record.osType;
    sector.set(record.endingChs, at + mbrEntryOffsets.endingChs);
    view.setUint32(at + mbrEntryOffsets.startingLba, record.startingLba, true);
    view.setUint32(at + mbrEntryOffsets.sizeInLba, record.sizeInLba, true);
  });
  sector.set([0x55, 0xaa], 510); // the slots after the records stay zero: empty
  return sector;
}

/** An MBR with the one partition active (0x80): firmware that boots USB sticks the legacy way looks for it. */
function masterBootRecord(partition: NewPartition, diskId: Uint8Array): Uint8Array {
  const lastLba = partition.firstLba + partition.sectorCount - 1;
  const record: MbrRecord = {
    bootIndicator: 0x80,
    startingChs: chsOf(partition.firstLba),
    osType: mbrPartitionTypes[partition.fileSystem],
    endingChs: chsOf(lastLba),
    startingLba: partition.firstLba,
    sizeInLba: partition.sectorCount,
  };
  return mbrSector([record], diskId.subarray(0, 4));
}

/**
 * A version 4 GUID (RFC 9562 5.4) from 16 bytes, stored as UEFI 2.10 appendix A lays GUIDs out: the
 * version is the high nibble of the third field (little-endian, so byte 7) and the variant the top
 * bits of byte 8.
 */
export function version4Guid(bytes: Uint8Array): Uint8Array {
  const guid = bytes.slice(0, 16);
  guid[7] = ((guid[7] as number) & 0x0f) | 0x40;
  guid[8] = ((guid[8] as number) & 0x3f) | 0x80;
  return guid;
}

/** The partition's own GUID, derived from the disk id so one disk id gives one table, byte for byte. */
function partitionGuid(diskId: Uint8Array): Uint8Array {
  return version4Guid(createHash('sha256').update(diskId).update('partition 1').digest());
}

/** One GPT partition entry's fields (UEFI 2.10 table 5-6). */
export interface GptEntryWrite {
  readonly typeGuid: string;
  readonly partitionGuid: Uint8Array;
  readonly firstLba: number;
  /** Inclusive. */
  readonly lastLba: number;
  readonly attributes: bigint;
  readonly name: string;
}

/** An entry array of `entryCount` 128-byte entries holding `entries` from entry 1 on (UEFI 2.10 table 5-6); the rest stay unused (zero). */
export function gptEntryArrayOf(entries: readonly GptEntryWrite[], entryCount: number): Uint8Array {
  const array = new Uint8Array(entryCount * gptEntryBytes);
  const view = new DataView(array.buffer);
  entries.forEach((entry, index) => {
    const at = index * gptEntryBytes;
    array.set(parseGuid(entry.typeGuid), at + gptEntryOffsets.partitionTypeGuid);
    array.set(entry.partitionGuid, at + gptEntryOffsets.uniquePartitionGuid);
    view.setBigUint64(at + gptEntryOffsets.startingLba, BigInt(entry.firstLba), true);
    view.setBigUint64(at + gptEntryOffsets.endingLba, BigInt(entry.lastLba), true);
    view.setBigUint64(at + gptEntryOffsets.attributes, entry.attributes, true);
    // PartitionName: UTF-16LE, at most 36 code units.
    const name = utf16Prefix(entry.name, gptPartitionNameBytes / 2);
    for (let unit = 0; unit < name.length; unit += 1) view.setUint16(at + gptEntryOffsets.partitionName + unit * 2, name.charCodeAt(unit), true);
  });
  return array;
}

/** The 128-entry array with the one partition in entry 1; its attributes stay 0. */
function gptEntryArray(partition: NewPartition, diskId: Uint8Array): Uint8Array {
  const entry: GptEntryWrite = {
    typeGuid: partition.esp ? efiSystemPartitionGuid : basicDataPartitionGuid,
    partitionGuid: partitionGuid(diskId),
    firstLba: partition.firstLba,
    lastLba: partition.firstLba + partition.sectorCount - 1,
    attributes: 0n,
    name: partition.name,
  };
  return gptEntryArrayOf([entry], gptEntryCount);
}

/** The fields of a GPT header (UEFI 2.10 table 5-5) that differ between tables. */
export interface GptHeaderFields {
  readonly myLba: number;
  readonly alternateLba: number;
  readonly entriesLba: number;
  readonly entryCount: number;
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  readonly diskGuid: Uint8Array;
  readonly entriesCrc32: number;
}

/** A GPT header sector (UEFI 2.10 table 5-5) of 128-byte entries, its CRC32 computed over its 92 bytes with the CRC field zero. */
export function gptHeader(fields: GptHeaderFields): Uint8Array {
  const sector = new Uint8Array(diskSectorBytes);
  const view = new DataView(sector.buffer);
  const at = gptHeaderOffsets;
  sector.set(new TextEncoder().encode(gptSignature), at.signature);
  view.setUint32(at.revision, gptRevision, true);
  view.setUint32(at.headerSize, minimumHeaderBytes, true);
  view.setBigUint64(at.myLba, BigInt(fields.myLba), true);
  view.setBigUint64(at.alternateLba, BigInt(fields.alternateLba), true);
  view.setBigUint64(at.firstUsableLba, BigInt(fields.firstUsableLba), true);
  view.setBigUint64(at.lastUsableLba, BigInt(fields.lastUsableLba), true);
  sector.set(fields.diskGuid, at.diskGuid);
  view.setBigUint64(at.partitionEntryLba, BigInt(fields.entriesLba), true);
  view.setUint32(at.numberOfPartitionEntries, fields.entryCount, true);
  view.setUint32(at.sizeOfPartitionEntry, gptEntryBytes, true);
  view.setUint32(at.partitionEntryArrayCrc32, fields.entriesCrc32, true);
  view.setUint32(at.headerCrc32, crc32(sector.subarray(0, minimumHeaderBytes)), true);
  return sector;
}

/** The protective MBR, the primary header and entries from LBA 0, and the backup entries and header ending at the last LBA. */
function guidPartitionTable(partition: NewPartition, diskSectors: number, diskId: Uint8Array): PartitionTableWrite {
  const lastLba = diskSectors - 1;
  const backupEntriesLba = lastLba - gptEntryArraySectors;
  const entries = gptEntryArray(partition, diskId);
  const common = {
    entryCount: gptEntryCount,
    firstUsableLba,
    lastUsableLba: lastUsableLba(diskSectors),
    diskGuid: version4Guid(diskId),
    entriesCrc32: crc32(entries),
  };
  // UEFI 2.10 tables 5-3 and 5-4: bytes 440-443 unused (zero); the one record covers the disk from LBA 1, or 2^32 - 1 sectors of it.
  const protectiveMbr = mbrSector(
    [
      {
        bootIndicator: 0,
        startingChs: [0x00, 0x02, 0x00],
        osType: protectivePartitionType,
        endingChs: [0xff, 0xff, 0xff],
        startingLba: gptHeaderLba,
        sizeInLba: Math.min(diskSectors - 1, 0xffffffff),
      },
    ],
    new Uint8Array(4),
  );
  const head = new Uint8Array(firstUsableLba * diskSectorBytes);
  head.set(protectiveMbr, 0);
  head.set(gptHeader({ ...common, myLba: gptHeaderLba, alternateLba: lastLba, entriesLba: primaryEntriesLba }), gptHeaderLba * diskSectorBytes);
  head.set(entries, primaryEntriesLba * diskSectorBytes);
  const tail = new Uint8Array((gptEntryArraySectors + 1) * diskSectorBytes);
  tail.set(entries, 0);
  tail.set(gptHeader({ ...common, myLba: lastLba, alternateLba: gptHeaderLba, entriesLba: backupEntriesLba }), entries.byteLength);
  return { head, tail: { offsetBytes: backupEntriesLba * diskSectorBytes, bytes: tail } };
}
