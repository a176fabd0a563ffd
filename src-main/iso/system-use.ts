// IEEE P1281 (SUSP 1.12): system use entries in a directory record's system use field, followed
// through continuation areas (CE, 5.1) with loop protection. Also SP (5.3), ST (5.4) and ER (5.5).
import type { ByteSource } from '../io/byte-source.ts';
import type { DirectoryRecord } from './directory-record.ts';
import type { Place } from './fields.ts';
import { corruptAt, readAscii, readBothEndianUint32, readUint8, requireBytes } from './fields.ts';

export interface SystemUseEntry {
  /** Two ASCII characters, e.g. "PX", "NM". */
  readonly signature: string;
  readonly version: number;
  /** The whole entry, header included (SUSP 4.1: BP 1-2 signature, BP 3 length, BP 4 version). */
  readonly bytes: Uint8Array;
  /** Image offset of the entry's first byte; the entry itself serves as the Place of its fields. */
  readonly offsetBytes: number;
}

/** SUSP 5.1: continuation areas one record may chain; real images use one or two. */
export const maxContinuationAreas = 32;
/** Total system use bytes per record, all areas together (the NM/SL of a 4 KiB path fit easily). */
export const maxSystemUseBytes = 256 * 1024;

// Signatures as shared strings, so a listing does not build a new two-character string per entry.
const signatureNames = new Map<number, string>();
function signatureName(code: number): string {
  let name = signatureNames.get(code);
  if (name === undefined) {
    name = String.fromCharCode(code >> 8, code & 0xff);
    if (signatureNames.size < 4096) signatureNames.set(code, name);
  }
  return name;
}

/** SUSP 4.1: splits one system use area into entries; ST or a too-short tail ends it. */
export function parseSystemUseArea(area: Uint8Array, place: Place): SystemUseEntry[] {
  const entries: SystemUseEntry[] = [];
  let at = 0;
  // SUSP 4.1: an entry is at least 4 bytes; fewer remaining bytes are padding.
  while (at + 4 <= area.byteLength) {
    const signature = signatureName((area[at] as number) * 256 + (area[at + 1] as number));
    const length = area[at + 2] as number;
    if (signature === '\0\0') break; // zero padding at the end of the field (leniency, seen in mkisofs output)
    if (length < 4) throw corruptAt(place, at + 2, `system use entry "${printable(signature)}" declares ${length} bytes, less than 4`);
    // SUSP 4.1: the entry lies inside its area (the message is built only on failure: this is hot).
    if (at + length > area.byteLength) requireBytes(area, at, length, place, `system use entry "${printable(signature)}"`);
    const entry = { signature, version: area[at + 3] as number, bytes: area.subarray(at, at + length), offsetBytes: place.offsetBytes + at };
    if (signature === 'ST') break; // SUSP 5.4: terminator
    entries.push(entry);
    at += length;
  }
  return entries;
}

export interface SystemUseOptions {
  readonly source: ByteSource;
  readonly logicalBlockSizeBytes: number;
  /** SUSP 5.3: LEN_SKP from the root's SP entry: bytes to skip at the start of each system use field. */
  readonly skipBytes: number;
}

/**
 * All entries of a record, continuation areas included. A CE chain that revisits an area or runs
 * longer than `maxContinuationAreas` is a loop: refused with the CE's place.
 */
export async function readSystemUseEntries(record: DirectoryRecord, options: SystemUseOptions): Promise<SystemUseEntry[]> {
  return continueSystemUseEntries(record, readRecordSystemUseEntries(record, options.skipBytes), options);
}

/** The entries in the record itself (CE not followed): the synchronous fast path of a listing. */
export function readRecordSystemUseEntries(record: DirectoryRecord, skipBytes: number): SystemUseEntry[] {
  if (skipBytes >= record.systemUse.byteLength) return [];
  const firstPlace = { offsetBytes: record.offsetBytes + (record.recordBytes - record.systemUse.byteLength) + skipBytes };
  return parseSystemUseArea(skipBytes === 0 ? record.systemUse : record.systemUse.subarray(skipBytes), firstPlace);
}

/** True when the entries name a continuation area (SUSP 5.1) still to be read. */
export function hasContinuation(entries: readonly SystemUseEntry[]): boolean {
  return entries.some((entry) => entry.signature === 'CE');
}

/** Follows the CE chain from the record's own entries; returns every entry but the CEs. */
export async function continueSystemUseEntries(record: DirectoryRecord, recordEntries: SystemUseEntry[], options: SystemUseOptions): Promise<SystemUseEntry[]> {
  if (!hasContinuation(recordEntries)) return recordEntries;
  let entries = recordEntries;
  const all: SystemUseEntry[] = [];
  const visited = new Set<number>();
  let totalBytes = record.systemUse.byteLength;
  for (let hop = 0; ; hop += 1) {
    let continuation: SystemUseEntry | null = null;
    for (const entry of entries) {
      if (entry.signature === 'CE') continuation = entry;
      else all.push(entry);
    }
    if (!continuation) return all;
    if (hop >= maxContinuationAreas) throw corruptAt(continuation, 0, `more than ${maxContinuationAreas} SUSP continuation areas chained`);
    // SUSP 5.1: CE: block location, offset, length (each both-endian 32-bit).
    const ce = continuation.bytes;
    if (ce.byteLength < 28) throw corruptAt(continuation, 0, `CE entry of ${ce.byteLength} bytes, expected 28`);
    const lba = readBothEndianUint32(ce, 4, continuation, 'CE block location');
    const offset = readBothEndianUint32(ce, 12, continuation, 'CE offset');
    const length = readBothEndianUint32(ce, 20, continuation, 'CE length');
    const start = lba * options.logicalBlockSizeBytes + offset;
    if (visited.has(start)) throw corruptAt(continuation, 0, `CE entry points back to the continuation area at offset ${start} (a loop)`);
    visited.add(start);
    totalBytes += length;
    if (totalBytes > maxSystemUseBytes) throw corruptAt(continuation, 20, `system use areas exceed ${maxSystemUseBytes} bytes`);
    if (!Number.isSafeInteger(start) || start + length > options.source.sizeBytes) {
      throw corruptAt(continuation, 4, `CE continuation area of ${length} bytes at offset ${start} lies past the image end (${options.source.sizeBytes} bytes)`);
    }
    const area = await options.source.read(start, length);
    entries = parseSystemUseArea(area, { offsetBytes: start });
  }
}

/** SUSP 5.3: the SP entry at the start of the root's "." record: "SP", 7, 1, 0xBE, 0xEF, LEN_SKP. */
export function readSharingProtocol(record: DirectoryRecord): { skipBytes: number } | null {
  const area = record.systemUse;
  if (area.byteLength < 7) return null;
  if (area[0] !== 0x53 || area[1] !== 0x50 || area[2] !== 7 || area[4] !== 0xbe || area[5] !== 0xef) return null;
  return { skipBytes: area[6] as number };
}

/** SUSP 5.5: an ER entry's extension identifier (e.g. "RRIP_1991A", "IEEE_P1282"). */
export function readExtensionIdentifier(entry: SystemUseEntry): string {
  const identifierBytes = readUint8(entry.bytes, 4, entry, 'ER identifier length');
  return readAscii(entry.bytes, 8, identifierBytes, entry, 'ER identifier');
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
