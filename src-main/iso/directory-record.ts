// ECMA-119 9.1: one directory record, and 6.8.1.1: the records of a directory extent, which never
// cross a logical sector boundary (the rest of a sector after the last record is zero padding).
import type { Place } from './fields.ts';
import { corruptAt, parseDirectoryRecordDate, readBothEndianUint32, readUint8, requireBytes, sectorBytes } from './fields.ts';

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
  readonly recordedMs: number | null;
  readonly flags: number;
  /** Raw file identifier bytes (d-characters, UCS-2 for Joliet, 0x00 / 0x01 for "." and ".."). */
  readonly identifier: Uint8Array;
  /** ECMA-119 9.1.13: the system use field (SUSP / Rock Ridge entries live here). */
  readonly systemUse: Uint8Array;
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
  // Fields are read in place (offsets relative to `at`), without a copy or view per record: listings
  // parse tens of thousands of records.
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
  return {
    offsetBytes: place.offsetBytes + at,
    recordBytes,
    extendedAttributeBlocks: bytes[at + 1] as number,
    // ECMA-119 9.1.3 / 9.1.4: location of extent and data length, both-endian.
    extentLba: readBothEndianUint32(bytes, at + 2, place, 'location of extent'),
    dataLengthBytes: readBothEndianUint32(bytes, at + 10, place, 'data length'),
    recordedMs: parseDirectoryRecordDate(bytes, at + 18, place),
    flags: bytes[at + 25] as number,
    identifier: bytes.subarray(at + directoryRecordFixedBytes, identifierEnd),
    systemUse: bytes.subarray(systemUseStart, at + recordBytes),
  };
}

/** The most directory records one directory may hold before we call it hostile. */
export const maxRecordsPerDirectory = 1_000_000;

/**
 * ECMA-119 6.8.1.1 / 9.1: all records of a directory extent. A zero length byte means "the rest of
 * this sector is padding"; records never straddle a sector boundary.
 */
export function parseDirectoryRecords(extent: Uint8Array, place: Place): DirectoryRecord[] {
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
    if (records.length > maxRecordsPerDirectory) {
      throw corruptAt(place, at, `directory holds more than ${maxRecordsPerDirectory} records`);
    }
    at += length;
  }
  return records;
}

/** True for the "." (0x00) and ".." (0x01) identifiers of ECMA-119 6.8.2.2. */
export function isSelfOrParent(record: DirectoryRecord): boolean {
  return record.identifier.byteLength === 1 && (record.identifier[0] === 0 || record.identifier[0] === 1);
}
