// Splits a WIM into .swm parts as `wimlib-imagex split` does (wimlib src/split.c, write.c
// write_wim_part), without reading a byte of file data: the plan comes from the header, the blob
// table and the XML data, and each part is a lazy ByteSource whose resources read through to the WIM, copied as they
// are stored (compressed or not). That lets copy-files mode put a Windows install.wim of more than
// 4 GiB on FAT32 while streaming it once.
import { composeSource, type ComposedPiece } from '../io/composed-source.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { randomBytes } from 'node:crypto';
import { checkXmlData } from './wim-xml.ts';
import { encodeBlobTable, readBlobTable, type BlobEntry, type OutputBlobEntry } from './blob-table.ts';
import {
  encodeWimHeader,
  headerFlags,
  noResource,
  readWimHeader,
  resourceFlags,
  wimHeaderBytes,
  wimVersionDefault,
  wimVersionSolid,
  type ResourceHeader,
  type WimHeader,
} from './wim-header.ts';

export interface WimPart {
  /** install.swm, install2.swm, ... */
  readonly name: string;
  readonly source: ByteSource;
}

export interface SplitWimOptions {
  /** The first part's name; the others insert their number before its extension. */
  readonly baseName: string;
  /** A part holds resources up to this many bytes (one larger resource goes alone in a part, as wimlib does). */
  readonly maxPartBytes: number;
  readonly signal?: AbortSignal | undefined;
}

/** The resources one part holds, in the order wimlib writes them. */
interface PartPlan {
  readonly files: BlobEntry[];
  /** Part 1 only: every image's metadata resource, after the file data. */
  readonly metadata: BlobEntry[];
  storedBytes: number;
}

/**
 * wimlib's part naming (split.c write_split_wim): part 1 keeps the name, part n inserts n before the
 * last dot of the name ("install.swm" -> "install2.swm"), or appends it when there is none.
 */
export function splitPartName(baseName: string, partNumber: number): string {
  if (partNumber === 1) return baseName;
  const dot = baseName.lastIndexOf('.');
  const slash = baseName.lastIndexOf('/');
  return dot > slash ? `${baseName.slice(0, dot)}${partNumber}${baseName.slice(dot)}` : `${baseName}${partNumber}`;
}

/**
 * split.c add_blob_to_swm: metadata resources first, all in part 1; then the file resources in
 * the WIM's order (by offset: blob_table.c cmp_blobs_by_sequential_order). A new part starts when a
 * resource would bring the current one to maxPartBytes or more, unless the part is still empty.
 * The sizes counted are the stored ones; headers, tables and XML are not counted, as in wimlib.
 */
function planParts(metadata: readonly BlobEntry[], files: readonly BlobEntry[], maxPartBytes: number): PartPlan[] {
  const first: PartPlan = { files: [], metadata: [...metadata], storedBytes: metadata.reduce((sum, entry) => sum + entry.resource.storedBytes, 0) };
  const parts = [first];
  let current = first;
  for (const entry of [...files].sort((a, b) => a.resource.offsetBytes - b.resource.offsetBytes)) {
    const storedBytes = entry.resource.storedBytes;
    if (current.storedBytes + storedBytes >= maxPartBytes && current.storedBytes !== 0) {
      current = { files: [], metadata: [], storedBytes: 0 };
      parts.push(current);
    }
    current.files.push(entry);
    current.storedBytes += storedBytes;
  }
  return parts;
}

/**
 * Whether wimlib copies the resource's stored bytes (write.c can_raw_copy: a compressed resource of
 * a compressed WIM) or reads and writes it again. Either way the bytes are the same for a WIM wimlib
 * or WIMGAPI wrote (an uncompressed resource in a compressed WIM is one that did not compress); what
 * differs is where wimlib puts it and the flags it records, which this mirrors.
 */
function isRawCopy(header: WimHeader, entry: BlobEntry): boolean {
  return header.compression !== 'none' && (entry.resource.flags & resourceFlags.compressed) !== 0;
}

/** write.c write_blob_list: the raw copies first, then the rest, each in the WIM's order. */
function writeOrder(header: WimHeader, files: readonly BlobEntry[]): BlobEntry[] {
  return [...files.filter((entry) => isRawCopy(header, entry)), ...files.filter((entry) => !isRawCopy(header, entry))];
}

function outputFlags(header: WimHeader, entry: BlobEntry, isMetadata: boolean): number {
  if (isRawCopy(header, entry)) return entry.resource.flags; // blob_set_out_reshdr_for_reuse keeps them
  return isMetadata ? resourceFlags.metadata : 0; // reshdr_flags_for_blob
}

/** write_wim_part's header: the WIM's read-only and reparse-fix flags, spanned, its compression. */
function partHeaderFields(header: WimHeader, totalParts: number): Pick<WimHeader, 'version' | 'flags'> {
  const compressionFlag = { none: 0, xpress: headerFlags.compressXpress, lzx: headerFlags.compressLzx, lzms: headerFlags.compressLzms }[header.compression];
  let flags = header.flags & (headerFlags.reparsePointFix | headerFlags.readOnly);
  if (totalParts !== 1) flags |= headerFlags.spanned;
  if (header.compression !== 'none') flags |= headerFlags.compression | compressionFlag;
  return { version: header.compression === 'lzms' ? wimVersionSolid : wimVersionDefault, flags };
}

type WimRange = Extract<ComposedPiece, { source: ByteSource }>;

/**
 * Adds `range` to `ranges`, extending the last one when it continues it in both the part and the
 * WIM: resources go in the WIM's order, so a part is a few long runs of the WIM, which it then
 * reads in a few large reads instead of one per resource (a Windows image has ~100,000 of them).
 */
function appendRange(ranges: WimRange[], range: WimRange): void {
  const last = ranges.at(-1);
  if (last && last.offsetBytes + last.lengthBytes === range.offsetBytes && last.sourceOffsetBytes + last.lengthBytes === range.sourceOffsetBytes) {
    ranges[ranges.length - 1] = { ...last, lengthBytes: last.lengthBytes + range.lengthBytes };
  } else {
    ranges.push(range);
  }
}

interface PartLayout {
  readonly pieces: ComposedPiece[];
  readonly tableEntries: OutputBlobEntry[];
  readonly endBytes: number;
}

/** Places a part's resources after its header: file data, then (part 1) the metadata resources. */
function layOutResources(wim: ByteSource, header: WimHeader, plan: PartPlan, partNumber: number): PartLayout {
  const pieces: WimRange[] = [];
  const fileEntries: OutputBlobEntry[] = [];
  const metadataEntries: OutputBlobEntry[] = [];
  let offsetBytes = wimHeaderBytes;
  const place = (entry: BlobEntry, isMetadata: boolean): void => {
    const { storedBytes, uncompressedBytes } = entry.resource;
    appendRange(pieces, { offsetBytes, lengthBytes: storedBytes, source: wim, sourceOffsetBytes: entry.resource.offsetBytes });
    const resource: ResourceHeader = { storedBytes, flags: outputFlags(header, entry, isMetadata), offsetBytes, uncompressedBytes };
    (isMetadata ? metadataEntries : fileEntries).push({ resource, partNumber, referenceCount: isMetadata ? 1 : entry.referenceCount, sha1: entry.sha1 });
    offsetBytes += storedBytes;
  };
  for (const entry of writeOrder(header, plan.files)) place(entry, false);
  for (const entry of plan.metadata) place(entry, true);
  // write.c write_blob_table: metadata entries first, in image order, then the rest by offset.
  fileEntries.sort((a, b) => a.resource.offsetBytes - b.resource.offsetBytes);
  return { pieces, tableEntries: [...metadataEntries, ...fileEntries], endBytes: offsetBytes };
}

/** One part: header, resources, its own blob table, and the WIM's XML data as recorded. */
function composePart(wim: ByteSource, header: WimHeader, plan: PartPlan, part: { number: number; total: number; name: string; guid: Uint8Array }): WimPart {
  const layout = layOutResources(wim, header, plan, part.number);
  const table = encodeBlobTable(layout.tableEntries);
  // write_wim_resource_from_buffer records the tables it writes uncompressed with the metadata flag.
  const blobTable: ResourceHeader = {
    storedBytes: table.byteLength,
    flags: resourceFlags.metadata,
    offsetBytes: layout.endBytes,
    uncompressedBytes: table.byteLength,
  };
  const xmlOffsetBytes = layout.endBytes + table.byteLength;
  const xmlBytes = header.xmlData.storedBytes;
  const xmlData: ResourceHeader = { storedBytes: xmlBytes, flags: resourceFlags.metadata, offsetBytes: xmlOffsetBytes, uncompressedBytes: xmlBytes };
  // write_wim_part, finish_write: only an unsplit WIM keeps its boot index, and its boot metadata
  // header is the bootable image's metadata resource header. No integrity table (see splitWim).
  const bootIndex = part.total === 1 && header.bootIndex <= header.imageCount ? header.bootIndex : 0;
  const partHeader = encodeWimHeader({
    ...header,
    ...partHeaderFields(header, part.total),
    guid: part.guid,
    partNumber: part.number,
    totalParts: part.total,
    blobTable,
    xmlData,
    bootIndex,
    bootMetadata: bootIndex === 0 ? noResource : layout.tableEntries[bootIndex - 1]!.resource,
    integrityTable: noResource,
  });
  const pieces: ComposedPiece[] = [
    { offsetBytes: 0, bytes: partHeader },
    ...layout.pieces,
    { offsetBytes: layout.endBytes, bytes: table },
    { offsetBytes: xmlOffsetBytes, lengthBytes: xmlBytes, source: wim, sourceOffsetBytes: header.xmlData.offsetBytes },
  ];
  return { name: part.name, source: composeSource(part.name, xmlOffsetBytes + xmlBytes, pieces) };
}

async function readSplittableHeader(wim: ByteSource): Promise<WimHeader> {
  const header = await readWimHeader(wim);
  if (header.totalParts !== 1) throw new CodedError('unsupported', `${wim.name} is already part ${header.partNumber} of a ${header.totalParts}-part split WIM`);
  if (header.imageCount === 0) throw new CodedError('unsupported', `${wim.name} holds no image: there is nothing to split`);
  await checkXmlData(wim, header);
  return header;
}

/**
 * Plans the split from the WIM's header, blob table and XML only; the parts read resource bytes
 * from `wim` lazily (the caller keeps `wim` open while they are read). Every part carries the same
 * new GUID, its number of the total, the spanned flag, its own blob table (part 1 also the metadata
 * resources and their entries) and the WIM's XML data. Decisions: the XML is copied as recorded
 * (wimlib re-serialises its parsed copy, the same bytes for a WIM it wrote); no integrity table is
 * written even when the WIM has one (wimlib would hash each part, which needs every byte read
 * first; Windows Setup does not require one).
 */
export async function splitWim(wim: ByteSource, options: SplitWimOptions): Promise<WimPart[]> {
  if (!Number.isSafeInteger(options.maxPartBytes) || options.maxPartBytes <= 0)
    throw new RangeError(`maxPartBytes must be a positive integer, not ${options.maxPartBytes}`);
  const header = await readSplittableHeader(wim);
  const table = await readBlobTable(wim, header, options.signal);
  throwIfCancelled(options.signal, 'splitting the WIM');
  const plans = planParts(table.metadata, table.files, options.maxPartBytes);
  const guid = randomBytes(16);
  return plans.map((plan, index) =>
    composePart(wim, header, plan, { number: index + 1, total: plans.length, name: splitPartName(options.baseName, index + 1), guid }),
  );
}
