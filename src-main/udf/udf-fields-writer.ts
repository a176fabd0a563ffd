// The field encoders of the UDF writer, the mirror of udf-fields.ts: descriptor tags with their
// checksum and CRC (ECMA-167 3/7.2), OSTA CS0 d-characters and d-strings (ECMA-167 1/7.2.12, OSTA UDF
// 2.1.1-2.1.3), timestamps (1/7.3), entity identifiers (1/7.4, UDF 2.1.5) and allocation descriptors
// (4/14.14). Each writes into a caller's buffer at a byte position. Little-endian throughout (1/7.1).
import { crc16, tagBytes } from './udf-fields.ts';

/** The one block size the bridge writes: an ISO 9660 logical block (UDF 2.2.4.2: the sector size). */
export const udfBlockBytes = 2048;

/** OSTA UDF 1.02 (2.1.5.3: the revision in entity identifier suffixes, BCD 0x0102). */
export const udfRevision = 0x0102;

/** ECMA-167 3/7.2.2: every descriptor this writer makes is version 2 (the NSR02 structures of UDF 1.02). */
const descriptorVersion = 2;

export function writeUint8(into: Uint8Array, at: number, value: number): void {
  into[at] = value & 0xff;
}

export function writeUint16Le(into: Uint8Array, at: number, value: number): void {
  into[at] = value & 0xff;
  into[at + 1] = (value >>> 8) & 0xff;
}

/** A value outside 32 bits is a layout bug, never silently truncated. */
export function writeUint32Le(into: Uint8Array, at: number, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} does not fit a 32-bit UDF field`);
  into[at] = value & 0xff;
  into[at + 1] = (value >>> 8) & 0xff;
  into[at + 2] = (value >>> 16) & 0xff;
  into[at + 3] = (value >>> 24) & 0xff;
}

export function writeUint64Le(into: Uint8Array, at: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} does not fit a 64-bit UDF field`);
  writeUint32Le(into, at, value % 0x1_0000_0000);
  writeUint32Le(into, at + 4, Math.floor(value / 0x1_0000_0000));
}

/**
 * ECMA-167 3/7.2: fills the 16-byte tag at `at` of a descriptor of `descriptorBytes` bytes that is
 * otherwise complete: the CRC over the bytes after the tag (3/7.2.6), then the checksum over the tag
 * (3/7.2.3). `location` is the sector (volume structures) or partition-relative block (file structures)
 * the descriptor's tag lies in (3/7.2.8, 4/7.2.8).
 */
export function finishDescriptorTag(into: Uint8Array, at: number, tag: { identifier: number; location: number; descriptorBytes: number }): void {
  const crcLengthBytes = tag.descriptorBytes - tagBytes;
  writeUint16Le(into, at, tag.identifier);
  writeUint16Le(into, at + 2, descriptorVersion);
  into[at + 5] = 0;
  // 3/7.2.5: the serial number is the volume's choice; genisoimage writes 0 in every tag, and so do we.
  writeUint16Le(into, at + 6, 0);
  writeUint16Le(into, at + 8, crc16(into, at + tagBytes, crcLengthBytes));
  writeUint16Le(into, at + 10, crcLengthBytes);
  writeUint32Le(into, at + 12, tag.location);
  let sum = 0;
  for (let index = 0; index < tagBytes; index += 1) if (index !== 4) sum += into[at + index] as number;
  into[at + 4] = sum & 0xff;
}

/** A character CS0 can record only in its 16-bit form (beyond Latin-1, or half of a surrogate pair). */
function isWide(character: string): boolean {
  return character.length > 1 || character.charCodeAt(0) > 0xff;
}

/**
 * OSTA UDF 2.1.1 / ECMA-167 1/7.2.12: CS0 d-characters, the compression id then the characters: 8
 * when every UTF-16 unit fits a byte, else 16 (big-endian units; astral characters as their surrogate
 * pairs, as Linux and Windows read them).
 */
export function encodeDCharacters(text: string): Uint8Array {
  if (text === '') return new Uint8Array(0);
  const wide = [...text].some(isWide);
  const bytes = new Uint8Array(1 + text.length * (wide ? 2 : 1));
  bytes[0] = wide ? 16 : 8;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (wide) {
      bytes[1 + 2 * index] = unit >>> 8;
      bytes[2 + 2 * index] = unit & 0xff;
    } else bytes[1 + index] = unit;
  }
  return bytes;
}

/**
 * The longest start of `text` (whole characters, never half a surrogate pair) whose CS0 form, with
 * `tail` after it, fits `maxBytes`; '' when not even the tail fits. One pass: the form only widens.
 */
export function fitDCharacters(text: string, maxBytes: number, tail = ''): string {
  let wide = [...tail].some(isWide);
  let units = tail.length;
  let endIndex = 0;
  for (const character of text) {
    const nextWide = wide || isWide(character);
    const nextUnits = units + character.length;
    if (1 + nextUnits * (nextWide ? 2 : 1) > maxBytes) break;
    wide = nextWide;
    units = nextUnits;
    endIndex += character.length;
  }
  return text.slice(0, endIndex);
}

/**
 * ECMA-167 1/7.2.12: a d-string filling a `fieldBytes` field: the CS0 characters (cut to fit), zeros,
 * and in the last byte the length used (0 for an empty string).
 */
export function writeDString(into: Uint8Array, at: number, fieldBytes: number, text: string): void {
  const encoded = encodeDCharacters(fitDCharacters(text, fieldBytes - 1));
  into.fill(0, at, at + fieldBytes);
  into.set(encoded, at);
  into[at + fieldBytes - 1] = encoded.byteLength;
}

/** ECMA-167 1/7.2.1 / OSTA UDF 2.1.2: the charspec "OSTA Compressed Unicode" (CS0), 64 bytes. */
export function writeOstaCharspec(into: Uint8Array, at: number): void {
  into.fill(0, at, at + 64);
  into[at] = 0;
  writeAscii(into, at + 1, 'OSTA Compressed Unicode');
}

function writeAscii(into: Uint8Array, at: number, text: string): void {
  for (let index = 0; index < text.length; index += 1) into[at + index] = text.charCodeAt(index) & 0x7f;
}

/**
 * ECMA-167 1/7.3: a 12-byte timestamp, type 1 (local time) with a UTC offset of 0 minutes, as
 * genisoimage writes. Times outside the years 1-9999 are clamped: the readers' calendars stop there.
 */
export function writeTimestamp(into: Uint8Array, at: number, timeMs: number): void {
  const lowest = new Date(0).setUTCFullYear(1, 0, 1);
  const highest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const clamped = Number.isFinite(timeMs) ? Math.min(Math.max(timeMs, lowest), highest) : 0;
  const date = new Date(clamped);
  writeUint16Le(into, at, 0x1000);
  writeUint16Le(into, at + 2, date.getUTCFullYear());
  into.set([date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()], at + 4);
  const ms = date.getUTCMilliseconds();
  // 1/7.3.10-12: centiseconds, hundreds of microseconds, microseconds.
  into.set([Math.floor(ms / 10), (ms % 10) * 10, 0], at + 9);
}

/** The entity identifiers (ECMA-167 1/7.4) the bridge writes, by the suffix kind OSTA UDF 2.1.5.3 gives each. */
export const entityIds = {
  /** UDF 2.1.5.2: the domain of the LVD and FSD; suffix: revision and domain flags. */
  domain: '*OSTA UDF Compliant',
  /** UDF 2.2.7.2: the Implementation Use Volume Descriptor's identifier; a UDF suffix. */
  logicalVolumeInfo: '*UDF LV Info',
  /** Ours, in every implementation identifier field (UDF 2.1.5.2: "*" and the developer's name). */
  implementation: '*Isotope',
  /** ECMA-167 3/10.5.3 / UDF 2.2.14.2: the partition holds an NSR02 (ECMA-167 2nd edition) file structure. */
  nsr02: '+NSR02',
} as const;

/** UDF 2.1.5.3 domain flags: hard (bit 0) and soft (bit 1) write protection, as genisoimage marks a disc image. */
const domainWriteProtected = 3;

/**
 * ECMA-167 1/7.4: a 32-byte entity identifier: flags, the identifier (23 bytes), the 8-byte suffix
 * that OSTA UDF 2.1.5.3 defines by kind: 'domain' (revision + domain flags), 'udf' (revision + OS
 * class/id 0: undefined, the same bytes on every machine), 'implementation' (OS class/id 0) or none.
 */
export function writeEntityId(into: Uint8Array, at: number, identifier: string, suffix: 'domain' | 'udf' | 'implementation' | 'none', flags = 0): void {
  into.fill(0, at, at + 32);
  into[at] = flags;
  writeAscii(into, at + 1, identifier.slice(0, 23));
  if (suffix === 'domain') {
    writeUint16Le(into, at + 24, udfRevision);
    into[at + 26] = domainWriteProtected;
  } else if (suffix === 'udf') writeUint16Le(into, at + 24, udfRevision);
}

/** ECMA-167 4/14.14.1: short_ad, a recorded extent in the entry's own partition (8 bytes). */
export function writeShortAd(into: Uint8Array, at: number, extent: { lengthBytes: number; block: number }): void {
  writeUint32Le(into, at, extent.lengthBytes);
  writeUint32Le(into, at + 4, extent.block);
}

/**
 * ECMA-167 4/14.14.2: long_ad (16 bytes) in partition 0; `uniqueId` fills UDF 2.3.4.3's ADImpUse
 * (flags 0, the lower 32 bits of the entry's unique id); genisoimage fills it in its UDF 1.02 FIDs too.
 */
export function writeLongAd(into: Uint8Array, at: number, extent: { lengthBytes: number; block: number; uniqueId?: number }): void {
  into.fill(0, at, at + 16);
  writeUint32Le(into, at, extent.lengthBytes);
  writeUint32Le(into, at + 4, extent.block);
  writeUint16Le(into, at + 8, 0);
  if (extent.uniqueId !== undefined) writeUint32Le(into, at + 12, extent.uniqueId % 0x1_0000_0000);
}

/**
 * ECMA-167 4/14.14.1.1: an extent's length lies below 2^30 and every extent but the last is whole
 * blocks, so one run of bytes is recorded as pieces of at most 2^30 - 2048 bytes.
 */
export const maxExtentBytes = 0x4000_0000 - udfBlockBytes;

/** Runs of contiguous blocks (merged where they touch) cut into extents a single allocation descriptor can say. */
export function splitIntoExtents(runs: readonly { readonly block: number; readonly sizeBytes: number }[]): { block: number; lengthBytes: number }[] {
  const merged: { block: number; sizeBytes: number }[] = [];
  for (const run of runs) {
    if (run.sizeBytes === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.sizeBytes % udfBlockBytes === 0 && last.block + last.sizeBytes / udfBlockBytes === run.block) last.sizeBytes += run.sizeBytes;
    else merged.push({ block: run.block, sizeBytes: run.sizeBytes });
  }
  const extents: { block: number; lengthBytes: number }[] = [];
  for (const run of merged) {
    for (let doneBytes = 0; doneBytes < run.sizeBytes; doneBytes += maxExtentBytes) {
      extents.push({ block: run.block + doneBytes / udfBlockBytes, lengthBytes: Math.min(maxExtentBytes, run.sizeBytes - doneBytes) });
    }
  }
  return extents;
}
