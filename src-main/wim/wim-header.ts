// The WIM file header and resource headers (Microsoft's "Windows Imaging File Format", WIMHEADER_V1_PACKED
// and RESHDR_DISK_SHORT; wimlib's include/wimlib/header.h and resource.h name the same fields). Read
// bounded, written back for the parts of a split WIM. A WIM is not sector-based: every place is a byte
// offset from the file's start.
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { FieldReader } from '../format/fields.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';

/** WIMHEADER_V1_PACKED is 208 bytes; wimlib and WIMGAPI accept no other size. */
export const wimHeaderBytes = 208;
/** ImageTag "MSWIM\0\0\0". (A pipable WIM's "WLPWM\0\0\0" is wimlib's own format, not handled here.) */
const wimMagic = Uint8Array.from([0x4d, 0x53, 0x57, 0x49, 0x4d, 0, 0, 0]);
/** Version 1.13: every resource compressed on its own. */
export const wimVersionDefault = 0x10d00;
/** Version 0xE00 (Windows 8 WIMGAPI): solid resources and LZMS may appear (ESD files). */
export const wimVersionSolid = 0xe00;

/** dwFlags of the header (wimlib's WIM_HDR_FLAG_*). */
export const headerFlags = {
  compression: 0x2,
  readOnly: 0x4,
  spanned: 0x8,
  reparsePointFix: 0x80,
  compressXpress: 0x20000,
  compressLzx: 0x40000,
  compressLzms: 0x80000,
  /** An XPRESS variant some WIMGAPI versions write; it reads as XPRESS. */
  compressXpress2: 0x200000,
} as const;

/** bFlags of a resource header (wimlib's WIM_RESHDR_FLAG_*). */
export const resourceFlags = { metadata: 0x2, compressed: 0x4, solid: 0x10 } as const;

/** wimlib's MAX_IMAGES: no WIM holds more, and a bigger count is a fuzzed header. */
export const maxImageCount = 65_535;

export type WimCompression = 'none' | 'xpress' | 'lzx' | 'lzms';

/** RESHDR_DISK_SHORT: where a resource lies and how big it is, stored and expanded. */
export interface ResourceHeader {
  /** 56-bit stored (possibly compressed) size. */
  readonly storedBytes: number;
  readonly flags: number;
  readonly offsetBytes: number;
  readonly uncompressedBytes: number;
}

export interface WimHeader {
  readonly version: number;
  readonly flags: number;
  readonly compression: WimCompression;
  readonly chunkBytes: number;
  readonly guid: Uint8Array;
  readonly partNumber: number;
  readonly totalParts: number;
  readonly imageCount: number;
  readonly blobTable: ResourceHeader;
  readonly xmlData: ResourceHeader;
  readonly bootMetadata: ResourceHeader;
  readonly bootIndex: number;
  readonly integrityTable: ResourceHeader;
}

export const noResource: ResourceHeader = { storedBytes: 0, flags: 0, offsetBytes: 0, uncompressedBytes: 0 };

/** A damaged or hostile WIM: the message names the byte offset (a WIM has no sectors). */
export function wimCorrupt(offsetBytes: number, message: string): CorruptImageError {
  return new CorruptImageError(`${message} (WIM offset ${offsetBytes})`, { offsetBytes });
}

/** Reads `lengthBytes` at `offsetBytes`; a range outside the file is a corrupt WIM naming `what`. */
export async function readWimRegion(wim: ByteSource, offsetBytes: number, lengthBytes: number, what: string): Promise<Uint8Array> {
  try {
    return await wim.read(offsetBytes, lengthBytes);
  } catch (error) {
    if (error instanceof ByteRangeError) throw wimCorrupt(offsetBytes, `${what} (${lengthBytes} bytes) lies outside the ${wim.sizeBytes}-byte WIM`);
    throw error;
  }
}

/** RESHDR_DISK_SHORT at `at`: 7 bytes of stored size, 1 of flags, 8 of offset, 8 of original size. */
export function parseResourceHeader(fields: FieldReader, at: number, what: string): ResourceHeader {
  const storedLow = fields.uint32Le(at, `${what} stored size`);
  const storedHigh = fields.uint16Le(at + 4, `${what} stored size`) + fields.uint8(at + 6, `${what} stored size`) * 0x10000;
  if (storedHigh >= 0x200000) throw wimCorrupt(fields.place.offsetBytes + at, `${what} stored size ${storedHigh} * 2^32 is beyond any file size`);
  return {
    storedBytes: storedHigh * 0x100000000 + storedLow,
    flags: fields.uint8(at + 7, `${what} flags`),
    offsetBytes: fields.uint64Le(at + 8, `${what} offset`),
    uncompressedBytes: fields.uint64Le(at + 16, `${what} original size`),
  };
}

export function encodeResourceHeader(out: Uint8Array, at: number, resource: ResourceHeader): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(at, BigInt(resource.storedBytes), true); // 7 bytes; byte 7 is the flags, set next
  view.setUint8(at + 7, resource.flags);
  view.setBigUint64(at + 8, BigInt(resource.offsetBytes), true);
  view.setBigUint64(at + 16, BigInt(resource.uncompressedBytes), true);
}

function compressionOf(flags: number): WimCompression | null {
  if ((flags & headerFlags.compression) === 0) return 'none';
  // The order wimlib tests them in (wim.c begin_read): LZX, then either XPRESS, then LZMS.
  if (flags & headerFlags.compressLzx) return 'lzx';
  if (flags & (headerFlags.compressXpress | headerFlags.compressXpress2)) return 'xpress';
  if (flags & headerFlags.compressLzms) return 'lzms';
  return null;
}

/** Parses and checks the 208-byte header at the start of `wim`: not a WIM, damaged, or one we cannot split. */
export async function readWimHeader(wim: ByteSource): Promise<WimHeader> {
  if (wim.sizeBytes < wimHeaderBytes) throw new CodedError('not-an-image', `${wim.name} (${wim.sizeBytes} bytes) is too small to be a WIM`);
  const fields = new FieldReader(await readWimRegion(wim, 0, wimHeaderBytes, 'WIM header'), { offsetBytes: 0 });
  const magic = fields.slice(0, 8, 'WIM magic');
  if (!magic.every((byte, index) => byte === wimMagic[index])) throw new CodedError('not-an-image', `${wim.name} does not start with the WIM magic "MSWIM"`);
  const headerSize = fields.uint32Le(8, 'WIM header size');
  if (headerSize !== wimHeaderBytes) throw wimCorrupt(8, `WIM header declares ${headerSize} bytes, not ${wimHeaderBytes}`);
  const version = fields.uint32Le(12, 'WIM version');
  if (version !== wimVersionDefault && version !== wimVersionSolid) throw wimCorrupt(12, `unknown WIM version 0x${version.toString(16)}`);
  const flags = fields.uint32Le(16, 'WIM flags');
  const compression = compressionOf(flags);
  if (compression === null) throw wimCorrupt(16, `WIM flags 0x${flags.toString(16)} say compressed but name no compression format`);
  const partNumber = fields.uint16Le(40, 'WIM part number');
  const totalParts = fields.uint16Le(42, 'WIM total parts');
  if (totalParts === 0 || partNumber === 0 || partNumber > totalParts) throw wimCorrupt(40, `WIM part ${partNumber} of ${totalParts} is not a part`);
  const imageCount = fields.uint32Le(44, 'WIM image count');
  if (imageCount > maxImageCount) throw wimCorrupt(44, `WIM declares ${imageCount} images, more than the ${maxImageCount} any WIM holds`);
  return {
    version,
    flags,
    compression,
    chunkBytes: fields.uint32Le(20, 'WIM chunk size'),
    guid: fields.slice(24, 16, 'WIM GUID').slice(),
    partNumber,
    totalParts,
    imageCount,
    blobTable: parseResourceHeader(fields, 48, 'blob table header'),
    xmlData: parseResourceHeader(fields, 72, 'XML data header'),
    bootMetadata: parseResourceHeader(fields, 96, 'boot metadata header'),
    bootIndex: fields.uint32Le(120, 'WIM boot index'),
    integrityTable: parseResourceHeader(fields, 124, 'integrity table header'),
  };
}

/** The header as wimlib's write_wim_header lays it out (the 60 unused bytes at 0x94 stay zero). */
export function encodeWimHeader(header: WimHeader): Uint8Array {
  const out = new Uint8Array(wimHeaderBytes);
  const view = new DataView(out.buffer);
  out.set(wimMagic, 0);
  view.setUint32(8, wimHeaderBytes, true);
  view.setUint32(12, header.version, true);
  view.setUint32(16, header.flags, true);
  view.setUint32(20, header.chunkBytes, true);
  out.set(header.guid, 24);
  view.setUint16(40, header.partNumber, true);
  view.setUint16(42, header.totalParts, true);
  view.setUint32(44, header.imageCount, true);
  encodeResourceHeader(out, 48, header.blobTable);
  encodeResourceHeader(out, 72, header.xmlData);
  encodeResourceHeader(out, 96, header.bootMetadata);
  view.setUint32(120, header.bootIndex, true);
  encodeResourceHeader(out, 124, header.integrityTable);
  return out;
}
