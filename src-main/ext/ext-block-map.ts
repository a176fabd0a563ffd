// Where an inode's bytes lie: the extent tree of ext4 (Documentation/filesystems/ext4/extents.rst), the
// direct and single/double/triple indirect block pointers of ext2/3 (blockmap.rst), or inline data in
// the inode itself (inline_data.rst). The result is the file's extents in order, holes (zero pointers,
// gaps between extents, uninitialised extents) as unrecorded extents, cut at i_size. Every node of a
// tree is read once per file: a node met again is a loop, and every read and extent is paid from the
// volume's work budget, so no tree can make the work grow faster than the image.
import { FieldReader, corruptAt, readRegion, uint16Le, uint32Le, type Place } from '../format/fields.ts';
import type { Extent } from '../format/file-tree.ts';
import { workCosts } from '../format/work-budget.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { iBlockBytes, inodeFlags, type ExtInode } from './ext-inode.ts';
import { blockPlace, type ExtVolume } from './ext-volume.ts';

/** extents.rst: the header's magic, and the kernel's limit on the tree's depth. */
const extentMagic = 0xf30a;
export const maxExtentDepth = 5;
/** extents.rst: an extent longer than 32768 blocks is uninitialised (reads as zeros); its length is the excess. */
const uninitialisedLength = 32768;

/** The byte offset of i_block in an inode (inline data starts there). */
const iBlockAtBytes = 0x28;

/** An inode's data as extents of the source, in file order, covering exactly its i_size. */
export async function mapInodeData(volume: ExtVolume, inode: ExtInode, signal: AbortSignal | undefined): Promise<Extent[]> {
  const atHand = mapInodeDataAtHand(volume, inode);
  if (atHand) return atHand;
  const list = new ExtentList(volume, inode);
  if ((inode.flags & inodeFlags.extents) !== 0) {
    await mapExtentNode(volume, list, inode.iBlock, blockPlace(volume, inode.offsetBytes + iBlockAtBytes), { depth: null, visited: new Set(), signal });
  } else {
    await mapBlockPointers(volume, list, inode, signal);
  }
  return list.finish();
}

/**
 * The same extents when the inode alone holds them (inline data, an extent tree that is one leaf in
 * i_block, or direct block pointers only): most files of a listing, mapped without a read or an await.
 * Null when a tree block must be read.
 */
export function mapInodeDataAtHand(volume: ExtVolume, inode: ExtInode): Extent[] | null {
  if ((inode.flags & inodeFlags.inlineData) !== 0) return inlineExtents(volume, inode);
  const list = new ExtentList(volume, inode);
  const iBlockOffsetBytes = inode.offsetBytes + iBlockAtBytes;
  if ((inode.flags & inodeFlags.extents) !== 0) {
    const entries = leafEntriesAtHand(inode.iBlock);
    if (entries >= 0) {
      addLeafExtents(list, inode.iBlock, iBlockOffsetBytes, entries);
      return list.finish();
    }
    // Not a sound leaf (the same rules): the checked reading names the fault, or it is an index node to read on from.
    readExtentHeader(new FieldReader(inode.iBlock, blockPlace(volume, iBlockOffsetBytes)), list.inodeNumber, null);
    return null;
  }
  if (list.limitBlocks > directPointers) return null;
  addDirectPointers(list, new FieldReader(inode.iBlock, blockPlace(volume, iBlockOffsetBytes)));
  return list.finish();
}

/**
 * The entry count of the extent tree root in i_block when it is a sound leaf (magic, depth 0, entries
 * within eh_max and i_block's room for 4), else -1. Most inodes of a listing are such a leaf: this reads
 * it without the reader and header objects readExtentHeader builds, which then names any fault.
 */
function leafEntriesAtHand(iBlock: Uint8Array): number {
  const entries = uint16Le(iBlock, 2);
  const rootCapacity = (iBlockBytes - 12) / 12;
  const sound = uint16Le(iBlock, 0) === extentMagic && uint16Le(iBlock, 6) === 0 && entries <= Math.min(rootCapacity, uint16Le(iBlock, 4));
  return sound ? entries : -1;
}

/** inline_data.rst: the first 60 bytes lie in i_block, the rest in the "system.data" attribute's value. */
function inlineExtents(volume: ExtVolume, inode: ExtInode): Extent[] {
  const headBytes = Math.min(inode.sizeBytes, iBlockBytes);
  const tailBytes = inode.sizeBytes - headBytes;
  const available = inode.inlineTail?.sizeBytes ?? 0;
  if (tailBytes > available) {
    throw corruptAt(
      blockPlace(volume, inode.offsetBytes),
      0x4,
      `inode ${inode.number}: i_size ${inode.sizeBytes} is more than its inline data holds (${iBlockBytes + available} bytes)`,
    );
  }
  const extents: Extent[] = [];
  if (headBytes > 0) extents.push({ offsetBytes: inode.offsetBytes + iBlockAtBytes, sizeBytes: headBytes });
  if (tailBytes > 0 && inode.inlineTail) extents.push({ offsetBytes: inode.inlineTail.offsetBytes, sizeBytes: tailBytes });
  return extents;
}

/** The file's runs as they are found (in logical order), merged, with the gaps as holes. */
class ExtentList {
  private readonly extents: { offsetBytes: number; sizeBytes: number; unrecorded?: true }[] = [];
  private readonly volume: ExtVolume;
  private readonly inode: ExtInode;
  /** Blocks that hold part of i_size; blocks past it (preallocated) are left out. */
  readonly limitBlocks: number;
  private nextBlock = 0;

  get inodeNumber(): number {
    return this.inode.number;
  }

  /** A place in the volume, for an error message. */
  place(offsetBytes: number): Place {
    return blockPlace(this.volume, offsetBytes);
  }

  constructor(volume: ExtVolume, inode: ExtInode) {
    this.volume = volume;
    this.inode = inode;
    this.limitBlocks = Math.ceil(inode.sizeBytes / volume.blockBytes);
  }

  /** Logical blocks [logical, logical + count) lie at `physical` onwards, or are a hole (null); `atBytes` is where that is recorded. */
  add(logical: number, physical: number | null, count: number, atBytes: number): void {
    const { volume, inode } = this;
    if (logical < this.nextBlock) {
      throw corruptAt(
        blockPlace(volume, atBytes),
        0,
        `inode ${inode.number}: block ${logical} of the file is mapped again after block ${this.nextBlock - 1} (out of order or overlapping)`,
      );
    }
    if (physical !== null && (physical === 0 || physical + count > volume.blocksCount)) {
      throw corruptAt(
        blockPlace(volume, atBytes),
        0,
        `inode ${inode.number}: blocks ${physical}..${physical + count - 1} lie outside the volume's ${volume.blocksCount} blocks`,
      );
    }
    const used = Math.min(count, this.limitBlocks - logical);
    if (used <= 0) return;
    if (logical > this.nextBlock) this.push(null, logical - this.nextBlock);
    this.push(physical, used);
    this.nextBlock = logical + used;
  }

  private push(physical: number | null, count: number): void {
    const sizeBytes = count * this.volume.blockBytes;
    const last = this.extents[this.extents.length - 1];
    if (physical === null) {
      if (last?.unrecorded) last.sizeBytes += sizeBytes;
      else this.append({ offsetBytes: 0, sizeBytes, unrecorded: true });
      return;
    }
    const offsetBytes = physical * this.volume.blockBytes;
    if (last && !last.unrecorded && last.offsetBytes + last.sizeBytes === offsetBytes) last.sizeBytes += sizeBytes;
    else this.append({ offsetBytes, sizeBytes });
  }

  private append(extent: { offsetBytes: number; sizeBytes: number; unrecorded?: true }): void {
    this.volume.budget.spend(workCosts.extentBytes, `the blocks of inode ${this.inode.number}`);
    this.extents.push(extent);
  }

  /** The extents, a hole to i_size where the map ends early, the last one cut to i_size. */
  finish(): Extent[] {
    if (this.nextBlock < this.limitBlocks) this.push(null, this.limitBlocks - this.nextBlock);
    const excess = this.limitBlocks * this.volume.blockBytes - this.inode.sizeBytes;
    const last = this.extents[this.extents.length - 1];
    if (last && excess > 0) last.sizeBytes -= excess;
    return this.extents;
  }
}

interface NodeWalk {
  /** The depth this node must have (its parent's minus one); null for the root in i_block. */
  readonly depth: number | null;
  /** Tree blocks met so far in this file: one met again is a loop. */
  readonly visited: Set<number>;
  readonly signal: AbortSignal | undefined;
}

/** extents.rst: a 12-byte header, then 12-byte leaf extents (depth 0) or index entries pointing at child nodes. */
async function mapExtentNode(volume: ExtVolume, list: ExtentList, bytes: Uint8Array, place: Place, walk: NodeWalk): Promise<void> {
  const fields = new FieldReader(bytes, place);
  const { entries, depth } = readExtentHeader(fields, list.inodeNumber, walk.depth);
  if (depth === 0) return addLeafExtents(list, bytes, place.offsetBytes, entries);
  for (let index = 0; index < entries; index += 1) {
    const at = 12 + index * 12;
    if (fields.uint32Le(at, 'ei_block') >= list.limitBlocks) break; // the rest maps only blocks past i_size
    const child = fields.uint16Le(at + 8, 'ei_leaf_hi') * 2 ** 32 + fields.uint32Le(at + 4, 'ei_leaf_lo');
    const childBytes = await readTreeBlock(volume, child, walk, place, at);
    await mapExtentNode(volume, list, childBytes, blockPlace(volume, child * volume.blockBytes), { ...walk, depth: depth - 1 });
  }
}

/** The header's entry count and depth, checked: the magic, entries within eh_max and the node, depth as expected (null: at most 5). */
function readExtentHeader(fields: FieldReader, inodeNumber: number, expectedDepth: number | null): { entries: number; depth: number } {
  const { place } = fields;
  const what = `inode ${inodeNumber}: the extent node`;
  if (fields.uint16Le(0, 'eh_magic') !== extentMagic) throw corruptAt(place, 0, `${what} has no extent header magic 0xF30A`);
  const entries = fields.uint16Le(2, 'eh_entries');
  const capacity = Math.floor((fields.bytes.byteLength - 12) / 12);
  const depth = fields.uint16Le(6, 'eh_depth');
  if (entries > Math.min(capacity, fields.uint16Le(4, 'eh_max'))) throw corruptAt(place, 2, `${what} claims ${entries} entries, room for ${capacity}`);
  if (depth > maxExtentDepth || (expectedDepth !== null && depth !== expectedDepth)) {
    throw corruptAt(place, 6, `${what} has depth ${depth}, expected ${expectedDepth ?? `at most ${maxExtentDepth}`}`);
  }
  return { entries, depth };
}

/**
 * extents.rst struct ext4_extent: first logical block, length (over 32768: uninitialised), 48-bit start
 * block. `node` lies at `nodeOffsetBytes`; its header has been checked, so its `entries` lie within it.
 */
function addLeafExtents(list: ExtentList, node: Uint8Array, nodeOffsetBytes: number, entries: number): void {
  for (let index = 0; index < entries; index += 1) {
    const at = 12 + index * 12;
    const logical = uint32Le(node, at); // ee_block
    const length = uint16Le(node, at + 4); // ee_len
    const count = length > uninitialisedLength ? length - uninitialisedLength : length;
    const physical = uint16Le(node, at + 6) * 2 ** 32 + uint32Le(node, at + 8); // ee_start_hi, ee_start_lo
    if (count === 0) throw corruptAt(list.place(nodeOffsetBytes), at, `inode ${list.inodeNumber}: the extent node holds an extent of 0 blocks`);
    list.add(logical, length > uninitialisedLength ? null : physical, count, nodeOffsetBytes + at);
  }
}

/** One block of a tree (an extent node or an indirect block), read once per file and paid for. */
async function readTreeBlock(volume: ExtVolume, block: number, walk: Omit<NodeWalk, 'depth'>, place: Place, at: number): Promise<Uint8Array> {
  if (block === 0 || block >= volume.blocksCount)
    throw corruptAt(place, at, `a block pointer names block ${block}, outside the volume's ${volume.blocksCount} blocks`);
  if (walk.visited.has(block)) throw corruptAt(place, at, `a block pointer names block ${block} again (a loop in the file's block tree)`);
  walk.visited.add(block);
  throwIfCancelled(walk.signal, `reading block ${block}`);
  volume.budget.spend(volume.blockBytes, `block ${block} of a file's block tree`);
  return readRegion(volume.source, blockPlace(volume, block * volume.blockBytes), volume.blockBytes, `block ${block} of a file's block tree`);
}

/** blockmap.rst: i_block words 0-11 point at data blocks, 12-14 at single, double and triple indirect blocks. */
const directPointers = 12;

function addDirectPointers(list: ExtentList, words: FieldReader): void {
  for (let index = 0; index < directPointers && index < list.limitBlocks; index += 1) {
    const pointer = words.uint32Le(index * 4, 'a direct block pointer');
    if (pointer !== 0) list.add(index, pointer, 1, words.place.offsetBytes + index * 4);
  }
}

async function mapBlockPointers(volume: ExtVolume, list: ExtentList, inode: ExtInode, signal: AbortSignal | undefined): Promise<void> {
  const words = new FieldReader(inode.iBlock, blockPlace(volume, inode.offsetBytes + iBlockAtBytes));
  addDirectPointers(list, words);
  const perBlock = volume.blockBytes / 4;
  const walk = { visited: new Set<number>(), signal };
  let first = directPointers;
  for (let level = 1; level <= 3; level += 1) {
    const at = (directPointers - 1 + level) * 4;
    const pointer = words.uint32Le(at, 'an indirect block pointer');
    if (pointer !== 0) await mapIndirectBlock(volume, list, { pointer, level, first, walk, place: words.place, at });
    first += perBlock ** level;
  }
}

interface IndirectStep {
  readonly pointer: number;
  /** 1: the block points at data; 2 and 3: at indirect blocks one level lower. */
  readonly level: number;
  /** The logical block its first pointer maps. */
  readonly first: number;
  readonly walk: Omit<NodeWalk, 'depth'>;
  readonly place: Place;
  readonly at: number;
}

async function mapIndirectBlock(volume: ExtVolume, list: ExtentList, step: IndirectStep): Promise<void> {
  if (step.first >= list.limitBlocks) return;
  const bytes = await readTreeBlock(volume, step.pointer, step.walk, step.place, step.at);
  const place = blockPlace(volume, step.pointer * volume.blockBytes);
  const words = new FieldReader(bytes, place);
  const perBlock = volume.blockBytes / 4;
  const span = perBlock ** (step.level - 1);
  for (let index = 0; index < perBlock; index += 1) {
    const logical = step.first + index * span;
    if (logical >= list.limitBlocks) break;
    const pointer = words.uint32Le(index * 4, 'a block pointer');
    if (pointer === 0) continue;
    if (step.level === 1) list.add(logical, pointer, 1, place.offsetBytes + index * 4);
    else await mapIndirectBlock(volume, list, { ...step, pointer, level: step.level - 1, first: logical, place, at: index * 4 });
  }
}
