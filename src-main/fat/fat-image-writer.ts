// The smallest FAT12 (or, when FAT12 cannot hold the files, FAT16) image holding given files: the
// El Torito EFI boot image of a new ISO, as grub-mkrescue's efi.img, made from the tree's EFI/BOOT/.
// FAT spec 1.03: one reserved sector (the boot sector), two FATs, the fixed root directory region,
// then the clusters; the directories and files are planned by fat-directories.ts as the FAT32 writer's
// are. The FAT type follows from the cluster count alone (FAT spec 3.5: FAT12 below 4085 clusters,
// FAT16 below 65525), so a FAT16 image has at least 4085 clusters, free ones if the files need fewer.
import type { ByteSource } from '../io/byte-source.ts';
import { composeSource } from '../io/composed-source.ts';
import { CodedError } from '../jobs/errors.ts';
import {
  allocateClusters,
  directoryAndFilePieces,
  planDirectories,
  type ClusterAllocation,
  type FatInputEntry,
  type PlannedDirectory,
} from './fat-directories.ts';
import { bootSectorFields as bpb, directoryEntryBytes, fat16BootSectorFields as bs } from './fat-fields.ts';
import { fatVolumeLabel } from './fat-names.ts';

const sectorBytes = 512;
const reservedSectors = 1;
const fatCount = 2;
/** FAT spec 3.5: the cluster counts of each type. */
const fatTypes = [
  { name: 'FAT12', bits: 12, minClusters: 1, maxClusters: 4084, endOfChain: 0xfff },
  { name: 'FAT16', bits: 16, minClusters: 4085, maxClusters: 65524, endOfChain: 0xffff },
] as const;
type FatType = (typeof fatTypes)[number];
/** FAT spec 3.1 BPB_SecPerClus: powers of two; 64 sectors (32 KiB) is the largest cluster every implementation reads. */
const sectorsPerClusterChoices = [1, 2, 4, 8, 16, 32, 64] as const;
/** FAT spec 3.1 BPB_Media: 0xF8, fixed media; FAT[0] repeats it. */
const mediaByte = 0xf8;
const entriesPerSector = sectorBytes / directoryEntryBytes;
/** FAT spec 3.1 BPB_RootEntCnt is 16 bits, and the root region whole sectors: 65520 entries at most. */
const maxRootEntries = 0x10000 - entriesPerSector;

interface SmallFatGeometry {
  readonly type: FatType;
  readonly sectorsPerCluster: number;
  readonly rootEntryCount: number;
  readonly fatSectors: number;
  readonly clusterCount: number;
  readonly totalSectors: number;
  readonly allocation: ClusterAllocation;
}

/**
 * Plans the image. Throws CodedError 'unsupported' for names FAT cannot hold (fat-directories.ts) and
 * for files FAT16's 65524 clusters of 32 KiB cannot hold (sizes in the message).
 */
export function planFatImage(options: { entries: readonly FatInputEntry[]; label: string; volumeId: number }): { source: ByteSource; sizeBytes: number } {
  const label = fatVolumeLabel(options.label);
  const directories = planDirectories(options.entries, label !== null);
  const geometry = smallestGeometry(directories, options.entries);
  const clusterBytes = geometry.sectorsPerCluster * sectorBytes;
  const rootOffsetBytes = (reservedSectors + fatCount * geometry.fatSectors) * sectorBytes;
  const dataOffsetBytes = rootOffsetBytes + (geometry.rootEntryCount / entriesPerSector) * sectorBytes;
  const { pieces } = directoryAndFilePieces(directories, options.entries, {
    allocation: geometry.allocation,
    label,
    rootOffsetBytes,
    clusterOffset: (cluster) => dataOffsetBytes + (cluster - 2) * clusterBytes,
  });
  const table = fileAllocationTable(geometry);
  pieces.push({ offsetBytes: 0, bytes: bootSector(geometry, { label, volumeId: options.volumeId }) });
  for (let copy = 0; copy < fatCount; copy += 1) pieces.push({ offsetBytes: (reservedSectors + copy * geometry.fatSectors) * sectorBytes, bytes: table });
  const sizeBytes = geometry.totalSectors * sectorBytes;
  return { source: composeSource(`${geometry.type.name} image ${label ?? '(no label)'}`, sizeBytes, pieces), sizeBytes };
}

/** Every FAT12 then FAT16 cluster size that holds the files; the one with the fewest sectors (FAT12 and smaller clusters on a tie). */
function smallestGeometry(directories: Map<string, PlannedDirectory>, entries: readonly FatInputEntry[]): SmallFatGeometry {
  const root = directories.get('/') as PlannedDirectory;
  const rootEntryCount = Math.max(entriesPerSector, Math.ceil(root.entryCount / entriesPerSector) * entriesPerSector);
  if (rootEntryCount > maxRootEntries) {
    throw new CodedError('unsupported', `the root folder takes ${root.entryCount} directory entries; a FAT12/16 root holds at most ${maxRootEntries}`);
  }
  let best: Omit<SmallFatGeometry, 'allocation'> | null = null;
  let neededBytes = 0;
  for (const type of fatTypes) {
    for (const sectorsPerCluster of sectorsPerClusterChoices) {
      const { usedClusters } = allocateClusters(sectorsPerCluster * sectorBytes, directories, entries, { rootInClusters: false });
      neededBytes = usedClusters * sectorsPerCluster * sectorBytes;
      const clusterCount = Math.max(usedClusters, type.minClusters);
      if (clusterCount > type.maxClusters) continue;
      const fatSectors = Math.ceil(Math.ceil(((clusterCount + 2) * type.bits) / 8) / sectorBytes);
      const totalSectors = reservedSectors + fatCount * fatSectors + rootEntryCount / entriesPerSector + clusterCount * sectorsPerCluster;
      if (!best || totalSectors < best.totalSectors) best = { type, sectorsPerCluster, rootEntryCount, fatSectors, clusterCount, totalSectors };
    }
  }
  if (!best) {
    throw new CodedError(
      'unsupported',
      `the files need ${neededBytes} bytes in 32 KiB clusters; a FAT16 image holds at most ${fatTypes[1].maxClusters} clusters (${fatTypes[1].maxClusters * 32768} bytes)`,
    );
  }
  // Allocate again for the chosen cluster size: allocateClusters records each directory's first cluster.
  return { ...best, allocation: allocateClusters(best.sectorsPerCluster * sectorBytes, directories, entries, { rootInClusters: false }) };
}

/**
 * One FAT (FAT spec 4): entry 0 the media byte with the other bits set, entry 1 end-of-chain, then
 * each chain running to the next cluster until its end; free clusters stay 0. FAT12 packs two
 * 12-bit entries into three bytes (entry n at byte n + n/2, the odd one in the high nibbles).
 */
function fileAllocationTable(geometry: SmallFatGeometry): Uint8Array {
  const { type } = geometry;
  const table = new Uint8Array(geometry.fatSectors * sectorBytes);
  const chainEnds = new Set(geometry.allocation.chainEnds);
  const set = (cluster: number, value: number): void => {
    if (type.bits === 16) {
      table[cluster * 2] = value & 0xff;
      table[cluster * 2 + 1] = value >> 8;
      return;
    }
    const at = cluster + (cluster >> 1);
    if (cluster % 2 === 0) {
      table[at] = value & 0xff;
      table[at + 1] = ((table[at + 1] as number) & 0xf0) | (value >> 8);
    } else {
      table[at] = ((table[at] as number) & 0x0f) | ((value & 0x0f) << 4);
      table[at + 1] = value >> 4;
    }
  };
  set(0, (type.endOfChain & ~0xff) | mediaByte);
  set(1, type.endOfChain);
  const lastUsed = 1 + geometry.allocation.usedClusters;
  for (let cluster = 2; cluster <= lastUsed; cluster += 1) set(cluster, chainEnds.has(cluster) ? type.endOfChain : cluster + 1);
  return table;
}

/** FAT spec 3.1-3.2: the boot sector and BPB of a FAT12/16 volume that is not itself bootable. */
function bootSector(geometry: SmallFatGeometry, fields: { label: string | null; volumeId: number }): Uint8Array {
  const sector = new Uint8Array(sectorBytes);
  const view = new DataView(sector.buffer);
  const ascii = (at: number, text: string): void => sector.set(new TextEncoder().encode(text), at);
  sector.set([0xeb, bs.bootCode - 2, 0x90], bpb.jmpBoot); // a short jump to the code after the fields
  ascii(bpb.oemName, 'MSWIN4.1'); // the value FAT spec 3.1 recommends
  view.setUint16(bpb.bytesPerSector, sectorBytes, true);
  sector[bpb.sectorsPerCluster] = geometry.sectorsPerCluster;
  view.setUint16(bpb.reservedSectors, reservedSectors, true);
  sector[bpb.fatCount] = fatCount;
  view.setUint16(bpb.rootEntryCount, geometry.rootEntryCount, true);
  // FAT spec 3.1: BPB_TotSec16 when the count fits 16 bits, else BPB_TotSec32.
  if (geometry.totalSectors < 0x10000) view.setUint16(bpb.totalSectors16, geometry.totalSectors, true);
  else view.setUint32(bpb.totalSectors32, geometry.totalSectors, true);
  sector[bpb.media] = mediaByte;
  view.setUint16(bpb.fatSectors16, geometry.fatSectors, true);
  view.setUint16(bpb.sectorsPerTrack, 63, true); // the geometry the FAT32 writer gives too
  view.setUint16(bpb.headCount, 255, true);
  sector[bs.driveNumber] = 0x80;
  sector[bs.bootSignature] = 0x29; // the next three fields are present
  view.setUint32(bs.volumeId, fields.volumeId >>> 0, true);
  ascii(bs.volumeLabel, (fields.label ?? 'NO NAME').padEnd(11, ' '));
  ascii(bs.fileSystemType, geometry.type.name.padEnd(8, ' '));
  // Not a boot volume: the code asks the BIOS for the next boot device (INT 18h), then halts.
  sector.set([0xcd, 0x18, 0xeb, 0xfe], bs.bootCode);
  sector.set([0x55, 0xaa], bpb.signature);
  return sector;
}
