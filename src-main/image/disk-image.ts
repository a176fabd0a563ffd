// A disk image (.img of an SD card, a stick backup, a hybrid ISO seen as a disk): its partition table
// read by disk/partition-map.ts, each partition probed by every file system reader Isotope has (FAT,
// exFAT, ext2/3/4, ISO 9660, UDF) through a slice of the image, then by the signature-only kinds. A
// damaged file system costs only its own partition: it is listed as an empty folder, not browsable,
// with the damage as the reason, and the other partitions stay browsable.
import type { DiskImageInfo, DiskPartitionInfo, FilesystemInfo, FilesystemKind, ImageEntry } from '../../shared/image.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { FilesystemOpener, FilesystemOpenOptions, FilesystemTree } from '../format/filesystem-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { safeName } from '../format/tree-lookup.ts';
import { UniqueNames } from '../format/unique-names.ts';
import { WorkBudget } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { sliceSource } from '../io/slice-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { identifyBrowsableKind, identifyFilesystemSignature } from '../disk/filesystem-signatures.ts';
import { readPartitionMap, type PartitionMapEntry } from '../disk/partition-map.ts';
import { openFatFilesystem } from '../fat/fat-filesystem.ts';
import { openExfatFilesystem } from '../fat/exfat-tree.ts';
import { openExtFilesystem } from '../ext/ext-tree.ts';
import { UnsupportedExtFeatureError } from '../ext/ext-volume.ts';
import { openIsoFilesystem, openUdfFilesystem } from './optical-filesystems.ts';
import { openPartitionTree, partitionFolderEntry, type MountedPartition } from './partition-tree.ts';

export interface DiskImage {
  /** The 'partitions' view: a folder per partition, or the bare file system at the root. */
  readonly tree: FileTree;
  readonly info: DiskImageInfo;
}

export interface DiskImageOptions extends FilesystemOpenOptions {
  /** Only an image with a partition table: an ISO is its own file system already, so its bare volume is no disk view. */
  readonly requireTable?: boolean;
}

/** Every reader Isotope has, most specific signature first (an ISO's system area may look like anything). */
const openers: readonly FilesystemOpener[] = [openExfatFilesystem, openFatFilesystem, openExtFilesystem, openIsoFilesystem, openUdfFilesystem];

/** How a file system kind is named in folder names, as the tools users know print it. */
const kindDisplayNames: Readonly<Record<FilesystemKind, string>> = {
  fat12: 'FAT12',
  fat16: 'FAT16',
  fat32: 'FAT32',
  exfat: 'exFAT',
  ext2: 'ext2',
  ext3: 'ext3',
  ext4: 'ext4',
  iso9660: 'ISO 9660',
  udf: 'UDF',
  ntfs: 'NTFS',
  btrfs: 'btrfs',
  f2fs: 'F2FS',
  xfs: 'XFS',
  swap: 'swap',
  luks: 'LUKS',
  squashfs: 'SquashFS',
  hfsplus: 'HFS+',
  apfs: 'APFS',
  lvm: 'LVM',
  zfs: 'ZFS',
};

/**
 * Opens the disk image in `source`; null when it has no partition table and no file system Isotope
 * knows at byte 0. A CorruptImageError only when the table itself leaves nothing sane to list.
 */
export async function openDiskImage(source: ByteSource, options: DiskImageOptions = {}): Promise<DiskImage | null> {
  const budget = options.budget ?? WorkBudget.for(source);
  const probeOptions: FilesystemOpenOptions = { budget, ...(options.signal ? { signal: options.signal } : {}) };
  const map = await readPartitionMap(source, budget);
  if (map.table === 'none') {
    if (options.requireTable) return null;
    return openBareFilesystem(source, probeOptions);
  }
  const names = new UniqueNames();
  const mounts: MountedPartition[] = [];
  const partitions: DiskPartitionInfo[] = [];
  // Partitions naming the same bytes share one probe and one tree (a hostile GPT may name one volume 8,192 times).
  const probes = new Map<string, Probed>();
  for (const entry of map.partitions) {
    throwIfCancelled(options.signal, 'opening the disk image');
    const key = `${entry.offsetBytes}:${entry.sizeBytes}`;
    let probed = probes.get(key);
    if (!probed) {
      budget.spend(probeCostBytes, `probing partition ${entry.number} for a file system`);
      probed = await probePartition(source, entry, probeOptions);
      probes.set(key, probed);
    }
    const folderName = names.claim(safeName(partitionFolderName(entry, probed.filesystem)));
    const folder = partitionFolderEntry(`/${folderName}`, folderName, partitionOf(entry.number, probed.filesystem), entry.offsetBytes);
    mounts.push({ folder, tree: probed.tree, offsetBytes: entry.offsetBytes, sizeBytes: probed.sizeBytes });
    partitions.push({ ...entry, filesystem: probed.filesystem, folderName });
  }
  return {
    tree: openPartitionTree(source, partitionFolderEntry('/', '', null, 0), mounts),
    info: { partitionTable: map.table, partitions, requiredTargetBytes: map.requiredTargetBytes, warnings: map.warnings },
  };
}

/** A whole image holding one file system (mkfs on a whole stick, a partition's dump): the root is that file system. */
async function openBareFilesystem(source: ByteSource, options: FilesystemOpenOptions): Promise<DiskImage | null> {
  const whole: PartitionMapEntry = {
    number: 0,
    scheme: 'none',
    logical: false,
    typeCode: '',
    typeName: null,
    name: null,
    offsetBytes: 0,
    sizeBytes: source.sizeBytes,
    bootable: false,
    withinImage: true,
  };
  const probed = await probePartition(source, whole, options);
  if (!probed.filesystem) return null;
  const root = partitionFolderEntry('/', '', partitionOf(0, probed.filesystem), 0);
  const requiredTargetBytes = Math.min(source.sizeBytes, Math.max(probed.filesystem.sizeBytes, 0));
  return {
    tree: openPartitionTree(source, root, [{ folder: root, tree: probed.tree, offsetBytes: 0, sizeBytes: source.sizeBytes }]),
    info: { partitionTable: 'none', partitions: [{ ...whole, filesystem: probed.filesystem, folderName: '' }], requiredTargetBytes, warnings: [] },
  };
}

function partitionOf(number: number, filesystem: FilesystemInfo | null): NonNullable<ImageEntry['partition']> {
  const partition = { number, filesystem: filesystem?.kind ?? null, browsable: filesystem?.browsable ?? false };
  return filesystem?.notBrowsableKind ? { ...partition, notBrowsableKind: filesystem.notBrowsableKind } : partition;
}

/** What probing a partition found: its tree when browsable, its file system, and the bytes of it the image holds. */
interface Probed {
  readonly tree: FilesystemTree | null;
  readonly filesystem: FilesystemInfo | null;
  readonly sizeBytes: number;
}

/**
 * What one probe costs in work budget: about the reads of every reader's signature check and the
 * 132 KiB of the signature-only kinds. Distinct partitions each pay it, so a table of thousands of
 * slightly shifted copies of one volume ends as a clear corrupt-image error, not seconds of probing.
 */
const probeCostBytes = 64 * 1024;

/**
 * The partition's file system: the first reader that recognises it, else a signature-only kind. A
 * reader that recognises it but finds it damaged makes it "not browsable" with the damage as reason.
 */
async function probePartition(source: ByteSource, entry: PartitionMapEntry, options: FilesystemOpenOptions): Promise<Probed> {
  // A partition past the end is read as far as the image holds it.
  const sizeBytes = Math.max(0, Math.min(entry.sizeBytes, source.sizeBytes - entry.offsetBytes));
  if (sizeBytes === 0 || entry.offsetBytes >= source.sizeBytes) return { tree: null, filesystem: null, sizeBytes: 0 };
  const volume =
    entry.offsetBytes === 0 && sizeBytes === source.sizeBytes
      ? source
      : sliceSource(source, entry.offsetBytes, sizeBytes, `${source.name} partition ${entry.number}`);
  for (const open of openers) {
    try {
      const tree = await open(volume, options);
      if (tree) return { tree, filesystem: await tree.describe(), sizeBytes };
    } catch (error) {
      if (!(error instanceof CorruptImageError)) throw error;
      const kind = await identifyBrowsableKind(volume);
      if (kind) return { tree: null, filesystem: damaged(kind, sizeBytes, error), sizeBytes };
    }
  }
  return { tree: null, filesystem: await identifyFilesystemSignature(volume), sizeBytes };
}

function damaged(kind: FilesystemKind, sizeBytes: number, error: CorruptImageError): FilesystemInfo {
  // A feature the reader cannot decode (ext4 encryption) is no damage: its message is the reason.
  const unsupported = error instanceof UnsupportedExtFeatureError;
  const reason = unsupported ? error.message : `damaged: ${error.message}`;
  const notBrowsableKind = unsupported ? 'unsupported' : 'damaged';
  return { kind, label: null, uuid: null, sizeBytes, usedBytes: null, browsable: false, notBrowsableReason: reason, notBrowsableKind };
}

/** "1-bootfs (FAT32)": number, label (else the GPT name), file system (else the partition type). */
export function partitionFolderName(entry: PartitionMapEntry, filesystem: FilesystemInfo | null): string {
  const label = filesystem?.label?.trim() || entry.name?.trim() || '';
  const kind = filesystem ? kindDisplayNames[filesystem.kind] : (entry.typeName ?? 'unknown');
  return `${entry.number}${label === '' ? '' : `-${label}`} (${kind})`;
}
