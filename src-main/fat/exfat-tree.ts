// An exFAT volume as a file system of a disk image (format/filesystem-tree.ts; Microsoft "exFAT file
// system specification", 2019): directories listed on demand from their entry sets, each file's
// clusters as extents (FAT chains, or contiguous runs where NoFatChain says the FAT is not used), the
// bytes past ValidDataLength as an unrecorded tail that reads as zeros (7.6.6), and describe() with the
// label, the serial as blkid prints it and the used space from the allocation bitmap (7.1). Every
// cluster belongs to one file (ClusterClaims): loops and cross-links are CorruptImageErrors naming it.
import type { FilesystemInfo } from '../../shared/image.ts';
import { corruptAt, readRegion, type Place } from '../format/fields.ts';
import type { Extent, TreeEntry } from '../format/file-tree.ts';
import type { FilesystemOpener, FilesystemTree } from '../format/filesystem-tree.ts';
import { safeName } from '../format/tree-lookup.ts';
import { walkDirectoryBatches, walkDirectoryEntries, type DirectoryWalk } from '../format/tree-walk.ts';
import { UniqueNames } from '../format/unique-names.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { ClusterClaims } from './cluster-claims.ts';
import { exfatAttributeBits, parseExfatDirectory, type ExfatDirectory, type ExfatFileRecord, type ExfatMetadataRecord } from './exfat-entries.ts';
import {
  exfatClusterOffset,
  exfatFatPlace,
  newExfatFatWindow,
  openExfatVolume,
  walkExfatChain,
  type ExfatFatWindow,
  type ExfatVolume,
} from './exfat-volume.ts';
import { fatAttributeNames, fatTreeLimits, lookupFatEntry } from './fat-tree.ts';

/** 6.2 (Directory Entries): a directory is at most 256 MiB. */
const maxDirectoryBytes = 256 * 1024 * 1024;
/** The allocation bitmap is counted in reads of this many bytes. */
const bitmapChunkBytes = 1024 * 1024;

interface ExfatContext {
  readonly volume: ExfatVolume;
  readonly signal: AbortSignal | undefined;
  /** Chains already followed, by where the entry naming them lies: listing a directory again reuses them. */
  readonly chains: Map<number, readonly Extent[]>;
  readonly claims: ClusterClaims;
  /** Directories (by where their entries start) whose listing the budget has paid for once already. */
  readonly paidDirectories: Set<number>;
  readonly window: ExfatFatWindow;
}

/** What a chain is for: its first cluster, its length in bytes (null: a root directory, as long as its FAT chain), and who names it. */
interface ChainRequest {
  readonly firstCluster: number;
  readonly lengthBytes: number | null;
  readonly noFatChain: boolean;
  readonly what: string;
  readonly recordOffsetBytes: number;
}

/** Opens the exFAT volume at byte 0 of `source`; null when no exFAT boot sector is there. */
export const openExfatFilesystem: FilesystemOpener = async (source, options = {}) => {
  const volume = await openExfatVolume(source, options.budget ?? WorkBudget.for(source));
  if (!volume) return null;
  const context: ExfatContext = {
    volume,
    signal: options.signal,
    chains: new Map(),
    claims: new ClusterClaims(volume, exfatFatPlace(volume)),
    paidDirectories: new Set(),
    window: newExfatFatWindow(),
  };
  const rootRequest = { firstCluster: volume.rootCluster, lengthBytes: null, noFatChain: false, what: 'the exFAT root directory', recordOffsetBytes: -1 };
  const rootExtents = await chainExtents(context, rootRequest);
  const root: TreeEntry = {
    path: '/',
    name: '',
    type: 'directory',
    sizeBytes: extentsBytes(rootExtents),
    extents: rootExtents,
    extentLba: volume.rootCluster,
    hidden: false,
    recordOffsetBytes: exfatClusterOffset(volume, volume.rootCluster),
  };
  const rootDirectory = await readDirectory(context, root);
  const bitmapExtents = await metadataExtents(context, root, rootDirectory);
  const listDirectory = (directory: TreeEntry): Promise<TreeEntry[]> => listExfatDirectory(context, directory);
  const walk = directoryWalk(context);
  return {
    source,
    namespace: 'exfat',
    namespaces: ['exfat'],
    root,
    listDirectory,
    lookup: (path) => lookupFatEntry(root, listDirectory, path),
    walk: (from = root) => walkDirectoryEntries(from, walk),
    walkBatches: (from = root) => walkDirectoryBatches(from, walk),
    describe: () => describeExfatVolume(context, rootDirectory, bitmapExtents),
  } satisfies FilesystemTree;
};

/**
 * Claims the clusters of the allocation bitmap (7.1) and up-case table (7.2) the root names, so no
 * file may share them, and returns the bitmap's extents. Both are mandatory; a bitmap shorter than one
 * bit per cluster (7.1.5) is refused.
 */
async function metadataExtents(context: ExfatContext, root: TreeEntry, directory: ExfatDirectory): Promise<readonly Extent[]> {
  const { volume } = context;
  const place: Place = { offsetBytes: root.recordOffsetBytes, sectorBytes: 512 };
  const require = (record: ExfatMetadataRecord | null, what: string): ExfatMetadataRecord => {
    if (!record) throw corruptAt(place, 0, `the exFAT root directory has no ${what} entry`);
    return record;
  };
  const bitmap = require(directory.bitmap, 'allocation bitmap');
  const neededBytes = Math.ceil(volume.clusterCount / 8);
  if (bitmap.dataLengthBytes < neededBytes) {
    throw corruptAt(
      place,
      bitmap.atBytes,
      `the exFAT allocation bitmap holds ${bitmap.dataLengthBytes} bytes, ${volume.clusterCount} clusters need ${neededBytes}`,
    );
  }
  const upcase = require(directory.upcaseTable, 'up-case table');
  const request = (record: ExfatMetadataRecord, what: string): ChainRequest => ({
    firstCluster: record.firstCluster,
    lengthBytes: record.dataLengthBytes,
    noFatChain: false,
    what: `the exFAT ${what} (entry at byte ${offsetIn(root.extents, record.atBytes)})`,
    recordOffsetBytes: offsetIn(root.extents, record.atBytes),
  });
  await chainExtents(context, request(upcase, 'up-case table'));
  const bitmapExtents = await chainExtents(context, request(bitmap, 'allocation bitmap'));
  return takeBytes(bitmapExtents, neededBytes);
}

/**
 * The extents of a chain, claimed cluster by cluster: a FAT chain (4.1), or with NoFatChain (7.6.2)
 * the contiguous clusters from `firstCluster`, which must end inside the heap.
 */
async function chainExtents(context: ExfatContext, request: ChainRequest): Promise<readonly Extent[]> {
  const known = context.chains.get(request.recordOffsetBytes);
  if (known) return known;
  const { volume } = context;
  const clusterBytes = volume.bytesPerCluster;
  const wantedClusters = Math.ceil((request.lengthBytes ?? maxDirectoryBytes) / clusterBytes);
  const extents: { offsetBytes: number; sizeBytes: number }[] = [];
  const visit = (cluster: number): void => {
    context.claims.claim(cluster, request.firstCluster, request.what);
    const offsetBytes = exfatClusterOffset(volume, cluster);
    const last = extents[extents.length - 1];
    if (last && last.offsetBytes + last.sizeBytes === offsetBytes) last.sizeBytes += clusterBytes;
    else {
      volume.budget.spend(workCosts.extentBytes, `the clusters of ${request.what}`);
      extents.push({ offsetBytes, sizeBytes: clusterBytes });
    }
  };
  let count: number;
  if (request.noFatChain) {
    const lastCluster = request.firstCluster + wantedClusters - 1;
    if (request.firstCluster < 2 || lastCluster > volume.clusterCount + 1) {
      throw corruptAt(
        exfatFatPlace(volume),
        0,
        `${request.what}: its ${wantedClusters} contiguous clusters from cluster ${request.firstCluster} (NoFatChain) run past the heap's clusters 2-${volume.clusterCount + 1}`,
      );
    }
    for (let cluster = request.firstCluster; cluster <= lastCluster; cluster += 1) {
      if ((cluster - request.firstCluster) % 65536 === 65535) throwIfCancelled(context.signal, `following the clusters of ${request.what}`);
      visit(cluster);
    }
    count = wantedClusters;
  } else {
    // A root directory's chain is followed one cluster past the limit, to tell "exactly 256 MiB" from "longer".
    const maxClusters = request.lengthBytes === null ? wantedClusters + 1 : wantedClusters;
    const options = { maxClusters, window: context.window, signal: context.signal, what: request.what };
    count = await walkExfatChain(volume, request.firstCluster, options, visit);
  }
  if (request.lengthBytes === null && count > wantedClusters) {
    throw corruptAt(exfatFatPlace(volume), 0, `${request.what}: its cluster chain from cluster ${request.firstCluster} is longer than a directory's 256 MiB`);
  }
  if (request.lengthBytes !== null && count < wantedClusters) {
    throw corruptAt(
      exfatFatPlace(volume),
      0,
      `${request.what}: its chain from cluster ${request.firstCluster} ends after ${count} clusters of ${clusterBytes} bytes, short of its ${request.lengthBytes} bytes`,
    );
  }
  const result = request.lengthBytes === null ? extents : takeBytes(extents, request.lengthBytes);
  context.chains.set(request.recordOffsetBytes, result);
  return result;
}

function extentsBytes(extents: readonly Extent[]): number {
  return extents.reduce((total, extent) => total + extent.sizeBytes, 0);
}

/** The first `lengthBytes` of `extents` (the last cluster holds the tail). */
function takeBytes(extents: readonly Extent[], lengthBytes: number): Extent[] {
  const taken: Extent[] = [];
  let remaining = lengthBytes;
  for (const extent of extents) {
    if (remaining <= 0) break;
    taken.push({ offsetBytes: extent.offsetBytes, sizeBytes: Math.min(extent.sizeBytes, remaining) });
    remaining -= extent.sizeBytes;
  }
  return taken;
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

/** A directory's entries, read whole and parsed; the budget pays for each directory once. */
async function readDirectory(context: ExfatContext, directory: TreeEntry): Promise<ExfatDirectory> {
  throwIfCancelled(context.signal, `listing ${directory.path}`);
  const { volume } = context;
  const first = directory.extents[0]?.offsetBytes ?? 0;
  const budget = context.paidDirectories.has(first) ? null : volume.budget;
  budget?.spend(directory.sizeBytes, `listing ${directory.path}`);
  const bytes = new Uint8Array(directory.sizeBytes);
  let filled = 0;
  for (const extent of directory.extents) {
    bytes.set(
      await readRegion(volume.source, { offsetBytes: extent.offsetBytes, sectorBytes: 512 }, extent.sizeBytes, `the entries of ${directory.path}`),
      filled,
    );
    filled += extent.sizeBytes;
  }
  const parsed = parseExfatDirectory(bytes, { offsetBytes: first, sectorBytes: 512 });
  budget?.spend(parsed.files.length * workCosts.entryBytes, `the ${parsed.files.length} entries of ${directory.path}`);
  context.paidDirectories.add(first);
  return parsed;
}

async function listExfatDirectory(context: ExfatContext, directory: TreeEntry): Promise<TreeEntry[]> {
  if (directory.type !== 'directory') return [];
  const { files } = await readDirectory(context, directory);
  const names = new UniqueNames();
  const entries: TreeEntry[] = [];
  for (const record of files) {
    const name = names.claim(safeName(record.name));
    const path = directory.path === '/' ? `/${name}` : `${directory.path}/${name}`;
    entries.push(await fileEntry(context, record, path, offsetIn(directory.extents, record.atBytes)));
  }
  return entries;
}

/** The tree entry of one File directory entry set. */
async function fileEntry(context: ExfatContext, record: ExfatFileRecord, path: string, recordOffsetBytes: number): Promise<TreeEntry> {
  const isDirectory = (record.attributes & exfatAttributeBits.directory) !== 0;
  const place: Place = { offsetBytes: recordOffsetBytes, sectorBytes: 512 };
  if (isDirectory && record.dataLengthBytes > maxDirectoryBytes) {
    throw corruptAt(place, 0, `folder ${path} claims ${record.dataLengthBytes} bytes, past a directory's 256 MiB`);
  }
  // 7.6.9: FirstCluster is 0 exactly when nothing is allocated.
  if (record.dataLengthBytes > 0 && record.firstCluster === 0) throw corruptAt(place, 0, `${path} holds ${record.dataLengthBytes} bytes but names cluster 0`);
  const allocated =
    record.dataLengthBytes === 0
      ? []
      : await chainExtents(context, {
          firstCluster: record.firstCluster,
          lengthBytes: record.dataLengthBytes,
          noFatChain: record.noFatChain,
          what: path,
          recordOffsetBytes,
        });
  // 7.6.6: bytes past ValidDataLength are undefined on disk and read as zeros.
  const recorded = isDirectory ? allocated : takeBytes(allocated, record.validDataLengthBytes);
  const unwrittenBytes = isDirectory ? 0 : record.dataLengthBytes - record.validDataLengthBytes;
  const extents: Extent[] = unwrittenBytes > 0 ? [...recorded, { offsetBytes: 0, sizeBytes: unwrittenBytes, unrecorded: true }] : [...recorded];
  const entry: { -readonly [K in keyof TreeEntry]: TreeEntry[K] } = {
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    type: isDirectory ? 'directory' : 'file',
    sizeBytes: record.dataLengthBytes,
    extents,
    extentLba: record.firstCluster,
    hidden: (record.attributes & exfatAttributeBits.hidden) !== 0,
    recordOffsetBytes,
    attributes: fatAttributeNames(record.attributes),
  };
  if (record.modifiedMs !== null) entry.mtimeMs = record.modifiedMs;
  return entry;
}

/** The walk of this tree (format/tree-walk.ts): a folder whose sectors another folder holds is a loop. */
function directoryWalk(context: ExfatContext): DirectoryWalk<TreeEntry> {
  const place = (entry: TreeEntry): Place => ({ offsetBytes: entry.recordOffsetBytes, sectorBytes: 512 });
  return {
    maxDepth: fatTreeLimits.maxDepth,
    maxEntries: fatTreeLimits.maxEntries,
    blockBytes: context.volume.bytesPerSector,
    sourceSizeBytes: context.volume.source.sizeBytes,
    listDirectory: (directory) => listExfatDirectory(context, directory),
    corrupt: (entry, message) => corruptAt(place(entry), 0, message),
    enter(child, visited) {
      if (visited.visit(child.extents) !== null) {
        throw corruptAt(place(child), 0, `folder ${child.path} at cluster ${child.extentLba} keeps its entries where another folder's are (a directory loop)`);
      }
    },
  };
}

/** 7.1.5: one bit per cluster, set when in use; the clusters in use times the cluster size. */
async function describeExfatVolume(context: ExfatContext, root: ExfatDirectory, bitmapExtents: readonly Extent[]): Promise<FilesystemInfo> {
  const { volume } = context;
  let usedClusters = 0;
  let bitIndex = 0;
  for (const extent of bitmapExtents) {
    for (let at = 0; at < extent.sizeBytes; at += bitmapChunkBytes) {
      throwIfCancelled(context.signal, 'counting the used clusters of an exFAT volume');
      const lengthBytes = Math.min(bitmapChunkBytes, extent.sizeBytes - at);
      volume.budget.spend(lengthBytes, `the exFAT allocation bitmap at byte ${extent.offsetBytes + at}`);
      const chunk = await readRegion(volume.source, { offsetBytes: extent.offsetBytes + at, sectorBytes: 512 }, lengthBytes, 'exFAT allocation bitmap');
      for (const byte of chunk) {
        // The last byte may hold bits past ClusterCount, which count nothing.
        const validBits = Math.min(8, volume.clusterCount - bitIndex);
        usedClusters += bitCounts[byte & ((1 << validBits) - 1)] as number;
        bitIndex += 8;
      }
    }
  }
  return {
    kind: 'exfat',
    label: root.label,
    uuid: volume.serial,
    sizeBytes: volume.sizeBytes,
    usedBytes: usedClusters * volume.bytesPerCluster,
    browsable: true,
  };
}

const bitCounts = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let bits = byte; bits !== 0; bits &= bits - 1) count += 1;
  return count;
});
