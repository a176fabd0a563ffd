// FAT12/16/32 volumes (Microsoft "FAT: General Overview of On-Disk Format" 1.03, sections 3-8): the boot
// sector, cluster chains and directory entries with their long names, for the EFI/BOOT listing of an
// EFI system partition or El Torito EFI image and for the whole tree (fat-tree.ts). Read-only; every
// cluster chain is bounded, so a loop in the FAT is a CorruptImageError, never a hang.
import { throwIfCancelled } from '../jobs/errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import { corruptAt, FieldReader, readRegion, readUint16Le, readUint32Le, type Place } from '../format/fields.ts';
import { fatTimeMs } from './fat-entries.ts';
import {
  bootSectorFields as bpb,
  directoryEntryBytes as entryBytes,
  directoryEntryFields as dir,
  fatAttributes,
  lastLongNameEntry,
  longNameFields,
  longNameUnitRuns,
  ntLowerCase,
} from './fat-fields.ts';
import { shortNameChecksum } from './fat-names.ts';

export type FatType = 'FAT12' | 'FAT16' | 'FAT32';

export interface FatVolume {
  readonly source: ByteSource;
  /** Where the volume's boot sector lies in the source. */
  readonly offsetBytes: number;
  readonly type: FatType;
  readonly bytesPerSector: number;
  readonly bytesPerCluster: number;
  readonly clusterCount: number;
  /** The volume's own size: BPB_TotSec16 or BPB_TotSec32 times the sector size (FAT spec 3.1). */
  readonly sizeBytes: number;
  readonly fatOffsetBytes: number;
  /** FAT12/16: the fixed root directory region; FAT32: null (the root is a cluster chain). */
  readonly fixedRoot: { readonly offsetBytes: number; readonly lengthBytes: number } | null;
  readonly rootCluster: number;
  readonly dataOffsetBytes: number;
  /** Pays for every sector read through the volume (many partitions may name one hostile volume). */
  readonly budget: WorkBudget;
}

export interface FatDirectoryEntry {
  /** The long name when present and intact, else the 8.3 name ("BOOTX64.EFI"). */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly firstCluster: number;
  readonly sizeBytes: number;
  /** DIR_Attr (FAT spec 6): hidden, system, read-only, ... */
  readonly attributes: number;
  /** DIR_WrtDate and DIR_WrtTime as UTC; null when not recorded. */
  readonly modifiedMs: number | null;
  /** Where the short entry lies in the directory's bytes. */
  readonly atBytes: number;
}

/** FAT spec 6: a directory holds at most 65536 entries (2 MiB). */
const maxDirectoryBytes = 65536 * 32;

/**
 * Parses the boot sector at `offsetBytes` (FAT spec 3.1-3.3). Null when it is not a FAT boot sector:
 * callers probe partitions of any type, so "not FAT" is an answer, not an error. Every probe and read
 * is paid from `budget`: share one across all the probes of an image.
 */
export async function openFatVolume(source: ByteSource, offsetBytes: number, budget: WorkBudget = WorkBudget.for(source)): Promise<FatVolume | null> {
  if (offsetBytes + 512 > source.sizeBytes) return null;
  budget.spend(512, `the FAT probe at byte ${offsetBytes}`);
  const place: Place = { offsetBytes, sectorBytes: 512 };
  const fields = new FieldReader(await readRegion(source, place, 512, 'FAT boot sector'), place);
  // FAT spec 3.1: BS_jmpBoot is EB ?? 90 or E9 ?? ??; 3.1 note: 0x55 0xAA at bytes 510-511.
  const jump = fields.uint8(bpb.jmpBoot, 'BS_jmpBoot');
  if (!((jump === 0xeb && fields.uint8(bpb.jmpBoot + 2, 'BS_jmpBoot') === 0x90) || jump === 0xe9)) return null;
  if (fields.uint8(bpb.signature, 'signature') !== 0x55 || fields.uint8(bpb.signature + 1, 'signature') !== 0xaa) return null;
  const bytesPerSector = fields.uint16Le(bpb.bytesPerSector, 'BPB_BytsPerSec');
  const sectorsPerCluster = fields.uint8(bpb.sectorsPerCluster, 'BPB_SecPerClus');
  const reservedSectors = fields.uint16Le(bpb.reservedSectors, 'BPB_RsvdSecCnt');
  const fatCount = fields.uint8(bpb.fatCount, 'BPB_NumFATs');
  const rootEntryCount = fields.uint16Le(bpb.rootEntryCount, 'BPB_RootEntCnt');
  const totalSectors = fields.uint16Le(bpb.totalSectors16, 'BPB_TotSec16') || fields.uint32Le(bpb.totalSectors32, 'BPB_TotSec32');
  const fatSectors = fields.uint16Le(bpb.fatSectors16, 'BPB_FATSz16') || fields.uint32Le(bpb.fatSectors32, 'BPB_FATSz32');
  // FAT spec 3.1: the values these fields may take; anything else is not a FAT boot sector.
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return null;
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) return null;
  if (reservedSectors === 0 || fatCount === 0 || fatSectors === 0 || totalSectors === 0) return null;

  // FAT spec 3.5: RootDirSectors, then the data region and the count of clusters.
  const rootDirSectors = Math.ceil((rootEntryCount * entryBytes) / bytesPerSector);
  const firstDataSector = reservedSectors + fatCount * fatSectors + rootDirSectors;
  if (firstDataSector >= totalSectors) {
    throw corruptAt(place, bpb.totalSectors16, `FAT volume declares ${totalSectors} sectors, fewer than its ${firstDataSector} metadata sectors`);
  }
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  // FAT spec 3.5: the FAT type is decided by the count of clusters alone.
  const type: FatType = clusterCount < 4085 ? 'FAT12' : clusterCount < 65525 ? 'FAT16' : 'FAT32';
  if (type === 'FAT32' && rootEntryCount !== 0) {
    throw corruptAt(place, bpb.rootEntryCount, `FAT32 volume declares ${rootEntryCount} fixed root entries, must be 0`);
  }
  const fatBits = type === 'FAT12' ? 12 : type === 'FAT16' ? 16 : 32;
  // FAT spec 4: the FAT must have room for an entry per cluster (plus the two reserved ones).
  if (Math.ceil(((clusterCount + 2) * fatBits) / 8) > fatSectors * bytesPerSector) {
    throw corruptAt(place, bpb.fatSectors16, `FAT of ${fatSectors} sectors is too small for ${clusterCount} clusters`);
  }
  const rootCluster = type === 'FAT32' ? fields.uint32Le(bpb.rootCluster, 'BPB_RootClus') : 0;
  return {
    source,
    offsetBytes,
    type,
    bytesPerSector,
    bytesPerCluster: bytesPerSector * sectorsPerCluster,
    clusterCount,
    sizeBytes: totalSectors * bytesPerSector,
    fatOffsetBytes: offsetBytes + reservedSectors * bytesPerSector,
    fixedRoot:
      type === 'FAT32'
        ? null
        : { offsetBytes: offsetBytes + (reservedSectors + fatCount * fatSectors) * bytesPerSector, lengthBytes: rootEntryCount * entryBytes },
    rootCluster,
    dataOffsetBytes: offsetBytes + firstDataSector * bytesPerSector,
    budget,
  };
}

/** The clusters of a chain, in order (FAT spec 4). Fails on a loop, a free or bad link, or a cluster out of range. */
export async function readClusterChain(volume: FatVolume, firstCluster: number, options: { maxClusters: number }): Promise<number[]> {
  const chain: number[] = [];
  const seen = new Set<number>();
  await walkClusterChain(volume, firstCluster, { maxClusters: options.maxClusters, longerIsCorrupt: true }, (cluster) => {
    if (seen.has(cluster)) throw corruptAt(fatPlace(volume), 0, `FAT cluster chain from cluster ${firstCluster} loops back to cluster ${cluster}`);
    seen.add(cluster);
    chain.push(cluster);
  });
  return chain;
}

export interface ChainWalkOptions {
  readonly maxClusters: number;
  /** True: a chain longer than maxClusters is corrupt. False: the walk stops there (a file's chain past its size). */
  readonly longerIsCorrupt: boolean;
  readonly signal?: AbortSignal | undefined;
  /** The FAT sectors last read; share one across the chains of a tree, whose files mostly lie in order. */
  readonly window?: FatWindow;
}

/**
 * Follows the chain from `firstCluster` (FAT spec 4), handing each cluster to `visit` (which may throw,
 * to refuse a loop or a cross-link), and returns how many it visited. Fails on a free or bad link or a
 * cluster outside the volume. Each FAT sector read is paid from the volume's budget; consecutive
 * entries share one read, so a sane chain costs its FAT bytes once.
 */
export async function walkClusterChain(volume: FatVolume, firstCluster: number, options: ChainWalkOptions, visit: (cluster: number) => void): Promise<number> {
  const window = options.window ?? newFatWindow();
  let cluster = firstCluster;
  for (let count = 0; ;) {
    if (count >= options.maxClusters) {
      if (!options.longerIsCorrupt) return count;
      throw corruptAt(fatPlace(volume), 0, `FAT cluster chain from cluster ${firstCluster} is longer than ${options.maxClusters} clusters`);
    }
    // FAT spec 4: data clusters are numbered 2 .. clusterCount + 1.
    if (cluster < 2 || cluster > volume.clusterCount + 1) {
      throw corruptAt(fatPlace(volume), 0, `FAT cluster chain from cluster ${firstCluster} reaches cluster ${cluster}, outside 2-${volume.clusterCount + 1}`);
    }
    visit(cluster);
    count += 1;
    if (count % 65536 === 0) throwIfCancelled(options.signal, 'reading the FAT');
    const entry = readFatEntry(volume, cluster, window);
    const next = typeof entry === 'number' ? entry : await entry;
    if (isEndOfChain(volume.type, next)) return count;
    cluster = next;
  }
}

/** Lists a directory given by its first cluster (0 for the root, FAT spec 6). */
export async function readDirectory(volume: FatVolume, firstCluster: number): Promise<FatDirectoryEntry[]> {
  const bytes = await readDirectoryBytes(volume, firstCluster);
  const entries = parseDirectoryEntries(bytes, { offsetBytes: volume.offsetBytes, sectorBytes: 512 });
  // Entries cost what they build, as in the ISO 9660 and UDF trees; one directory is at most 2 MiB.
  volume.budget.spend(entries.length * workCosts.entryBytes, `the ${entries.length} entries of the FAT directory at cluster ${firstCluster}`);
  return entries;
}

/** Follows `path` (case-insensitive, FAT spec 6.1) from the root; null when a component is missing. */
export async function listDirectoryAt(volume: FatVolume, path: readonly string[]): Promise<FatDirectoryEntry[] | null> {
  let entries = await readDirectory(volume, 0);
  for (const component of path) {
    const next = entries.find((entry) => entry.isDirectory && entry.name.toUpperCase() === component.toUpperCase());
    if (!next) return null;
    // FAT spec 6: a directory entry pointing at cluster 0 means the root (seen in ".." entries).
    entries = await readDirectory(volume, next.firstCluster);
  }
  return entries;
}

/** The .EFI files of EFI/BOOT (UEFI 2.10 3.5.1.1), as named on disk; null when the volume is not FAT. */
export async function listEfiBootLoaders(source: ByteSource, offsetBytes: number, budget: WorkBudget = WorkBudget.for(source)): Promise<string[] | null> {
  const volume = await openFatVolume(source, offsetBytes, budget);
  if (!volume) return null;
  const entries = await listDirectoryAt(volume, ['EFI', 'BOOT']);
  if (!entries) return [];
  return entries.filter((entry) => !entry.isDirectory && /\.efi$/i.test(entry.name)).map((entry) => entry.name);
}

/**
 * The volume label entry of a root directory's bytes (FAT spec 6.1: ATTR_VOLUME_ID without
 * ATTR_DIRECTORY, not a long-name part), as its 11 bytes; null when the root holds none.
 */
export function findVolumeLabelEntry(bytes: Uint8Array, place: Place): Uint8Array | null {
  const fields = new FieldReader(bytes, place);
  for (let at = 0; at + entryBytes <= bytes.byteLength; at += entryBytes) {
    const first = fields.uint8(at + dir.name, 'DIR_Name');
    if (first === 0x00) return null; // FAT spec 6.1: this and all later entries are free
    const attributes = fields.uint8(at + dir.attributes, 'DIR_Attr');
    if (first === 0xe5 || (attributes & 0x3f) === fatAttributes.longName) continue;
    if ((attributes & (fatAttributes.volumeId | fatAttributes.directory)) === fatAttributes.volumeId) return fields.slice(at + dir.name, 11, 'DIR_Name');
  }
  return null;
}

/** Parses 32-byte directory entries (FAT spec 6 and 7, long names), up to the end marker. */
export function parseDirectoryEntries(bytes: Uint8Array, place: Place): FatDirectoryEntry[] {
  const fields = new FieldReader(bytes, place);
  const entries: FatDirectoryEntry[] = [];
  let longName: { parts: string[]; checksum: number } | null = null;
  for (let at = 0; at + entryBytes <= bytes.byteLength; at += entryBytes) {
    const first = fields.uint8(at + dir.name, 'DIR_Name');
    if (first === 0x00) break; // FAT spec 6.1: this and all later entries are free
    if (first === 0xe5) {
      longName = null;
      continue; // FAT spec 6.1: a free entry
    }
    const attributes = fields.uint8(at + dir.attributes, 'DIR_Attr');
    // FAT spec 7: ATTR_LONG_NAME; parts come last-first, each with the short name's checksum.
    if ((attributes & 0x3f) === fatAttributes.longName) {
      const ordinal = first & 0x1f;
      const checksum = fields.uint8(at + longNameFields.checksum, 'LDIR_Chksum');
      const part = longNamePart(fields, at);
      if ((first & lastLongNameEntry) !== 0) longName = { parts: [], checksum };
      if (longName && longName.checksum === checksum && ordinal >= 1) longName.parts[ordinal - 1] = part;
      continue;
    }
    if ((attributes & fatAttributes.volumeId) !== 0) {
      longName = null;
      continue; // a volume label
    }
    const shortName = fields.slice(at + dir.name, 11, 'DIR_Name');
    let name = formatShortName(shortName, fields.uint8(at + dir.ntReserved, 'DIR_NTRes'));
    // FAT spec 7: a long name counts only when its checksum matches the short name that follows it.
    if (longName && longName.checksum === shortNameChecksum(shortName) && Array.from(longName.parts).every((part) => part !== undefined)) {
      const joined = longName.parts.join('');
      if (joined.length > 0) name = joined;
    }
    longName = null;
    if (name === '.' || name === '..') continue;
    entries.push({
      name,
      isDirectory: (attributes & fatAttributes.directory) !== 0,
      // FAT spec 6.1: DIR_FstClusHI is 0 on FAT12/16; the upper 4 bits of a FAT32 cluster number are reserved.
      firstCluster:
        ((fields.uint16Le(at + dir.firstClusterHigh, 'DIR_FstClusHI') << 16) | fields.uint16Le(at + dir.firstClusterLow, 'DIR_FstClusLO')) & 0x0fffffff,
      sizeBytes: fields.uint32Le(at + dir.fileSize, 'DIR_FileSize'),
      attributes,
      modifiedMs: fatTimeMs(fields.uint16Le(at + dir.writtenDate, 'DIR_WrtDate'), fields.uint16Le(at + dir.writtenTime, 'DIR_WrtTime')),
      atBytes: at,
    });
  }
  return entries;
}

async function readDirectoryBytes(volume: FatVolume, firstCluster: number): Promise<Uint8Array> {
  if (firstCluster === 0 && volume.fixedRoot) {
    volume.budget.spend(volume.fixedRoot.lengthBytes, `the FAT root directory at byte ${volume.fixedRoot.offsetBytes}`);
    return readRegion(volume.source, { offsetBytes: volume.fixedRoot.offsetBytes, sectorBytes: 512 }, volume.fixedRoot.lengthBytes, 'FAT root directory');
  }
  const start = firstCluster === 0 ? volume.rootCluster : firstCluster;
  const chain = await readClusterChain(volume, start, { maxClusters: Math.ceil(maxDirectoryBytes / volume.bytesPerCluster) });
  volume.budget.spend(chain.length * volume.bytesPerCluster, `the FAT directory at cluster ${start}`);
  const bytes = new Uint8Array(chain.length * volume.bytesPerCluster);
  for (const [index, cluster] of chain.entries()) {
    const place = { offsetBytes: volume.dataOffsetBytes + (cluster - 2) * volume.bytesPerCluster, sectorBytes: 512 };
    bytes.set(await readRegion(volume.source, place, volume.bytesPerCluster, `FAT directory cluster ${cluster}`), index * volume.bytesPerCluster);
  }
  return bytes;
}

/** The FAT sectors last read by a chain walk, from `sectorIndex` on (chains mostly run forward, so one window is enough). */
export interface FatWindow {
  sectorIndex: number;
  bytes: Uint8Array;
}

export function newFatWindow(): FatWindow {
  return { sectorIndex: -1, bytes: new Uint8Array(0) };
}

// FAT spec 4.1: where entry N lies, by FAT type; FAT12 entries straddle byte boundaries.
function fatEntryByteOffset(volume: FatVolume, cluster: number): number {
  return volume.type === 'FAT12' ? cluster + Math.floor(cluster / 2) : volume.type === 'FAT16' ? cluster * 2 : cluster * 4;
}

/**
 * FAT entry `cluster`. Awaits only when the entry lies outside the window last read, so following a
 * long chain through consecutive entries costs no promise per cluster.
 */
function readFatEntry(volume: FatVolume, cluster: number, cache: FatWindow): number | Promise<number> {
  const sectorIndex = Math.floor(fatEntryByteOffset(volume, cluster) / volume.bytesPerSector);
  if (cache.sectorIndex >= 0 && sectorIndex >= cache.sectorIndex && sectorIndex < cache.sectorIndex + fatWindowSectors)
    return fatEntryIn(volume, cluster, cache);
  return loadFatWindow(volume, sectorIndex, cache).then(() => fatEntryIn(volume, cluster, cache));
}

/**
 * FAT sectors one read brings in. A listing follows thousands of short chains through neighbouring
 * entries, and each read is a round trip to the file (20,000 files of a FAT32 volume: 368 reads of two
 * sectors, 46 of nine). Few enough that a chain jumping about a fragmented FAT still costs less budget
 * (4.5 KiB per jump with 512-byte sectors) than the 8 KiB the 512-byte cluster it reaches earns.
 */
const fatWindowSectors = 8;

// Reads one sector more than the window, so a FAT12 entry crossing the window's last sector is whole.
async function loadFatWindow(volume: FatVolume, sectorIndex: number, cache: FatWindow): Promise<void> {
  const place = { offsetBytes: volume.fatOffsetBytes + sectorIndex * volume.bytesPerSector, sectorBytes: 512 };
  const windowBytes = volume.bytesPerSector * (fatWindowSectors + 1);
  const lengthBytes = Math.min(windowBytes, Math.max(volume.bytesPerSector, volume.source.sizeBytes - place.offsetBytes));
  volume.budget.spend(lengthBytes, `the file allocation table at byte ${place.offsetBytes}`);
  cache.bytes = await readRegion(volume.source, place, lengthBytes, 'file allocation table');
  cache.sectorIndex = sectorIndex;
}

function fatEntryIn(volume: FatVolume, cluster: number, cache: FatWindow): number {
  const within = fatEntryByteOffset(volume, cluster) - cache.sectorIndex * volume.bytesPerSector;
  const place = { offsetBytes: volume.fatOffsetBytes + cache.sectorIndex * volume.bytesPerSector, sectorBytes: 512 };
  if (volume.type === 'FAT32') return readUint32Le(cache.bytes, within, place, 'FAT32 entry') & 0x0fffffff; // FAT spec 4.1: high 4 bits reserved
  const value = readUint16Le(cache.bytes, within, place, 'FAT entry');
  if (volume.type === 'FAT16') return value;
  return cluster % 2 === 0 ? value & 0x0fff : value >>> 4;
}

// FAT spec 4.1: end-of-chain marks are >= 0xFF8 / 0xFFF8 / 0x0FFFFFF8.
function isEndOfChain(type: FatType, value: number): boolean {
  return value >= (type === 'FAT12' ? 0xff8 : type === 'FAT16' ? 0xfff8 : 0x0ffffff8);
}

function fatPlace(volume: FatVolume): Place {
  return { offsetBytes: volume.fatOffsetBytes, sectorBytes: 512 };
}

function longNamePart(fields: FieldReader, at: number): string {
  // FAT spec 7: the name's UTF-16 units in three runs; 0x0000 ends, 0xFFFF pads.
  let text = '';
  for (const [start, count] of longNameUnitRuns) {
    for (let index = 0; index < count; index += 1) {
      const unit = fields.uint16Le(at + start + index * 2, 'LDIR_Name');
      if (unit === 0x0000 || unit === 0xffff) return text;
      text += String.fromCharCode(unit);
    }
  }
  return text;
}

function formatShortName(shortName: Uint8Array, ntFlags: number): string {
  const chars = Array.from(shortName, (byte, index) => (index === 0 && byte === 0x05 ? 0xe5 : byte));
  let base = String.fromCharCode(...chars.slice(0, 8)).trimEnd();
  let extension = String.fromCharCode(...chars.slice(8, 11)).trimEnd();
  // DIR_NTRes (Windows NT): base / extension stored upper-case but shown lower-case.
  if ((ntFlags & ntLowerCase.base) !== 0) base = base.toLowerCase();
  if ((ntFlags & ntLowerCase.extension) !== 0) extension = extension.toLowerCase();
  return extension ? `${base}.${extension}` : base;
}
