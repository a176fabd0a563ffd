// IEEE P1281 (SUSP 1.12): system use entries in a directory record's system use field, followed
// through continuation areas (CE, 5.1) with loop protection. Also SP (5.3), ST (5.4) and ER (5.5).
import type { ByteSource } from '../io/byte-source.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import type { DirectoryRecord } from './directory-record.ts';
import type { Place } from '../format/fields.ts';
import { corruptAt, readAscii, readBothEndianUint32, readUint8 } from '../format/fields.ts';

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

// Signatures as shared strings, so collecting entries does not build a new string per entry.
const signatureNames = new Map<number, string>();
function signatureName(code: number): string {
  let name = signatureNames.get(code);
  if (name === undefined) {
    name = String.fromCharCode(code >> 8, code & 0xff);
    if (signatureNames.size < 4096) signatureNames.set(code, name);
  }
  return name;
}

/** A signature as the 16-bit number its two bytes make ("PX" = 0x5058): compared without strings. */
export function signatureCode(signature: string): number {
  return signature.charCodeAt(0) * 256 + signature.charCodeAt(1);
}

const continuationSignature = signatureCode('CE');
const terminatorSignature = signatureCode('ST');

/** Whoever reads entries in place: called once per entry, in order. */
export interface SystemUseVisitor {
  /** The entry is bytes[at, at + length); `place` is the image offset of bytes[0]. */
  visitEntry(bytes: Uint8Array, at: number, length: number, signature: number, place: Place): void;
}

/** SUSP 5.1: where a CE entry says the system use entries continue. */
export interface Continuation {
  readonly lba: number;
  readonly offsetInBlockBytes: number;
  readonly lengthBytes: number;
  /** The CE entry itself, for error messages. */
  readonly entryPlace: Place;
}

/**
 * SUSP 4.1: walks the entries of one system use area, bytes[start, end), in place; ST or a too-short
 * tail ends it. CE (5.1) is SUSP's own business: it is not visited but returned (the last one wins).
 */
export function visitSystemUseArea(bytes: Uint8Array, start: number, end: number, place: Place, visitor: SystemUseVisitor): Continuation | null {
  let continuation: Continuation | null = null;
  let at = start;
  // SUSP 4.1: an entry is at least 4 bytes; fewer remaining bytes are padding.
  while (at + 4 <= end) {
    const signature = (bytes[at] as number) * 256 + (bytes[at + 1] as number);
    const length = bytes[at + 2] as number;
    if (signature === 0) break; // zero padding at the end of the field (leniency, seen in mkisofs output)
    if (length < 4) throw corruptAt(place, at + 2, `system use entry "${printable(signatureName(signature))}" declares ${length} bytes, less than 4`);
    // SUSP 4.1: the entry lies inside its area (the message is built only on failure: this is hot).
    if (at + length > end) {
      throw corruptAt(place, at, `system use entry "${printable(signatureName(signature))}" needs ${length} bytes at ${at - start}, ${end - at} remain`);
    }
    if (signature === terminatorSignature) break; // SUSP 5.4
    if (signature === continuationSignature) continuation = readContinuation(bytes, at, length, place);
    else visitor.visitEntry(bytes, at, length, signature, place);
    at += length;
  }
  return continuation;
}

/** SUSP 5.1: CE: block location, offset, length (each both-endian 32-bit). */
function readContinuation(bytes: Uint8Array, at: number, length: number, place: Place): Continuation {
  const entryPlace = { offsetBytes: place.offsetBytes + at };
  if (length < 28) throw corruptAt(entryPlace, 0, `CE entry of ${length} bytes, expected 28`);
  return {
    lba: readBothEndianUint32(bytes, at + 4, place, 'CE block location'),
    offsetInBlockBytes: readBothEndianUint32(bytes, at + 12, place, 'CE offset'),
    lengthBytes: readBothEndianUint32(bytes, at + 20, place, 'CE length'),
    entryPlace,
  };
}

/** Keeps the entries as objects (for the few callers that keep them, such as the root's ER scan). */
class EntryCollector implements SystemUseVisitor {
  readonly entries: SystemUseEntry[] = [];
  visitEntry(bytes: Uint8Array, at: number, length: number, signature: number, place: Place): void {
    this.entries.push({
      signature: signatureName(signature),
      version: bytes[at + 3] as number,
      bytes: bytes.subarray(at, at + length),
      offsetBytes: place.offsetBytes + at,
    });
  }
}

export interface SystemUseOptions {
  readonly source: ByteSource;
  readonly logicalBlockSizeBytes: number;
  /** SUSP 5.3: LEN_SKP from the root's SP entry: bytes to skip at the start of each system use field. */
  readonly skipBytes: number;
  /**
   * Pays for the continuation areas read: many records may name one area, so the bytes visited can
   * far exceed the image's. Null when this listing was paid for already.
   */
  readonly budget: WorkBudget | null;
}

/**
 * Visits the entries in the record's own system use field; returns the continuation it names, if any.
 * Synchronous: most records keep all their entries inline, and only a CE makes a listing wait.
 */
export function visitRecordSystemUse(record: DirectoryRecord, skipBytes: number, visitor: SystemUseVisitor): Continuation | null {
  const start = record.systemUseStart + skipBytes;
  if (start >= record.systemUseEnd) return null;
  return visitSystemUseArea(record.bytes, start, record.systemUseEnd, record.bytesPlace, visitor);
}

/**
 * SUSP 5.1: follows a CE chain, visiting each continuation area's entries. A chain that revisits an
 * area or runs longer than `maxContinuationAreas` is a loop: refused with the CE's place.
 */
export async function visitContinuations(record: DirectoryRecord, first: Continuation, options: SystemUseOptions, visitor: SystemUseVisitor): Promise<void> {
  const visited = new Set<number>();
  let totalBytes = record.systemUseEnd - record.systemUseStart;
  let continuation: Continuation | null = first;
  for (let hop = 0; continuation !== null; hop += 1) {
    const { entryPlace } = continuation;
    if (hop >= maxContinuationAreas) throw corruptAt(entryPlace, 0, `more than ${maxContinuationAreas} SUSP continuation areas chained`);
    const start = continuation.lba * options.logicalBlockSizeBytes + continuation.offsetInBlockBytes;
    const length = continuation.lengthBytes;
    if (visited.has(start)) throw corruptAt(entryPlace, 0, `CE entry points back to the continuation area at offset ${start} (a loop)`);
    visited.add(start);
    totalBytes += length;
    if (totalBytes > maxSystemUseBytes) throw corruptAt(entryPlace, 20, `system use areas exceed ${maxSystemUseBytes} bytes`);
    if (!Number.isSafeInteger(start) || start + length > options.source.sizeBytes) {
      throw corruptAt(entryPlace, 4, `CE continuation area of ${length} bytes at offset ${start} lies past the image end (${options.source.sizeBytes} bytes)`);
    }
    options.budget?.spend(length, `the SUSP continuation area at offset ${start}`);
    const area = await options.source.read(start, length);
    continuation = visitSystemUseArea(area, 0, area.byteLength, { offsetBytes: start }, visitor);
  }
}

/** All entries of a record, continuation areas included (CE entries themselves left out). */
export async function readSystemUseEntries(record: DirectoryRecord, options: SystemUseOptions): Promise<SystemUseEntry[]> {
  const collector = new EntryCollector();
  const continuation = visitRecordSystemUse(record, options.skipBytes, collector);
  if (continuation) await visitContinuations(record, continuation, options, collector);
  return collector.entries;
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
