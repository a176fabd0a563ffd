// The file structures of the UDF bridge (ECMA-167 part 4, OSTA UDF 1.02 2.3): File Set Descriptor
// (4/14.1), File Entry (4/14.9; UDF 1.02 has no Extended File Entry) with its ICB tag (4/14.6), File
// Identifier Descriptors (4/14.4). Only files and folders are recorded: the bridge leaves symbolic
// links and special files out (udf-file-set-writer.ts says why).
import { icbFileTypes } from './file-entries.ts';
import { tagIds } from './udf-fields.ts';
import {
  entityIds,
  finishDescriptorTag,
  udfBlockBytes,
  writeDString,
  writeEntityId,
  writeLongAd,
  writeOstaCharspec,
  writeShortAd,
  writeTimestamp,
  writeUint16Le,
  writeUint32Le,
  writeUint64Le,
} from './udf-fields-writer.ts';

/** ECMA-167 4/14.9: the fixed part of a File Entry, before its extended attributes and allocation descriptors. */
export const fileEntryHeaderBytes = 176;
const shortAdBytes = 8;
/** Short allocation descriptors that fit one File Entry's block. */
export const maxShortAdsPerEntry = Math.floor((udfBlockBytes - fileEntryHeaderBytes) / shortAdBytes);

/** ECMA-167 4/14.1, OSTA UDF 2.3.2: the File Set Descriptor and, in the next block, the Terminating Descriptor. */
export function writeFileSet(into: Uint8Array, at: number, fileSet: { block: number; recordedMs: number; identifier: string; rootBlock: number }): void {
  const bytes = into.subarray(at, at + 2 * udfBlockBytes);
  writeTimestamp(bytes, 16, fileSet.recordedMs);
  // 4/14.1.3-14.1.6: interchange level 3, one character set (CS0).
  writeUint16Le(bytes, 28, 3);
  writeUint16Le(bytes, 30, 3);
  writeUint32Le(bytes, 32, 1);
  writeUint32Le(bytes, 36, 1);
  writeOstaCharspec(bytes, 48);
  writeDString(bytes, 112, 128, fileSet.identifier);
  writeOstaCharspec(bytes, 240);
  writeDString(bytes, 304, 32, fileSet.identifier);
  writeLongAd(bytes, 400, { lengthBytes: udfBlockBytes, block: fileSet.rootBlock });
  writeEntityId(bytes, 416, entityIds.domain, 'domain');
  finishDescriptorTag(bytes, 0, { identifier: tagIds.fileSet, location: fileSet.block, descriptorBytes: 512 });
  finishDescriptorTag(bytes, udfBlockBytes, { identifier: tagIds.terminating, location: fileSet.block + 1, descriptorBytes: 512 });
}

/** What one File Entry records. */
export interface FileEntryFields {
  /** Partition-relative block of the entry (its tag's location). */
  readonly block: number;
  readonly fileType: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkCount: number;
  readonly uniqueId: number;
  readonly times: { readonly accessedMs: number; readonly modifiedMs: number; readonly changedMs: number };
  readonly informationLengthBytes: number;
  /** The data's extents in the partition (short_ad). */
  readonly extents: readonly { readonly block: number; readonly lengthBytes: number }[];
}

/** ICB tag flags (4/14.6.8): allocation type in bits 0-2 (0, short_ad); setuid 6, setgid 7, sticky 8. */
function icbFlags(fields: FileEntryFields): number {
  // Bits 4 (not relocatable) and 5 (archive), as genisoimage; bit 9 (contiguous) when the data is one extent.
  let flags = 0x30;
  if (fields.extents.length <= 1) flags |= 0x200;
  if (fields.mode & 0o4000) flags |= 0x40;
  if (fields.mode & 0o2000) flags |= 0x80;
  if (fields.mode & 0o1000) flags |= 0x100;
  return flags;
}

/** ECMA-167 4/14.9.5: POSIX rwx of owner, group and other to bits 10-12, 5-7 and 0-2 (as genisoimage: no delete or attribute bits). */
function udfPermissions(mode: number): number {
  return (((mode >> 6) & 7) << 10) | (((mode >> 3) & 7) << 5) | (mode & 7);
}

/** ECMA-167 4/14.9: one File Entry, ICB strategy 4 (a single direct entry, UDF 2.3.5.1), into `into` at `at`. */
export function writeFileEntry(into: Uint8Array, at: number, fields: FileEntryFields): void {
  const bytes = into.subarray(at, at + udfBlockBytes);
  // 4/14.6: prior entries 0, strategy 4, parameter 0, at most 1 entry, the file type; no parent ICB.
  writeUint16Le(bytes, 20, 4);
  writeUint16Le(bytes, 24, 1);
  bytes[27] = fields.fileType;
  writeUint16Le(bytes, 34, icbFlags(fields));
  writeUint32Le(bytes, 36, fields.uid >>> 0);
  writeUint32Le(bytes, 40, fields.gid >>> 0);
  writeUint32Le(bytes, 44, udfPermissions(fields.mode));
  writeUint16Le(bytes, 48, fields.linkCount);
  writeUint64Le(bytes, 56, fields.informationLengthBytes);
  const recordedBlocks = fields.extents.reduce((sum, extent) => sum + Math.ceil(extent.lengthBytes / udfBlockBytes), 0);
  writeUint64Le(bytes, 64, recordedBlocks);
  writeTimestamp(bytes, 72, fields.times.accessedMs);
  writeTimestamp(bytes, 84, fields.times.modifiedMs);
  writeTimestamp(bytes, 96, fields.times.changedMs);
  // 4/14.9.15: checkpoint 1, the first version of the file.
  writeUint32Le(bytes, 108, 1);
  writeEntityId(bytes, 128, entityIds.implementation, 'implementation');
  writeUint64Le(bytes, 160, fields.uniqueId);
  // 4/14.9.20-21: no extended attributes, then the allocation descriptors.
  fields.extents.forEach((extent, index) => writeShortAd(bytes, fileEntryHeaderBytes + index * shortAdBytes, extent));
  const allocationBytes = fields.extents.length * shortAdBytes;
  writeUint32Le(bytes, 168, 0);
  writeUint32Le(bytes, 172, allocationBytes);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.fileEntry, location: fields.block, descriptorBytes: fileEntryHeaderBytes + allocationBytes });
}

/** ECMA-167 4/14.4.3: file characteristics. */
export const fidFlags = { hidden: 1, directory: 2, parent: 8 } as const;

/** ECMA-167 4/14.4.9: a File Identifier Descriptor's length, padded to 4 bytes. */
export function fileIdentifierBytes(identifier: Uint8Array): number {
  return 4 * Math.ceil((38 + identifier.byteLength) / 4);
}

/**
 * ECMA-167 4/14.4: one File Identifier Descriptor at `at` of a directory's data; `block` is the
 * partition block its tag lies in (4/7.2.8), `icb` the entry it names (with its unique id, UDF 2.3.4.3).
 */
export function writeFileIdentifier(
  into: Uint8Array,
  at: number,
  fid: { block: number; characteristics: number; identifier: Uint8Array; icb: { block: number; uniqueId: number } },
): number {
  const lengthBytes = fileIdentifierBytes(fid.identifier);
  const bytes = into.subarray(at, at + lengthBytes);
  writeUint16Le(bytes, 16, 1);
  bytes[18] = fid.characteristics;
  bytes[19] = fid.identifier.byteLength;
  writeLongAd(bytes, 20, { lengthBytes: udfBlockBytes, block: fid.icb.block, uniqueId: fid.icb.uniqueId });
  writeUint16Le(bytes, 36, 0);
  bytes.set(fid.identifier, 38);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.fileIdentifier, location: fid.block, descriptorBytes: lengthBytes });
  return lengthBytes;
}

/** ECMA-167 4/14.6.6 / UDF 2.3.5.2: the ICB file type of each kind of node the bridge records. */
export const fileTypeOfKind = { file: icbFileTypes.regular, directory: icbFileTypes.directory } as const;
