// The fixed parts of a new FAT32 volume (Microsoft FAT spec 1.03): its geometry (cluster size as
// Windows and mkfs.fat choose it, FAT size, where the data region starts), the reserved region (boot
// sector and BPB, FSInfo, their backups at sectors 6 and 7) and the FAT itself, generated on read:
// a 2 TiB volume's FAT is 256 MiB, and every chain in a planned volume is one contiguous run, so a few
// numbers say what any FAT sector holds.
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { bootSectorFields as bpb, fsInfoFields } from './fat-fields.ts';

export const fatSectorBytes = 512;
/** FAT spec 3.1 (BPB_RsvdSecCnt): 32 on FAT32, as Windows and mkfs.fat write it. */
const reservedSectors = 32;
const fatCount = 2;
/** FAT spec 3.5: a volume of fewer clusters is FAT12 or FAT16, whatever its boot sector says. */
export const minFat32Clusters = 65525;
/** FAT spec 4: cluster numbers 0x0FFFFFF7 and up are reserved marks, so at most 0x0FFFFFF5 data clusters. */
const maxFat32Clusters = 0x0ffffff5;
/** BPB_TotSec32 is 32 bits: 2^32 - 1 sectors of 512 bytes, just under 2 TiB. */
const maxTotalSectors = 0xffffffff;
const endOfChain = 0x0fffffff;

export interface Fat32Geometry {
  readonly totalSectors: number;
  readonly sectorsPerCluster: number;
  readonly clusterBytes: number;
  readonly reservedSectors: number;
  readonly fatSectors: number;
  readonly clusterCount: number;
  /** Where the first FAT starts, relative to the volume's first byte. */
  readonly fatOffsetBytes: number;
  /** Where cluster 2 starts, relative to the volume's first byte. */
  readonly dataOffsetBytes: number;
}

/** FAT spec 3.5 table DskTableFAT32, which Windows and mkfs.fat follow: 512 B up to 260 MiB, 4 KiB to 8 GiB, 8 KiB to 16 GiB, 16 KiB to 32 GiB, 32 KiB above. */
export function defaultFat32ClusterBytes(volumeSizeBytes: number): number {
  const gib = 1024 ** 3;
  if (volumeSizeBytes <= 260 * 1024 ** 2) return 512;
  if (volumeSizeBytes <= 8 * gib) return 4096;
  if (volumeSizeBytes <= 16 * gib) return 8192;
  if (volumeSizeBytes <= 32 * gib) return 16384;
  return 32768;
}

/**
 * The layout of a FAT32 volume of `volumeSizeBytes` (whole 512-byte sectors) with `clusterBytes`
 * clusters. The FAT is sized for the clusters that remain after it (FAT spec 3.5), then grown by at
 * most a cluster's worth so the data region starts on a cluster boundary, as Windows aligns it.
 */
export function fat32Geometry(volumeSizeBytes: number, clusterBytes: number): Fat32Geometry {
  const totalSectors = Math.floor(volumeSizeBytes / fatSectorBytes);
  if (totalSectors > maxTotalSectors) {
    throw new CodedError(
      'volume-too-large',
      `a FAT32 volume of ${volumeSizeBytes} bytes is over 2 TiB: FAT32 counts at most ${maxTotalSectors} sectors of ${fatSectorBytes} bytes (${maxTotalSectors * fatSectorBytes} bytes)`,
    );
  }
  if (!Number.isInteger(clusterBytes) || clusterBytes < 512 || clusterBytes > 32768 || (clusterBytes & (clusterBytes - 1)) !== 0) {
    throw new Error(`FAT32 cluster size ${clusterBytes} is not a power of two from 512 to 32768 bytes (FAT spec 3.1 BPB_SecPerClus)`);
  }
  const sectorsPerCluster = clusterBytes / fatSectorBytes;
  const clustersFor = (fatSectors: number): number => Math.max(0, Math.floor((totalSectors - reservedSectors - fatCount * fatSectors) / sectorsPerCluster));
  const entriesPerSector = fatSectorBytes / 4;
  // Sized for every sector after the reserved ones being data: never too small, at most a sector or two large.
  let fatSectors = Math.ceil((Math.floor(Math.max(0, totalSectors - reservedSectors) / sectorsPerCluster) + 2) / entriesPerSector);
  while ((reservedSectors + fatCount * fatSectors) % sectorsPerCluster !== 0) fatSectors += 1;
  const clusterCount = clustersFor(fatSectors);
  if (clusterCount < minFat32Clusters) {
    throw new CodedError(
      'target-too-small',
      `a FAT32 volume needs at least ${minFat32Clusters} clusters: ${volumeSizeBytes} bytes in ${clusterBytes}-byte clusters make ${clusterCount}`,
    );
  }
  if (clusterCount > maxFat32Clusters) {
    throw new CodedError(
      'volume-too-large',
      `${volumeSizeBytes} bytes in ${clusterBytes}-byte clusters make ${clusterCount} clusters, over FAT32's ${maxFat32Clusters}`,
    );
  }
  return {
    totalSectors,
    sectorsPerCluster,
    clusterBytes,
    reservedSectors,
    fatSectors,
    clusterCount,
    fatOffsetBytes: reservedSectors * fatSectorBytes,
    dataOffsetBytes: (reservedSectors + fatCount * fatSectors) * fatSectorBytes,
  };
}

export interface BootRegionFields {
  readonly hiddenSectors: number;
  readonly volumeId: number;
  /** The 11-character label (fatVolumeLabel), or null for none. */
  readonly label: string | null;
  readonly freeClusters: number;
  /** The first free cluster, or null when none is free. */
  readonly nextFreeCluster: number | null;
}

/** The reserved region: boot sector at 0 and 6, FSInfo at 1 and 7 (FAT spec 3.1-3.3, 5). */
export function fat32ReservedRegion(geometry: Fat32Geometry, fields: BootRegionFields): Uint8Array {
  const region = new Uint8Array(geometry.reservedSectors * fatSectorBytes);
  const boot = fat32BootSector(geometry, fields);
  const fsInfo = fat32FsInfo(fields);
  region.set(boot, 0);
  region.set(fsInfo, fatSectorBytes);
  region.set(boot, 6 * fatSectorBytes); // BPB_BkBootSec
  region.set(fsInfo, 7 * fatSectorBytes); // the backup's FSInfo follows it
  return region;
}

function fat32BootSector(geometry: Fat32Geometry, fields: BootRegionFields): Uint8Array {
  const sector = new Uint8Array(fatSectorBytes);
  const view = new DataView(sector.buffer);
  const ascii = (at: number, text: string): void =>
    sector.set(
      Array.from(text, (char) => char.charCodeAt(0)),
      at,
    );
  sector.set([0xeb, 0x58, 0x90], bpb.jmpBoot); // a short jump to the code at 0x5A
  ascii(bpb.oemName, 'MSWIN4.1'); // the value FAT spec 3.1 recommends
  view.setUint16(bpb.bytesPerSector, fatSectorBytes, true);
  sector[bpb.sectorsPerCluster] = geometry.sectorsPerCluster;
  view.setUint16(bpb.reservedSectors, geometry.reservedSectors, true);
  sector[bpb.fatCount] = fatCount; // BPB_RootEntCnt, BPB_TotSec16 and BPB_FATSz16 stay 0 on FAT32
  sector[bpb.media] = 0xf8; // fixed media
  view.setUint16(bpb.sectorsPerTrack, 63, true); // the geometry every USB stick reports
  view.setUint16(bpb.headCount, 255, true);
  view.setUint32(bpb.hiddenSectors, fields.hiddenSectors, true);
  view.setUint32(bpb.totalSectors32, geometry.totalSectors, true);
  view.setUint32(bpb.fatSectors32, geometry.fatSectors, true); // BPB_ExtFlags 0: both FATs mirrored
  view.setUint32(bpb.rootCluster, 2, true);
  view.setUint16(bpb.fsInfoSector, 1, true);
  view.setUint16(bpb.backupBootSector, 6, true);
  sector[bpb.driveNumber] = 0x80; // a hard disk
  sector[bpb.bootSignature] = 0x29; // the next three fields are present
  view.setUint32(bpb.volumeId, fields.volumeId >>> 0, true);
  ascii(bpb.volumeLabel, (fields.label ?? 'NO NAME').padEnd(11, ' '));
  ascii(bpb.fileSystemType, 'FAT32   ');
  // Not a boot volume: the code at 0x5A asks the BIOS for the next boot device (INT 18h), then halts.
  sector.set([0xcd, 0x18, 0xeb, 0xfe], 0x5a);
  sector.set([0x55, 0xaa], bpb.signature);
  return sector;
}

/** FAT spec 5: FSI_LeadSig, FSI_StrucSig, FSI_Free_Count, FSI_Nxt_Free, FSI_TrailSig. */
function fat32FsInfo(fields: BootRegionFields): Uint8Array {
  const sector = new Uint8Array(fatSectorBytes);
  const view = new DataView(sector.buffer);
  view.setUint32(fsInfoFields.leadSignature, 0x41615252, true);
  view.setUint32(fsInfoFields.structureSignature, 0x61417272, true);
  view.setUint32(fsInfoFields.freeCount, fields.freeClusters, true);
  view.setUint32(fsInfoFields.nextFree, fields.nextFreeCluster ?? 0xffffffff, true); // 0xFFFFFFFF: not known (none free)
  view.setUint32(fsInfoFields.trailSignature, 0xaa550000, true);
  return sector;
}

/**
 * One FAT as a source, computed on read (FAT spec 4): entry 0 holds the media byte, entry 1 the
 * clean-shutdown end mark, clusters 2 .. 1 + usedClusters form chains that each run to the next
 * cluster and end where `chainEnds` (sorted, the last cluster of each chain) says; the rest are free.
 */
export function fat32TableSource(geometry: Fat32Geometry, chainEnds: readonly number[], usedClusters: number): ByteSource {
  const name = 'FAT32 file allocation table';
  const sizeBytes = geometry.fatSectors * fatSectorBytes;
  const lastUsed = 1 + usedClusters;
  return {
    name,
    sizeBytes,
    read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, lengthBytes);
      const firstEntry = Math.floor(offsetBytes / 4);
      const entryCount = Math.ceil((offsetBytes + lengthBytes) / 4) - firstEntry;
      const entries = new Uint8Array(entryCount * 4);
      const view = new DataView(entries.buffer);
      let chain = firstChainEndingAtOrAfter(chainEnds, firstEntry);
      for (let index = 0; index < entryCount; index += 1) {
        const cluster = firstEntry + index;
        if (cluster > lastUsed) break; // free from here on: zeros
        let value: number;
        if (cluster === 0) value = 0x0ffffff8;
        else if (cluster === 1) value = endOfChain;
        else {
          while ((chainEnds[chain] as number) < cluster) chain += 1;
          value = chainEnds[chain] === cluster ? endOfChain : cluster + 1;
        }
        view.setUint32(index * 4, value, true);
      }
      const from = offsetBytes - firstEntry * 4;
      return Promise.resolve(entries.subarray(from, from + lengthBytes));
    },
    close() {
      return Promise.resolve();
    },
  };
}

function firstChainEndingAtOrAfter(chainEnds: readonly number[], cluster: number): number {
  let low = 0;
  let high = chainEnds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((chainEnds[middle] as number) < cluster) low = middle + 1;
    else high = middle;
  }
  return low;
}
