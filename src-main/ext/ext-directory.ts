// The entries of an ext2/3/4 directory (Documentation/filesystems/ext4/directory.rst), read linearly:
// every directory block is a chain of entries {inode, rec_len, name_len, file_type, name}. An htree
// (dir_index) directory is read the same way, as the kernel does for readdir: its index blocks look
// like one empty entry spanning the block, and the metadata_csum tail like an entry of inode 0.
// An inline directory (inline_data.rst) holds its parent's inode number in i_block's first 4 bytes
// and entries in the rest of i_block and in the "system.data" attribute.
import { FieldReader, corruptAt, readRegion, readUtf8 } from '../format/fields.ts';
import type { Extent } from '../format/file-tree.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { extFeatures, blockPlace, type ExtVolume } from './ext-volume.ts';

export interface ExtDirectoryRecord {
  readonly inodeNumber: number;
  /** The recorded name's bytes decoded as UTF-8 (ext names are bytes, usually UTF-8; bad bytes become U+FFFD). */
  readonly name: string;
  /** Where the entry lies in the source. */
  readonly offsetBytes: number;
}

/** A directory's data as read, not yet parsed: what a walk holds for the folders it reads ahead. */
export interface ExtDirectoryData {
  readonly runs: readonly { readonly bytes: Buffer; readonly offsetBytes: number }[];
  /** The data is inline (the first run is i_block, led by the parent's inode number). */
  readonly inline: boolean;
}

/** directory.rst: inode (4), rec_len (2), name_len (1 or 2), file_type (1), then the name. */
const entryHeaderBytes = 8;
/** Directory extents read at the same time. */
const readsAtOnce = 32;

/**
 * The data of a directory whose data lies in `extents` (as mapped by ext-block-map.ts). `inline` when
 * the data is inline. Holes (a directory block never written) hold no entries: e2fsck complains of
 * them, but the entries around them are still the directory's, so they are listed.
 */
export async function readDirectoryData(
  volume: ExtVolume,
  extents: readonly Extent[],
  options: { readonly inline: boolean; readonly path: string; readonly signal: AbortSignal | undefined },
): Promise<ExtDirectoryData> {
  const runs: { bytes: Buffer; offsetBytes: number }[] = [];
  const recorded = extents.filter((extent) => !extent.unrecorded);
  // A directory's blocks lie apart (it grew a block at a time): up to readsAtOnce of them are asked
  // for together, so the reads overlap instead of waiting on each other.
  for (let first = 0; first < recorded.length; first += readsAtOnce) {
    throwIfCancelled(options.signal, `listing ${options.path}`);
    const group = recorded.slice(first, first + readsAtOnce);
    const contents = await Promise.all(
      group.map((extent) => readRegion(volume.source, blockPlace(volume, extent.offsetBytes), extent.sizeBytes, `the entries of ${options.path}`)),
    );
    for (const [index, bytes] of contents.entries()) {
      // A Buffer, so each name decodes without a view of its own.
      runs.push({ bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), offsetBytes: (group[index] as Extent).offsetBytes });
    }
  }
  return { runs, inline: options.inline };
}

/** The entries of a directory's data, "." and ".." left out. */
export function parseDirectoryRecords(volume: ExtVolume, data: ExtDirectoryData): ExtDirectoryRecord[] {
  const records: ExtDirectoryRecord[] = [];
  for (const [index, { bytes, offsetBytes }] of data.runs.entries()) {
    if (data.inline) {
      const skip = index === 0 ? 4 : 0; // inline_data.rst: the parent's inode number
      parseEntries(volume, bytes, skip, bytes.byteLength, offsetBytes, records);
      continue;
    }
    for (let at = 0; at < bytes.byteLength; at += volume.blockBytes) {
      parseEntries(volume, bytes, at, Math.min(bytes.byteLength, at + volume.blockBytes), offsetBytes, records);
    }
  }
  return records;
}

/** The entries of one directory block (or inline area), bytes[start, end) of a run read from `offsetBytes`; rec_len must tile it exactly. */
function parseEntries(volume: ExtVolume, bytes: Buffer, start: number, end: number, offsetBytes: number, records: ExtDirectoryRecord[]): void {
  const fields = new FieldReader(bytes, blockPlace(volume, offsetBytes));
  const hasFiletype = (volume.incompat & extFeatures.incompatFiletype) !== 0;
  let at = start;
  while (at < end) {
    const inodeNumber = fields.uint32Le(at, 'a directory entry inode');
    const recordBytes = recordLength(volume, fields.uint16Le(at + 4, 'rec_len'));
    // Without the filetype feature name_len is 16 bits; names are at most 255 bytes either way.
    const nameBytes = hasFiletype ? fields.uint8(at + 6, 'name_len') : fields.uint16Le(at + 6, 'name_len');
    const remaining = end - at;
    if (recordBytes < entryHeaderBytes || recordBytes % 4 !== 0 || recordBytes > remaining) {
      throw corruptAt(fields.place, at, `directory entry: rec_len ${recordBytes} is not a multiple of 4 within 8..${remaining} (the rest of its block)`);
    }
    if (inodeNumber !== 0 && (nameBytes === 0 || nameBytes > 255 || entryHeaderBytes + nameBytes > recordBytes)) {
      throw corruptAt(fields.place, at, `directory entry: a name of ${nameBytes} bytes does not fit its rec_len ${recordBytes}`);
    }
    const nameAt = at + entryHeaderBytes;
    if (inodeNumber !== 0 && !isDotEntry(bytes, nameAt, nameBytes)) {
      records.push({ inodeNumber, name: readUtf8(bytes, nameAt, nameAt + nameBytes), offsetBytes: offsetBytes + at });
    }
    at += recordBytes;
  }
}

/**
 * directory.rst / the kernel's ext4_rec_len_from_disk: with 64 KiB blocks a rec_len of 65536 does
 * not fit 16 bits and is written as 65535 or 0; otherwise the low two bits carry bits 16-17.
 */
function recordLength(volume: ExtVolume, recorded: number): number {
  if (volume.blockBytes < 65536) return recorded;
  if (recorded === 65535 || recorded === 0) return 65536;
  return (recorded & 65532) | ((recorded & 3) << 16);
}

function isDotEntry(bytes: Uint8Array, at: number, length: number): boolean {
  return (length === 1 && bytes[at] === 0x2e) || (length === 2 && bytes[at] === 0x2e && bytes[at + 1] === 0x2e);
}
