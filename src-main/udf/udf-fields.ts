// Bounds-checked readers for the basic UDF / ECMA-167 structures: descriptor tags with checksum and
// CRC (3/7.2), CS0 d-characters and d-strings (1/7.2.12, OSTA UDF 2.1.1-2.1.3), timestamps (1/7.3),
// entity identifiers (1/7.4) and allocation descriptors (4/14.14). Little-endian throughout (1/7.1).
import { corruptAt, readUint16Le, readUint32Le, readUint8, requireBytes, type Place } from '../format/fields.ts';
import type { CorruptImageError } from '../format/corrupt-image-error.ts';

/** Where a structure lies: its image offset, and the volume's block size as the sector unit of messages. */
export interface UdfPlace extends Place {
  readonly sectorBytes: number;
}

/** A corrupt-image error whose message says the UDF structures are at fault. */
export function udfCorrupt(place: UdfPlace, at: number, message: string): CorruptImageError {
  return corruptAt(place, at, `UDF: ${message}`);
}

/** ECMA-167 3/7.2.1 and 4/7.2.1: descriptor tag identifiers. */
export const tagIds = {
  primaryVolume: 1,
  anchorPointer: 2,
  volumePointer: 3,
  implementationUse: 4,
  partition: 5,
  logicalVolume: 6,
  unallocatedSpace: 7,
  terminating: 8,
  logicalVolumeIntegrity: 9,
  fileSet: 256,
  fileIdentifier: 257,
  allocationExtent: 258,
  indirectEntry: 259,
  terminalEntry: 260,
  fileEntry: 261,
  extendedAttributeHeader: 262,
  unallocatedSpaceEntry: 263,
  spaceBitmap: 264,
  partitionIntegrity: 265,
  extendedFileEntry: 266,
} as const;

export const tagBytes = 16;

export interface DescriptorTag {
  readonly identifier: number;
  readonly version: number;
  readonly serialNumber: number;
  readonly crcLengthBytes: number;
  /** Sector (volume structures) or partition-relative logical block (file structures) it claims to be at. */
  readonly location: number;
}

/** CRC-16 CCITT (x^16 + x^12 + x^5 + 1, initial 0, not reflected): ECMA-167 1/7.2.6. */
const crcTable = ((): Uint16Array => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, from: number, lengthBytes: number): number {
  let crc = 0;
  for (let at = from; at < from + lengthBytes; at += 1) crc = ((crc << 8) & 0xffff) ^ (crcTable[((crc >> 8) ^ (bytes[at] as number)) & 0xff] as number);
  return crc;
}

/** True when the 16 bytes at `at` carry a valid tag checksum (a cheap "is this a descriptor" probe). */
export function hasValidTagChecksum(bytes: Uint8Array, at = 0): boolean {
  if (at + tagBytes > bytes.byteLength) return false;
  let sum = 0;
  for (let index = 0; index < tagBytes; index += 1) if (index !== 4) sum += bytes[at + index] as number;
  return (sum & 0xff) === bytes[at + 4];
}

export interface ParseTagOptions {
  /** Tag identifiers allowed here; anything else is an error. */
  readonly expected: readonly number[];
  /** The location the tag must name (ECMA-167 3/7.2.8, 4/7.2.8), when the caller knows it. */
  readonly location?: number;
  readonly what: string;
}

/** ECMA-167 3/7.2: checks the tag checksum, the descriptor CRC and the tag location, then parses it. */
export function parseDescriptorTag(bytes: Uint8Array, place: UdfPlace, options: ParseTagOptions): DescriptorTag {
  requireBytes(bytes, 0, tagBytes, place, `${options.what} tag`);
  // ECMA-167 3/7.2.3: the checksum is the byte sum of the tag's other 15 bytes, modulo 256.
  if (!hasValidTagChecksum(bytes)) throw udfCorrupt(place, 4, `${options.what}: descriptor tag checksum is wrong`);
  const identifier = readUint16Le(bytes, 0, place, `${options.what} tag identifier`);
  if (!options.expected.includes(identifier))
    throw udfCorrupt(place, 0, `${options.what}: found descriptor tag ${identifier}, expected ${options.expected.join(' or ')}`);
  const crcLengthBytes = readUint16Le(bytes, 10, place, `${options.what} CRC length`);
  // ECMA-167 3/7.2.6-7.2.7: the CRC covers crcLength bytes after the tag.
  if (tagBytes + crcLengthBytes > bytes.byteLength) {
    throw udfCorrupt(place, 10, `${options.what}: descriptor CRC length ${crcLengthBytes} runs past the ${bytes.byteLength}-byte descriptor`);
  }
  if (crc16(bytes, tagBytes, crcLengthBytes) !== readUint16Le(bytes, 8, place, `${options.what} CRC`))
    throw udfCorrupt(place, 8, `${options.what}: descriptor CRC is wrong`);
  const location = readUint32Le(bytes, 12, place, `${options.what} tag location`);
  if (options.location !== undefined && location !== options.location) {
    throw udfCorrupt(place, 12, `${options.what}: tag says it is at block ${location}, it was read from block ${options.location}`);
  }
  return {
    identifier,
    version: readUint16Le(bytes, 2, place, 'tag version'),
    serialNumber: readUint16Le(bytes, 6, place, 'tag serial number'),
    crcLengthBytes,
    location,
  };
}

/** OSTA UDF 2.1.1 / ECMA-167 1/7.2.12: CS0 d-characters, byte 0 the compression id (8 or 16 bits). */
export function readDCharacters(bytes: Uint8Array, at: number, lengthBytes: number, place: UdfPlace, what: string): string {
  if (lengthBytes === 0) return '';
  requireBytes(bytes, at, lengthBytes, place, what);
  const compression = readUint8(bytes, at, place, `${what} compression id`);
  // UDF 2.50 2.1.1: 254 and 255 are the 8- and 16-bit forms of a deleted/empty identifier.
  if (compression === 8 || compression === 254) {
    let text = '';
    for (let index = at + 1; index < at + lengthBytes; index += 1) text += String.fromCharCode(bytes[index] as number);
    return text;
  }
  if (compression === 16 || compression === 255) {
    if ((lengthBytes - 1) % 2 !== 0) throw udfCorrupt(place, at, `${what}: 16-bit CS0 string has an odd length ${lengthBytes - 1}`);
    const units: number[] = [];
    for (let index = at + 1; index + 1 < at + lengthBytes; index += 2) units.push(((bytes[index] as number) << 8) | (bytes[index + 1] as number));
    return String.fromCharCode(...units);
  }
  throw udfCorrupt(place, at, `${what}: unknown CS0 compression id ${compression}`);
}

/** ECMA-167 1/7.2.12: a d-string of a fixed-size field; its last byte is the used length. */
export function readDString(bytes: Uint8Array, at: number, fieldBytes: number, place: UdfPlace, what: string): string {
  requireBytes(bytes, at, fieldBytes, place, what);
  const used = bytes[at + fieldBytes - 1] as number;
  if (used === 0) return '';
  if (used > fieldBytes - 1) throw udfCorrupt(place, at + fieldBytes - 1, `${what}: d-string length ${used} exceeds its ${fieldBytes}-byte field`);
  return readDCharacters(bytes, at, used, place, what).replace(/\0+$/, '');
}

/** ECMA-167 1/7.3: timestamp as epoch ms; null when unset or impossible. */
export function readTimestamp(bytes: Uint8Array, at: number, place: UdfPlace, what: string): number | null {
  requireBytes(bytes, at, 12, place, what);
  const typeAndZone = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
  const year = (((bytes[at + 2] as number) | ((bytes[at + 3] as number) << 8)) << 16) >> 16;
  const month = bytes[at + 4] as number;
  const day = bytes[at + 5] as number;
  if (year === 0 && month === 0 && day === 0) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const hour = bytes[at + 6] as number;
  const minute = bytes[at + 7] as number;
  const second = bytes[at + 8] as number;
  const centiseconds = bytes[at + 9] as number;
  // 1/7.3.1: type 1 = local time with a signed 12-bit offset from UTC in minutes; -2047 = unknown.
  let zoneMinutes = typeAndZone & 0xfff;
  if (zoneMinutes & 0x800) zoneMinutes -= 0x1000;
  if (typeAndZone >> 12 !== 1 || zoneMinutes === -2047 || zoneMinutes < -1440 || zoneMinutes > 1440) zoneMinutes = 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Math.min(99, centiseconds) * 10) - zoneMinutes * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

/** ECMA-167 1/7.4: entity identifier; the identifier text and its 8-byte suffix. */
export interface EntityIdentifier {
  readonly identifier: string;
  readonly suffix: Uint8Array;
}

export function readEntityIdentifier(bytes: Uint8Array, at: number, place: UdfPlace, what: string): EntityIdentifier {
  requireBytes(bytes, at, 32, place, what);
  let identifier = '';
  for (let index = at + 1; index < at + 24; index += 1) {
    const byte = bytes[index] as number;
    if (byte === 0) break;
    identifier += String.fromCharCode(byte);
  }
  return { identifier, suffix: bytes.subarray(at + 24, at + 32) };
}

/** ECMA-167 4/7.1: logical block address: a block within the partition of this map index. */
export interface LogicalBlockAddress {
  readonly block: number;
  readonly partitionIndex: number;
}

/** ECMA-167 4/14.14.1.1: the two high bits of an extent length say what the extent holds. */
export const extentKinds = { recorded: 0, allocatedNotRecorded: 1, notAllocated: 2, continuation: 3 } as const;

export interface AllocationDescriptor {
  readonly lengthBytes: number;
  readonly kind: number;
  readonly address: LogicalBlockAddress;
}

/** ECMA-167 4/14.14.2: long_ad (16 bytes). */
export function readLongAd(bytes: Uint8Array, at: number, place: UdfPlace): AllocationDescriptor {
  const raw = readUint32Le(bytes, at, place, 'long_ad extent length');
  return {
    lengthBytes: raw & 0x3fffffff,
    kind: raw >>> 30,
    address: { block: readUint32Le(bytes, at + 4, place, 'long_ad block'), partitionIndex: readUint16Le(bytes, at + 8, place, 'long_ad partition') },
  };
}

/** ECMA-167 4/14.14.1: short_ad (8 bytes), in the partition of the entry that holds it. */
export function readShortAd(bytes: Uint8Array, at: number, partitionIndex: number, place: UdfPlace): AllocationDescriptor {
  const raw = readUint32Le(bytes, at, place, 'short_ad extent length');
  return { lengthBytes: raw & 0x3fffffff, kind: raw >>> 30, address: { block: readUint32Le(bytes, at + 4, place, 'short_ad block'), partitionIndex } };
}

/** ECMA-167 4/14.14.3: ext_ad (20 bytes). */
export function readExtAd(bytes: Uint8Array, at: number, place: UdfPlace): AllocationDescriptor {
  const raw = readUint32Le(bytes, at, place, 'ext_ad extent length');
  return {
    lengthBytes: raw & 0x3fffffff,
    kind: raw >>> 30,
    address: { block: readUint32Le(bytes, at + 12, place, 'ext_ad block'), partitionIndex: readUint16Le(bytes, at + 16, place, 'ext_ad partition') },
  };
}
