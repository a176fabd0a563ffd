// A new FAT32 volume holding given files, planned from their metadata alone (issue 14, copy-files
// mode): the reserved region and the two FATs, then the root directory at cluster 2, every other
// directory, and the files' data contiguous in the order given. The result is a lazy ByteSource
// (io/composed-source.ts) whose file ranges read through to each file's content, so writing it is a raw
// flash of a composed image; it ends where the last used cluster ends, and free space is never touched.
import type { ByteSource } from '../io/byte-source.ts';
import { composeSource, type ComposedPiece } from '../io/composed-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { longNameEntries, shortEntry } from './fat-entries.ts';
import { directoryEntryBytes, fatAttributes } from './fat-fields.ts';
import { checkLongName, fatVolumeLabel, isUpperShortName, longNameUnitsPerEntry, shortNameBytes, ShortNames } from './fat-names.ts';
import { defaultFat32ClusterBytes, fat32Geometry, fat32ReservedRegion, fat32TableSource, type Fat32Geometry } from './fat32-layout.ts';

export interface FatInputEntry {
  /** Absolute path in the new volume, '/'-separated ('/EFI/BOOT/BOOTX64.EFI'); every parent directory is listed before its children. */
  readonly path: string;
  readonly type: 'file' | 'directory';
  readonly sizeBytes: number; // 0 for directories
  readonly modifiedMs: number;
  readonly content?: ByteSource; // files only; exactly sizeBytes long
}

export interface Fat32VolumeOptions {
  readonly volumeSizeBytes: number; // the partition's size
  readonly hiddenSectors: number; // the partition's first LBA (BPB_HiddSec)
  readonly label: string; // as the image names it; the writer makes a valid 11-byte FAT label of it
  readonly volumeId: number; // 32-bit serial, chosen by the caller
  readonly entries: readonly FatInputEntry[];
  readonly clusterBytes?: number; // default: what mkfs.fat / Windows choose for volumeSizeBytes
}

/** A planned volume: its bytes from the first sector to the end of the last cluster in use. Free space after it is never read or written. */
export interface PlannedVolume {
  readonly source: ByteSource;
  readonly clusterBytes: number;
  /** Where each file's data starts, relative to the volume's first byte. */
  readonly fileOffsets: ReadonlyMap<string, number>;
}

/** FAT spec 3.2 (DIR_FileSize is 32 bits): a file holds at most 4 GiB - 1 bytes. */
const maxFileBytes = 0xffffffff;
/** FAT spec 6: a directory holds at most 65536 entries. */
const maxDirectoryEntries = 65536;

interface PlannedDirectory {
  readonly path: string;
  readonly modifiedMs: number;
  readonly children: FatInputEntry[];
  /** Entries it holds: ".", "..", the label in the root, and each child's long-name and short entries. */
  entryCount: number;
  firstCluster: number;
}

/**
 * Plans the volume (FAT spec 1.03). Throws CodedError 'file-too-large' for a file of 4 GiB or more
 * (named), 'target-too-small' when the volume has too few clusters for FAT32 or for the files (sizes
 * given), 'volume-too-large' beyond 2 TiB, 'unsupported' for a name FAT cannot hold (path named).
 */
export function planFat32Volume(options: Fat32VolumeOptions): PlannedVolume {
  const geometry = fat32Geometry(options.volumeSizeBytes, options.clusterBytes ?? defaultFat32ClusterBytes(options.volumeSizeBytes));
  const label = fatVolumeLabel(options.label);
  const directories = planDirectories(options.entries, label !== null);
  const { fileClusters, chainEnds, usedClusters } = allocateClusters(geometry, directories, options.entries);
  const usedBytes = usedClusters * geometry.clusterBytes;
  if (usedClusters > geometry.clusterCount) {
    throw new CodedError(
      'target-too-small',
      `the files and folders need ${usedBytes} bytes (${usedClusters} clusters of ${geometry.clusterBytes} bytes), the FAT32 volume of ${options.volumeSizeBytes} bytes holds ${geometry.clusterCount * geometry.clusterBytes}`,
    );
  }
  const clusterOffset = (cluster: number): number => geometry.dataOffsetBytes + (cluster - 2) * geometry.clusterBytes;
  const fatBytes = geometry.fatSectors * 512;
  const table = fat32TableSource(geometry, chainEnds, usedClusters);
  const freeClusters = geometry.clusterCount - usedClusters;
  const pieces: ComposedPiece[] = [
    {
      offsetBytes: 0,
      bytes: fat32ReservedRegion(geometry, {
        hiddenSectors: options.hiddenSectors,
        volumeId: options.volumeId,
        label,
        freeClusters,
        nextFreeCluster: freeClusters > 0 ? 2 + usedClusters : null,
      }),
    },
    { offsetBytes: geometry.fatOffsetBytes, lengthBytes: fatBytes, source: table, sourceOffsetBytes: 0 },
    { offsetBytes: geometry.fatOffsetBytes + fatBytes, lengthBytes: fatBytes, source: table, sourceOffsetBytes: 0 },
  ];
  const newestMs = options.entries.reduce((newest, entry) => Math.max(newest, entry.modifiedMs), 0);
  for (const directory of directories.values()) {
    const parent = directories.get(parentPath(directory.path));
    const bytes = directoryBytes(directory, { parentCluster: parent && parent.path !== '/' ? parent.firstCluster : 0, label, labelMs: newestMs, fileClusters });
    pieces.push({ offsetBytes: clusterOffset(directory.firstCluster), bytes });
  }
  const fileOffsets = new Map<string, number>();
  for (const entry of options.entries) {
    const cluster = fileClusters.get(entry.path);
    if (entry.type !== 'file' || cluster === undefined || cluster === 0) continue;
    fileOffsets.set(entry.path, clusterOffset(cluster));
    pieces.push({ offsetBytes: clusterOffset(cluster), lengthBytes: entry.sizeBytes, source: entry.content as ByteSource, sourceOffsetBytes: 0 });
  }
  const source = composeSource(`FAT32 volume ${label ?? '(no label)'}`, geometry.dataOffsetBytes + usedBytes, pieces);
  return { source, clusterBytes: geometry.clusterBytes, fileOffsets };
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * Every directory with its children, in the order given, and the entries each will hold. Refuses
 * what FAT cannot hold as given: bad names, two names equal but for case (FAT spec 6.1: names are
 * compared case-blind), a file of 4 GiB or more, a directory of more than 65536 entries.
 */
function planDirectories(entries: readonly FatInputEntry[], hasLabel: boolean): Map<string, PlannedDirectory> {
  const directories = new Map<string, PlannedDirectory>();
  directories.set('/', { path: '/', modifiedMs: 0, children: [], entryCount: hasLabel ? 1 : 0, firstCluster: 0 });
  const namesByDirectory = new Map<string, Map<string, string>>();
  for (const entry of entries) {
    if (!entry.path.startsWith('/') || entry.path.endsWith('/')) throw new Error(`FAT32 writer: "${entry.path}" is not an absolute path to a file or folder`);
    const parent = directories.get(parentPath(entry.path));
    if (!parent) throw new Error(`FAT32 writer: ${entry.path} comes before its folder ${parentPath(entry.path)}`);
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
    throw new CodedError('file-too-large', `${entry.path} holds ${entry.sizeBytes} bytes; a FAT32 file holds at most ${maxFileBytes} bytes (4 GiB - 1)`);
  }
  if (!Number.isSafeInteger(entry.sizeBytes) || entry.sizeBytes < 0) throw new Error(`FAT32 writer: ${entry.path} has size ${entry.sizeBytes}`);
  if (entry.sizeBytes > 0 && entry.content?.sizeBytes !== entry.sizeBytes) {
    throw new Error(`FAT32 writer: ${entry.path} is ${entry.sizeBytes} bytes, its content ${entry.content?.sizeBytes ?? 'missing'}`);
  }
}

/**
 * Clusters from 2 on: the root, the other directories, then every non-empty file, each one contiguous
 * run (an empty file has cluster 0, FAT spec 6.2). Returns each file's first cluster and each chain's last.
 */
function allocateClusters(
  geometry: Fat32Geometry,
  directories: Map<string, PlannedDirectory>,
  entries: readonly FatInputEntry[],
): { fileClusters: Map<string, number>; chainEnds: number[]; usedClusters: number } {
  const chainEnds: number[] = [];
  let next = 2;
  const take = (bytes: number): number => {
    const first = next;
    next += Math.max(1, Math.ceil(bytes / geometry.clusterBytes));
    chainEnds.push(next - 1);
    return first;
  };
  for (const directory of directories.values()) directory.firstCluster = take(directory.entryCount * directoryEntryBytes);
  const fileClusters = new Map<string, number>();
  for (const entry of entries) {
    if (entry.type === 'directory') fileClusters.set(entry.path, (directories.get(entry.path) as PlannedDirectory).firstCluster);
    else fileClusters.set(entry.path, entry.sizeBytes === 0 ? 0 : take(entry.sizeBytes));
  }
  return { fileClusters, chainEnds, usedClusters: next - 2 };
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
