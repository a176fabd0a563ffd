// A new FAT32 volume holding given files, planned from their metadata alone (issue 14, copy-files
// mode): the reserved region and the two FATs, then the root directory at cluster 2, every other
// directory, and the files' data contiguous in the order given. The result is a lazy ByteSource
// (io/composed-source.ts) whose file ranges read through to each file's content, so writing it is a raw
// flash of a composed image; it ends where the last used cluster ends, and free space is never touched.
import type { ByteSource } from '../io/byte-source.ts';
import { composeSource } from '../io/composed-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { allocateClusters, directoryAndFilePieces, planDirectories, type FatInputEntry } from './fat-directories.ts';
import { fatVolumeLabel } from './fat-names.ts';
import { defaultFat32ClusterBytes, fat32Geometry, fat32ReservedRegion, fat32TableSource } from './fat32-layout.ts';

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

/**
 * Plans the volume (FAT spec 1.03). Throws CodedError 'file-too-large' for a file of 4 GiB or more
 * (named), 'target-too-small' when the volume has too few clusters for FAT32 or for the files (sizes
 * given), 'volume-too-large' beyond 2 TiB, 'unsupported' for a name FAT cannot hold (path named).
 */
export function planFat32Volume(options: Fat32VolumeOptions): PlannedVolume {
  const geometry = fat32Geometry(options.volumeSizeBytes, options.clusterBytes ?? defaultFat32ClusterBytes(options.volumeSizeBytes));
  const label = fatVolumeLabel(options.label);
  const directories = planDirectories(options.entries, label !== null);
  const allocation = allocateClusters(geometry.clusterBytes, directories, options.entries, { rootInClusters: true });
  const { chainEnds, usedClusters } = allocation;
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
  const { pieces, fileOffsets } = directoryAndFilePieces(directories, options.entries, { allocation, label, rootOffsetBytes: null, clusterOffset });
  pieces.push(
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
  );
  const source = composeSource(`FAT32 volume ${label ?? '(no label)'}`, geometry.dataOffsetBytes + usedBytes, pieces);
  return { source, clusterBytes: geometry.clusterBytes, fileOffsets };
}
