// The directory extents of one namespace (ECMA-119 6.8.1, 9.1): "." and "..", then each entry's
// records (a multi-extent file one per extent), packed so no
// record crosses a sector. Sizing (before any LBA is known) and rendering walk the same records.
// An extent is rendered only when the write reaches it (directoryExtentSource), so an image of
// 50,000 files never holds its 15 MB of directory records at once (issue 15: peak RSS under 150
// MiB); the Rock Ridge continuation areas, which few records need, are rendered once, up front.
// Every record of a multi-extent file carries the same Rock Ridge entries, as xorriso writes them: its
// reader takes them from the last record, ours and pycdlib's from the first.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { sectorBytes } from '../format/fields.ts';
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';
import { fileFlags } from '../iso/directory-record.ts';
import type { DirectoryRecordWrite, SystemUseField } from '../iso/directory-record-writer.ts';
import {
  directoryRecordBytes,
  maxExtentBytes,
  maxSingleExtentBytes,
  noSystemUse,
  packDirectoryRecords,
  parentIdentifier,
  sectionFlags,
  selfIdentifier,
  writeDirectoryRecord,
} from '../iso/directory-record-writer.ts';
import type { PlannedSystemUse, SystemUsePlace } from '../iso/rock-ridge-writer.ts';
import type { NamespaceDirectory, NamespaceEntry, NamespaceTree } from './iso-namespaces.ts';

/** Where a planned System Use field's continuation area lies (packed by the composer). */
export interface ContinuationPlace {
  readonly lba: number;
  readonly offsetBytes: number;
}

export interface ExtentContext {
  readonly tree: NamespaceTree;
  readonly fixedFileTimesMs: number | null;
  /** The LBA zero-length records point at (the first sector of the file area, as libisofs does). */
  readonly zeroLengthLba: number;
  /** A file node's data sections, absolute (empty for a zero-byte file). */
  sectionsOf(node: AuthoringNode): readonly { readonly lba: number; readonly sizeBytes: number }[];
  continuationOf(plan: PlannedSystemUse): ContinuationPlace;
}

/** How many records a file of `sizeBytes` takes (ECMA-119 6.5.1). */
function sectionCount(node: AuthoringNode): number {
  if (node.kind !== 'file' || node.sizeBytes <= maxSingleExtentBytes) return 1;
  return Math.ceil(node.sizeBytes / maxExtentBytes); // fileSections' count, without its list
}

/** The lengths of the directory's records in order: ".", "..", then every entry's. */
export function directoryRecordLengths(directory: NamespaceDirectory): number[] {
  const lengths = [
    directoryRecordBytes(1, directory.selfSystemUse?.inRecordBytes ?? 0),
    directoryRecordBytes(1, directory.parentSystemUse?.inRecordBytes ?? 0),
  ];
  for (const entry of directory.entries) {
    const count = entry.relocation === 'child-link' ? 1 : sectionCount(entry.node);
    const identifierBytes = entry.identifier.byteLength;
    for (let index = 0; index < count; index += 1) lengths.push(directoryRecordBytes(identifierBytes, entry.systemUse?.inRecordBytes ?? 0));
  }
  return lengths;
}

/** Sizes every directory of the tree (sectorCount) from its records. */
export function sizeDirectories(tree: NamespaceTree): void {
  for (const directory of tree.directories) directory.sectorCount = packDirectoryRecords(directoryRecordLengths(directory)).sectorCount;
}

function recordedMs(node: AuthoringNode, context: ExtentContext): number {
  return context.fixedFileTimesMs ?? node.modifiedMs;
}

/** What a plan is written for: where its continuation area lies (packed by the composer), and the directory a CL or PL names. */
function systemUsePlace(plan: PlannedSystemUse, linkedDirectoryLba: number | null, context: ExtentContext): SystemUsePlace {
  if (plan.continuationBytes === 0 && linkedDirectoryLba === null) return nothingToPlace;
  const place = plan.continuationBytes > 0 ? context.continuationOf(plan) : { lba: 0, offsetBytes: 0 };
  return { continuationLba: place.lba, continuationOffsetBytes: place.offsetBytes, linkedDirectoryLba };
}

const nothingToPlace: SystemUsePlace = { continuationLba: 0, continuationOffsetBytes: 0, linkedDirectoryLba: null };

/** A record's System Use field, which its plan writes straight into the extent. */
function recordSystemUse(plan: PlannedSystemUse | null, linkedDirectoryLba: number | null, context: ExtentContext): SystemUseField {
  if (!plan) return noSystemUse;
  const place = systemUsePlace(plan, linkedDirectoryLba, context);
  return { byteLength: plan.inRecordBytes, writeInto: (into, at) => plan.writeInRecord(into, at, place) };
}

/** RRIP 4.1.5.1 CL: the extent of the directory a placeholder stands for; null for any other entry. */
function childLinkLba(entry: NamespaceEntry, context: ExtentContext): number | null {
  return entry.relocation === 'child-link' ? (context.tree.directoryOf.get(entry.node)?.extentLba ?? null) : null;
}

/** RRIP 4.1.5.2 PL: a relocated directory's '..' names the extent of its parent in the source tree; null for any other. */
function parentLinkLba(directory: NamespaceDirectory, context: ExtentContext): number | null {
  return directory.originalParentNode ? (context.tree.directoryOf.get(directory.originalParentNode)?.extentLba ?? null) : null;
}

function directoryRecord(
  target: NamespaceDirectory,
  identifier: Uint8Array,
  node: AuthoringNode,
  systemUse: SystemUseField,
  context: ExtentContext,
): DirectoryRecordWrite {
  const hidden = node.hidden ? fileFlags.hidden : 0;
  return {
    identifier,
    extentLba: target.extentLba,
    dataLengthBytes: target.sectorCount * sectorBytes,
    flags: fileFlags.directory | hidden,
    recordedMs: recordedMs(node, context),
    systemUse,
  };
}

/** The records of one entry: a directory's one, a file's one per section, else one of length 0. */
function entryRecords(entry: NamespaceEntry, context: ExtentContext): DirectoryRecordWrite[] {
  const systemUse = recordSystemUse(entry.systemUse, childLinkLba(entry, context), context);
  const identifier = entry.identifier;
  if (entry.directory) return [directoryRecord(entry.directory, identifier, entry.node, systemUse, context)];
  const hidden = entry.node.hidden ? fileFlags.hidden : 0;
  const time = recordedMs(entry.node, context);
  const sections = entry.node.kind === 'file' && entry.relocation === null ? context.sectionsOf(entry.node) : [];
  if (sections.length === 0) {
    return [{ identifier, extentLba: context.zeroLengthLba, dataLengthBytes: 0, flags: hidden, recordedMs: time, systemUse }];
  }
  return sections.map((section, index) => ({
    identifier,
    extentLba: section.lba,
    dataLengthBytes: section.sizeBytes,
    flags: sectionFlags(hidden, index, sections.length),
    recordedMs: time,
    systemUse,
  }));
}

/** The directory's extent bytes (sectorCount sectors), once every LBA is known. */
export function renderDirectoryExtent(directory: NamespaceDirectory, context: ExtentContext): Uint8Array {
  const parent = directory.parent;
  const records: DirectoryRecordWrite[] = [
    directoryRecord(directory, selfIdentifier, directory.node, recordSystemUse(directory.selfSystemUse, null, context), context),
    directoryRecord(parent, parentIdentifier, parent.node, recordSystemUse(directory.parentSystemUse, parentLinkLba(directory, context), context), context),
  ];
  for (const entry of directory.entries) records.push(...entryRecords(entry, context));
  const { offsets, sectorCount } = packDirectoryRecords(
    records.map((record) => directoryRecordBytes(record.identifier.byteLength, record.systemUse.byteLength)),
  );
  if (sectorCount !== directory.sectorCount) throw new Error(`directory ${directory.path} was sized ${directory.sectorCount} sectors, renders ${sectorCount}`);
  const extent = new Uint8Array(sectorCount * sectorBytes);
  records.forEach((record, index) => writeDirectoryRecord(extent, offsets[index]!, record));
  return extent;
}

/**
 * The directory's extent as a source that renders it when read (every LBA is known by then) and
 * keeps the bytes only until its last byte is read: the write reads an extent once, in order.
 */
export function directoryExtentSource(directory: NamespaceDirectory, context: ExtentContext): ByteSource {
  const sizeBytes = directory.sectorCount * sectorBytes;
  const name = `${context.tree.kind === 'joliet' ? 'Joliet' : 'ISO 9660'} directory ${directory.path}`;
  let rendered: Uint8Array | null = null;
  const readInto = (into: Uint8Array, offsetBytes: number): Promise<void> => {
    assertReadInBounds(name, sizeBytes, offsetBytes, into.byteLength);
    rendered ??= renderDirectoryExtent(directory, context);
    into.set(rendered.subarray(offsetBytes, offsetBytes + into.byteLength));
    if (offsetBytes + into.byteLength === sizeBytes) rendered = null;
    return Promise.resolve();
  };
  return {
    name,
    sizeBytes,
    async read(offsetBytes, lengthBytes) {
      const bytes = new Uint8Array(lengthBytes);
      await readInto(bytes, offsetBytes);
      return bytes;
    },
    readInto,
    close: () => Promise.resolve(),
  };
}

/**
 * Every continuation area of the tree (SUSP 5.1), rendered into `areas` (which starts at `areasLba`):
 * only the records that have one are rendered, in the order packContinuations placed them.
 */
export function renderContinuationAreas(context: ExtentContext, areas: Uint8Array, areasLba: number): void {
  const place = (plan: PlannedSystemUse | null, linkedDirectoryLba: number | null): void => {
    if (!plan || plan.continuationBytes === 0) return;
    const place = systemUsePlace(plan, linkedDirectoryLba, context);
    areas.set(plan.renderContinuation(place), (place.continuationLba - areasLba) * sectorBytes + place.continuationOffsetBytes);
  };
  for (const directory of context.tree.directories) {
    place(directory.selfSystemUse, null);
    place(directory.parentSystemUse, parentLinkLba(directory, context));
    for (const entry of directory.entries) place(entry.systemUse, childLinkLba(entry, context));
  }
}
