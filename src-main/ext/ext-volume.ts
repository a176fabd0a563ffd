// The superblock and group descriptors of an ext2/3/4 volume (the kernel's Documentation/filesystems/
// ext4/globals.rst "Super Block" and "Block Group Descriptors", e2fsprogs lib/ext2fs/ext2_fs.h): the
// geometry every other structure is found by, the features that decide whether we can read it, and
// where each inode lies. Every field a hostile image can make absurd is checked against the others
// and the source before anything is read by it.
import type { FilesystemInfo, FilesystemKind } from '../../shared/image.ts';
import { FieldReader, corruptAt, readRegion, readUtf8, type Place } from '../format/fields.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';

/** globals.rst: the superblock lies 1024 bytes into the volume whatever the block size, and is 1024 bytes long. */
export const superblockOffsetBytes = 1024;
const superblockBytes = 1024;
/** s_magic. */
const extMagic = 0xef53;

/** s_feature_compat, s_feature_incompat and s_feature_ro_compat bits this reader looks at. */
export const extFeatures = {
  compatHasJournal: 0x4,
  compatSparseSuper2: 0x200,
  incompatCompression: 0x1,
  incompatFiletype: 0x2,
  incompatRecover: 0x4,
  incompatJournalDevice: 0x8,
  incompatMetaBg: 0x10,
  incompatExtents: 0x40,
  incompat64bit: 0x80,
  incompatDirData: 0x1000,
  incompatInlineData: 0x8000,
  incompatEncrypt: 0x10000,
  roCompatSparseSuper: 0x1,
  roCompatLargeFile: 0x2,
  roCompatBtreeDir: 0x4,
} as const;

/**
 * Incompat features whose data this reader cannot decode: it refuses the volume rather than list
 * wrong bytes. Compression (never merged into Linux), an external journal device (no files), Lustre's
 * dirdata (entries carry extra data), fscrypt encryption (names and data are ciphertext), and any bit
 * newer than e2fsprogs 1.47 knows (0x7f7fe is the set ext2_fs.h names that we can read or refuse).
 */
const unreadableIncompat: readonly { readonly bit: number; readonly name: string }[] = [
  { bit: extFeatures.incompatCompression, name: 'compression' },
  { bit: extFeatures.incompatJournalDevice, name: 'journal_dev (an external journal, not a file system)' },
  { bit: extFeatures.incompatDirData, name: 'dirdata' },
  { bit: extFeatures.incompatEncrypt, name: 'encrypt' },
];
const knownIncompatMask = 0x3ffff;

/** blkid's rule: a feature outside these sets makes a volume ext4 (ext3 adds the journal to ext2). */
const ext3IncompatMask = extFeatures.incompatFiletype | extFeatures.incompatRecover | extFeatures.incompatMetaBg;
const ext3RoCompatMask = extFeatures.roCompatSparseSuper | extFeatures.roCompatLargeFile | extFeatures.roCompatBtreeDir;

/**
 * The volume uses an incompatible feature this reader cannot decode. Not damage, but the same answer
 * for a caller: the volume is there and cannot be listed (a disk image shows it as not browsable,
 * with this message as the reason).
 */
export class UnsupportedExtFeatureError extends CorruptImageError {
  constructor(feature: string, bit: number) {
    super(`the ext volume uses the incompatible feature ${feature} (0x${bit.toString(16)}), which Isotope cannot read`, { feature });
    this.name = 'UnsupportedExtFeatureError';
  }
}

export interface ExtVolume {
  readonly source: ByteSource;
  readonly budget: WorkBudget;
  readonly blockBytes: number;
  readonly blocksCount: number;
  readonly freeBlocksCount: number;
  readonly firstDataBlock: number;
  readonly blocksPerGroup: number;
  readonly inodesCount: number;
  readonly inodesPerGroup: number;
  readonly inodeBytes: number;
  readonly groupCount: number;
  /** 32, or s_desc_size (64 and more) with the 64bit feature. */
  readonly descriptorBytes: number;
  readonly compat: number;
  readonly incompat: number;
  readonly roCompat: number;
  readonly firstMetaBg: number;
  readonly backupGroups: readonly [number, number];
  readonly label: string | null;
  readonly uuid: string | null;
  /** The first block of each group's inode table. */
  readonly inodeTableBlocks: Float64Array;
}

/** The superblock at byte 1024 of `source`; null when its magic is not there (not an ext volume). */
export async function readExtVolume(source: ByteSource, budget: WorkBudget): Promise<ExtVolume | null> {
  if (source.sizeBytes < superblockOffsetBytes + superblockBytes) return null;
  const place: Place = { offsetBytes: superblockOffsetBytes, sectorBytes: 512 };
  const fields = new FieldReader(await readRegion(source, place, superblockBytes, 'the ext superblock'), place);
  if (fields.uint16Le(0x38, 's_magic') !== extMagic) return null;
  const logBlockSize = fields.uint32Le(0x18, 's_log_block_size');
  // globals.rst: block sizes run from 1 KiB to 64 KiB.
  if (logBlockSize > 6) throw corruptAt(place, 0x18, `ext superblock: s_log_block_size ${logBlockSize} gives blocks over 64 KiB`);
  const blockBytes = 1024 << logBlockSize;
  const incompat = fields.uint32Le(0x60, 's_feature_incompat');
  refuseUnreadableFeatures(incompat, place);
  const is64bit = (incompat & extFeatures.incompat64bit) !== 0;
  const blocksCount = fields.uint32Le(0x4, 's_blocks_count_lo') + (is64bit ? fields.uint32Le(0x150, 's_blocks_count_hi') * 2 ** 32 : 0);
  const freeBlocksCount = fields.uint32Le(0xc, 's_free_blocks_count_lo') + (is64bit ? fields.uint32Le(0x158, 's_free_blocks_count_hi') * 2 ** 32 : 0);
  const revision = fields.uint32Le(0x4c, 's_rev_level');
  const geometry = {
    blockBytes,
    blocksCount,
    freeBlocksCount,
    firstDataBlock: fields.uint32Le(0x14, 's_first_data_block'),
    blocksPerGroup: fields.uint32Le(0x20, 's_blocks_per_group'),
    inodesCount: fields.uint32Le(0x0, 's_inodes_count'),
    inodesPerGroup: fields.uint32Le(0x28, 's_inodes_per_group'),
    // globals.rst: revision 0 has 128-byte inodes and no s_inode_size.
    inodeBytes: revision === 0 ? 128 : fields.uint16Le(0x58, 's_inode_size'),
    descriptorBytes: is64bit ? fields.uint16Le(0xfe, 's_desc_size') : 32,
  };
  const groupCount = checkGeometry(geometry, place);
  const volume: Omit<ExtVolume, 'inodeTableBlocks'> = {
    source,
    budget,
    ...geometry,
    groupCount,
    compat: fields.uint32Le(0x5c, 's_feature_compat'),
    incompat,
    roCompat: fields.uint32Le(0x64, 's_feature_ro_compat'),
    firstMetaBg: fields.uint32Le(0x104, 's_first_meta_bg'),
    backupGroups: [fields.uint32Le(0x24c, 's_backup_bgs[0]'), fields.uint32Le(0x250, 's_backup_bgs[1]')],
    label: volumeName(fields.slice(0x78, 16, 's_volume_name')),
    uuid: formatUuid(fields.slice(0x68, 16, 's_uuid')),
  };
  return { ...volume, inodeTableBlocks: await readInodeTableBlocks(volume) };
}

function refuseUnreadableFeatures(incompat: number, place: Place): void {
  for (const { bit, name } of unreadableIncompat) {
    if ((incompat & bit) !== 0) {
      throw new UnsupportedExtFeatureError(name, bit);
    }
  }
  const unknown = incompat & ~knownIncompatMask;
  if (unknown !== 0) {
    throw corruptAt(place, 0x60, `ext superblock: s_feature_incompat 0x${incompat.toString(16)} has bits no ext version defines (0x${unknown.toString(16)})`);
  }
}

type Geometry = Omit<
  ExtVolume,
  'source' | 'budget' | 'groupCount' | 'compat' | 'incompat' | 'roCompat' | 'firstMetaBg' | 'backupGroups' | 'label' | 'uuid' | 'inodeTableBlocks'
>;

/** The checks that make every later computation finite and in range; returns the group count. */
function checkGeometry(geometry: Geometry, place: Place): number {
  const { blockBytes, blocksCount, firstDataBlock, blocksPerGroup, inodesCount, inodesPerGroup, inodeBytes, descriptorBytes } = geometry;
  const fail = (at: number, message: string): Error => corruptAt(place, at, `ext superblock: ${message}`);
  if (blocksCount <= firstDataBlock) throw fail(0x4, `s_blocks_count ${blocksCount} leaves no block after s_first_data_block ${firstDataBlock}`);
  if (!Number.isSafeInteger(blocksCount * blockBytes)) throw fail(0x4, `${blocksCount} blocks of ${blockBytes} bytes is beyond any volume size`);
  // globals.rst: a group's block bitmap is one block, so a group has at most 8 × block size blocks.
  if (blocksPerGroup === 0 || blocksPerGroup > 8 * blockBytes) throw fail(0x20, `s_blocks_per_group ${blocksPerGroup} is not within 1..${8 * blockBytes}`);
  if (inodesPerGroup === 0 || inodesPerGroup > 8 * blockBytes) throw fail(0x28, `s_inodes_per_group ${inodesPerGroup} is not within 1..${8 * blockBytes}`);
  // An inode is 128 bytes or a larger power of two, at most one block (e2fsprogs' check).
  if (inodeBytes < 128 || inodeBytes > blockBytes || (inodeBytes & (inodeBytes - 1)) !== 0) {
    throw fail(0x58, `s_inode_size ${inodeBytes} is not a power of two within 128..${blockBytes}`);
  }
  if (descriptorBytes < 32 || descriptorBytes > blockBytes || (descriptorBytes & (descriptorBytes - 1)) !== 0) {
    throw fail(0xfe, `s_desc_size ${descriptorBytes} is not a power of two within 32..${blockBytes}`);
  }
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount > groupCount * inodesPerGroup) {
    throw fail(0x0, `s_inodes_count ${inodesCount} is more than its ${groupCount} groups of ${inodesPerGroup} inodes hold`);
  }
  return groupCount;
}

/** s_volume_name: up to 16 bytes, NUL-padded, as blkid shows it (UTF-8); null when empty. */
function volumeName(bytes: Uint8Array): string | null {
  const end = bytes.indexOf(0);
  const name = readUtf8(bytes, 0, end === -1 ? bytes.byteLength : end);
  return name === '' ? null : name;
}

/** s_uuid as blkid prints it: "0f3c2a1b-…", lowercase; null when all zero (mkfs -U clear). */
function formatUuid(bytes: Uint8Array): string | null {
  if (bytes.every((byte) => byte === 0)) return null;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** blkid's name for the volume: ext4 when it uses anything ext3 lacks, else ext3 with a journal, else ext2. */
export function extKind(volume: ExtVolume): FilesystemKind {
  if ((volume.incompat & ~ext3IncompatMask) !== 0 || (volume.roCompat & ~ext3RoCompatMask) !== 0) return 'ext4';
  return (volume.compat & extFeatures.compatHasJournal) !== 0 ? 'ext3' : 'ext2';
}

export function describeExtVolume(volume: ExtVolume): FilesystemInfo {
  const usedBlocks = Math.max(0, volume.blocksCount - volume.freeBlocksCount);
  return {
    kind: extKind(volume),
    label: volume.label,
    uuid: volume.uuid,
    sizeBytes: volume.blocksCount * volume.blockBytes,
    usedBytes: usedBlocks * volume.blockBytes,
    browsable: true,
  };
}

/** A place inside the volume for error messages, counted in its blocks. */
export function blockPlace(volume: { readonly blockBytes: number }, offsetBytes: number): Place {
  return { offsetBytes, sectorBytes: volume.blockBytes };
}

/** Where inode `inodeNumber` (1-based) lies in the source: its group's inode table plus its index. */
export function inodeOffsetBytes(volume: ExtVolume, inodeNumber: number, referencedAt: number): number {
  if (!(inodeNumber >= 1 && inodeNumber <= volume.inodesCount)) {
    throw corruptAt(blockPlace(volume, referencedAt), 0, `inode ${inodeNumber} is outside the volume's inodes 1..${volume.inodesCount}`);
  }
  const group = Math.floor((inodeNumber - 1) / volume.inodesPerGroup);
  const index = (inodeNumber - 1) % volume.inodesPerGroup;
  return (volume.inodeTableBlocks[group] as number) * volume.blockBytes + index * volume.inodeBytes;
}

/**
 * bg_inode_table of every group (globals.rst "Block Group Descriptors"), read once at open. Every
 * descriptor block must lie inside the source and every inode table inside the volume, so the count
 * of groups a superblock claims is paid for in bytes the image really has.
 */
async function readInodeTableBlocks(volume: Omit<ExtVolume, 'inodeTableBlocks'>): Promise<Float64Array> {
  const perBlock = volume.blockBytes / volume.descriptorBytes;
  const tableBytes = volume.groupCount * volume.descriptorBytes;
  if (tableBytes > volume.source.sizeBytes) {
    throw corruptAt(
      blockPlace(volume, superblockOffsetBytes),
      0,
      `ext superblock: its ${volume.groupCount} groups need ${tableBytes} bytes of group descriptors, more than the ${volume.source.sizeBytes}-byte image holds`,
    );
  }
  const tables = new Float64Array(volume.groupCount);
  const inodeTableBytes = volume.inodesPerGroup * volume.inodeBytes;
  const volumeBytes = volume.blocksCount * volume.blockBytes;
  for (let first = 0; first < volume.groupCount; first += perBlock) {
    const descriptorBlock = descriptorBlockOf(volume, first / perBlock);
    const count = Math.min(perBlock, volume.groupCount - first);
    const place = blockPlace(volume, descriptorBlock * volume.blockBytes);
    const what = `the group descriptors of groups ${first}..${first + count - 1}`;
    if (descriptorBlock >= volume.blocksCount)
      throw corruptAt(place, 0, `${what} at block ${descriptorBlock} lie past the volume's ${volume.blocksCount} blocks`);
    volume.budget.spend(count * volume.descriptorBytes, what);
    const fields = new FieldReader(await readRegion(volume.source, place, count * volume.descriptorBytes, what), place);
    for (let index = 0; index < count; index += 1) {
      const at = index * volume.descriptorBytes;
      const high = volume.descriptorBytes >= 64 ? fields.uint32Le(at + 0x28, 'bg_inode_table_hi') : 0;
      const tableBlock = fields.uint32Le(at + 0x8, 'bg_inode_table_lo') + high * 2 ** 32;
      if (tableBlock < volume.firstDataBlock || tableBlock * volume.blockBytes + inodeTableBytes > volumeBytes) {
        throw corruptAt(
          place,
          at + 0x8,
          `the inode table of group ${first + index} at block ${tableBlock} lies outside the volume's ${volume.blocksCount} blocks`,
        );
      }
      tables[first + index] = tableBlock;
    }
  }
  return tables;
}

/**
 * The block holding descriptor block `index` of the table (e2fsprogs ext2fs_descriptor_block_loc2):
 * right after the superblock, or with meta_bg from s_first_meta_bg on, in the first group of each
 * meta group (after that group's superblock backup, if it has one).
 */
function descriptorBlockOf(volume: Omit<ExtVolume, 'inodeTableBlocks'>, index: number): number {
  const superblockBlock = volume.firstDataBlock;
  if ((volume.incompat & extFeatures.incompatMetaBg) === 0 || index < volume.firstMetaBg) return superblockBlock + 1 + index;
  const firstGroup = index * (volume.blockBytes / volume.descriptorBytes);
  return volume.firstDataBlock + firstGroup * volume.blocksPerGroup + (hasSuperblockBackup(volume, firstGroup) ? 1 : 0);
}

/** globals.rst "sparse_super": groups 0, 1 and powers of 3, 5 and 7 (sparse_super2: the two named ones). */
function hasSuperblockBackup(volume: Omit<ExtVolume, 'inodeTableBlocks'>, group: number): boolean {
  if (group === 0) return true;
  if ((volume.compat & extFeatures.compatSparseSuper2) !== 0) return group === volume.backupGroups[0] || group === volume.backupGroups[1];
  if ((volume.roCompat & extFeatures.roCompatSparseSuper) === 0 || group === 1) return true;
  return [3, 5, 7].some((base) => isPowerOf(group, base));
}

function isPowerOf(value: number, base: number): boolean {
  let power = base;
  while (power < value) power *= base;
  return power === value;
}
