// An exFAT volume's boot region and FAT (Microsoft "exFAT file system specification", 2019: main boot
// sector 3.1, boot checksum 3.4, FAT 4): where the FAT and the cluster heap lie, the clusters of a
// chain, the volume serial. Read-only. Every field a hostile volume could use to point outside itself
// is checked here, so the tree (exfat-tree.ts) deals only in clusters 2 .. ClusterCount + 1.
import { corruptAt, FieldReader, readRegion, type Place } from '../format/fields.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { exfatChecksum } from './exfat-checksum.ts';

/** exFAT spec 3.1: byte offsets in the main boot sector. */
const bootFields = {
  fileSystemName: 3, // 3.1.2, "EXFAT   "
  mustBeZero: 11, // 3.1.3, 53 bytes
  volumeLength: 72, // 3.1.5, sectors
  fatOffset: 80, // 3.1.6, sectors
  fatLength: 84, // 3.1.7, sectors
  clusterHeapOffset: 88, // 3.1.8, sectors
  clusterCount: 92, // 3.1.9
  firstClusterOfRootDirectory: 96, // 3.1.10
  volumeSerialNumber: 100, // 3.1.11
  volumeFlags: 106, // 3.1.13
  bytesPerSectorShift: 108, // 3.1.14
  sectorsPerClusterShift: 109, // 3.1.15
  numberOfFats: 110, // 3.1.16
  percentInUse: 112, // 3.1.18
  bootSignature: 510, // 3.1.20, 0x55 0xAA
} as const;

const fileSystemName = 'EXFAT   ';
/** 3.1: sectors 0-10 of the boot region are covered by the checksum that fills sector 11 (3.4). */
const checksummedSectors = 11;
/** 4.1: FAT entry values that end a chain or mark a bad cluster. */
const endOfChain = 0xffffffff;
const badCluster = 0xfffffff7;
/** How many FAT bytes one read brings in: chains mostly run forward through neighbouring entries. */
const fatWindowBytes = 64 * 1024;

export interface ExfatVolume {
  readonly source: ByteSource;
  readonly bytesPerSector: number;
  readonly bytesPerCluster: number;
  readonly clusterCount: number;
  /** VolumeLength times the sector size (3.1.5). */
  readonly sizeBytes: number;
  /** The FAT in use (3.1.13 ActiveFat picks the second of two). */
  readonly fatOffsetBytes: number;
  /** Where cluster 2 starts (3.1.8, 5.1). */
  readonly dataOffsetBytes: number;
  readonly rootCluster: number;
  /** 3.1.11, as blkid prints it: "EFF3-F6E3". */
  readonly serial: string;
  readonly budget: WorkBudget;
}

/**
 * The volume whose main boot sector is at byte 0 of `source`: null when its FileSystemName is not
 * "EXFAT   " (not exFAT), a CorruptImageError naming the field when it is but the fields are
 * impossible (3.1.3-3.1.16) or the boot checksum (3.4) does not match.
 */
export async function openExfatVolume(source: ByteSource, budget: WorkBudget): Promise<ExfatVolume | null> {
  if (source.sizeBytes < 512) return null;
  budget.spend(512, 'the exFAT probe at byte 0');
  const place: Place = { offsetBytes: 0, sectorBytes: 512 };
  const fields = new FieldReader(await readRegion(source, place, 512, 'exFAT boot sector'), place);
  if (String.fromCharCode(...fields.slice(bootFields.fileSystemName, 8, 'FileSystemName')) !== fileSystemName) return null;
  if (fields.uint8(bootFields.bootSignature, 'BootSignature') !== 0x55 || fields.uint8(bootFields.bootSignature + 1, 'BootSignature') !== 0xaa) {
    throw corruptAt(place, bootFields.bootSignature, 'exFAT boot sector does not end in 55 AA');
  }
  if (fields.slice(bootFields.mustBeZero, 53, 'MustBeZero').some((byte) => byte !== 0)) {
    throw corruptAt(place, bootFields.mustBeZero, 'exFAT boot sector has a BIOS parameter block where MustBeZero must be zero');
  }
  const sectorShift = fields.uint8(bootFields.bytesPerSectorShift, 'BytesPerSectorShift');
  const clusterShift = fields.uint8(bootFields.sectorsPerClusterShift, 'SectorsPerClusterShift');
  // 3.1.14: 512 to 4096-byte sectors; 3.1.15: clusters of at most 32 MiB.
  if (sectorShift < 9 || sectorShift > 12 || clusterShift > 25 - sectorShift) {
    throw corruptAt(
      place,
      bootFields.bytesPerSectorShift,
      `exFAT sector shift ${sectorShift} and cluster shift ${clusterShift} are outside 9-12 and 0-${25 - sectorShift}`,
    );
  }
  const bytesPerSector = 2 ** sectorShift;
  await verifyBootChecksum(source, bytesPerSector, budget);
  return layoutOf(source, fields, bytesPerSector, 2 ** clusterShift, budget);
}

/** 3.4: sector 11 repeats the checksum of sectors 0-10, VolumeFlags and PercentInUse left out. */
async function verifyBootChecksum(source: ByteSource, bytesPerSector: number, budget: WorkBudget): Promise<void> {
  const regionBytes = (checksummedSectors + 1) * bytesPerSector;
  budget.spend(regionBytes, 'the exFAT boot region');
  const region = await readRegion(source, { offsetBytes: 0, sectorBytes: 512 }, regionBytes, 'exFAT boot region');
  const skipped = (index: number): boolean => index === bootFields.volumeFlags || index === bootFields.volumeFlags + 1 || index === bootFields.percentInUse;
  const expected = exfatChecksum(region.subarray(0, checksummedSectors * bytesPerSector), skipped);
  const place: Place = { offsetBytes: checksummedSectors * bytesPerSector, sectorBytes: 512 };
  const recorded = new FieldReader(region.subarray(checksummedSectors * bytesPerSector), place).uint32Le(0, 'boot checksum');
  if (recorded !== expected) {
    throw corruptAt(place, 0, `exFAT boot checksum is 0x${recorded.toString(16)}, the boot region sums to 0x${expected.toString(16)}`);
  }
}

function layoutOf(source: ByteSource, fields: FieldReader, bytesPerSector: number, sectorsPerCluster: number, budget: WorkBudget): ExfatVolume {
  const volumeSectors = fields.uint64Le(bootFields.volumeLength, 'VolumeLength');
  const fatOffset = fields.uint32Le(bootFields.fatOffset, 'FatOffset');
  const fatLength = fields.uint32Le(bootFields.fatLength, 'FatLength');
  const heapOffset = fields.uint32Le(bootFields.clusterHeapOffset, 'ClusterHeapOffset');
  const clusterCount = fields.uint32Le(bootFields.clusterCount, 'ClusterCount');
  const rootCluster = fields.uint32Le(bootFields.firstClusterOfRootDirectory, 'FirstClusterOfRootDirectory');
  const numberOfFats = fields.uint8(bootFields.numberOfFats, 'NumberOfFats');
  const fail = (at: number, message: string): Error => corruptAt(fields.place, at, message);
  // 3.1.6-3.1.10: the FAT after the boot regions, the heap after the FATs, the clusters inside the volume.
  if (numberOfFats !== 1 && numberOfFats !== 2) throw fail(bootFields.numberOfFats, `exFAT NumberOfFats is ${numberOfFats}, not 1 or 2`);
  if (fatOffset < 24 || fatLength === 0) throw fail(bootFields.fatOffset, `exFAT FAT at sector ${fatOffset} of ${fatLength} sectors overlaps the boot regions`);
  if (heapOffset < fatOffset + fatLength * numberOfFats) {
    throw fail(
      bootFields.clusterHeapOffset,
      `exFAT cluster heap at sector ${heapOffset} overlaps the FAT (sectors ${fatOffset}-${fatOffset + fatLength * numberOfFats - 1})`,
    );
  }
  if (clusterCount === 0 || heapOffset + clusterCount * sectorsPerCluster > volumeSectors) {
    throw fail(bootFields.clusterCount, `exFAT ClusterCount ${clusterCount} of ${sectorsPerCluster} sectors runs past the volume's ${volumeSectors} sectors`);
  }
  if ((clusterCount + 2) * 4 > fatLength * bytesPerSector) {
    throw fail(bootFields.fatLength, `exFAT FAT of ${fatLength} sectors is too small for ${clusterCount} clusters`);
  }
  if (rootCluster < 2 || rootCluster > clusterCount + 1) {
    throw fail(bootFields.firstClusterOfRootDirectory, `exFAT root directory at cluster ${rootCluster}, outside 2-${clusterCount + 1}`);
  }
  // 3.1.13.1 ActiveFat: bit 0 of VolumeFlags names the FAT in use when there are two.
  const activeFat = numberOfFats === 2 ? fields.uint16Le(bootFields.volumeFlags, 'VolumeFlags') & 1 : 0;
  const serial = fields.uint32Le(bootFields.volumeSerialNumber, 'VolumeSerialNumber').toString(16).toUpperCase().padStart(8, '0');
  return {
    source,
    bytesPerSector,
    bytesPerCluster: bytesPerSector * sectorsPerCluster,
    clusterCount,
    sizeBytes: volumeSectors * bytesPerSector,
    fatOffsetBytes: (fatOffset + activeFat * fatLength) * bytesPerSector,
    dataOffsetBytes: heapOffset * bytesPerSector,
    rootCluster,
    serial: `${serial.slice(0, 4)}-${serial.slice(4)}`,
    budget,
  };
}

/** Where cluster `cluster`'s bytes start in the source (5.1). */
export function exfatClusterOffset(volume: ExfatVolume, cluster: number): number {
  return volume.dataOffsetBytes + (cluster - 2) * volume.bytesPerCluster;
}

export function exfatFatPlace(volume: ExfatVolume): Place {
  return { offsetBytes: volume.fatOffsetBytes, sectorBytes: 512 };
}

/** The FAT bytes last read by a chain walk; share one across the chains of a tree. */
export interface ExfatFatWindow {
  firstEntry: number;
  entries: DataView | null;
}

export function newExfatFatWindow(): ExfatFatWindow {
  return { firstEntry: 0, entries: null };
}

/**
 * Follows the FAT chain from `firstCluster` (4.1) of `what` (a path, or the structure), handing each cluster to `visit`, for at most
 * `maxClusters` clusters (a file's size rules its length, so the chain may run on). A link to a free,
 * bad or out-of-range cluster is a CorruptImageError naming it; loops are caught by `visit` (ClusterClaims).
 * Returns how many clusters it visited.
 */
export async function walkExfatChain(
  volume: ExfatVolume,
  firstCluster: number,
  options: { readonly maxClusters: number; readonly window: ExfatFatWindow; readonly signal: AbortSignal | undefined; readonly what: string },
  visit: (cluster: number) => void,
): Promise<number> {
  let cluster = firstCluster;
  for (let count = 0; count < options.maxClusters;) {
    if (cluster < 2 || cluster > volume.clusterCount + 1) {
      const what = cluster === badCluster ? 'a bad cluster' : `cluster ${cluster}, outside 2-${volume.clusterCount + 1}`;
      throw corruptAt(exfatFatPlace(volume), 0, `${options.what}: its exFAT cluster chain from cluster ${firstCluster} reaches ${what}`);
    }
    visit(cluster);
    count += 1;
    if (count === options.maxClusters) return count;
    if (count % 65536 === 0) throwIfCancelled(options.signal, 'reading the exFAT FAT');
    const next = await fatEntry(volume, cluster, options.window);
    if (next === endOfChain) return count;
    cluster = next;
  }
  return 0;
}

async function fatEntry(volume: ExfatVolume, cluster: number, window: ExfatFatWindow): Promise<number> {
  const perWindow = fatWindowBytes / 4;
  if (!window.entries || cluster < window.firstEntry || cluster >= window.firstEntry + window.entries.byteLength / 4) {
    const firstEntry = cluster - (cluster % perWindow);
    // The FAT holds ClusterCount + 2 entries (4.1); the window never reads past them.
    const lengthBytes = Math.min(fatWindowBytes, (volume.clusterCount + 2 - firstEntry) * 4);
    const place = { offsetBytes: volume.fatOffsetBytes + firstEntry * 4, sectorBytes: 512 };
    volume.budget.spend(lengthBytes, `the exFAT FAT at byte ${place.offsetBytes}`);
    const bytes = await readRegion(volume.source, place, lengthBytes, 'exFAT FAT');
    window.entries = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    window.firstEntry = firstEntry;
  }
  return window.entries.getUint32((cluster - window.firstEntry) * 4, true);
}
