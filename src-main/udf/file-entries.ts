// UDF file structures (ECMA-167 part 4): the File Set Descriptor (4/14.1), File Entry (4/14.9) and
// Extended File Entry (4/14.17) with their ICB tag (4/14.6), Allocation Extent Descriptors (4/14.5),
// File Identifier Descriptors (4/14.4) and symbolic link path components (4/14.16).
import type { AllocationDescriptor, LogicalBlockAddress, UdfPlace } from './udf-fields.ts';
import { readUint16Le, readUint32Le, readUint64Le, readUint8, requireBytes } from '../format/fields.ts';
import { parseDescriptorTag, readDCharacters, readDString, readExtAd, readLongAd, readShortAd, readTimestamp, tagIds, udfCorrupt } from './udf-fields.ts';

export interface FileSet {
  readonly fileSetIdentifier: string;
  readonly logicalVolumeIdentifier: string;
  readonly rootIcb: LogicalBlockAddress;
}

/** ECMA-167 4/14.1: file set descriptor. */
export function parseFileSet(bytes: Uint8Array, place: UdfPlace, block: number): FileSet {
  parseDescriptorTag(bytes, place, { expected: [tagIds.fileSet], location: block, what: 'file set descriptor' });
  return {
    logicalVolumeIdentifier: readDString(bytes, 112, 128, place, 'file set logical volume identifier'),
    fileSetIdentifier: readDString(bytes, 304, 32, place, 'file set identifier'),
    rootIcb: readLongAd(bytes, 400, place).address,
  };
}

/** ECMA-167 4/14.6.6 and OSTA UDF 2.3.5.2: ICB file types. */
export const icbFileTypes = {
  directory: 4,
  regular: 5,
  blockDevice: 6,
  characterDevice: 7,
  fifo: 9,
  socket: 10,
  symlink: 12,
  metadata: 250,
  metadataMirror: 251,
} as const;

/** ECMA-167 4/14.6.8 bits 0-2: how the allocation descriptors are recorded. */
export type AllocationForm = 'short' | 'long' | 'extended' | 'embedded';

export interface FileEntry {
  readonly extended: boolean;
  readonly fileType: number;
  readonly allocationForm: AllocationForm;
  /** ICB tag flags (4/14.6.8): setuid 6, setgid 7, sticky 8. */
  readonly icbFlags: number;
  readonly uid: number;
  readonly gid: number;
  /** ECMA-167 4/14.9.5 permission bits. */
  readonly permissions: number;
  readonly informationLengthBytes: number;
  readonly modifiedMs: number | null;
  /** Offset inside the block where the allocation descriptors (or embedded data) start, and their length. */
  readonly allocationOffsetBytes: number;
  readonly allocationLengthBytes: number;
}

const allocationForms: readonly AllocationForm[] = ['short', 'long', 'extended', 'embedded'];

/** ECMA-167 4/14.9 (File Entry) and 4/14.17 (Extended File Entry), read from one logical block. */
export function parseFileEntry(bytes: Uint8Array, place: UdfPlace, block: number, what = 'file entry'): FileEntry {
  const tag = parseDescriptorTag(bytes, place, { expected: [tagIds.fileEntry, tagIds.extendedFileEntry], location: block, what: `${what} (file entry)` });
  const extended = tag.identifier === tagIds.extendedFileEntry;
  const headerBytes = extended ? 216 : 176;
  requireBytes(bytes, 0, headerBytes, place, 'file entry');
  const icbFlags = readUint16Le(bytes, 34, place, 'ICB tag flags');
  const form = allocationForms[icbFlags & 7];
  if (!form) throw udfCorrupt(place, 34, `ICB tag allocation descriptor type ${icbFlags & 7} is not 0-3`);
  const extendedAttributeBytes = readUint32Le(bytes, extended ? 208 : 168, place, 'extended attributes length');
  const allocationLengthBytes = readUint32Le(bytes, extended ? 212 : 172, place, 'allocation descriptors length');
  // 4/14.9.20-22: extended attributes then allocation descriptors, all inside the one block.
  if (headerBytes + extendedAttributeBytes + allocationLengthBytes > bytes.byteLength) {
    throw udfCorrupt(
      place,
      extended ? 208 : 168,
      `file entry's ${extendedAttributeBytes} bytes of attributes and ${allocationLengthBytes} bytes of allocation descriptors run past its block`,
    );
  }
  return {
    extended,
    fileType: readUint8(bytes, 27, place, 'ICB file type'),
    allocationForm: form,
    icbFlags,
    uid: readUint32Le(bytes, 36, place, 'uid'),
    gid: readUint32Le(bytes, 40, place, 'gid'),
    permissions: readUint32Le(bytes, 44, place, 'permissions'),
    informationLengthBytes: readUint64Le(bytes, 56, place, 'information length'),
    modifiedMs: readTimestamp(bytes, extended ? 92 : 84, place, 'modification time'),
    allocationOffsetBytes: headerBytes + extendedAttributeBytes,
    allocationLengthBytes,
  };
}

/**
 * The allocation descriptors of an area (4/12.1): short, long or extended; a zero length ends the list
 * early (4/14.14.1.1). `partitionIndex` is the entry's own partition, where short_ads point.
 */
export function parseAllocationDescriptors(
  bytes: Uint8Array,
  at: number,
  lengthBytes: number,
  form: Exclude<AllocationForm, 'embedded'>,
  partitionIndex: number,
  place: UdfPlace,
): AllocationDescriptor[] {
  const size = form === 'short' ? 8 : form === 'long' ? 16 : 20;
  requireBytes(bytes, at, lengthBytes, place, 'allocation descriptors');
  const descriptors: AllocationDescriptor[] = [];
  for (let offset = at; offset + size <= at + lengthBytes; offset += size) {
    const descriptor =
      form === 'short'
        ? readShortAd(bytes, offset, partitionIndex, place)
        : form === 'long'
          ? readLongAd(bytes, offset, place)
          : readExtAd(bytes, offset, place);
    if (descriptor.lengthBytes === 0) break;
    descriptors.push(descriptor);
  }
  return descriptors;
}

/** ECMA-167 4/14.5: allocation extent descriptor: where the descriptor list continues. */
export function parseAllocationExtent(bytes: Uint8Array, place: UdfPlace, block: number): { at: number; lengthBytes: number } {
  parseDescriptorTag(bytes, place, { expected: [tagIds.allocationExtent], location: block, what: 'allocation extent descriptor' });
  const lengthBytes = readUint32Le(bytes, 20, place, 'allocation extent length');
  if (24 + lengthBytes > bytes.byteLength)
    throw udfCorrupt(place, 20, `allocation extent declares ${lengthBytes} bytes of descriptors, its block holds ${bytes.byteLength - 24}`);
  return { at: 24, lengthBytes };
}

/** ECMA-167 4/14.4.3: file characteristics bits. */
export const fidCharacteristics = { hidden: 1, directory: 2, deleted: 4, parent: 8 } as const;

export interface FileIdentifier {
  readonly characteristics: number;
  readonly name: string;
  readonly icb: LogicalBlockAddress;
  /** Where it lies inside the directory's bytes, and its padded length (4/14.4.9). */
  readonly at: number;
  readonly lengthBytes: number;
}

/** ECMA-167 4/14.4: one file identifier descriptor at `at` inside a directory's bytes. */
export function parseFileIdentifier(bytes: Uint8Array, at: number, place: UdfPlace): FileIdentifier {
  const where = { offsetBytes: place.offsetBytes + at, sectorBytes: place.sectorBytes };
  if (at + 38 > bytes.byteLength) throw udfCorrupt(where, 0, `file identifier descriptor needs 38 bytes, the directory has ${bytes.byteLength - at} left`);
  const identifierBytes = readUint8(bytes, at + 19, place, 'file identifier length');
  const implementationUseBytes = readUint16Le(bytes, at + 36, place, 'implementation use length');
  // 4/14.4.9: the descriptor is padded to a multiple of 4 bytes.
  const lengthBytes = 4 * Math.ceil((38 + implementationUseBytes + identifierBytes) / 4);
  if (at + 38 + implementationUseBytes + identifierBytes > bytes.byteLength) {
    throw udfCorrupt(where, 19, `file identifier descriptor of ${38 + implementationUseBytes + identifierBytes} bytes runs past the directory end`);
  }
  const descriptor = bytes.subarray(at, Math.min(bytes.byteLength, at + lengthBytes));
  parseDescriptorTag(descriptor, where, { expected: [tagIds.fileIdentifier], what: 'file identifier descriptor' });
  return {
    characteristics: readUint8(bytes, at + 18, place, 'file characteristics'),
    name: readDCharacters(bytes, at + 38 + implementationUseBytes, identifierBytes, place, 'file identifier'),
    icb: readLongAd(bytes, at + 20, place).address,
    at,
    lengthBytes,
  };
}

/** ECMA-167 4/14.16: a symbolic link's path components, joined as a POSIX path. */
export function parseSymlinkTarget(bytes: Uint8Array, place: UdfPlace): string {
  const parts: string[] = [];
  let absolute = false;
  let at = 0;
  for (let count = 0; at < bytes.byteLength; count += 1) {
    if (count > 4096) throw udfCorrupt(place, at, 'symbolic link has more than 4096 path components');
    requireBytes(bytes, at, 4, place, 'path component');
    const type = readUint8(bytes, at, place, 'path component type');
    const length = readUint8(bytes, at + 1, place, 'path component length');
    requireBytes(bytes, at + 4, length, place, 'path component identifier');
    // 4/14.16.1.1: 1 and 2 = the root, 3 = parent, 4 = this directory, 5 = a named component.
    if (type === 1 || type === 2) {
      absolute = true;
      parts.length = 0;
    } else if (type === 3) parts.push('..');
    else if (type === 4) parts.push('.');
    else if (type === 5) parts.push(readDCharacters(bytes, at + 4, length, place, 'path component identifier'));
    else throw udfCorrupt(place, at, `path component type ${type} is not 1-5`);
    at += 4 + length;
  }
  return (absolute ? '/' : '') + parts.join('/');
}
