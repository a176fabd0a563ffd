// An empty exFAT volume, laid out as mkfs.exfat (exfatprogs) lays it out and as the exFAT spec
// (Microsoft "exFAT file system specification", 2019) requires: the main and backup boot regions
// (3.1-3.4), one FAT (4), and a cluster heap (5) holding the allocation bitmap, the up-case table
// and the root directory with their entries (7.1 bitmap, 7.2 up-case table, 7.3 volume label).
// Only metadata is computed; everything else reads as zeros through composeSource, and the source
// ends where the root directory's cluster ends: the free heap after it is never read or written.
import { CodedError } from '../jobs/errors.ts';
import { composeSource, type ComposedPiece } from '../io/composed-source.ts';
import { utf16Prefix } from '../format/utf16-prefix.ts';
import { exfatChecksum } from './exfat-checksum.ts';
import { upcaseTable, upcaseTableChecksum } from './exfat-upcase-table.ts';
import type { PlannedVolume } from './fat32-writer.ts';

const sectorBytes = 512;
const mebibyte = 1024 * 1024;
/** mkfs.exfat aligns the FAT and the cluster heap to 1 MiB of the disk (DEFAULT_BOUNDARY_ALIGNMENT). */
const boundaryAlignBytes = mebibyte;
/** Table 3: the main boot region is 12 sectors (boot sector, 8 extended boot sectors, OEM parameters, reserved, checksum); the backup follows it. */
const bootRegionSectors = 12;
/** 3.1.9: ClusterCount is at most 0xFFFFFFF5 (cluster indices 2 to 0xFFFFFFF6). */
const maxClusterCount = 0xfffffff5;
const firstClusterIndex = 2;
const directoryEntryBytes = 32;
/** 7.3.2: a volume label holds at most 11 UTF-16 code units. */
const maxLabelUnits = 11;
/** 7.7.3: the characters besides control characters a file name may not hold. */
const forbiddenLabelCharacters = '"*/:<>?\\|';

export interface ExfatVolumeOptions {
  readonly volumeSizeBytes: number; // the partition's size
  readonly hiddenSectors: number; // the partition's first LBA (3.1.4 PartitionOffset)
  readonly label: string; // as the user names it; made a valid exFAT label here
  readonly volumeId: number; // 32-bit serial (3.1.11 VolumeSerialNumber), chosen by the caller
}

/** The cluster size Windows and mkfs.exfat choose: 4 KiB up to 256 MiB, 32 KiB up to 32 GiB, 128 KiB above. */
function defaultExfatClusterBytes(volumeSizeBytes: number): number {
  if (volumeSizeBytes <= 256 * mebibyte) return 4 * 1024;
  if (volumeSizeBytes <= 32 * 1024 * mebibyte) return 32 * 1024;
  return 128 * 1024;
}

/** Where everything lies, in bytes from the volume's first byte, and which clusters hold what. */
interface ExfatLayout {
  readonly volumeSectors: number;
  readonly clusterBytes: number;
  readonly fatOffsetBytes: number;
  readonly fatLengthBytes: number;
  readonly heapOffsetBytes: number;
  readonly clusterCount: number;
  readonly bitmapBytes: number;
  readonly bitmapClusters: number;
  readonly upcaseFirstCluster: number;
  readonly upcaseClusters: number;
  readonly rootCluster: number;
}

function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

/** exfatprogs' exfat_build_mkfs_info, with the spec's bounds as errors naming the sizes. */
function planLayout(volumeSizeBytes: number, hiddenSectors: number): ExfatLayout {
  if (!Number.isSafeInteger(volumeSizeBytes) || volumeSizeBytes <= 0 || volumeSizeBytes % sectorBytes !== 0) {
    throw new RangeError(`an exFAT volume is a whole number of ${sectorBytes}-byte sectors, not ${volumeSizeBytes} bytes`);
  }
  const clusterBytes = defaultExfatClusterBytes(volumeSizeBytes);
  const partitionOffsetBytes = hiddenSectors * sectorBytes;
  // The FAT starts after both boot regions, at the next 1 MiB of the disk.
  const fatOffsetBytes = roundUp(partitionOffsetBytes + 2 * bootRegionSectors * sectorBytes, boundaryAlignBytes) - partitionOffsetBytes;
  // 3.1.7 asks room for (ClusterCount + 2) entries; mkfs.exfat 1.2.0 gives an entry to every cluster
  // the whole volume could hold (more than that: the FAT and heap offset are at least 1 MiB), rounded up to a cluster.
  const fatLengthBytes = roundUp(Math.floor(volumeSizeBytes / clusterBytes) * 4, clusterBytes);
  const heapOffsetBytes = roundUp(partitionOffsetBytes + fatOffsetBytes + fatLengthBytes, boundaryAlignBytes) - partitionOffsetBytes;
  const clusterCount = Math.max(0, Math.floor((volumeSizeBytes - heapOffsetBytes) / clusterBytes));
  if (clusterCount > maxClusterCount) {
    throw new CodedError(
      'volume-too-large',
      `an exFAT volume of ${volumeSizeBytes} bytes needs ${clusterCount} clusters, more than exFAT's ${maxClusterCount}`,
    );
  }
  const bitmapBytes = Math.ceil(clusterCount / 8);
  const bitmapClusters = Math.ceil(bitmapBytes / clusterBytes);
  const upcaseClusters = Math.ceil(upcaseTable.byteLength / clusterBytes);
  const usedClusters = bitmapClusters + upcaseClusters + 1;
  if (clusterCount < usedClusters) {
    const neededBytes = heapOffsetBytes + usedClusters * clusterBytes;
    throw new CodedError('target-too-small', `an empty exFAT volume needs ${neededBytes} bytes, the partition has ${volumeSizeBytes}`);
  }
  const upcaseFirstCluster = firstClusterIndex + bitmapClusters;
  return {
    volumeSectors: volumeSizeBytes / sectorBytes,
    clusterBytes,
    fatOffsetBytes,
    fatLengthBytes,
    heapOffsetBytes,
    clusterCount,
    bitmapBytes,
    bitmapClusters,
    upcaseFirstCluster,
    upcaseClusters,
    rootCluster: upcaseFirstCluster + upcaseClusters,
  };
}

function clusterOffsetBytes(layout: ExfatLayout, cluster: number): number {
  return layout.heapOffsetBytes + (cluster - firstClusterIndex) * layout.clusterBytes;
}

/** The 12 sectors of a boot region (3.1-3.4); the main and the backup region are the same bytes. */
function bootRegion(layout: ExfatLayout, options: ExfatVolumeOptions): Uint8Array {
  const region = new Uint8Array(bootRegionSectors * sectorBytes);
  const view = new DataView(region.buffer);
  region.set([0xeb, 0x76, 0x90], 0); // 3.1.1 JumpBoot
  region.set(new TextEncoder().encode('EXFAT   '), 3); // 3.1.2 FileSystemName; 3.1.3 MustBeZero stays zero
  view.setBigUint64(64, BigInt(options.hiddenSectors), true); // 3.1.4 PartitionOffset
  view.setBigUint64(72, BigInt(layout.volumeSectors), true); // 3.1.5 VolumeLength
  view.setUint32(80, layout.fatOffsetBytes / sectorBytes, true); // 3.1.6 FatOffset
  view.setUint32(84, layout.fatLengthBytes / sectorBytes, true); // 3.1.7 FatLength
  view.setUint32(88, layout.heapOffsetBytes / sectorBytes, true); // 3.1.8 ClusterHeapOffset
  view.setUint32(92, layout.clusterCount, true); // 3.1.9 ClusterCount
  view.setUint32(96, layout.rootCluster, true); // 3.1.10 FirstClusterOfRootDirectory
  view.setUint32(100, options.volumeId >>> 0, true); // 3.1.11 VolumeSerialNumber
  view.setUint16(104, 0x0100, true); // 3.1.12 FileSystemRevision 1.00; 3.1.13 VolumeFlags stay 0
  region[108] = Math.log2(sectorBytes); // 3.1.14 BytesPerSectorShift
  region[109] = Math.log2(layout.clusterBytes / sectorBytes); // 3.1.15 SectorsPerClusterShift
  region[110] = 1; // 3.1.16 NumberOfFats
  region[111] = 0x80; // 3.1.17 DriveSelect; 3.1.18 PercentInUse stays 0 as mkfs.exfat writes it
  // 3.1.19 BootCode: "hlt; jmp back to hlt", so a firmware that runs this sector stops instead of running zeros.
  region.set([0xf4, 0xeb, 0xfd], 120);
  // 3.1.20 BootSignature; 3.2.2 ExtendedBootSignature of sectors 1-8 (the last 4 bytes: 00 00 55 AA).
  for (let sector = 0; sector <= 8; sector += 1) region.set([0x55, 0xaa], sector * sectorBytes + sectorBytes - 2);
  // 3.4: sector 11 repeats the checksum of sectors 0-10, VolumeFlags and PercentInUse left out.
  const checksum = exfatChecksum(region.subarray(0, 11 * sectorBytes), (index) => index === 106 || index === 107 || index === 112);
  for (let at = 11 * sectorBytes; at < region.byteLength; at += 4) view.setUint32(at, checksum, true);
  return region;
}

/** 4.1: the FAT's first entries: the media type, the reserved entry, then each metadata chain. */
function fatHead(layout: ExfatLayout): Uint8Array {
  const entries = new Uint32Array(layout.rootCluster + 1);
  entries[0] = 0xfffffff8; // 4.1.1 FatEntry[0]: media type 0xF8
  entries[1] = 0xffffffff; // 4.1.2 FatEntry[1]
  const chain = (firstCluster: number, clusters: number): void => {
    for (let index = 0; index < clusters - 1; index += 1) entries[firstCluster + index] = firstCluster + index + 1;
    entries[firstCluster + clusters - 1] = 0xffffffff; // 4.1.3: end of chain
  };
  chain(firstClusterIndex, layout.bitmapClusters);
  chain(layout.upcaseFirstCluster, layout.upcaseClusters);
  chain(layout.rootCluster, 1);
  return new Uint8Array(entries.buffer);
}

/** 7.1.5: bit N-2 of the bitmap is set when cluster N is in use; the first clusters are the metadata. */
function bitmapHead(layout: ExfatLayout): Uint8Array {
  const usedClusters = layout.rootCluster + 1 - firstClusterIndex;
  const bitmap = new Uint8Array(Math.ceil(usedClusters / 8));
  bitmap.fill(0xff, 0, Math.floor(usedClusters / 8));
  if (usedClusters % 8 !== 0) bitmap[bitmap.byteLength - 1] = (1 << (usedClusters % 8)) - 1;
  return bitmap;
}

/**
 * 7.3: a volume label holds at most 11 UTF-16 code units. Characters a file name may not hold (7.7.3:
 * control characters and " * / : < > ? \ |) are left out, as Windows refuses them in labels too, and
 * a surrogate pair is never cut in half.
 */
export function exfatLabel(label: string): string {
  const allowed = [...label].filter((character) => character >= ' ' && !forbiddenLabelCharacters.includes(character)).join('');
  return utf16Prefix(allowed, maxLabelUnits);
}

/** The root directory's cluster: 7.3 volume label, 7.1 allocation bitmap and 7.2 up-case table entries. */
function rootDirectory(layout: ExfatLayout, label: string): Uint8Array {
  const entries = new Uint8Array(3 * directoryEntryBytes);
  const view = new DataView(entries.buffer);
  entries[0] = 0x83; // 7.3.1 EntryType: volume label, in use
  entries[1] = label.length; // 7.3.2 CharacterCount
  for (let index = 0; index < label.length; index += 1) view.setUint16(2 + index * 2, label.charCodeAt(index), true); // 7.3.3 VolumeLabel
  entries[32] = 0x81; // 7.1.1 EntryType: allocation bitmap; 7.1.2 BitmapFlags 0: the first (only) FAT's bitmap
  view.setUint32(32 + 20, firstClusterIndex, true); // 7.1.3 FirstCluster
  view.setBigUint64(32 + 24, BigInt(layout.bitmapBytes), true); // 7.1.4 DataLength
  entries[64] = 0x82; // 7.2.1 EntryType: up-case table
  view.setUint32(64 + 4, upcaseTableChecksum, true); // 7.2.2 TableChecksum
  view.setUint32(64 + 20, layout.upcaseFirstCluster, true); // 7.2.3 FirstCluster
  view.setBigUint64(64 + 24, BigInt(upcaseTable.byteLength), true); // 7.2.4 DataLength
  return entries;
}

/**
 * Plans an empty exFAT volume filling `volumeSizeBytes`. Throws CodedError `target-too-small` when
 * not even the metadata fits, `volume-too-large` past exFAT's cluster count.
 */
export function planExfatVolume(options: ExfatVolumeOptions): PlannedVolume {
  const layout = planLayout(options.volumeSizeBytes, options.hiddenSectors);
  const boot = bootRegion(layout, options);
  const pieces: ComposedPiece[] = [
    { offsetBytes: 0, bytes: boot },
    { offsetBytes: boot.byteLength, bytes: boot }, // Table 3: the backup boot region
    { offsetBytes: layout.fatOffsetBytes, bytes: fatHead(layout) },
    { offsetBytes: clusterOffsetBytes(layout, firstClusterIndex), bytes: bitmapHead(layout) },
    { offsetBytes: clusterOffsetBytes(layout, layout.upcaseFirstCluster), bytes: upcaseTable },
    { offsetBytes: clusterOffsetBytes(layout, layout.rootCluster), bytes: rootDirectory(layout, exfatLabel(options.label)) },
  ];
  const usedBytes = clusterOffsetBytes(layout, layout.rootCluster + 1);
  return { source: composeSource(`exFAT volume ${options.label}`, usedBytes, pieces), clusterBytes: layout.clusterBytes, fileOffsets: new Map() };
}
