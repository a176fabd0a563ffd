// Rock Ridge entries of a new image's directory records (RRIP 1.12, IEEE P1282; SUSP 1.12, IEEE P1281),
// as xorriso writes them: SP and ER on the root's '.', PX (with the file serial), TF, PN, NM, SL,
// CL/PL/RE for relocated directories, and CE to continuation areas when a record's 255 bytes are
// not enough. The reader is rock-ridge.ts (and system-use.ts); every rendered area reads back there.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { sectorBytes } from '../format/fields.ts';
import { CodedError } from '../jobs/errors.ts';
import { writeBothEndianUint32, writeDirectoryRecordDate } from './field-writer.ts';
import { encodeSymlinkEntries } from './symlink-entry-writer.ts';
import { suspEntry, utf8Pieces, writeSuspHeader } from './susp-entry-writer.ts';

export interface SystemUseRequest {
  /** PX mode/uid/gid, TF times, SL target, PN device (for '.' the directory itself, for '..' its parent). */
  readonly node: AuthoringNode;
  /** NM (null for '.' and '..'). */
  readonly name: string | null;
  readonly role: 'entry' | 'self' | 'parent';
  /** '.' of the root: SP first (SUSP 5.3), ER (RRIP_1991A) in its continuation area. */
  readonly isRootSelf: boolean;
  /** PX file serial number (hard links share it). */
  readonly serialNumber: number;
  /** PX links. */
  readonly linkCount: number;
  /**
   * RR_MOVED (RRIP 4.1.5): 'child-link' for the placeholder in the old parent (CL), 'parent-link' for
   * the '..' of the moved directory (PL), 'relocated' for the moved directory's entry in RR_MOVED (RE).
   */
  readonly relocation: 'child-link' | 'parent-link' | 'relocated' | null;
  /** Reproducible images: replaces every TF time. */
  readonly fixedTimesMs: number | null;
}

/** Where a record's System Use field and its continuation lie, known once every LBA is. */
export interface SystemUsePlace {
  /** The continuation area's sector and offset in it (unused when continuationBytes is 0). */
  readonly continuationLba: number;
  readonly continuationOffsetBytes: number;
  /** CL and PL: the extent of the directory linked to; null for any other record. */
  readonly linkedDirectoryLba: number | null;
}

export interface PlannedSystemUse {
  /** Bytes for the directory record's System Use field (even); the record stays <= 255 bytes. */
  readonly inRecordBytes: number;
  /**
   * Bytes the entry needs in continuation areas (0: none), laid out contiguously from the place it is
   * given. An area never crosses a sector (SUSP 5.1): up to 2048 bytes are one area, which the layout
   * places where it fits in a sector; more are one area per sector, the first at the start of a
   * sector (offset 0), each but the last ending in a CE to the next sector.
   */
  readonly continuationBytes: number;
  /** Writes the record's part (inRecordBytes) at into[at], which the caller has zeroed. */
  writeInRecord(into: Uint8Array, at: number, place: SystemUsePlace): void;
  /** The continuation areas' bytes (continuationBytes) for the place the layout gave them. */
  renderContinuation(place: SystemUsePlace): Uint8Array;
}

/** POSIX NAME_MAX: longer names are refused by every file system a source comes from. */
export const maxRockRidgeNameBytes = 255;

/** SUSP 5.1: the CE entry, 4 + 3 both-endian numbers. */
const continuationEntryBytes = 28;
/** RRIP 4.1.1 PX (1.12 form) and 4.1.6 TF with three 7-byte stamps, headers included. */
const posixAttributesBytes = 44;
const timestampsBytes = 26;
/** RRIP 4.1.4: an NM entry holds its header, a flags byte and up to 250 bytes of the name. */
const maxNamePieceBytes = 255 - 5;

const encoder = new TextEncoder();

/**
 * The system use entries of one directory record and where they go (layOut): `spaceInRecordBytes` is
 * what the record has left after its fixed part and identifier (255 - 33 - idLength - pad).
 */
export function planSystemUse(request: SystemUseRequest, spaceInRecordBytes: number): PlannedSystemUse {
  const nameBytes = commonRecordNameBytes(request);
  if (nameBytes !== null) {
    const commonBytes = commonEntriesBytes(nameBytes);
    if (commonBytes <= evenRoom(spaceInRecordBytes)) return new PlannedEntries(request, spaceInRecordBytes, evenUp(commonBytes), 0, nameBytes);
  }
  const { inRecordBytes, continuationBytes } = laidOut(request, spaceInRecordBytes);
  return new PlannedEntries(request, spaceInRecordBytes, inRecordBytes, continuationBytes, null);
}

/**
 * Nearly every record of an image is a common one: PX, TF and, for an entry, one NM; nothing else (not
 * the root's "." with SP and ER, no relocation, no device, no symbolic link, a name of one NM piece).
 * Its size is arithmetic and it is written straight into its record: building every entry as bytes,
 * twice (plan, then render), took a quarter of planning and rendering 50,000 files (issue 15).
 * Answers the name's UTF-8 length (0 for "." and ".."), or null for a record that is not common.
 */
function commonRecordNameBytes(request: SystemUseRequest): number | null {
  const { node } = request;
  if (request.isRootSelf || request.relocation !== null || node.kind === 'block-device' || node.kind === 'character-device') return null;
  if (request.role !== 'entry') return 0;
  if (node.kind === 'symlink') return null;
  if (request.name === null) return 0;
  const nameBytes = Buffer.byteLength(request.name, 'utf8'); // counted, not encoded; a lone surrogate counts as U+FFFD, as TextEncoder writes it
  return nameBytes <= maxNamePieceBytes ? nameBytes : null;
}

function commonEntriesBytes(nameBytes: number): number {
  return posixAttributesBytes + timestampsBytes + (nameBytes > 0 ? 5 + nameBytes : 0);
}

/** A request's entries, which stay in the record and which fill areas, and the bytes each part takes. */
function laidOut(request: SystemUseRequest, spaceInRecordBytes: number) {
  const entries = systemUseEntries(request);
  const { inline, areas } = layOut(entries, spaceInRecordBytes);
  const ceBytes = areas.length > 0 ? continuationEntryBytes : 0;
  const inRecordBytes = evenUp(byteLengthOf(inline) + ceBytes);
  // Each area but the last ends with the CE to the next, which starts the next sector.
  const areaBytes = areas.map((area, index) => byteLengthOf(area) + (index + 1 < areas.length ? continuationEntryBytes : 0));
  const continuationBytes = areas.length === 0 ? 0 : (areas.length - 1) * sectorBytes + (areaBytes[areas.length - 1] as number);
  return { entries, inline, areas, areaBytes, inRecordBytes, continuationBytes };
}

/**
 * A planned field that holds its request and sizes only: writing it makes the entries again (the same
 * bytes: they depend on the request alone). An image of 50,000 files plans 100,000 fields before it
 * writes one; holding their bytes, closures and lists between the two cost about 40 MB (issue 15).
 * It is the request itself (its fields copied in), not an object beside one: 1.6 MB less for 50,000 files.
 */
class PlannedEntries implements PlannedSystemUse, SystemUseRequest {
  readonly node: AuthoringNode;
  readonly name: string | null;
  readonly role: SystemUseRequest['role'];
  readonly isRootSelf: boolean;
  readonly serialNumber: number;
  readonly linkCount: number;
  readonly relocation: SystemUseRequest['relocation'];
  readonly fixedTimesMs: number | null;

  constructor(
    request: SystemUseRequest,
    private readonly spaceInRecordBytes: number,
    readonly inRecordBytes: number,
    readonly continuationBytes: number,
    /** A common record's name length in UTF-8 (commonRecordNameBytes); null for any other record. */
    private readonly commonNameBytes: number | null,
  ) {
    this.node = request.node;
    this.name = request.name;
    this.role = request.role;
    this.isRootSelf = request.isRootSelf;
    this.serialNumber = request.serialNumber;
    this.linkCount = request.linkCount;
    this.relocation = request.relocation;
    this.fixedTimesMs = request.fixedTimesMs;
  }

  writeInRecord(into: Uint8Array, at: number, place: SystemUsePlace): void {
    if (this.commonNameBytes !== null) {
      const afterPx = writePosixAttributes(into, at, this.node, this.linkCount, this.serialNumber);
      const afterTf = writeTimestamps(into, afterPx, this.node, this.fixedTimesMs);
      if (this.commonNameBytes > 0) writeWholeName(into, afterTf, this.name as string, this.commonNameBytes);
      return;
    }
    const { inline, areas, areaBytes } = this.#laidOutAt(place);
    const offset = placeAll(into, at, inline);
    if (areas.length > 0) placeBytes(into, offset, continuationEntry(place.continuationLba, place.continuationOffsetBytes, areaBytes[0] as number));
  }

  renderContinuation(place: SystemUsePlace): Uint8Array {
    const continuation = new Uint8Array(this.continuationBytes);
    if (this.continuationBytes === 0) return continuation;
    const { areas, areaBytes } = this.#laidOutAt(place);
    if (areas.length > 1 && place.continuationOffsetBytes !== 0) {
      throw new RangeError(`${areas.length} continuation areas must start a sector, not at offset ${place.continuationOffsetBytes}`);
    }
    if (areas.length === 1 && place.continuationOffsetBytes + this.continuationBytes > sectorBytes) {
      throw new RangeError(`a continuation area of ${this.continuationBytes} bytes at offset ${place.continuationOffsetBytes} crosses its sector`);
    }
    areas.forEach((area, index) => {
      const areaEnd = placeAll(continuation, index * sectorBytes, area);
      if (index + 1 < areas.length) placeBytes(continuation, areaEnd, continuationEntry(place.continuationLba + index + 1, 0, areaBytes[index + 1] as number));
    });
    return continuation;
  }

  /** The entries made again and laid out as planned, CL or PL pointing where `place` says. */
  #laidOutAt(place: SystemUsePlace): ReturnType<typeof laidOut> {
    const laid = laidOut(this, this.spaceInRecordBytes);
    if (laid.inRecordBytes !== this.inRecordBytes || laid.continuationBytes !== this.continuationBytes) {
      throw new Error(`system use of ${laid.inRecordBytes} + ${laid.continuationBytes} bytes was planned as ${this.inRecordBytes} + ${this.continuationBytes}`);
    }
    const linkEntry = laid.entries.find((entry) => entry.isLink);
    if (linkEntry) writeLinkLocation(linkEntry, place.linkedDirectoryLba);
    return laid;
  }
}

/**
 * Which entries stay in the record and which go to continuation areas: all stay when they fit the
 * record's room (even: the record length is even, ECMA-119 9.1.1); else the first ones that fit
 * beside a CE stay, in order, and the rest fill areas of at most a sector.
 */
function layOut(entries: readonly EntryBytes[], spaceInRecordBytes: number): { inline: readonly EntryBytes[]; areas: readonly EntryBytes[][] } {
  const roomBytes = evenRoom(spaceInRecordBytes);
  if (byteLengthOf(entries) <= roomBytes) return { inline: entries, areas: [] };
  let inlineCount = 0;
  let usedBytes = 0;
  for (const entry of entries) {
    if (usedBytes + entry.bytes.byteLength + continuationEntryBytes > roomBytes) break;
    usedBytes += entry.bytes.byteLength;
    inlineCount += 1;
  }
  if (usedBytes + continuationEntryBytes > roomBytes) {
    throw new RangeError(`a directory record with ${spaceInRecordBytes} bytes of system use room cannot hold a CE entry`);
  }
  return { inline: entries.slice(0, inlineCount), areas: continuationAreas(entries.slice(inlineCount)) };
}

function byteLengthOf(entries: readonly EntryBytes[]): number {
  return entries.reduce((sum, entry) => sum + entry.bytes.byteLength, 0);
}

function evenUp(byteLength: number): number {
  return byteLength + (byteLength % 2);
}

/** The record's room for System Use entries: even, as the record length is (ECMA-119 9.1.1). */
function evenRoom(spaceInRecordBytes: number): number {
  return spaceInRecordBytes - (spaceInRecordBytes % 2);
}

interface EntryBytes {
  readonly bytes: Uint8Array;
  /** CL or PL: its location is written at render time. */
  readonly isLink: boolean;
}

function placeBytes(into: Uint8Array, offset: number, bytes: Uint8Array): number {
  into.set(bytes, offset);
  return offset + bytes.byteLength;
}

function placeAll(into: Uint8Array, offset: number, entries: readonly EntryBytes[]): number {
  return entries.reduce((at, entry) => placeBytes(into, at, entry.bytes), offset);
}

/** Splits entries into areas of at most one sector, each but the last keeping room for its CE. */
function continuationAreas(entries: readonly EntryBytes[]): EntryBytes[][] {
  const areas: EntryBytes[][] = [[]];
  let usedBytes = 0;
  entries.forEach((entry, index) => {
    const ceRoom = index + 1 < entries.length ? continuationEntryBytes : 0;
    if (usedBytes + entry.bytes.byteLength + ceRoom > sectorBytes && (areas[areas.length - 1] as EntryBytes[]).length > 0) {
      areas.push([]);
      usedBytes = 0;
    }
    (areas[areas.length - 1] as EntryBytes[]).push(entry);
    usedBytes += entry.bytes.byteLength;
  });
  return areas;
}

/** The entries in the order they are recorded: SP first on the root (SUSP 5.3), then the fixed-size ones, then NM and SL. */
function systemUseEntries(request: SystemUseRequest): EntryBytes[] {
  const { node } = request;
  const entries: EntryBytes[] = [];
  const add = (bytes: Uint8Array, isLink = false): void => void entries.push({ bytes, isLink });
  if (request.isRootSelf) add(sharingProtocolEntry());
  add(posixAttributesEntry(node, request.linkCount, request.serialNumber));
  add(timestampsEntry(node, request.fixedTimesMs));
  if (request.relocation === 'child-link') add(suspEntry('CL', 1, 8), true);
  if (request.relocation === 'parent-link') add(suspEntry('PL', 1, 8), true);
  if (request.relocation === 'relocated') add(suspEntry('RE', 1, 0));
  if (node.device !== null && (node.kind === 'block-device' || node.kind === 'character-device')) add(deviceEntry(node.device));
  if (request.role === 'entry' && request.name !== null) for (const entry of alternateNameEntries(request.name, node)) add(entry);
  if (request.role === 'entry' && node.kind === 'symlink') for (const entry of encodeSymlinkEntries(node.linkTarget ?? '', node.origin)) add(entry);
  if (request.isRootSelf) add(extensionsReferenceEntry());
  return entries;
}

function writeLinkLocation(entry: EntryBytes, lba: number | null): void {
  if (lba === null) throw new RangeError("a CL or PL entry needs the linked directory's logical block");
  writeBothEndianUint32(entry.bytes, 4, lba);
}

/** SUSP 5.3: SP, check bytes 0xBE 0xEF, LEN_SKP 0. */
function sharingProtocolEntry(): Uint8Array {
  const entry = suspEntry('SP', 1, 3);
  entry.set([0xbe, 0xef, 0], 4);
  return entry;
}

/** SUSP 5.5: ER naming the Rock Ridge extension with the words RRIP 1.09 gives it (what xorriso and genisoimage write). */
const extension = {
  identifier: 'RRIP_1991A',
  descriptor: 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS',
  source: 'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.',
  version: 1,
} as const;

function extensionsReferenceEntry(): Uint8Array {
  const { identifier, descriptor, source } = extension;
  const entry = suspEntry('ER', 1, 4 + identifier.length + descriptor.length + source.length);
  entry.set([identifier.length, descriptor.length, source.length, extension.version], 4);
  entry.set(encoder.encode(identifier + descriptor + source), 8);
  return entry;
}

/** RRIP 4.1.1: PX, 1.12 form (44 bytes): mode, links, uid, gid, serial number, each both-endian. */
function posixAttributesEntry(node: AuthoringNode, linkCount: number, serialNumber: number): Uint8Array {
  const entry = new Uint8Array(posixAttributesBytes);
  writePosixAttributes(entry, 0, node, linkCount, serialNumber);
  return entry;
}

/** PX at into[at]; answers where the next entry starts. */
function writePosixAttributes(into: Uint8Array, at: number, node: AuthoringNode, linkCount: number, serialNumber: number): number {
  writeSuspHeader(into, at, 'PX', 1, posixAttributesBytes - 4);
  writeBothEndianUint32(into, at + 4, node.mode >>> 0);
  writeBothEndianUint32(into, at + 12, linkCount);
  writeBothEndianUint32(into, at + 20, node.uid >>> 0);
  writeBothEndianUint32(into, at + 28, node.gid >>> 0);
  writeBothEndianUint32(into, at + 36, serialNumber);
  return at + posixAttributesBytes;
}

/** RRIP 4.1.6 TF flags: the stamps recorded, in this order, each 7 bytes (ECMA-119 9.1.5, UTC). */
const timestampFlags = { modify: 0x02, access: 0x04, attributes: 0x08 } as const;

function timestampsEntry(node: AuthoringNode, fixedTimesMs: number | null): Uint8Array {
  const entry = new Uint8Array(timestampsBytes);
  writeTimestamps(entry, 0, node, fixedTimesMs);
  return entry;
}

/** TF at into[at]; answers where the next entry starts. */
function writeTimestamps(into: Uint8Array, at: number, node: AuthoringNode, fixedTimesMs: number | null): number {
  writeSuspHeader(into, at, 'TF', 1, timestampsBytes - 4);
  into[at + 4] = timestampFlags.modify | timestampFlags.access | timestampFlags.attributes;
  writeDirectoryRecordDate(into, at + 5, fixedTimesMs ?? node.modifiedMs);
  writeDirectoryRecordDate(into, at + 12, fixedTimesMs ?? node.accessedMs);
  writeDirectoryRecordDate(into, at + 19, fixedTimesMs ?? node.changedMs);
  return at + timestampsBytes;
}

/**
 * RRIP 4.1.2: PN, "the high and low 32 bits of the device number": a Linux dev_t (glibc's makedev), as
 * libisofs (xorriso) writes and libarchive (bsdtar) reads it; rock-ridge.ts deviceNumbers reads it
 * back. The Linux kernel reads this form right for majors below 4096 with minors below 256 (every
 * common device); mkisofs's form (the major high, the minor low) would suit it beyond, and no other reader.
 */
function deviceEntry(device: { readonly major: number; readonly minor: number }): Uint8Array {
  const entry = suspEntry('PN', 1, 16);
  const { major, minor } = device;
  writeBothEndianUint32(entry, 4, ((major & 0xfffff000) | ((minor >>> 20) & 0xfff)) >>> 0);
  writeBothEndianUint32(entry, 12, ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & 0xfff00) << 12)) >>> 0);
  return entry;
}

/** RRIP 4.1.4: NM entries of the name's UTF-8 bytes, split at character boundaries, CONTINUE (1) on all but the last. */
function alternateNameEntries(name: string, node: AuthoringNode): Uint8Array[] {
  const bytes = encoder.encode(name);
  if (bytes.byteLength > maxRockRidgeNameBytes) {
    throw new CodedError(
      'bad-source-name',
      `the name of ${node.origin} is ${bytes.byteLength} bytes long; Rock Ridge names hold at most ${maxRockRidgeNameBytes}`,
    );
  }
  const pieces = utf8Pieces(bytes, 0, bytes.byteLength, maxNamePieceBytes);
  return pieces.map((piece, index) => {
    const entry = suspEntry('NM', 1, 1 + piece.byteLength);
    entry[4] = index + 1 < pieces.length ? 0x01 : 0;
    entry.set(piece, 5);
    return entry;
  });
}

/** A name of one NM piece (`nameBytes` of UTF-8, at most maxNamePieceBytes) written at into[at], flags 0. */
function writeWholeName(into: Uint8Array, at: number, name: string, nameBytes: number): void {
  writeSuspHeader(into, at, 'NM', 1, 1 + nameBytes);
  into[at + 4] = 0;
  if (nameBytes === name.length) {
    // ASCII (each character one byte): copied as it is, without encodeInto's view of the buffer.
    for (let index = 0; index < nameBytes; index += 1) into[at + 5 + index] = name.charCodeAt(index);
    return;
  }
  encoder.encodeInto(name, into.subarray(at + 5, at + 5 + nameBytes));
}

/** SUSP 5.1: CE: block location, offset, length of the continuation area. */
function continuationEntry(lba: number, offsetBytes: number, lengthBytes: number): Uint8Array {
  const entry = suspEntry('CE', 1, 24);
  writeBothEndianUint32(entry, 4, lba);
  writeBothEndianUint32(entry, 12, offsetBytes);
  writeBothEndianUint32(entry, 20, lengthBytes);
  return entry;
}
