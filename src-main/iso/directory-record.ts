// ECMA-119 9.1: one directory record, and 6.8.1.1: the records of a directory extent, which never
// cross a logical sector boundary (the rest of a sector after the last record is zero padding).
import type { Place } from '../format/fields.ts';
import { corruptAt, parseDirectoryRecordDate, readBothEndianUint32, readUint8, requireBytes, sectorBytes } from '../format/fields.ts';

/** ECMA-119 9.1.6: file flags. */
export const fileFlags = {
  hidden: 0x01, // "existence": need not be made known to the user
  directory: 0x02,
  associated: 0x04,
  record: 0x08,
  protection: 0x10,
  multiExtent: 0x80, // not the final directory record of the file
} as const;

export interface DirectoryRecord {
  /** Image offset of the record's first byte. */
  readonly offsetBytes: number;
  readonly recordBytes: number;
  /** ECMA-119 9.1.2 / 9.5: extended attribute record length, in logical blocks before the data. */
  readonly extendedAttributeBlocks: number;
  readonly extentLba: number;
  readonly dataLengthBytes: number;
  readonly flags: number;
  /** The bytes the record was parsed from (a directory extent) and where in them its parts lie. */
  readonly bytes: Uint8Array;
  /** The image offset of bytes[0], for error messages about the parts. */
  readonly bytesPlace: Place;
  readonly identifierStart: number;
  readonly identifierBytes: number;
  readonly systemUseStart: number;
  readonly systemUseEnd: number;
  /** ECMA-119 9.1.5: recording date in epoch ms, null when unset or invalid. */
  readonly recordedMs: number | null;
  /** Raw file identifier bytes (d-characters, UCS-2 for Joliet, 0x00 / 0x01 for "." and ".."). */
  readonly identifier: Uint8Array;
  /** ECMA-119 9.1.13: the system use field (SUSP / Rock Ridge entries live here). */
  readonly systemUse: Uint8Array;
}

/**
 * A record read in place: fields are offsets into the extent, and the identifier, system use field
 * and date are made only when asked for. Listings parse tens of thousands of records, and a view or
 * a Date per record is most of what they would otherwise allocate.
 */
class ParsedDirectoryRecord implements DirectoryRecord {
  constructor(
    readonly bytes: Uint8Array,
    readonly bytesPlace: Place,
    private readonly at: number,
    readonly offsetBytes: number,
    readonly recordBytes: number,
    readonly extentLba: number,
    readonly dataLengthBytes: number,
    readonly identifierBytes: number,
    readonly systemUseStart: number,
  ) {}
  get extendedAttributeBlocks(): number {
    return this.bytes[this.at + 1] as number;
  }
  get flags(): number {
    return this.bytes[this.at + 25] as number;
  }
  get identifierStart(): number {
    return this.at + directoryRecordFixedBytes;
  }
  get systemUseEnd(): number {
    return this.at + this.recordBytes;
  }
  get recordedMs(): number | null {
    return parseDirectoryRecordDate(this.bytes, this.at + 18, this.bytesPlace);
  }
  get identifier(): Uint8Array {
    return this.bytes.subarray(this.identifierStart, this.identifierStart + this.identifierBytes);
  }
  get systemUse(): Uint8Array {
    return this.bytes.subarray(this.systemUseStart, this.systemUseEnd);
  }
}

/** ECMA-119 9.1: the fixed part of a directory record. */
export const directoryRecordFixedBytes = 33;

/** Parses the record at bytes[at]; its length byte must already be known non-zero. */
export function parseDirectoryRecord(bytes: Uint8Array, at: number, place: Place): DirectoryRecord {
  const recordBytes = readUint8(bytes, at, place, 'directory record length');
  // ECMA-119 9.1.1: the record holds at least the fixed part and one identifier byte.
  if (recordBytes < directoryRecordFixedBytes + 1) {
    throw corruptAt(place, at, `directory record declares ${recordBytes} bytes, less than the ${directoryRecordFixedBytes + 1}-byte minimum`);
  }
  if (at + recordBytes > bytes.byteLength) requireBytes(bytes, at, recordBytes, place, `directory record of ${recordBytes} bytes`);
  const identifierBytes = bytes[at + 32] as number;
  // ECMA-119 9.1.10: the identifier must fit inside the record.
  if (directoryRecordFixedBytes + identifierBytes > recordBytes) {
    throw corruptAt(place, at + 32, `file identifier of ${identifierBytes} bytes overruns the ${recordBytes}-byte directory record`);
  }
  const identifierEnd = at + directoryRecordFixedBytes + identifierBytes;
  // ECMA-119 9.1.12: a padding byte follows an even-length identifier.
  const systemUseStart = Math.min(at + recordBytes, identifierEnd + (identifierBytes % 2 === 0 ? 1 : 0));
  // ECMA-119 9.1.9: the volume sequence number is informative here; leniency: several mastering tools
  // wrote its big-endian half wrongly, so it is not checked.
  return new ParsedDirectoryRecord(
    bytes,
    place,
    at,
    place.offsetBytes + at,
    recordBytes,
    // ECMA-119 9.1.3 / 9.1.4: location of extent and data length, both-endian.
    readBothEndianUint32(bytes, at + 2, place, 'location of extent'),
    readBothEndianUint32(bytes, at + 10, place, 'data length'),
    identifierBytes,
    systemUseStart,
  );
}

/** The most directory records one directory may hold before we call it hostile. */
export const maxRecordsPerDirectory = 1_000_000;

/**
 * ECMA-119 6.8.1.1 / 9.1: all records of a directory extent, or of a sector-aligned part of one that
 * follows `recordsBefore` records (the bound counts the whole directory). A zero length byte means
 * "the rest of this sector is padding"; records never straddle a sector boundary.
 */
export function parseDirectoryRecords(extent: Uint8Array, place: Place, recordsBefore = 0): DirectoryRecord[] {
  const records: DirectoryRecord[] = [];
  let at = 0;
  while (at < extent.byteLength) {
    const length = extent[at] as number;
    if (length === 0) {
      at = (Math.floor(at / sectorBytes) + 1) * sectorBytes;
      continue;
    }
    const sectorEnd = (Math.floor(at / sectorBytes) + 1) * sectorBytes;
    if (at + length > sectorEnd) {
      throw corruptAt(place, at, `directory record of ${length} bytes crosses the sector boundary at ${place.offsetBytes + sectorEnd}`);
    }
    records.push(parseDirectoryRecord(extent, at, place));
    if (recordsBefore + records.length > maxRecordsPerDirectory) {
      throw corruptAt(place, at, `directory holds more than ${maxRecordsPerDirectory} records`);
    }
    at += length;
  }
  return records;
}

/** True for the "." (0x00) and ".." (0x01) identifiers of ECMA-119 6.8.2.2. */
export function isSelfOrParent(record: DirectoryRecord): boolean {
  if (record.identifierBytes !== 1) return false;
  const byte = record.bytes[record.identifierStart];
  return byte === 0 || byte === 1;
}
