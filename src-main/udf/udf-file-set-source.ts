// The UDF bridge's file set as a ByteSource that renders the blocks a read asks for (ECMA-167 part
// 4): the File Set Descriptor and its Terminating Descriptor, a File Entry per planned entry, and the
// data the file set itself holds (directories' File Identifier Descriptors). A
// File Entry takes a whole 2 KiB block, so rendering them all at once would hold 2 KiB of memory per
// file for the whole write; rendered on demand, the plan's few hundred bytes per node are all it keeps.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';
import { splitIntoExtents, udfBlockBytes } from './udf-fields-writer.ts';
import { fidFlags, fileTypeOfKind, maxShortAdsPerEntry, writeFileEntry, writeFileIdentifier, writeFileSet } from './udf-file-entry-writer.ts';
import type { FileSetAddresses, PlannedDirectory, PlannedEntry } from './udf-file-set-writer.ts';

/** The File Set Descriptor and its Terminating Descriptor come first (ECMA-167 4/8.3.1). */
export const fileSetHeaderBlocks = 2;

/**
 * The file set of `entries` (in block order) at the addresses given. Every file's extents are checked
 * here, so a layout bug fails the plan, not the write halfway.
 */
export function fileSetSource(entries: readonly PlannedEntry[], root: PlannedEntry, sectorCount: number, at: FileSetAddresses): ByteSource {
  for (const entry of entries) if (entry.node.kind === 'file') fileExtents(entry.node, at);
  const name = 'UDF file set';
  const sizeBytes = sectorCount * udfBlockBytes;
  return {
    name,
    sizeBytes,
    read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, lengthBytes);
      const firstBlock = Math.floor(offsetBytes / udfBlockBytes);
      const endBlock = Math.ceil((offsetBytes + lengthBytes) / udfBlockBytes);
      const blocks = new Uint8Array((endBlock - firstBlock) * udfBlockBytes);
      renderBlocks(blocks, firstBlock, endBlock, { entries, root, at });
      const startBytes = offsetBytes - firstBlock * udfBlockBytes;
      return Promise.resolve(blocks.subarray(startBytes, startBytes + lengthBytes));
    },
    close: () => Promise.resolve(),
  };
}

interface RenderContext {
  readonly entries: readonly PlannedEntry[];
  readonly root: PlannedEntry;
  readonly at: FileSetAddresses;
}

/** Fills `into` (the blocks from `firstBlock`) with the file set's blocks `firstBlock` to `endBlock`. */
function renderBlocks(into: Uint8Array, firstBlock: number, endBlock: number, context: RenderContext): void {
  const { entries, root, at } = context;
  let block = firstBlock;
  if (block < fileSetHeaderBlocks) {
    const header = new Uint8Array(fileSetHeaderBlocks * udfBlockBytes);
    writeFileSet(header, 0, { block: at.firstBlock, recordedMs: at.recordedMs, identifier: at.identifier, rootBlock: at.firstBlock + root.block });
    const untilBlock = Math.min(endBlock, fileSetHeaderBlocks);
    into.set(header.subarray(block * udfBlockBytes, untilBlock * udfBlockBytes), 0);
    block = untilBlock;
  }
  for (let index = entryIndexAt(entries, block); block < endBlock; index += 1) {
    const entry = entries[index] as PlannedEntry;
    const untilBlock = Math.min(endBlock, entry.block + 1 + entry.dataBlocks);
    renderEntryBlocks(into, firstBlock, entry, { fromBlock: block, untilBlock }, at);
    block = untilBlock;
  }
}

/** The index of the entry whose blocks hold `block` (entries lie in block order, each on its File Entry then its own data). */
function entryIndexAt(entries: readonly PlannedEntry[], block: number): number {
  let low = 0;
  let high = entries.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((entries[middle] as PlannedEntry).block <= block) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The part `fromBlock`-`untilBlock` of one entry's blocks: its File Entry, then its identifiers or link path. */
function renderEntryBlocks(
  into: Uint8Array,
  intoFirstBlock: number,
  entry: PlannedEntry,
  range: { fromBlock: number; untilBlock: number },
  at: FileSetAddresses,
): void {
  const ownDataBlock = at.firstBlock + entry.block + 1;
  if (range.fromBlock === entry.block) {
    const node = entry.node;
    const fixed = at.fixedFileTimesMs;
    writeFileEntry(into, (entry.block - intoFirstBlock) * udfBlockBytes, {
      block: at.firstBlock + entry.block,
      fileType: entry.directory ? fileTypeOfKind.directory : fileTypeOfKind.file,
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      linkCount: Math.min(entry.linkCount, 0xffff),
      uniqueId: entry.uniqueId,
      times: fixed === null ? node : { accessedMs: fixed, modifiedMs: fixed, changedMs: fixed },
      informationLengthBytes: entry.directory ? entry.directory.fidBytes : node.sizeBytes,
      extents: entry.directory ? splitIntoExtents([{ block: ownDataBlock, sizeBytes: entry.directory.fidBytes }]) : fileExtents(node, at),
    });
  }
  // The entry's own data, as byte offsets within it.
  const fromBytes = (Math.max(range.fromBlock, entry.block + 1) - (entry.block + 1)) * udfBlockBytes;
  const untilBytes = (range.untilBlock - (entry.block + 1)) * udfBlockBytes;
  if (fromBytes >= untilBytes) return;
  const intoAt = (entry.block + 1 - intoFirstBlock) * udfBlockBytes + fromBytes;
  if (entry.directory) renderIdentifiers(into, intoAt, entry.directory, { fromBytes, untilBytes, ownDataBlock, firstBlock: at.firstBlock });
}

/** A file's data as the composer placed it, in partition blocks, checked to lie in the partition and to hold exactly the file. */
function fileExtents(node: AuthoringNode, at: FileSetAddresses): { block: number; lengthBytes: number }[] {
  const runs = at.extentsOf(node).map((extent) => ({ block: extent.lba - at.partitionStartLba, sizeBytes: extent.sizeBytes }));
  let totalBytes = 0;
  for (const run of runs) {
    if (run.block < 0 || run.block + Math.ceil(run.sizeBytes / udfBlockBytes) > at.partitionBlocks) {
      throw new Error(
        `UDF bridge: ${node.origin}'s data at partition block ${run.block} (${run.sizeBytes} bytes) lies outside the ${at.partitionBlocks}-block partition`,
      );
    }
    totalBytes += run.sizeBytes;
  }
  if (totalBytes !== node.sizeBytes) throw new Error(`UDF bridge: ${node.origin} was placed as ${totalBytes} bytes, it holds ${node.sizeBytes}`);
  const extents = splitIntoExtents(runs);
  if (extents.length > maxShortAdsPerEntry) {
    throw new Error(`UDF bridge: ${node.origin}'s data lies in ${extents.length} pieces, a File Entry holds ${maxShortAdsPerEntry} allocation descriptors`);
  }
  return extents;
}

/**
 * Bytes `fromBytes`-`untilBytes` of a directory's identifiers (4/8.6: the parent's first, 4/14.4.3 bit
 * 3, then each child's), written at `intoAt`: the identifiers overlapping the range are rendered whole
 * (one may cross a block boundary) and cut to it.
 */
function renderIdentifiers(
  into: Uint8Array,
  intoAt: number,
  directory: PlannedDirectory,
  range: { fromBytes: number; untilBytes: number; ownDataBlock: number; firstBlock: number },
): void {
  const offsets = directory.fidOffsets;
  const untilBytes = Math.min(range.untilBytes, directory.fidBytes);
  // The last identifier starting at or before fromBytes (offsets[0] = 0, increasing).
  let first = 0;
  for (let low = 0, high = offsets.length - 2; low <= high;) {
    const middle = (low + high) >>> 1;
    if ((offsets[middle] as number) <= range.fromBytes) {
      first = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  const baseBytes = offsets[first] as number;
  let last = first;
  while (last < offsets.length - 1 && (offsets[last] as number) < untilBytes) last += 1;
  const rendered = new Uint8Array((offsets[last] as number) - baseBytes);
  for (let index = first; index < last; index += 1) {
    const offsetBytes = offsets[index] as number;
    const child = index === 0 ? null : directory.children[index - 1];
    const target = child ? child.entry : directory.parent;
    writeFileIdentifier(rendered, offsetBytes - baseBytes, {
      block: range.ownDataBlock + Math.floor(offsetBytes / udfBlockBytes),
      characteristics: child ? child.characteristics : fidFlags.directory | fidFlags.parent,
      identifier: child ? child.identifier : new Uint8Array(0),
      icb: { block: range.firstBlock + target.block, uniqueId: target.uniqueId },
    });
  }
  into.set(rendered.subarray(range.fromBytes - baseBytes, untilBytes - baseBytes), intoAt);
}
