// The file tree of a UDF volume (ECMA-167 / OSTA UDF 1.02-2.60) as a FileTree: anchor, volume
// descriptors, partition maps (type 1 and the UDF 2.50 metadata partition), file set, then directories
// read on demand. Files become absolute byte extents, ICB-embedded data included.
import type { ImageEntryType } from '../../shared/image.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { Extent, FileTree, TreeEntry } from '../format/file-tree.ts';
import { lookupEntry, safeName } from '../format/tree-lookup.ts';
import { UniqueNames } from '../format/unique-names.ts';
import { walkDirectoryBatches, walkDirectoryEntries, type DirectoryWalk } from '../format/tree-walk.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import type { FileEntry } from './file-entries.ts';
import {
  fidCharacteristics,
  icbFileTypes,
  parseAllocationDescriptors,
  parseAllocationExtent,
  parseFileEntry,
  parseFileIdentifier,
  parseFileSet,
  parseSymlinkTarget,
} from './file-entries.ts';
import type { AllocationDescriptor, LogicalBlockAddress, UdfPlace } from './udf-fields.ts';
import { extentKinds, udfCorrupt } from './udf-fields.ts';
import type { LogicalVolume, PartitionDescriptor, PrimaryVolume } from './volume-descriptors.ts';
import { findAnchorPointer, readVolumeDescriptorSequence } from './volume-descriptors.ts';

/** Limits that keep hostile trees finite (the same as the ISO 9660 tree's). */
export const udfTreeLimits = {
  maxDepth: 256,
  maxEntries: 5_000_000,
  maxDirectoryBytes: 64 * 1024 * 1024,
  /** Allocation extent continuations one entry may chain (4/14.5). */
  maxAllocationExtents: 4096,
  maxExtentsPerFile: 1_000_000,
  maxSymlinkBytes: 64 * 1024,
} as const;

export interface UdfTree extends FileTree {
  readonly blockBytes: number;
  readonly anchorSector: number;
  readonly primary: PrimaryVolume;
  readonly logicalVolume: LogicalVolume;
  readonly partitions: readonly PartitionDescriptor[];
  readonly fileSetIdentifier: string;
  /** "2.01" from the domain identifier suffix (OSTA UDF 2.1.5.3). */
  readonly revision: string;
}

export interface OpenUdfTreeOptions {
  /** What reading the tree may cost; by default linear in the source's size (src-main/format/work-budget.ts). */
  readonly budget?: WorkBudget;
}

/** Opens the UDF tree; null when the source has no anchor volume descriptor pointer. */
export async function openUdfTree(source: ByteSource, options: OpenUdfTreeOptions = {}): Promise<UdfTree | null> {
  if (source.sizeBytes < 257 * 512) return null;
  const found = await findAnchorPointer(source);
  if (!found) return null;
  const { anchor, blockBytes } = found;
  const budget = options.budget ?? WorkBudget.for(source);
  const sequence = await readVolumeDescriptorSequence(source, anchor, blockBytes);
  const volume = sequence.logicalVolume;
  const mapper = await createBlockMapper(source, blockBytes, volume, sequence.partitions, budget);
  const fsdAddress = volume.fileSetLocation.address;
  const fsdSector = mapper.sector(fsdAddress, 'file set descriptor');
  const fileSet = parseFileSet(await readBlock(source, fsdSector, blockBytes, 'file set descriptor'), placeOf(fsdSector, blockBytes), fsdAddress.block);
  const context: UdfContext = { source, blockBytes, mapper, budget, paidDirectories: new Set<number>() };
  const root = await readEntry(context, fileSet.rootIcb, { path: '/', name: '', hidden: false }, budget);
  if (root.type !== 'directory') throw udfCorrupt(placeOf(root.extentLba, blockBytes), 0, 'the root ICB is not a directory');
  const revision = volume.udfRevision;
  return {
    source,
    namespace: 'udf',
    namespaces: ['udf'],
    root,
    blockBytes,
    anchorSector: anchor.sector,
    primary: sequence.primary,
    logicalVolume: volume,
    partitions: sequence.partitions,
    fileSetIdentifier: fileSet.fileSetIdentifier,
    revision: `${(revision >> 8).toString(16)}.${(revision & 0xff).toString(16).padStart(2, '0')}`,
    listDirectory: (directory) => listDirectory(context, directory),
    lookup: (path) => lookupEntry(root, (directory) => listDirectory(context, directory), path),
    walk: (from = root) => walkDirectoryEntries(from, directoryWalk(context, from)),
    walkBatches: (from = root) => walkDirectoryBatches(from, directoryWalk(context, from)),
  };
}

interface UdfContext {
  readonly source: ByteSource;
  readonly blockBytes: number;
  readonly mapper: BlockMapper;
  readonly budget: WorkBudget;
  /** Directories (by ICB sector) whose listing the budget has paid for once already. */
  readonly paidDirectories: Set<number>;
}

interface BlockMapper {
  /** The image sector of a logical block (ECMA-167 4/7.1 -> 3/8.8). */
  sector(address: LogicalBlockAddress, what: string): number;
  /**
   * The image byte ranges of `lengthBytes` starting at a logical block (split where the metadata file
   * is, one block at a time: those blocks are paid for, as extents followed).
   */
  extents(address: LogicalBlockAddress, lengthBytes: number, what: string, budget: WorkBudget | null): Extent[];
}

function placeOf(sector: number, blockBytes: number): UdfPlace {
  return { offsetBytes: sector * blockBytes, sectorBytes: blockBytes };
}

async function readBlock(source: ByteSource, sector: number, blockBytes: number, what: string): Promise<Uint8Array> {
  if ((sector + 1) * blockBytes > source.sizeBytes)
    throw udfCorrupt(placeOf(sector, blockBytes), 0, `${what} at sector ${sector} lies past the image end (${source.sizeBytes} bytes)`);
  return source.read(sector * blockBytes, blockBytes);
}

/**
 * Maps partition-relative blocks to image sectors: a type 1 map by its partition's start (3/10.5.11);
 * the UDF 2.50 metadata partition (UDF 2.2.10) through the metadata file's extents, or its mirror's.
 */
async function createBlockMapper(
  source: ByteSource,
  blockBytes: number,
  volume: LogicalVolume,
  partitions: readonly PartitionDescriptor[],
  budget: WorkBudget,
): Promise<BlockMapper> {
  const starts: (PartitionDescriptor | null)[] = [];
  const metadata = new Map<number, { runs: MetadataRun[] }>();
  const unsupported = new Map<number, string>();
  for (const [index, map] of volume.partitionMaps.entries()) {
    const partition = partitions.find((candidate) => candidate.partitionNumber === map.partitionNumber) ?? null;
    starts.push(partition);
    if (map.kind === 'virtual' || map.kind === 'sparable' || map.kind === 'unknown') {
      unsupported.set(
        index,
        `partition map ${index} is a ${map.kind === 'unknown' ? `"${map.identifier}"` : map.kind} partition, which Isotope does not read yet`,
      );
    }
  }
  const physicalSector = (address: LogicalBlockAddress, what: string): number => {
    const place = placeOf(0, blockBytes);
    // 4/7.1 / 3/10.7: the partition reference number indexes the logical volume's partition maps.
    if (address.partitionIndex >= volume.partitionMaps.length) {
      throw udfCorrupt(place, 0, `${what} names partition map ${address.partitionIndex}, the volume has ${volume.partitionMaps.length}`);
    }
    const why = unsupported.get(address.partitionIndex);
    if (why) throw new CorruptImageError(`UDF: ${what}: ${why}`, { partitionIndex: address.partitionIndex });
    const run = metadata.get(address.partitionIndex);
    if (run) {
      const hit = run.runs.find((candidate) => address.block >= candidate.firstBlock && address.block < candidate.firstBlock + candidate.blocks);
      if (!hit) throw udfCorrupt(place, 0, `${what} at metadata block ${address.block} lies outside the metadata file`);
      return hit.sector + (address.block - hit.firstBlock);
    }
    const partition = starts[address.partitionIndex];
    if (!partition) throw udfCorrupt(place, 0, `${what}: partition map ${address.partitionIndex} names a partition with no partition descriptor`);
    // 3/10.5.12: blocks lie inside the partition's length.
    if (address.block >= partition.lengthBlocks) {
      throw udfCorrupt(
        place,
        0,
        `${what} at block ${address.block} lies past the end of partition ${partition.partitionNumber} (${partition.lengthBlocks} blocks)`,
      );
    }
    return partition.startSector + address.block;
  };
  const mapper: BlockMapper = {
    sector: physicalSector,
    extents(address, lengthBytes, what, budget) {
      if (!metadata.has(address.partitionIndex)) {
        const sector = physicalSector(address, what);
        const blocks = Math.ceil(lengthBytes / blockBytes);
        if (blocks > 1) physicalSector({ block: address.block + blocks - 1, partitionIndex: address.partitionIndex }, what);
        return [{ offsetBytes: sector * blockBytes, sizeBytes: lengthBytes }];
      }
      const extents: Extent[] = [];
      for (let done = 0, block = address.block; done < lengthBytes; block += 1, done += blockBytes) {
        budget?.spend(workCosts.extentBytes, what);
        const offsetBytes = physicalSector({ block, partitionIndex: address.partitionIndex }, what) * blockBytes;
        const sizeBytes = Math.min(blockBytes, lengthBytes - done);
        const last = extents[extents.length - 1];
        if (last && last.offsetBytes + last.sizeBytes === offsetBytes)
          extents[extents.length - 1] = { offsetBytes: last.offsetBytes, sizeBytes: last.sizeBytes + sizeBytes };
        else extents.push({ offsetBytes, sizeBytes });
      }
      return extents;
    },
  };
  // UDF 2.2.10: the metadata file (or, if it is damaged, its mirror) lists where the metadata partition's blocks are.
  for (const [index, map] of volume.partitionMaps.entries()) {
    if (map.kind !== 'metadata') continue;
    const physicalIndex = volume.partitionMaps.findIndex((other) => other.kind === 'physical' && other.partitionNumber === map.partitionNumber);
    if (physicalIndex < 0)
      throw udfCorrupt(placeOf(0, blockBytes), 0, `metadata partition map ${index} has no type 1 map for partition ${map.partitionNumber}`);
    const context: UdfContext = { source, blockBytes, mapper, budget, paidDirectories: new Set<number>() };
    metadata.set(index, { runs: await readMetadataRuns(context, map, physicalIndex) });
  }
  return mapper;
}

/** A stretch of the metadata partition: `blocks` blocks from `firstBlock` lie at image sector `sector` on. */
interface MetadataRun {
  readonly firstBlock: number;
  readonly sector: number;
  readonly blocks: number;
}

/**
 * Reads the metadata file's extents as runs of the metadata partition (UDF 2.2.10), from the mirror
 * when the metadata file is damaged: the mirror holds the same allocation (UDF 2.2.13.1), so only
 * when both are unreadable is the volume lost.
 */
async function readMetadataRuns(
  context: UdfContext,
  map: { readonly metadataFileBlock: number; readonly mirrorFileBlock: number },
  physicalIndex: number,
): Promise<MetadataRun[]> {
  const { blockBytes } = context;
  const readRuns = async (block: number, what: string): Promise<MetadataRun[]> => {
    const entry = await readFileEntryAt(context, { block, partitionIndex: physicalIndex }, what, context.budget);
    const runs: MetadataRun[] = [];
    let firstBlock = 0;
    for (const extent of entry.extents) {
      if (extent.unrecorded || extent.offsetBytes % blockBytes !== 0)
        throw udfCorrupt(placeOf(entry.sector, blockBytes), 0, 'metadata file has an unrecorded or unaligned extent');
      const blocks = Math.ceil(extent.sizeBytes / blockBytes);
      runs.push({ firstBlock, sector: extent.offsetBytes / blockBytes, blocks });
      firstBlock += blocks;
    }
    return runs;
  };
  let mainFailure: CorruptImageError;
  try {
    return await readRuns(map.metadataFileBlock, 'metadata file');
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    mainFailure = error;
  }
  try {
    return await readRuns(map.mirrorFileBlock, 'metadata mirror file');
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    throw new CorruptImageError(`${mainFailure.message}; ${error.message.replace(/^UDF: /, '')}`, mainFailure.where);
  }
}

interface ReadFileEntry {
  readonly sector: number;
  readonly fileEntry: FileEntry;
  readonly extents: Extent[];
}

/**
 * Reads the (extended) file entry at `address` and resolves its allocation descriptors to extents,
 * paying for each descriptor and allocation extent (null: this listing was paid for already).
 */
async function readFileEntryAt(context: UdfContext, address: LogicalBlockAddress, what: string, budget: WorkBudget | null): Promise<ReadFileEntry> {
  const { source, blockBytes, mapper } = context;
  const sector = mapper.sector(address, what);
  const place = placeOf(sector, blockBytes);
  const bytes = await readBlock(source, sector, blockBytes, what);
  const fileEntry = parseFileEntry(bytes, place, address.block, what);
  const total = fileEntry.informationLengthBytes;
  if (fileEntry.allocationForm === 'embedded') {
    // 4/14.6.8 type 3: the data is the allocation descriptor area itself.
    if (total > fileEntry.allocationLengthBytes)
      throw udfCorrupt(place, 56, `embedded file claims ${total} bytes, its ICB holds ${fileEntry.allocationLengthBytes}`);
    return { sector, fileEntry, extents: total === 0 ? [] : [{ offsetBytes: sector * blockBytes + fileEntry.allocationOffsetBytes, sizeBytes: total }] };
  }
  const descriptors: AllocationDescriptor[] = [];
  let area = { bytes, at: fileEntry.allocationOffsetBytes, lengthBytes: fileEntry.allocationLengthBytes, place };
  const visited = new Set<number>([sector]);
  for (let continuations = 0; ; continuations += 1) {
    const list = parseAllocationDescriptors(area.bytes, area.at, area.lengthBytes, fileEntry.allocationForm, address.partitionIndex, area.place);
    let next: AllocationDescriptor | null = null;
    for (const descriptor of list) {
      // 4/14.14.1.1 type 3: the rest of the list continues in an allocation extent descriptor.
      if (descriptor.kind === extentKinds.continuation) {
        next = descriptor;
        break;
      }
      budget?.spend(workCosts.extentBytes, what);
      descriptors.push(descriptor);
      if (descriptors.length > udfTreeLimits.maxExtentsPerFile) throw udfCorrupt(place, 0, `${what} has more than ${udfTreeLimits.maxExtentsPerFile} extents`);
    }
    if (!next) break;
    if (continuations >= udfTreeLimits.maxAllocationExtents)
      throw udfCorrupt(place, 0, `${what} chains more than ${udfTreeLimits.maxAllocationExtents} allocation extents`);
    const nextSector = mapper.sector(next.address, `${what} allocation extent`);
    if (visited.has(nextSector))
      throw udfCorrupt(placeOf(nextSector, blockBytes), 0, `${what}: allocation extent at sector ${nextSector} was already read (an allocation loop)`);
    visited.add(nextSector);
    budget?.spend(blockBytes, `${what} allocation extent`);
    const nextPlace = placeOf(nextSector, blockBytes);
    const nextBytes = await readBlock(source, nextSector, blockBytes, 'allocation extent descriptor');
    const parsed = parseAllocationExtent(nextBytes, nextPlace, next.address.block);
    area = { bytes: nextBytes, at: parsed.at, lengthBytes: parsed.lengthBytes, place: nextPlace };
  }
  // The descriptors' lengths cover the information length; the last one may run to its block's end.
  const extents: Extent[] = [];
  let covered = 0;
  for (const descriptor of descriptors) {
    if (covered >= total) break;
    const sizeBytes = Math.min(descriptor.lengthBytes, total - covered);
    if (descriptor.kind === extentKinds.recorded) {
      for (const extent of mapper.extents(descriptor.address, sizeBytes, what, budget)) {
        if (extent.offsetBytes + extent.sizeBytes > source.sizeBytes) {
          throw udfCorrupt(
            place,
            0,
            `${what}: extent of ${extent.sizeBytes} bytes at offset ${extent.offsetBytes} runs past the image end (${source.sizeBytes} bytes)`,
          );
        }
        extents.push(extent);
      }
    } else {
      extents.push({ offsetBytes: 0, sizeBytes, unrecorded: true });
    }
    covered += sizeBytes;
  }
  if (covered < total) throw udfCorrupt(place, 56, `${what}: allocation descriptors cover ${covered} of its ${total} bytes`);
  return { sector, fileEntry, extents };
}

function entryTypeOf(fileType: number): ImageEntryType {
  if (fileType === icbFileTypes.directory) return 'directory';
  if (fileType === icbFileTypes.symlink) return 'symlink';
  if (fileType === icbFileTypes.regular || fileType === 0) return 'file';
  return 'other';
}

/** ECMA-167 4/14.9.5 permissions (owner bits 10-12, group 5-7, other 0-2) and ICB flags to a POSIX mode. */
function posixMode(fileEntry: FileEntry, type: ImageEntryType): number {
  const p = fileEntry.permissions;
  let mode = (((p >> 10) & 7) << 6) | (((p >> 5) & 7) << 3) | (p & 7);
  if (fileEntry.icbFlags & 0x40) mode |= 0o4000;
  if (fileEntry.icbFlags & 0x80) mode |= 0o2000;
  if (fileEntry.icbFlags & 0x100) mode |= 0o1000;
  const kinds: Record<number, number> = { 4: 0o040000, 5: 0o100000, 6: 0o060000, 7: 0o020000, 9: 0o010000, 10: 0o140000, 12: 0o120000 };
  return mode | (kinds[fileEntry.fileType] ?? (type === 'file' ? 0o100000 : 0));
}

async function readEntry(
  context: UdfContext,
  icb: LogicalBlockAddress,
  naming: { path: string; name: string; hidden: boolean },
  budget: WorkBudget | null,
): Promise<TreeEntry> {
  const what = naming.path === '/' ? 'root directory' : naming.path;
  budget?.spend(workCosts.entryBytes, what);
  const { sector, fileEntry, extents } = await readFileEntryAt(context, icb, what, budget);
  const type = entryTypeOf(fileEntry.fileType);
  const entry: { -readonly [K in keyof TreeEntry]: TreeEntry[K] } = {
    path: naming.path,
    name: naming.name,
    type,
    sizeBytes: type === 'symlink' ? 0 : fileEntry.informationLengthBytes,
    extents,
    extentLba: sector,
    hidden: naming.hidden,
    recordOffsetBytes: sector * context.blockBytes,
    mode: posixMode(fileEntry, type),
  };
  if (fileEntry.modifiedMs !== null) entry.mtimeMs = fileEntry.modifiedMs;
  // OSTA UDF 2.60 3.3.3.1/3.3.3.2: 0xFFFFFFFF means the id was not recorded.
  if (fileEntry.uid !== 0xffffffff) entry.uid = fileEntry.uid;
  if (fileEntry.gid !== 0xffffffff) entry.gid = fileEntry.gid;
  if (type === 'symlink') {
    if (fileEntry.informationLengthBytes > udfTreeLimits.maxSymlinkBytes)
      throw udfCorrupt(placeOf(sector, context.blockBytes), 56, `symbolic link ${naming.path} holds ${fileEntry.informationLengthBytes} bytes`);
    budget?.spend(fileEntry.informationLengthBytes, `symbolic link ${naming.path}`);
    entry.target = parseSymlinkTarget(await readExtents(context, extents, fileEntry.informationLengthBytes), placeOf(sector, context.blockBytes));
  }
  return entry;
}

async function readExtents(context: UdfContext, extents: readonly Extent[], totalBytes: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(totalBytes);
  let filled = 0;
  for (const extent of extents) {
    if (!extent.unrecorded) bytes.set(await context.source.read(extent.offsetBytes, extent.sizeBytes), filled);
    filled += extent.sizeBytes;
  }
  return bytes;
}

async function listDirectory(context: UdfContext, directory: TreeEntry): Promise<TreeEntry[]> {
  if (directory.type !== 'directory') return [];
  const place = placeOf(directory.extentLba, context.blockBytes);
  if (directory.sizeBytes > udfTreeLimits.maxDirectoryBytes) {
    throw udfCorrupt(
      place,
      56,
      `directory ${directory.path} declares ${directory.sizeBytes} bytes, more than the ${udfTreeLimits.maxDirectoryBytes}-byte limit`,
    );
  }
  // The budget pays for a directory's listing once: listing it again (a lookup for each of many paths)
  // repeats work the image already paid for, and a hostile image cannot multiply it.
  const budget = context.paidDirectories.has(directory.extentLba) ? null : context.budget;
  budget?.spend(directory.sizeBytes, `listing ${directory.path}`);
  const bytes = await readExtents(context, directory.extents, directory.sizeBytes);
  const dataPlace = { offsetBytes: directory.extents[0]?.offsetBytes ?? place.offsetBytes, sectorBytes: context.blockBytes };
  const entries: TreeEntry[] = [];
  const names = new UniqueNames();
  // 4/8.6: a directory is a sequence of file identifier descriptors; each one's length moves us on.
  for (let at = 0; at < bytes.byteLength;) {
    const fid = parseFileIdentifier(bytes, at, dataPlace);
    at += fid.lengthBytes;
    if (fid.characteristics & (fidCharacteristics.deleted | fidCharacteristics.parent)) continue;
    const name = names.claim(safeName(fid.name));
    const path = directory.path === '/' ? `/${name}` : `${directory.path}/${name}`;
    const child = await readEntry(context, fid.icb, { path, name, hidden: (fid.characteristics & fidCharacteristics.hidden) !== 0 }, budget);
    entries.push(child);
  }
  context.paidDirectories.add(directory.extentLba);
  return entries;
}

/** The walk of this tree (src-main/format/tree-walk.ts) with ECMA-167's loop and overlap checks. */
function directoryWalk(context: UdfContext, from: TreeEntry): DirectoryWalk<TreeEntry> {
  const placeOfEntry = (entry: TreeEntry): UdfPlace => placeOf(entry.extentLba, context.blockBytes);
  const visitedIcbs = new Set<number>([from.extentLba]);
  return {
    maxDepth: udfTreeLimits.maxDepth,
    maxEntries: udfTreeLimits.maxEntries,
    blockBytes: context.blockBytes,
    sourceSizeBytes: context.source.sizeBytes,
    listDirectory: (directory) => listDirectory(context, directory),
    corrupt: (entry, message) => udfCorrupt(placeOfEntry(entry), 0, message),
    enter(child, visited) {
      // ECMA-167 4/8.6: the hierarchy is a tree; a directory ICB reached twice is a loop, and directory
      // data overlapping another directory's would have its identifiers read twice.
      if (visitedIcbs.has(child.extentLba))
        throw udfCorrupt(placeOfEntry(child), 0, `directory ${child.path} is the ICB at sector ${child.extentLba}, already visited (a directory loop)`);
      visitedIcbs.add(child.extentLba);
      const seenBlock = visited.visit(child.extents);
      if (seenBlock !== null)
        throw udfCorrupt(
          placeOfEntry(child),
          0,
          `directory ${child.path} keeps its identifiers in sector ${seenBlock}, which another directory's data already covers`,
        );
    },
  };
}
