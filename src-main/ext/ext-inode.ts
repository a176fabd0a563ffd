// One ext2/3/4 inode (Documentation/filesystems/ext4/inodes.rst): type and permissions, owner with its
// high halves, 64-bit size, modification time with the extra epoch bits, flags, and the 60-byte
// i_block that holds an extent tree root, block pointers, a fast symlink's target, a device number or
// the first bytes of inline data. Inline data past those 60 bytes lies in the inode's "system.data"
// extended attribute (inline_data.rst), whose place in the inode table this finds.
import { FieldReader, corruptAt, readRegion, uint16Le, uint32Le } from '../format/fields.ts';
import { blockPlace, inodeOffsetBytes, type ExtVolume } from './ext-volume.ts';

/** inodes.rst i_flags. */
export const inodeFlags = {
  encrypted: 0x800,
  extents: 0x80000,
  inlineData: 0x10000000,
} as const;

/** POSIX S_IFMT and the types inodes.rst lists. */
export const fileTypes = {
  mask: 0xf000,
  fifo: 0x1000,
  characterDevice: 0x2000,
  directory: 0x4000,
  blockDevice: 0x6000,
  regular: 0x8000,
  symlink: 0xa000,
  socket: 0xc000,
} as const;

/** inodes.rst: i_block is 15 32-bit words. */
export const iBlockBytes = 60;
const iBlockAt = 0x28;

export interface ExtInode {
  readonly number: number;
  /** Where the inode lies in the source (error messages, inline data extents). */
  readonly offsetBytes: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly flags: number;
  /** The 60 bytes of i_block (a view into the inode's bytes). */
  readonly iBlock: Uint8Array;
  /** Inline data beyond i_block: where the "system.data" value lies in the source, if the inode has one. */
  readonly inlineTail: { readonly offsetBytes: number; readonly sizeBytes: number } | null;
}

/** Inode table bytes are cached in chunks this large (inodes are powers of two up to a block, so none straddles two). */
const chunkBytes = 64 * 1024;
/** The cache holds this many chunks (8 MiB): room for a few full read-ahead runs. */
const cachedChunks = 128;
/** The longest read-ahead run, in chunks (1 MiB). */
const maxRunChunks = 16;

/**
 * Reads inodes through a cache of inode table chunks: a directory's inodes usually lie side by side,
 * so listing 1,000 files reads a few chunks, and an inode whose chunk is at hand costs no await.
 * Misses on consecutive chunks (a walk going through the table) read ahead, as the kernel's readahead
 * does: each such miss reads twice the run of the last, up to 1 MiB, so a walk of 20,000 inodes (5 MiB
 * of table) waits on 9 reads instead of 79. A miss elsewhere (a lookup) reads one chunk.
 */
export class InodeReader {
  private readonly volume: ExtVolume;
  private readonly chunks = new Map<number, Uint8Array>();
  /** The chunk after the last run read, and that run's length in chunks. */
  private nextRunChunk = -1;
  private lastRunChunks = 0;

  constructor(volume: ExtVolume) {
    this.volume = volume;
  }

  /** Inode `inodeNumber` if its chunk is cached, else null; `referencedAt` (what named it) is named when the number is out of range. */
  cached(inodeNumber: number, referencedAt: number): ExtInode | null {
    const offsetBytes = inodeOffsetBytes(this.volume, inodeNumber, referencedAt);
    const chunk = this.chunks.get(Math.floor(offsetBytes / chunkBytes));
    if (!chunk) return null;
    const at = offsetBytes % chunkBytes;
    if (at + this.volume.inodeBytes > chunk.byteLength) {
      throw corruptAt(
        blockPlace(this.volume, referencedAt),
        0,
        `inode ${inodeNumber} at offset ${offsetBytes} lies past the end of the ${this.volume.source.sizeBytes}-byte image`,
      );
    }
    return parseInode(this.volume, inodeNumber, offsetBytes, chunk, at);
  }

  async read(inodeNumber: number, referencedAt: number): Promise<ExtInode> {
    const cached = this.cached(inodeNumber, referencedAt);
    if (cached) return cached;
    const first = Math.floor(inodeOffsetBytes(this.volume, inodeNumber, referencedAt) / chunkBytes);
    const { source, budget } = this.volume;
    const runChunks = first === this.nextRunChunk ? Math.min(maxRunChunks, this.lastRunChunks * 2) : 1;
    const lengthBytes = Math.max(0, Math.min(runChunks * chunkBytes, source.sizeBytes - first * chunkBytes));
    const what = `the inode table chunk holding inode ${inodeNumber}`;
    budget.spend(lengthBytes, what);
    const run = lengthBytes > 0 ? await readRegion(source, blockPlace(this.volume, first * chunkBytes), lengthBytes, what) : new Uint8Array();
    this.nextRunChunk = first + runChunks;
    this.lastRunChunks = runChunks;
    // Copies, not views, so one cached chunk never keeps a whole run's buffer alive.
    for (let index = 0; index * chunkBytes < Math.max(1, run.byteLength); index += 1) {
      this.chunks.delete(first + index);
      this.chunks.set(first + index, run.slice(index * chunkBytes, (index + 1) * chunkBytes));
      if (this.chunks.size > cachedChunks) this.chunks.delete(this.chunks.keys().next().value as number);
    }
    return this.cached(inodeNumber, referencedAt) as ExtInode;
  }
}

/**
 * The inode whose `volume.inodeBytes` bytes lie at `at` in `chunk` (bounds checked by the caller), read
 * from `offsetBytes`. A listing parses one per entry, so the fields are read straight from the chunk
 * (no view, reader or place per inode); the reader is built only to read inline data's attributes.
 */
function parseInode(volume: ExtVolume, inodeNumber: number, offsetBytes: number, chunk: Uint8Array, at: number): ExtInode {
  const hasExtra = volume.inodeBytes > 128;
  const extraBytes = hasExtra ? uint16Le(chunk, at + 0x80) : 0; // i_extra_isize
  if (hasExtra && (128 + extraBytes > volume.inodeBytes || extraBytes % 4 !== 0)) {
    throw corruptAt(
      blockPlace(volume, offsetBytes),
      0x80,
      `inode ${inodeNumber}: i_extra_isize ${extraBytes} does not fit its ${volume.inodeBytes}-byte inode`,
    );
  }
  const flags = uint32Le(chunk, at + 0x20); // i_flags
  const sizeBytes = uint32Le(chunk, at + 0x4) + uint32Le(chunk, at + 0x6c) * 2 ** 32; // i_size_lo, i_size_high
  // extents.rst: logical block numbers are 32 bits, so no file is larger than 2^32 blocks.
  if (sizeBytes > 2 ** 32 * volume.blockBytes) {
    throw corruptAt(
      blockPlace(volume, offsetBytes),
      0x4,
      `inode ${inodeNumber}: i_size ${sizeBytes} is past the largest file ${volume.blockBytes}-byte blocks can address`,
    );
  }
  const inlineTail =
    (flags & inodeFlags.inlineData) !== 0
      ? findSystemData(new FieldReader(chunk.subarray(at, at + volume.inodeBytes), blockPlace(volume, offsetBytes)), extraBytes, inodeNumber)
      : null;
  return {
    number: inodeNumber,
    offsetBytes,
    mode: uint16Le(chunk, at + 0x0), // i_mode
    uid: uint16Le(chunk, at + 0x2) + uint16Le(chunk, at + 0x78) * 0x10000, // i_uid, l_i_uid_high
    gid: uint16Le(chunk, at + 0x18) + uint16Le(chunk, at + 0x7a) * 0x10000, // i_gid, l_i_gid_high
    sizeBytes,
    mtimeMs: modificationMs(chunk, at, extraBytes),
    flags,
    iBlock: chunk.subarray(at + iBlockAt, at + iBlockAt + iBlockBytes),
    inlineTail,
  };
}

/**
 * inodes.rst "Inode Timestamps": i_mtime is signed seconds since 1970; with a large inode, the low two
 * bits of i_mtime_extra extend it by multiples of 2^32 s and the other 30 bits are nanoseconds.
 */
function modificationMs(chunk: Uint8Array, at: number, extraBytes: number): number {
  const low = uint32Le(chunk, at + 0x10) | 0; // i_mtime
  if (extraBytes < 0x8c - 0x80) return low * 1000;
  const extra = uint32Le(chunk, at + 0x88); // i_mtime_extra
  const seconds = low + (extra & 3) * 2 ** 32;
  return seconds * 1000 + Math.floor((extra >>> 2) / 1e6);
}

/**
 * The "system.data" attribute among the inode's in-inode extended attributes (attributes.rst: a
 * 0xEA020000 magic after i_extra_isize, then entries of 16 bytes plus the name, until four zero
 * bytes; values lie from the first entry on). Name index 7 is "system.". Null when absent.
 */
function findSystemData(fields: FieldReader, extraBytes: number, inodeNumber: number): ExtInode['inlineTail'] {
  const start = 128 + extraBytes;
  const end = fields.bytes.byteLength;
  if (start + 4 > end || fields.uint32Le(start, 'the in-inode attribute magic') !== 0xea020000) return null;
  const valuesAt = start + 4;
  let at = valuesAt;
  // Each entry is at least 16 bytes, so the loop ends within the inode.
  while (at + 16 <= end && fields.uint32Le(at, 'an attribute entry') !== 0) {
    const nameBytes = fields.uint8(at, 'e_name_len');
    const valueAt = valuesAt + fields.uint16Le(at + 2, 'e_value_offs');
    const valueBytes = fields.uint32Le(at + 8, 'e_value_size');
    const name = fields.slice(at + 16, nameBytes, 'e_name');
    if (fields.uint8(at + 1, 'e_name_index') === 7 && nameBytes === 4 && String.fromCharCode(...name) === 'data') {
      if (valueAt + valueBytes > end)
        throw corruptAt(fields.place, at, `inode ${inodeNumber}: its inline data attribute of ${valueBytes} bytes runs past the inode`);
      return { offsetBytes: fields.place.offsetBytes + valueAt, sizeBytes: valueBytes };
    }
    at += (16 + nameBytes + 3) & ~3;
  }
  return null;
}

/**
 * inodes.rst: a device's number lies in i_block: the old 16-bit encoding in word 0, else Linux's
 * new_encode_dev in word 1 (major in bits 8-19, minor in bits 0-7 and 20-31).
 */
export function deviceNumber(inode: ExtInode): { high: number; low: number } {
  const view = new DataView(inode.iBlock.buffer, inode.iBlock.byteOffset, iBlockBytes);
  const old = view.getUint32(0, true);
  if (old !== 0) return { high: (old >>> 8) & 0xff, low: old & 0xff };
  const encoded = view.getUint32(4, true);
  return { high: (encoded & 0xfff00) >>> 8, low: (encoded & 0xff) | ((encoded >>> 12) & 0xfff00) };
}
