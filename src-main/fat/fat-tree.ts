// A FAT12/16/32 volume as a FileTree (src-main/format/file-tree.ts): directories listed on demand, long
// names where their checksum matches, write times, the hidden attribute, and each file's cluster chain
// as absolute extents (consecutive clusters merged into one run). Reads back a stick written in
// copy-files mode and lists an EFI system partition. Every cluster belongs to one chain (FAT spec 4): a
// chain that loops or runs into another's clusters is a CorruptImageError naming the cluster, and the
// work is paid from a budget linear in the source's size.
import type { FileAttribute } from '../../shared/image.ts';
import { corruptAt, readRegion, type Place } from '../format/fields.ts';
import type { Extent, FileTree, TreeEntry } from '../format/file-tree.ts';
import { safeName, splitImagePath } from '../format/tree-lookup.ts';
import { walkDirectoryBatches, walkDirectoryEntries, type DirectoryWalk } from '../format/tree-walk.ts';
import { UniqueNames } from '../format/unique-names.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { ClusterClaims } from './cluster-claims.ts';
import { fatAttributes } from './fat-fields.ts';
import { newFatWindow, openFatVolume, parseDirectoryEntries, walkClusterChain, type FatVolume, type FatWindow } from './fat-volume.ts';

/** Limits that keep hostile trees finite (the ISO 9660 and UDF trees' depth and count). */
export const fatTreeLimits = {
  maxDepth: 256,
  maxEntries: 5_000_000,
  /** FAT spec 6: a directory holds at most 65536 entries of 32 bytes. */
  maxDirectoryBytes: 65536 * 32,
} as const;

export interface OpenFatTreeOptions {
  /** Where the volume's boot sector lies in the source (a partition's offset); 0 by default. */
  readonly offsetBytes?: number;
  readonly signal?: AbortSignal;
  readonly budget?: WorkBudget;
}

export interface FatTree extends FileTree {
  readonly volume: FatVolume;
}

/** Opens the FAT volume at `offsetBytes`; a CorruptImageError when no FAT boot sector is there. */
export async function openFatTree(source: ByteSource, options: OpenFatTreeOptions = {}): Promise<FatTree> {
  const offsetBytes = options.offsetBytes ?? 0;
  const volume = await openFatVolume(source, offsetBytes, options.budget ?? WorkBudget.for(source));
  if (!volume) throw corruptAt({ offsetBytes, sectorBytes: 512 }, 0, `no FAT boot sector at offset ${offsetBytes}`);
  return fatTreeOf(volume, options.signal);
}

/** The tree of a volume openFatVolume has read (its budget pays for the listings). */
export async function fatTreeOf(volume: FatVolume, signal?: AbortSignal): Promise<FatTree> {
  const { source, offsetBytes } = volume;
  const context: FatContext = {
    volume,
    signal,
    chains: new Map(),
    claims: new ClusterClaims(volume, { offsetBytes: volume.fatOffsetBytes, sectorBytes: 512 }),
    paidDirectories: new Set(),
    fatWindow: newFatWindow(),
  };
  const rootExtents = volume.fixedRoot
    ? [{ offsetBytes: volume.fixedRoot.offsetBytes, sizeBytes: volume.fixedRoot.lengthBytes }]
    : await chainExtents(context, { firstCluster: volume.rootCluster, sizeBytes: null, path: '/', recordOffsetBytes: offsetBytes });
  const root: TreeEntry = {
    path: '/',
    name: '',
    type: 'directory',
    sizeBytes: extentsBytes(rootExtents),
    extents: rootExtents,
    extentLba: volume.fixedRoot ? 0 : volume.rootCluster,
    hidden: false,
    recordOffsetBytes: offsetBytes,
  };
  const listDirectory = (directory: TreeEntry): Promise<TreeEntry[]> => listFatDirectory(context, directory);
  return {
    source,
    volume,
    namespace: 'fat',
    namespaces: ['fat'],
    root,
    listDirectory,
    lookup: (path) => lookupFatEntry(root, listDirectory, path),
    walk: (from = root) => walkDirectoryEntries(from, directoryWalk(context)),
    walkBatches: (from = root) => walkDirectoryBatches(from, directoryWalk(context)),
  };
}

/**
 * The entry at `path`, or null. FAT spec 6.1: names are compared without regard to case, so
 * "/efi/boot/bootx64.efi" finds "/EFI/BOOT/BOOTX64.EFI"; an exact match is preferred where a hostile
 * folder holds names equal but for case.
 */
export async function lookupFatEntry(root: TreeEntry, listDirectory: (directory: TreeEntry) => Promise<TreeEntry[]>, path: string): Promise<TreeEntry | null> {
  let current = root;
  for (const name of splitImagePath(path)) {
    if (current.type !== 'directory') return null;
    const children = await listDirectory(current);
    const upper = name.toUpperCase();
    const next = children.find((child) => child.name === name) ?? children.find((child) => child.name.toUpperCase() === upper);
    if (!next) return null;
    current = next;
  }
  return current;
}

interface FatContext {
  readonly volume: FatVolume;
  readonly signal: AbortSignal | undefined;
  /**
   * Chains already followed, by where the entry naming them lies (the root's by the boot sector's
   * offset): listing a directory again reuses them, while a second entry naming the same first
   * cluster claims its clusters again and fails as the cross-link it is.
   */
  readonly chains: Map<number, readonly Extent[]>;
  readonly claims: ClusterClaims;
  /** Folders (by where their entries start) whose listing the budget has paid for once already. */
  readonly paidDirectories: Set<number>;
  readonly fatWindow: FatWindow;
}

/** A chain to follow: where it starts, the size that rules its length, and the entry naming it. */
interface ChainRequest {
  readonly firstCluster: number;
  /** A file's size; null for a directory, whose chain is all its entries. */
  readonly sizeBytes: number | null;
  readonly path: string;
  readonly recordOffsetBytes: number;
}

/**
 * The absolute extents of the chain from `firstCluster`: `sizeBytes` worth for a file (the chain may
 * run on; FAT spec 6.2 says the size rules), the whole chain for a directory (null), up to 2 MiB.
 */
async function chainExtents(context: FatContext, request: ChainRequest): Promise<readonly Extent[]> {
  const { firstCluster, sizeBytes, path } = request;
  const known = context.chains.get(request.recordOffsetBytes);
  if (known) return known;
  const { volume } = context;
  const clusterBytes = volume.bytesPerCluster;
  const wanted = sizeBytes ?? fatTreeLimits.maxDirectoryBytes;
  const extents: { offsetBytes: number; sizeBytes: number }[] = [];
  const count = await walkClusterChain(
    volume,
    firstCluster,
    { maxClusters: Math.ceil(wanted / clusterBytes), longerIsCorrupt: sizeBytes === null, signal: context.signal, window: context.fatWindow },
    (cluster) => {
      context.claims.claim(cluster, firstCluster, path);
      const offsetBytes = volume.dataOffsetBytes + (cluster - 2) * clusterBytes;
      const last = extents[extents.length - 1];
      if (last && last.offsetBytes + last.sizeBytes === offsetBytes) last.sizeBytes += clusterBytes;
      else {
        volume.budget.spend(workCosts.extentBytes, `the cluster chain of ${path}`);
        extents.push({ offsetBytes, sizeBytes: clusterBytes });
      }
    },
  );
  if (sizeBytes !== null) {
    if (count * clusterBytes < sizeBytes) {
      throw corruptAt(
        { offsetBytes: volume.fatOffsetBytes, sectorBytes: 512 },
        0,
        `${path}: its chain from cluster ${firstCluster} ends after ${count} clusters of ${clusterBytes} bytes, short of its ${sizeBytes} bytes`,
      );
    }
    // The last cluster holds the file's tail. No cluster at all: an empty file whose entry names a
    // first cluster anyway (damage the disk mutation sweep met), read as empty.
    const last = extents[extents.length - 1];
    if (last) last.sizeBytes -= count * clusterBytes - sizeBytes;
  }
  context.chains.set(request.recordOffsetBytes, extents);
  return extents;
}

function extentsBytes(extents: readonly Extent[]): number {
  return extents.reduce((total, extent) => total + extent.sizeBytes, 0);
}

/** The bytes of `extents` (a directory's), read whole; a CorruptImageError naming `what` when they lie outside the source. */
export async function readExtents(volume: FatVolume, extents: readonly Extent[], what: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(extentsBytes(extents));
  let filled = 0;
  for (const extent of extents) {
    // A FAT12/16 root region may be declared past the end of a cut image: a corrupt-image error, not a crash.
    bytes.set(await readRegion(volume.source, { offsetBytes: extent.offsetBytes, sectorBytes: 512 }, extent.sizeBytes, what), filled);
    filled += extent.sizeBytes;
  }
  return bytes;
}

/** Where byte `at` of a directory read from `extents` lies in the source. */
function offsetIn(extents: readonly Extent[], at: number): number {
  let skipped = 0;
  for (const extent of extents) {
    if (at < skipped + extent.sizeBytes) return extent.offsetBytes + (at - skipped);
    skipped += extent.sizeBytes;
  }
  return extents[0]?.offsetBytes ?? 0;
}

async function listFatDirectory(context: FatContext, directory: TreeEntry): Promise<TreeEntry[]> {
  if (directory.type !== 'directory') return [];
  throwIfCancelled(context.signal, `listing ${directory.path}`);
  const { volume } = context;
  const first = directory.extents[0]?.offsetBytes ?? volume.offsetBytes;
  // The budget pays for a listing once: listing a folder again (a lookup for each of many paths)
  // repeats work the volume already paid for, and its chains are followed once (context.chains).
  const budget = context.paidDirectories.has(first) ? null : volume.budget;
  budget?.spend(directory.sizeBytes, `listing ${directory.path}`);
  const bytes = await readExtents(volume, directory.extents, `the entries of ${directory.path}`);
  const records = parseDirectoryEntries(bytes, { offsetBytes: first, sectorBytes: 512 });
  budget?.spend(records.length * workCosts.entryBytes, `the ${records.length} entries of ${directory.path}`);
  const names = new UniqueNames();
  const entries: TreeEntry[] = [];
  for (const record of records) {
    const name = names.claim(safeName(record.name));
    const path = directory.path === '/' ? `/${name}` : `${directory.path}/${name}`;
    const recordOffsetBytes = offsetIn(directory.extents, record.atBytes);
    // FAT spec 6.1: DIR_FstClusHI is not part of a FAT12/16 cluster number.
    const firstCluster = volume.type === 'FAT32' ? record.firstCluster : record.firstCluster & 0xffff;
    const type = record.isDirectory ? 'directory' : 'file';
    if (type === 'directory' && firstCluster === 0) {
      throw corruptAt({ offsetBytes: recordOffsetBytes, sectorBytes: 512 }, 0, `folder ${path} names cluster 0, which only ".." may name`);
    }
    const fileBytes = type === 'file' ? record.sizeBytes : null;
    // FAT spec 6.2: an empty file has no clusters.
    const extents = fileBytes === 0 && firstCluster === 0 ? [] : await chainExtents(context, { firstCluster, sizeBytes: fileBytes, path, recordOffsetBytes });
    const entry: { -readonly [K in keyof TreeEntry]: TreeEntry[K] } = {
      path,
      name,
      type,
      sizeBytes: fileBytes ?? extentsBytes(extents),
      extents,
      extentLba: firstCluster,
      hidden: (record.attributes & fatAttributes.hidden) !== 0,
      recordOffsetBytes,
    };
    entry.attributes = fatAttributeNames(record.attributes);
    if (record.modifiedMs !== null) entry.mtimeMs = record.modifiedMs;
    entries.push(entry);
  }
  context.paidDirectories.add(first);
  return entries;
}

/** FAT spec 6.1: the DIR_Attr bits a listing shows (exFAT 7.4.4 FileAttributes keeps the same bits). */
export function fatAttributeNames(attributes: number): FileAttribute[] {
  const names: FileAttribute[] = [];
  if ((attributes & fatAttributes.readOnly) !== 0) names.push('read-only');
  if ((attributes & fatAttributes.hidden) !== 0) names.push('hidden');
  if ((attributes & fatAttributes.system) !== 0) names.push('system');
  if ((attributes & fatAttributes.archive) !== 0) names.push('archive');
  return names;
}

/** The walk of this tree (src-main/format/tree-walk.ts): a folder whose clusters another folder holds is a loop. */
function directoryWalk(context: FatContext): DirectoryWalk<TreeEntry> {
  const place = (entry: TreeEntry): Place => ({ offsetBytes: entry.recordOffsetBytes, sectorBytes: 512 });
  return {
    maxDepth: fatTreeLimits.maxDepth,
    maxEntries: fatTreeLimits.maxEntries,
    // Sectors, not clusters: the data region need not start on a cluster boundary (FAT12/16 rarely do).
    blockBytes: context.volume.bytesPerSector,
    sourceSizeBytes: context.volume.source.sizeBytes,
    listDirectory: (directory) => listFatDirectory(context, directory),
    corrupt: (entry, message) => corruptAt(place(entry), 0, message),
    enter(child, visited) {
      const seenBlock = visited.visit(child.extents);
      if (seenBlock !== null) {
        throw corruptAt(place(child), 0, `folder ${child.path} at cluster ${child.extentLba} keeps its entries where another folder's are (a directory loop)`);
      }
    },
  };
}
