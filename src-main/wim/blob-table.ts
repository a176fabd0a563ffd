// The WIM's blob (lookup) table: one 50-byte entry per resource (RESHDR_DISK_SHORT, part number,
// reference count, SHA-1 of the uncompressed data). Read bounded and kept as wimlib's read_blob_table
// keeps it, so a split holds what wimlib's would; written back for each part of a split WIM.
import { FieldReader } from '../format/fields.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import {
  encodeResourceHeader,
  parseResourceHeader,
  readWimRegion,
  resourceFlags,
  wimCorrupt,
  wimHeaderBytes,
  wimVersionDefault,
  type ResourceHeader,
  type WimHeader,
} from './wim-header.ts';

export const blobEntryBytes = 50;
const sha1Bytes = 20;
/**
 * Leniency limit: a Windows 11 install.wim of ten editions lists about 300,000 blobs (15 MB of
 * table); refuse more than 2^21 entries (100 MiB) as absurd rather than hold a hostile table.
 */
const maxBlobEntries = 2 ** 21;

export interface BlobEntry {
  readonly resource: ResourceHeader;
  readonly referenceCount: number;
  readonly sha1: Uint8Array;
  /** Where the entry lies in the WIM, for messages. */
  readonly entryOffsetBytes: number;
}

export interface BlobTable {
  /** One metadata resource per image, in the order their entries appear (which is the images' order). */
  readonly metadata: readonly BlobEntry[];
  /** The file resources, each hash once. */
  readonly files: readonly BlobEntry[];
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

/** Fails unless the resource lies inside the file, after the header. */
function checkResourceBounds(entry: BlobEntry, wimSizeBytes: number): void {
  const { offsetBytes, storedBytes, uncompressedBytes, flags } = entry.resource;
  if (offsetBytes < wimHeaderBytes || offsetBytes + storedBytes > wimSizeBytes) {
    throw wimCorrupt(entry.entryOffsetBytes, `blob table entry names ${storedBytes} bytes at offset ${offsetBytes}, outside the ${wimSizeBytes}-byte WIM`);
  }
  if ((flags & resourceFlags.compressed) === 0 && storedBytes !== uncompressedBytes) {
    throw wimCorrupt(entry.entryOffsetBytes, `uncompressed resource at offset ${offsetBytes} stores ${storedBytes} bytes of ${uncompressedBytes}`);
  }
}

function parseEntry(fields: FieldReader, at: number, header: WimHeader): BlobEntry {
  const resource = parseResourceHeader(fields, at, 'blob table entry');
  // wimlib ignores the solid flag in a version-1.13 WIM, where it means nothing.
  const flags = header.version === wimVersionDefault ? resource.flags & ~resourceFlags.solid : resource.flags;
  return {
    resource: { ...resource, flags },
    referenceCount: fields.uint32Le(at + 26, 'blob reference count'),
    sha1: fields.slice(at + 30, sha1Bytes, 'blob SHA-1'),
    entryOffsetBytes: fields.place.offsetBytes + at,
  };
}

/**
 * The entries wimlib keeps (blob_table.c read_blob_table): an all-zero hash, an empty resource or
 * another part's entry is skipped, a metadata entry with no reference is skipped (WAIK 2.1 WinPE
 * WIMs have them) and one past the image count ignored, a repeated hash keeps its first entry.
 */
function keepEntry(entry: BlobEntry, partNumber: number, header: WimHeader, table: { metadata: BlobEntry[]; files: BlobEntry[] }, seen: Set<string>): void {
  if (isZero(entry.sha1) || entry.resource.uncompressedBytes === 0 || partNumber !== header.partNumber) return;
  if (entry.resource.flags & resourceFlags.metadata) {
    if (entry.referenceCount === 0 || table.metadata.length === header.imageCount) return;
    if (entry.referenceCount !== 1) throw wimCorrupt(entry.entryOffsetBytes, `metadata resource has ${entry.referenceCount} references, not 1`);
    table.metadata.push(entry);
    return;
  }
  const key = Buffer.from(entry.sha1.buffer, entry.sha1.byteOffset, sha1Bytes).toString('hex');
  if (seen.has(key)) return;
  seen.add(key);
  table.files.push(entry);
}

/**
 * Reads the blob table `header` points to. Solid resources (ESD files, `wimlib-imagex capture
 * --solid`) pack many blobs into one stream that cannot be cut between parts: refused as wimlib's
 * split refuses them. Resources must not overlap: the parts copy each one, so overlapping entries
 * would make a split far larger than its WIM.
 */
export async function readBlobTable(wim: ByteSource, header: WimHeader, signal?: AbortSignal): Promise<BlobTable> {
  const tableResource = header.blobTable;
  if (tableResource.flags & resourceFlags.compressed)
    throw new CodedError('unsupported', `${wim.name}: the blob table is compressed (WIMGAPI never writes one so)`);
  // wimlib reads floor(size / 50) entries; a few trailing bytes are ignored as it ignores them.
  const entryCount = Math.floor(tableResource.uncompressedBytes / blobEntryBytes);
  if (tableResource.storedBytes !== tableResource.uncompressedBytes) {
    throw wimCorrupt(48, `uncompressed blob table stores ${tableResource.storedBytes} bytes of ${tableResource.uncompressedBytes}`);
  }
  if (entryCount > maxBlobEntries) throw wimCorrupt(48, `blob table of ${entryCount} entries is more than the ${maxBlobEntries} Isotope accepts`);
  WorkBudget.for(wim).spend(entryCount * workCosts.entryBytes, `blob table of ${entryCount} entries`);
  const bytes = await readWimRegion(wim, tableResource.offsetBytes, tableResource.storedBytes, 'blob table');
  const fields = new FieldReader(bytes, { offsetBytes: tableResource.offsetBytes });
  const table = { metadata: [] as BlobEntry[], files: [] as BlobEntry[] };
  const seen = new Set<string>();
  for (let index = 0; index < entryCount; index++) {
    if (index % 65_536 === 0) throwIfCancelled(signal, 'splitting the WIM');
    const at = index * blobEntryBytes;
    const entry = parseEntry(fields, at, header);
    if (entry.resource.flags & resourceFlags.solid) {
      throw new CodedError(
        'unsupported',
        `${wim.name} holds solid resources (an ESD or a --solid WIM): they cannot be split into parts; export it non-solid first`,
      );
    }
    keepEntry(entry, fields.uint16Le(at + 24, 'blob part number'), header, table, seen);
  }
  if (table.metadata.length !== header.imageCount) {
    throw wimCorrupt(44, `the header declares ${header.imageCount} images, the blob table holds ${table.metadata.length} metadata resources`);
  }
  checkNoOverlap([...table.metadata, ...table.files], wim.sizeBytes);
  return table;
}

function checkNoOverlap(entries: readonly BlobEntry[], wimSizeBytes: number): void {
  for (const entry of entries) checkResourceBounds(entry, wimSizeBytes);
  const byOffset = [...entries].sort((a, b) => a.resource.offsetBytes - b.resource.offsetBytes);
  for (let index = 1; index < byOffset.length; index++) {
    const before = byOffset[index - 1]!.resource;
    const entry = byOffset[index]!;
    if (entry.resource.offsetBytes < before.offsetBytes + before.storedBytes) {
      throw wimCorrupt(
        entry.entryOffsetBytes,
        `resource at offset ${entry.resource.offsetBytes} overlaps the one at ${before.offsetBytes} (${before.storedBytes} bytes)`,
      );
    }
  }
}

/** One entry of a part's blob table. */
export interface OutputBlobEntry {
  readonly resource: ResourceHeader;
  readonly partNumber: number;
  readonly referenceCount: number;
  readonly sha1: Uint8Array;
}

export function encodeBlobTable(entries: readonly OutputBlobEntry[]): Uint8Array {
  const out = new Uint8Array(entries.length * blobEntryBytes);
  const view = new DataView(out.buffer);
  entries.forEach((entry, index) => {
    const at = index * blobEntryBytes;
    encodeResourceHeader(out, at, entry.resource);
    view.setUint16(at + 24, entry.partNumber, true);
    view.setUint32(at + 26, entry.referenceCount, true);
    out.set(entry.sha1, at + 30);
  });
  return out;
}
