// The one bounds-checked field reader every parser uses (ISO 9660, UDF, partition maps, El Torito, FAT):
// integers of either byte order (ECMA-119 7.2-7.3 and their both-endian forms, ECMA-167 1/7.1), ECMA-119
// 7.4 character fields, 8.4.26.1 / 9.1.5 dates, and byte ranges read from a source. Every failure is a
// CorruptImageError naming the absolute byte offset and its sector. Plain functions over the bytes:
// listing an ISO reads a quarter of a million fields, so nothing is allocated per field.
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from './corrupt-image-error.ts';

/** ECMA-119 6.1.2: logical sectors are 2048 bytes. */
export const sectorBytes = 2048;

/** Where a parsed structure lies in the image, for error messages: the image offset of its byte 0. */
export interface Place {
  readonly offsetBytes: number;
  /**
   * The sector unit messages count in: 512 for MBR, GPT and FAT structures, the block size for UDF.
   * Unset: ISO 9660's 2048-byte sectors, named plainly "sector N".
   */
  readonly sectorBytes?: number;
}

export function corruptAt(place: Place, at: number, message: string): CorruptImageError {
  const offsetBytes = place.offsetBytes + at;
  if (place.sectorBytes === undefined) {
    const sectorLba = Math.floor(offsetBytes / sectorBytes);
    return new CorruptImageError(`${message} (sector ${sectorLba}, offset ${offsetBytes})`, { sectorLba, offsetBytes });
  }
  const sectorLba = Math.floor(offsetBytes / place.sectorBytes);
  return new CorruptImageError(`${message} (${place.sectorBytes}-byte sector ${sectorLba}, offset ${offsetBytes})`, {
    sectorLba,
    sectorBytes: place.sectorBytes,
    offsetBytes,
  });
}

/** Reads `lengthBytes` at `place`; a read outside the image is a CorruptImageError naming `what`. */
export async function readRegion(source: ByteSource, place: Place, lengthBytes: number, what: string): Promise<Uint8Array> {
  try {
    return await source.read(place.offsetBytes, lengthBytes);
  } catch (error) {
    if (error instanceof ByteRangeError) {
      throw corruptAt(place, 0, `${what} (${lengthBytes} bytes) lies outside the image of ${source.sizeBytes} bytes`);
    }
    throw error;
  }
}

/** Fails unless bytes[at, at + length) exists. */
export function requireBytes(bytes: Uint8Array, at: number, length: number, place: Place, what: string): void {
  // The message is built out of line: this check runs for every field, and a small body gets inlined.
  // `!(at >= 0)` also refuses NaN, which a hostile length field could make of an offset.
  if (!(at >= 0) || length < 0 || at + length > bytes.byteLength) throw missingBytes(bytes, at, length, place, what);
}

function missingBytes(bytes: Uint8Array, at: number, length: number, place: Place, what: string): Error {
  return corruptAt(place, at, `${what} needs ${length} bytes at ${at}, ${Math.max(0, bytes.byteLength - at)} remain`);
}

export function readUint8(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 1, place, what);
  return bytes[at] as number;
}

// Plain byte arithmetic rather than a DataView per field: listing 50,000 entries reads 250,000 fields.
// The exported two read without a bounds check, for hot loops that checked a whole structure's bounds once.
export function uint16Le(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
}
export function uint32Le(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16)) + (bytes[at + 3] as number) * 0x1000000;
}
function uint32Be(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) * 0x1000000 + (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
}

/** ECMA-119 7.3.1: 32-bit little-endian. */
export function readUint32Le(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 4, place, what);
  return uint32Le(bytes, at);
}

/** ECMA-119 7.3.2: 32-bit big-endian (also the MBR/El Torito fields that are big-endian). */
export function readUint32Be(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 4, place, what);
  return uint32Be(bytes, at);
}

/** ECMA-119 7.2.1 / ECMA-167 1/7.1.3: 16-bit little-endian. */
export function readUint16Le(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 2, place, what);
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
}

/** ECMA-119 7.2.2: 16-bit big-endian. */
export function readUint16Be(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 2, place, what);
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

/** A 64-bit little-endian number (ECMA-167 1/7.1.5, GPT); beyond 2^53 it is no size any image can have. */
export function readUint64Le(bytes: Uint8Array, at: number, place: Place, what: string): number {
  requireBytes(bytes, at, 8, place, what);
  const high = uint32Le(bytes, at + 4);
  if (high >= 0x200000) throw corruptAt(place, at, `${what} ${high} * 2^32 is beyond any image size`);
  return high * 0x100000000 + uint32Le(bytes, at);
}

/** 64 little-endian bits as 16 hex digits (attribute fields, where every bit matters). */
export function readHex64Le(bytes: Uint8Array, at: number, place: Place, what: string): string {
  requireBytes(bytes, at, 8, place, what);
  return (
    uint32Le(bytes, at + 4)
      .toString(16)
      .padStart(8, '0') + uint32Le(bytes, at).toString(16).padStart(8, '0')
  );
}

/** bytes[at, at + length) as a view (no copy). */
export function readSlice(bytes: Uint8Array, at: number, length: number, place: Place, what: string): Uint8Array {
  requireBytes(bytes, at, length, place, what);
  return bytes.subarray(at, at + length);
}

/** Single-byte characters cut at the first NUL, non-printable bytes shown as U+FFFD (MBR, FAT, El Torito ids). */
export function readPrintableAscii(bytes: Uint8Array, at: number, length: number, place: Place, what: string): string {
  let text = '';
  for (const byte of readSlice(bytes, at, length, place, what)) {
    if (byte === 0) break;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '\uFFFD';
  }
  return text;
}

/** The readers above bound to one structure's bytes and place, for parsers that read many fields of one. */
export class FieldReader {
  readonly bytes: Uint8Array;
  readonly place: Place;

  constructor(bytes: Uint8Array, place: Place) {
    this.bytes = bytes;
    this.place = place;
  }

  uint8(at: number, what: string): number {
    return readUint8(this.bytes, at, this.place, what);
  }
  uint16Le(at: number, what: string): number {
    return readUint16Le(this.bytes, at, this.place, what);
  }
  uint16Be(at: number, what: string): number {
    return readUint16Be(this.bytes, at, this.place, what);
  }
  uint32Le(at: number, what: string): number {
    return readUint32Le(this.bytes, at, this.place, what);
  }
  uint32Be(at: number, what: string): number {
    return readUint32Be(this.bytes, at, this.place, what);
  }
  uint64Le(at: number, what: string): number {
    return readUint64Le(this.bytes, at, this.place, what);
  }
  hex64Le(at: number, what: string): string {
    return readHex64Le(this.bytes, at, this.place, what);
  }
  slice(at: number, length: number, what: string): Uint8Array {
    return readSlice(this.bytes, at, length, this.place, what);
  }
  ascii(at: number, length: number, what: string): string {
    return readPrintableAscii(this.bytes, at, length, this.place, what);
  }
}

export interface BothEndianOptions {
  /**
   * Leniency: tools in the wild (and some hostile images) write a wrong big-endian half. When set, the
   * little-endian half wins (as Linux and pycdlib do) instead of failing; the parsers use it only for
   * fields whose value is checked against the image afterwards anyway.
   */
  readonly preferLittleEndian?: boolean;
}

/** ECMA-119 7.3.3: 32-bit both-endian; the halves must agree. */
export function readBothEndianUint32(bytes: Uint8Array, at: number, place: Place, what: string, options?: BothEndianOptions): number {
  requireBytes(bytes, at, 8, place, what);
  const little = uint32Le(bytes, at);
  if (options?.preferLittleEndian === true) return little;
  const big = uint32Be(bytes, at + 4);
  if (little !== big) throw halvesDisagree(place, at, what, little, big);
  return little;
}

function halvesDisagree(place: Place, at: number, what: string, little: number, big: number): Error {
  return corruptAt(place, at, `${what} disagrees: little-endian ${little}, big-endian ${big}`);
}

/** ECMA-119 7.2.3: 16-bit both-endian; the halves must agree. */
export function readBothEndianUint16(bytes: Uint8Array, at: number, place: Place, what: string, options: BothEndianOptions = {}): number {
  requireBytes(bytes, at, 4, place, what);
  const little = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
  const big = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
  if (little !== big && options.preferLittleEndian !== true) {
    throw corruptAt(place, at, `${what} disagrees: little-endian ${little}, big-endian ${big}`);
  }
  return little;
}

/** ECMA-119 7.4: a-/d-character fields are ASCII, space padded; the padding is removed. */
export function readAscii(bytes: Uint8Array, at: number, length: number, place: Place, what: string): string {
  requireBytes(bytes, at, length, place, what);
  let text = '';
  for (let index = at; index < at + length; index += 1) text += String.fromCharCode(bytes[index] as number);
  return text.replace(/[ \0]+$/, '');
}

/**
 * UTF-8 text of bytes[start, end); invalid sequences become U+FFFD. Buffer's decoder, because it is
 * several times faster than TextDecoder on the short names a listing decodes by the ten thousand.
 */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // utf8Slice is what toString('utf8', start, end) calls after checking its arguments (ours are
  // checked by the caller); public in Node's Buffer since v0.x, though missing from @types/node.
  return (buffer as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end);
}

/** Joliet: identifiers are UCS-2 big-endian (odd trailing bytes are ignored, as Windows does). */
export function readUcs2Be(bytes: Uint8Array, at: number, length: number, place: Place, what: string): string {
  requireBytes(bytes, at, length, place, what);
  let text = '';
  for (let index = at; index + 1 < at + length; index += 2) {
    text += String.fromCharCode(((bytes[index] as number) << 8) | (bytes[index + 1] as number));
  }
  return text;
}

/**
 * ECMA-119 9.1.5: the 7-byte recording date of a directory record (years since 1900, month, day,
 * hour, minute, second, offset from GMT in 15-minute steps, -48..+52). Null when all zero (not set)
 * or out of range: a bad date is not worth refusing a file over.
 */
export function parseDirectoryRecordDate(bytes: Uint8Array, at: number, place: Place): number | null {
  requireBytes(bytes, at, 7, place, 'recording date');
  const years = bytes[at] as number;
  const month = bytes[at + 1] as number;
  const day = bytes[at + 2] as number;
  const hour = bytes[at + 3] as number;
  const minute = bytes[at + 4] as number;
  const second = bytes[at + 5] as number;
  const offsetQuarterHours = ((bytes[at + 6] as number) << 24) >> 24; // signed byte
  if (years === 0 && month === 0 && day === 0) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const offset = offsetQuarterHours >= -48 && offsetQuarterHours <= 52 ? offsetQuarterHours : 0;
  const seconds = daysSinceEpoch(1900 + years, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1000 - offset * 15 * 60_000;
}

/**
 * Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil), for
 * years from 1 on. The same as Date.UTC / 86,400,000, also for days past a month's end (Feb 31 is
 * Mar 3), but plain arithmetic: Date.UTC is a runtime call costing more than the rest of a
 * directory record, and a listing dates every record.
 */
export function daysSinceEpoch(year: number, month: number, day: number): number {
  const shiftedYear = month <= 2 ? year - 1 : year; // years start in March: leap days come last
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * ECMA-119 8.4.26.1: the 17-byte volume descriptor date, "YYYYMMDDHHMMSScc" digits then the GMT
 * offset byte. Null when "not specified" (all digits zero) or malformed.
 */
export function parseVolumeDescriptorDate(bytes: Uint8Array, at: number, place: Place): number | null {
  requireBytes(bytes, at, 17, place, 'volume descriptor date');
  const digits = readAscii(bytes, at, 16, place, 'volume descriptor date');
  if (!/^\d{16}$/.test(digits) || /^0+$/.test(digits)) return null;
  const field = (start: number, length: number): number => Number(digits.slice(start, start + length));
  const [year, month, day, hour, minute, second, centiseconds] = [
    field(0, 4),
    field(4, 2),
    field(6, 2),
    field(8, 2),
    field(10, 2),
    field(12, 2),
    field(14, 2),
  ] as [number, number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const offsetQuarterHours = ((bytes[at + 16] as number) << 24) >> 24;
  const offset = offsetQuarterHours >= -48 && offsetQuarterHours <= 52 ? offsetQuarterHours : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, centiseconds * 10) - offset * 15 * 60_000;
}
