// The directories and files of a new FAT volume (FAT12, FAT16 or FAT32), planned from their metadata
// alone: which directory holds which names (checked as FAT requires), the clusters each directory and
// file takes (one contiguous run each, in the order given), and the bytes of every directory. The
// FAT32 writer (fat32-writer.ts) and the FAT12/16 image writer (fat-image-writer.ts) lay them out.
import type { ByteSource } from '../io/byte-source.ts';
import type { ComposedPiece } from '../io/composed-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { longNameEntries, shortEntry } from './fat-entries.ts';
import { directoryEntryBytes, fatAttributes } from './fat-fields.ts';
import { checkLongName, isUpperShortName, longNameUnitsPerEntry, shortNameBytes, ShortNames } from './fat-names.ts';

export interface FatInputEntry {
  /** Absolute path in the new volume, '/'-separated ('/EFI/BOOT/BOOTX64.EFI'); every parent directory is listed before its children. */
  readonly path: string;
  readonly type: 'file' | 'directory';
  readonly sizeBytes: number; // 0 for directories
  readonly modifiedMs: number;
  readonly content?: ByteSource; // files only; exactly sizeBytes long
}

/** FAT spec 3.2 (DIR_FileSize is 32 bits): a file holds at most 4 GiB - 1 bytes. */
const maxFileBytes = 0xffffffff;
/** FAT spec 6: a directory holds at most 65536 entries. */
const maxDirectoryEntries = 65536;

export interface PlannedDirectory {
  readonly path: string;
  readonly modifiedMs: number;
  readonly children: FatInputEntry[];
  /** Entries it holds: ".", "..", the label in the root, and each child's long-name and short entries. */
  entryCount: number;
  firstCluster: number;
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * Every directory with its children, in the order given, and the entries each will hold. Refuses
 * what FAT cannot hold as given: bad names, two names equal but for case (FAT spec 6.1: names are
 * compared case-blind), a file of 4 GiB or more, a directory of more than 65536 entries.
 */
export function planDirectories(entries: readonly FatInputEntry[], hasLabel: boolean): Map<string, PlannedDirectory> {
  const directories = new Map<string, PlannedDirectory>();
  directories.set('/', { path: '/', modifiedMs: 0, children: [], entryCount: hasLabel ? 1 : 0, firstCluster: 0 });
  const namesByDirectory = new Map<string, Map<string, string>>();
  for (const entry of entries) {
    if (!entry.path.startsWith('/') || entry.path.endsWith('/')) throw new Error(`FAT writer: "${entry.path}" is not an absolute path to a file or folder`);
    const parent = directories.get(parentPath(entry.path));
    if (!parent) throw new Error(`FAT writer: ${entry.path} comes before its folder ${parentPath(entry.path)}`);
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    checkLongName(name, entry.path);
    const names = namesByDirectory.get(parent.path) ?? new Map<string, string>();
    namesByDirectory.set(parent.path, names);
    const clash = names.get(name.toUpperCase());
    if (clash !== undefined) throw new CodedError('unsupported', `${entry.path} and ${clash} differ only in case, which one FAT folder cannot hold`);
    names.set(name.toUpperCase(), entry.path);
    if (entry.type === 'file') checkFile(entry);
    parent.children.push(entry);
    parent.entryCount += 1 + (isUpperShortName(name) ? 0 : Math.ceil(name.length / longNameUnitsPerEntry));
    if (parent.entryCount > maxDirectoryEntries) {
      throw new CodedError('unsupported', `the folder ${parent.path} would hold more than ${maxDirectoryEntries} entries, the most FAT allows`);
    }
    if (entry.type === 'directory')
      directories.set(entry.path, { path: entry.path, modifiedMs: entry.modifiedMs, children: [], entryCount: 2, firstCluster: 0 });
  }
  return directories;
}

function checkFile(entry: FatInputEntry): void {
  if (entry.sizeBytes > maxFileBytes) {
    throw new CodedError('file-too-large', `${entry.path} holds ${entry.sizeBytes} bytes; a FAT file holds at most ${maxFileBytes} bytes (4 GiB - 1)`);
  }
  if (!Number.isSafeInteger(entry.sizeBytes) || entry.sizeBytes < 0) throw new Error(`FAT writer: ${entry.path} has size ${entry.sizeBytes}`);
  if (entry.sizeBytes > 0 && entry.content?.sizeBytes !== entry.sizeBytes) {
    throw new Error(`FAT writer: ${entry.path} is ${entry.sizeBytes} bytes, its content ${entry.content?.sizeBytes ?? 'missing'}`);
  }
}

export interface ClusterAllocation {
  /** Each entry's first cluster (0 for an empty file). */
  readonly fileClusters: Map<string, number>;
  /** The last cluster of each chain, in cluster order. */
  readonly chainEnds: number[];
  readonly usedClusters: number;
}

/**
 * Clusters from 2 on: the root (FAT32 only: FAT12/16 keep it in a fixed region before cluster 2),
 * the other directories, then every non-empty file, each one contiguous run (an empty file has
 * cluster 0, FAT spec 6.2).
 */
export function allocateClusters(
  clusterBytes: number,
  directories: Map<string, PlannedDirectory>,
  entries: readonly FatInputEntry[],
  options: { rootInClusters: boolean },
): ClusterAllocation {
  const chainEnds: number[] = [];
  let next = 2;
  const take = (bytes: number): number => {
    const first = next;
    next += Math.max(1, Math.ceil(bytes / clusterBytes));
    chainEnds.push(next - 1);
    return first;
  };
  for (const directory of directories.values()) {
    if (directory.path !== '/' || options.rootInClusters) directory.firstCluster = take(directory.entryCount * directoryEntryBytes);
  }
  const fileClusters = new Map<string, number>();
  for (const entry of entries) {
    if (entry.type === 'directory') fileClusters.set(entry.path, (directories.get(entry.path) as PlannedDirectory).firstCluster);
    else fileClusters.set(entry.path, entry.sizeBytes === 0 ? 0 : take(entry.sizeBytes));
  }
  return { fileClusters, chainEnds, usedClusters: next - 2 };
}

/**
 * The pieces of a planned volume's directories and files: each directory's entries at its first
 * cluster (the root at `rootOffsetBytes` when it has a fixed region), each file's content at its
 * first cluster; `clusterOffset` places a cluster in the volume. Also where each file's data starts.
 */
export function directoryAndFilePieces(
  directories: Map<string, PlannedDirectory>,
  entries: readonly FatInputEntry[],
  layout: { allocation: ClusterAllocation; label: string | null; rootOffsetBytes: number | null; clusterOffset: (cluster: number) => number },
): { pieces: ComposedPiece[]; fileOffsets: Map<string, number> } {
  const { fileClusters } = layout.allocation;
  const pieces: ComposedPiece[] = [];
  const newestMs = entries.reduce((newest, entry) => Math.max(newest, entry.modifiedMs), 0);
  for (const directory of directories.values()) {
    const parent = directories.get(parentPath(directory.path));
    const bytes = directoryBytes(directory, {
      parentCluster: parent && parent.path !== '/' ? parent.firstCluster : 0,
      label: layout.label,
      labelMs: newestMs,
      fileClusters,
    });
    const offsetBytes = directory.path === '/' && layout.rootOffsetBytes !== null ? layout.rootOffsetBytes : layout.clusterOffset(directory.firstCluster);
    pieces.push({ offsetBytes, bytes });
  }
  const fileOffsets = new Map<string, number>();
  for (const entry of entries) {
    const cluster = fileClusters.get(entry.path);
    if (entry.type !== 'file' || cluster === undefined || cluster === 0) continue;
    fileOffsets.set(entry.path, layout.clusterOffset(cluster));
    pieces.push({ offsetBytes: layout.clusterOffset(cluster), lengthBytes: entry.sizeBytes, source: entry.content as ByteSource, sourceOffsetBytes: 0 });
  }
  return { pieces, fileOffsets };
}

/** One directory's clusters: its entries, then zeros (FAT spec 6.1: a 0x00 first byte ends the listing). */
function directoryBytes(
  directory: PlannedDirectory,
  context: { parentCluster: number; label: string | null; labelMs: number; fileClusters: ReadonlyMap<string, number> },
): Uint8Array {
  const entries: Uint8Array[] = [];
  if (directory.path === '/') {
    if (context.label !== null) {
      // FAT spec 6.1 ATTR_VOLUME_ID: the label fills all 11 name bytes, across the base/extension split.
      const labelBytes = shortNameBytes(context.label.slice(0, 8), context.label.slice(8));
      entries.push(shortEntry({ shortName: labelBytes, attributes: fatAttributes.volumeId, firstCluster: 0, sizeBytes: 0, modifiedMs: context.labelMs }));
    }
  } else {
    // FAT spec 6.4: "." names the directory itself, ".." its parent (cluster 0 when that is the root).
    const dot = { attributes: fatAttributes.directory, sizeBytes: 0, modifiedMs: directory.modifiedMs };
    entries.push(shortEntry({ ...dot, shortName: shortNameBytes('.', ''), firstCluster: directory.firstCluster }));
    entries.push(shortEntry({ ...dot, shortName: shortNameBytes('..', ''), firstCluster: context.parentCluster }));
  }
  const shortNames = new ShortNames(directory.children.map((child) => child.path.slice(child.path.lastIndexOf('/') + 1)));
  for (const child of directory.children) {
    const name = child.path.slice(child.path.lastIndexOf('/') + 1);
    const shortName = shortNames.claim(name, child.path);
    if (!isUpperShortName(name)) entries.push(...longNameEntries(name, shortName));
    entries.push(
      shortEntry({
        shortName,
        attributes: child.type === 'directory' ? fatAttributes.directory : fatAttributes.archive,
        firstCluster: context.fileClusters.get(child.path) ?? 0,
        sizeBytes: child.type === 'directory' ? 0 : child.sizeBytes,
        modifiedMs: child.modifiedMs,
      }),
    );
  }
  return joinEntries(entries);
}

function joinEntries(entries: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * directoryEntryBytes);
  for (const [index, entry] of entries.entries()) bytes.set(entry, index * directoryEntryBytes);
  return bytes;
}
