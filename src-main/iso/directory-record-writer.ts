// ECMA-119 9.1: directory records as the writer makes them, 6.8.1.1: packed into a directory extent
// without crossing a sector, and 6.5.1: a file's data split into extents of at most 4 GiB - 2048 bytes
// (one record per extent, multi-extent flag on all but the last). Reader: directory-record.ts.
import { sectorBytes } from '../format/fields.ts';
import { directoryRecordFixedBytes, fileFlags } from './directory-record.ts';
import { writeBothEndianUint16, writeBothEndianUint32, writeDirectoryRecordDate } from './field-writer.ts';

/** ECMA-119 9.1.1: the record length is one byte. */
export const maxDirectoryRecordBytes = 255;

/** ECMA-119 6.8.2.2: the identifiers of "." and "..". */
export const selfIdentifier = Uint8Array.of(0);
export const parentIdentifier = Uint8Array.of(1);

/**
 * The largest extent a multi-extent file's record describes: 4 GiB - 2048 bytes, a whole number of
 * sectors below the 32-bit data length's limit, as libisofs (xorriso) and mkisofs split.
 */
export const maxExtentBytes = 0xfffff800;

/** The largest data length one record can state (ECMA-119 9.1.4: 32 bits). */
export const maxSingleExtentBytes = 0xffffffff;

export interface DirectoryRecordWrite {
  /** d-characters with ';1' for files; 0x00 / 0x01 for "." and ".."; UCS-2 for Joliet. */
  readonly identifier: Uint8Array;
  readonly extentLba: number;
  readonly dataLengthBytes: number;
  /** ECMA-119 9.1.6 file flags (fileFlags). */
  readonly flags: number;
  readonly recordedMs: number;
  /** The System Use field (Rock Ridge), even length; noSystemUse without Rock Ridge. */
  readonly systemUse: SystemUseField;
}

/** A record's System Use field: its length, and what writes it in place (Rock Ridge's plan writes straight into the extent). */
export interface SystemUseField {
  readonly byteLength: number;
  /** Writes byteLength bytes at into[at], which is zeroed. */
  writeInto(into: Uint8Array, at: number): void;
}

export const noSystemUse: SystemUseField = { byteLength: 0, writeInto: () => undefined };

/** ECMA-119 9.1.12: a padding byte follows an even-length identifier, so the System Use field starts at an even offset. */
export function identifierPaddingBytes(identifierBytes: number): number {
  return identifierBytes % 2 === 0 ? 1 : 0;
}

/** The length of a record with this identifier and System Use field (ECMA-119 9.1.1), always even. */
export function directoryRecordBytes(identifierBytes: number, systemUseBytes: number): number {
  return directoryRecordFixedBytes + identifierBytes + identifierPaddingBytes(identifierBytes) + systemUseBytes + (systemUseBytes % 2);
}

/** What a record with this identifier leaves for its System Use field (SUSP: even bytes). */
export function systemUseSpaceBytes(identifierBytes: number): number {
  const space = maxDirectoryRecordBytes - directoryRecordFixedBytes - identifierBytes - identifierPaddingBytes(identifierBytes);
  return space - (space % 2);
}

/** Writes the record at into[at] and answers its length. A record over 255 bytes is a layout bug. */
export function writeDirectoryRecord(into: Uint8Array, at: number, record: DirectoryRecordWrite): number {
  const lengthBytes = directoryRecordBytes(record.identifier.byteLength, record.systemUse.byteLength);
  if (lengthBytes > maxDirectoryRecordBytes) throw new RangeError(`directory record of ${lengthBytes} bytes exceeds ${maxDirectoryRecordBytes}`);
  into.fill(0, at, at + lengthBytes);
  into[at] = lengthBytes; // 9.1.1
  into[at + 1] = 0; // 9.1.2: no extended attribute record
  writeBothEndianUint32(into, at + 2, record.extentLba); // 9.1.3
  writeBothEndianUint32(into, at + 10, record.dataLengthBytes); // 9.1.4
  writeDirectoryRecordDate(into, at + 18, record.recordedMs); // 9.1.5
  into[at + 25] = record.flags; // 9.1.6
  // 9.1.7-9.1.8: file unit size and interleave gap 0 (not interleaved).
  writeBothEndianUint16(into, at + 28, 1); // 9.1.9: volume sequence number
  into[at + 32] = record.identifier.byteLength; // 9.1.10
  into.set(record.identifier, at + directoryRecordFixedBytes);
  record.systemUse.writeInto(into, at + directoryRecordFixedBytes + record.identifier.byteLength + identifierPaddingBytes(record.identifier.byteLength));
  return lengthBytes;
}

/**
 * Where each record of a directory extent starts when records never cross a sector (ECMA-119
 * 6.8.1.1), and the extent's size in whole sectors. The same packing the renderer follows.
 */
export function packDirectoryRecords(recordLengths: readonly number[]): { offsets: number[]; sectorCount: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const length of recordLengths) {
    const sectorEnd = (Math.floor(at / sectorBytes) + 1) * sectorBytes;
    if (at + length > sectorEnd) at = sectorEnd;
    offsets.push(at);
    at += length;
  }
  return { offsets, sectorCount: Math.max(1, Math.ceil(at / sectorBytes)) };
}

/**
 * The extents of a file of `sizeBytes` (ECMA-119 6.5.1): one when its size fits the 32-bit length,
 * else runs of `maxExtentBytes` and a last run with the rest; offsets from the data's start.
 */
export function fileSections(sizeBytes: number): { offsetBytes: number; sizeBytes: number }[] {
  if (sizeBytes <= maxSingleExtentBytes) return [{ offsetBytes: 0, sizeBytes }];
  const sections: { offsetBytes: number; sizeBytes: number }[] = [];
  for (let offsetBytes = 0; offsetBytes < sizeBytes; offsetBytes += maxExtentBytes) {
    sections.push({ offsetBytes, sizeBytes: Math.min(maxExtentBytes, sizeBytes - offsetBytes) });
  }
  return sections;
}

/** The flags of section `index` of `count` of a file (ECMA-119 9.1.6 bit 7 on all but the last). */
export function sectionFlags(baseFlags: number, index: number, count: number): number {
  return index < count - 1 ? baseFlags | fileFlags.multiExtent : baseFlags;
}
