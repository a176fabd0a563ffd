// The file structures of the UDF bridge (ECMA-167 part 4, OSTA UDF 1.02 2.3): File Set Descriptor
// (4/14.1), File Entry (4/14.9; UDF 1.02 has no Extended File Entry) with its ICB tag (4/14.6), File
// Identifier Descriptors (4/14.4), symbolic link path components (4/14.16) and the Device
// Specification extended attribute (4/14.10.7) of block and character devices.
import { icbFileTypes } from './file-entries.ts';
import { tagIds } from './udf-fields.ts';
import {
  encodeDCharacters,
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
import { fitUdfName } from './udf-names-writer.ts';

/** ECMA-167 4/14.9: the fixed part of a File Entry, before its extended attributes and allocation descriptors. */
export const fileEntryHeaderBytes = 176;
const shortAdBytes = 8;
/** Short allocation descriptors that fit one File Entry's block. */
export const maxShortAdsPerEntry = Math.floor((udfBlockBytes - fileEntryHeaderBytes) / shortAdBytes);
/** Data a File Entry can hold in its own block (4/14.6.8 allocation type 3, embedded). */
export const maxEmbeddedBytes = udfBlockBytes - fileEntryHeaderBytes;

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
  /** The data: extents in the partition (short_ad), or the bytes themselves inside the entry (embedded). */
  readonly data: { readonly extents: readonly { readonly block: number; readonly lengthBytes: number }[] } | { readonly embedded: Uint8Array };
  readonly device: { readonly major: number; readonly minor: number } | null;
}

/** ICB tag flags (4/14.6.8): allocation type in bits 0-2; setuid 6, setgid 7, sticky 8. */
function icbFlags(fields: FileEntryFields): number {
  const allocationType = 'embedded' in fields.data ? 3 : 0;
  // Bits 4 (not relocatable) and 5 (archive), as genisoimage; bit 9 (contiguous) when the data is one extent.
  let flags = allocationType | 0x30;
  if ('extents' in fields.data && fields.data.extents.length <= 1) flags |= 0x200;
  if (fields.mode & 0o4000) flags |= 0x40;
  if (fields.mode & 0o2000) flags |= 0x80;
  if (fields.mode & 0o1000) flags |= 0x100;
  return flags;
}

/** ECMA-167 4/14.9.5: POSIX rwx of owner, group and other to bits 10-12, 5-7 and 0-2 (as genisoimage: no delete or attribute bits). */
function udfPermissions(mode: number): number {
  return (((mode >> 6) & 7) << 10) | (((mode >> 3) & 7) << 5) | (mode & 7);
}

/** ECMA-167 4/14.10.1 + 4/14.10.7: the extended attribute space of a device: its header, then the major and minor numbers. */
function deviceAttributes(block: number, device: { major: number; minor: number }): Uint8Array {
  const bytes = new Uint8Array(48);
  // 4/14.10.1.1-2: no implementation or application attributes: both locations are the space's length.
  writeUint32Le(bytes, 16, bytes.byteLength);
  writeUint32Le(bytes, 20, bytes.byteLength);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.extendedAttributeHeader, location: block, descriptorBytes: 24 });
  writeUint32Le(bytes, 24, 12);
  bytes[28] = 1;
  writeUint32Le(bytes, 32, 24);
  writeUint32Le(bytes, 36, 0);
  writeUint32Le(bytes, 40, device.major);
  writeUint32Le(bytes, 44, device.minor);
  return bytes;
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
  const recordedBlocks = 'extents' in fields.data ? fields.data.extents.reduce((sum, extent) => sum + Math.ceil(extent.lengthBytes / udfBlockBytes), 0) : 0;
  writeUint64Le(bytes, 64, recordedBlocks);
  writeTimestamp(bytes, 72, fields.times.accessedMs);
  writeTimestamp(bytes, 84, fields.times.modifiedMs);
  writeTimestamp(bytes, 96, fields.times.changedMs);
  // 4/14.9.15: checkpoint 1, the first version of the file.
  writeUint32Le(bytes, 108, 1);
  writeEntityId(bytes, 128, entityIds.implementation, 'implementation');
  writeUint64Le(bytes, 160, fields.uniqueId);
  const attributes = fields.device ? deviceAttributes(fields.block, fields.device) : new Uint8Array(0);
  bytes.set(attributes, fileEntryHeaderBytes);
  const allocationAt = fileEntryHeaderBytes + attributes.byteLength;
  let allocationBytes: number;
  if ('embedded' in fields.data) {
    bytes.set(fields.data.embedded, allocationAt);
    allocationBytes = fields.data.embedded.byteLength;
  } else {
    fields.data.extents.forEach((extent, index) => writeShortAd(bytes, allocationAt + index * shortAdBytes, extent));
    allocationBytes = fields.data.extents.length * shortAdBytes;
  }
  writeUint32Le(bytes, 168, attributes.byteLength);
  writeUint32Le(bytes, 172, allocationBytes);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.fileEntry, location: fields.block, descriptorBytes: allocationAt + allocationBytes });
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

/**
 * ECMA-167 4/14.16: a symbolic link's target as path components: 2 the root (an absolute target), 3
 * the parent, 4 this directory, 5 a name (CS0; a name too long for a component is cut as the
 * directory's identifier of it is, so the link still finds it). Empty components ('a//b', a trailing
 * '/') say nothing and are left out.
 */
export function encodeSymlinkTarget(target: string): Uint8Array {
  const parts: Uint8Array[] = [];
  const component = (type: number, identifier: Uint8Array): Uint8Array => {
    const bytes = new Uint8Array(4 + identifier.byteLength);
    bytes[0] = type;
    bytes[1] = identifier.byteLength;
    bytes.set(identifier, 4);
    return bytes;
  };
  if (target.startsWith('/')) parts.push(component(2, new Uint8Array(0)));
  for (const name of target.split('/')) {
    if (name === '') continue;
    if (name === '..') parts.push(component(3, new Uint8Array(0)));
    else if (name === '.') parts.push(component(4, new Uint8Array(0)));
    else parts.push(component(5, encodeDCharacters(fitUdfName(name))));
  }
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

/** ECMA-167 4/14.6.6 / UDF 2.3.5.2: the ICB file type of each kind of node. */
export const fileTypeOfKind = {
  file: icbFileTypes.regular,
  directory: icbFileTypes.directory,
  symlink: icbFileTypes.symlink,
  'block-device': icbFileTypes.blockDevice,
  'character-device': icbFileTypes.characterDevice,
  fifo: icbFileTypes.fifo,
  socket: icbFileTypes.socket,
} as const;
