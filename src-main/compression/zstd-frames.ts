// The frames of a .zst file and the decoded bytes each holds, without decoding (RFC 8878 3.1): from the
// seekable format's seek table when the file ends with one (zstd contrib/seekable_format), else by
// walking the frame and block headers. A frame can be read at random when its header records its
// Frame_Content_Size; files whose frames do not (pzstd, zstd reading a pipe) need decoding. Every
// header is hostile: sizes are checked against the file and against what the blocks can hold.
import type { ByteSource } from '../io/byte-source.ts';
import { createCachedSource } from '../io/cached-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import type { DecodedUnits } from './unit-source.ts';
import { maxRandomAccessUnitBytes } from './unit-source.ts';

const frameMagic = 0xfd2fb528; // RFC 8878 3.1.1
const seekTableMagic = 0x8f92eab1; // seekable format: Seekable_Magic_Number
const seekTableFrameMagic = 0x184d2a5e; // seekable format: the seek table's skippable frame
/** RFC 8878 3.1.1.2.3: a block never decodes to more than 128 KiB. */
const maxBlockDecodedBytes = 128 * 1024;
/** Frames listed for random access; a file of more is decoded instead. */
const maxListedFrames = 1024 * 1024;

export interface ZstdFrameTable extends DecodedUnits {
  readonly compressedOffsetBytes: Float64Array;
  readonly compressedSizeBytes: Float64Array;
}

export interface ZstdLayout {
  /** The decoded size when every frame records it (or the seek table says); else null. */
  readonly decodedSizeBytes: number | null;
  /** The frames, when they can be read at random; else null and `refusal` says why. */
  readonly frames: ZstdFrameTable | null;
  readonly refusal: string | null;
}

interface Frame {
  readonly compressedOffsetBytes: number;
  readonly compressedSizeBytes: number;
  /** Null when the frame header does not record it. */
  readonly decodedSizeBytes: number | null;
}

export async function readZstdLayout(file: ByteSource): Promise<ZstdLayout> {
  const frames = (await readSeekTable(file)) ?? (await walkFrames(file));
  if (typeof frames === 'string') return { decodedSizeBytes: null, frames: null, refusal: frames };
  let decodedSizeBytes: number | null = 0;
  for (const frame of frames)
    decodedSizeBytes = decodedSizeBytes === null || frame.decodedSizeBytes === null ? null : decodedSizeBytes + frame.decodedSizeBytes;
  if (decodedSizeBytes !== null && !Number.isSafeInteger(decodedSizeBytes)) throw damaged(file, 'the frames decode to more than 2^53 bytes', 0);
  const refusal = refusalOf(frames);
  return { decodedSizeBytes, frames: refusal === null ? tabulate(frames) : null, refusal };
}

const unsizedFrames = 'its frames do not record their decoded size (Frame_Content_Size), as pzstd and zstd reading a pipe write them';
const frameTooLarge = (decodedBytes: number): string =>
  `its largest frame decodes to ${decodedBytes} bytes, over the ${maxRandomAccessUnitBytes}-byte limit for frames read at random`;

/** Why a file whose first frame has this header needs decoding, from the header alone; null when the frames must be walked to know. */
function refusalOfFirstFrame(header: FrameHeader): string | null {
  if (header.decodedSizeBytes === null) return unsizedFrames;
  return header.decodedSizeBytes > maxRandomAccessUnitBytes ? frameTooLarge(header.decodedSizeBytes) : null;
}

function refusalOf(frames: readonly Frame[]): string | null {
  if (frames.some((frame) => frame.decodedSizeBytes === null)) return unsizedFrames;
  if (frames.length < 2) return 'it is one zstd frame, which only decodes from its start';
  const largest = frames.reduce((max, frame) => Math.max(max, frame.decodedSizeBytes ?? 0), 0);
  if (largest > maxRandomAccessUnitBytes) return frameTooLarge(largest);
  const largestCompressed = frames.reduce((max, frame) => Math.max(max, frame.compressedSizeBytes), 0);
  if (largestCompressed > 2 * maxRandomAccessUnitBytes) return `its largest frame takes ${largestCompressed} compressed bytes`;
  return null;
}

function damaged(file: ByteSource, detail: string, offsetBytes: number): CorruptImageError {
  return new CorruptImageError(`${file.name}: damaged zstd data: ${detail} (file offset ${offsetBytes})`, { file: file.name, offsetBytes });
}

/** The seekable format's seek table, when the file ends with its footer; null when it does not. */
async function readSeekTable(file: ByteSource): Promise<Frame[] | string | null> {
  const footerBytes = 9;
  if (file.sizeBytes < footerBytes + 8) return null;
  const footerOffset = file.sizeBytes - footerBytes;
  const footer = await file.read(footerOffset, footerBytes);
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (view.getUint32(5, true) !== seekTableMagic) return null;
  const frameCount = view.getUint32(0, true);
  const descriptor = footer[4] as number;
  if ((descriptor & 0x7c) !== 0) throw damaged(file, `the seek table descriptor 0x${descriptor.toString(16)} sets reserved bits`, footerOffset + 4);
  const entryBytes = descriptor & 0x80 ? 12 : 8;
  const tableBytes = frameCount * entryBytes + footerBytes;
  const tableFrameOffset = file.sizeBytes - tableBytes - 8;
  if (tableFrameOffset < 0) throw damaged(file, `a seek table of ${frameCount} frames does not fit in the file`, footerOffset);
  if (frameCount > maxListedFrames) return tooManyFrames;
  const table = await file.read(tableFrameOffset, tableBytes + 8);
  const tableView = new DataView(table.buffer, table.byteOffset, table.byteLength);
  if (tableView.getUint32(0, true) !== seekTableFrameMagic || tableView.getUint32(4, true) !== tableBytes) {
    throw damaged(file, `the seek table's skippable frame header does not match its ${frameCount} entries`, tableFrameOffset);
  }
  const frames: Frame[] = [];
  let compressedOffsetBytes = 0;
  for (let entry = 0; entry < frameCount; entry += 1) {
    const compressedSizeBytes = tableView.getUint32(8 + entry * entryBytes, true);
    const decodedSizeBytes = tableView.getUint32(12 + entry * entryBytes, true);
    frames.push({ compressedOffsetBytes, compressedSizeBytes, decodedSizeBytes });
    compressedOffsetBytes += compressedSizeBytes;
  }
  if (compressedOffsetBytes !== tableFrameOffset) {
    throw damaged(file, `the seek table's frames take ${compressedOffsetBytes} bytes, but the table starts at byte ${tableFrameOffset}`, tableFrameOffset);
  }
  for (const frame of frames) await checkFrameStart(file, frame);
  return frames;
}

/**
 * A seek table entry must point at a frame (or a skippable frame, which it counts as decoding to
 * nothing), and a frame header that records its Frame_Content_Size must record the entry's size: the
 * table alone sizes each decode (zstd-frame-source.ts), and a header saying otherwise is damage.
 */
async function checkFrameStart(file: ByteSource, frame: Frame): Promise<void> {
  if (frame.compressedSizeBytes === 0) return;
  const magic = frame.compressedSizeBytes >= 4 ? new DataView((await file.read(frame.compressedOffsetBytes, 4)).buffer).getUint32(0, true) : 0;
  const skippable = (magic & 0xfffffff0) === 0x184d2a50;
  if (magic !== frameMagic && !(skippable && frame.decodedSizeBytes === 0)) {
    throw damaged(file, `the seek table points at byte ${frame.compressedOffsetBytes}, where no zstd frame starts`, frame.compressedOffsetBytes);
  }
  if (skippable) return;
  const header = await readFrameHeader(file, file, frame.compressedOffsetBytes);
  if (header.headerBytes > frame.compressedSizeBytes) {
    throw damaged(file, `the frame header is longer than the seek table's ${frame.compressedSizeBytes}-byte frame`, frame.compressedOffsetBytes);
  }
  if (header.decodedSizeBytes !== null && header.decodedSizeBytes !== frame.decodedSizeBytes) {
    throw damaged(
      file,
      `the frame header records ${header.decodedSizeBytes} decoded bytes, the seek table ${frame.decodedSizeBytes}`,
      frame.compressedOffsetBytes,
    );
  }
}

const tooManyFrames = `it has more than ${maxListedFrames} frames`;

/**
 * Walks every frame and block header from the start: linear in the file (each block takes at least 3
 * bytes). The first frame's header alone can settle that the file needs decoding (no recorded size,
 * or a frame too large to read at random): then no block is walked, since a single-frame file would
 * be read whole just to say so (171 MB for one answer), and the refusal is returned instead.
 */
async function walkFrames(file: ByteSource): Promise<Frame[] | string> {
  const reader = createCachedSource(file, { blockBytes: 64 * 1024, maxBlocks: 16 });
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < file.sizeBytes) {
    if (frames.length === maxListedFrames) return tooManyFrames;
    if (file.sizeBytes - offset < 8) throw damaged(file, `${file.sizeBytes - offset} bytes after the last frame`, offset);
    const head = await reader.read(offset, 8);
    const view = new DataView(head.buffer, head.byteOffset, 8);
    const magic = view.getUint32(0, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // RFC 8878 3.1.2: a skippable frame: magic, Frame_Size, then data to ignore.
      const end = offset + 8 + view.getUint32(4, true);
      if (end > file.sizeBytes) throw damaged(file, `a skippable frame of ${end - offset - 8} bytes runs past the end`, offset);
      offset = end;
      continue;
    }
    if (magic !== frameMagic) throw damaged(file, `no zstd frame magic (found 0x${magic.toString(16)})`, offset);
    if (frames.length === 0) {
      const refusal = refusalOfFirstFrame(await readFrameHeader(file, reader, offset));
      if (refusal !== null) return refusal;
    }
    const frame = await walkFrame(file, reader, offset);
    frames.push(frame);
    offset += frame.compressedSizeBytes;
  }
  if (frames.length === 0) throw damaged(file, 'no zstd frame', 0);
  return frames;
}

interface FrameHeader {
  readonly headerBytes: number;
  /** Frame_Content_Size; null when the header does not record it. */
  readonly decodedSizeBytes: number | null;
  readonly hasChecksum: boolean;
}

/** A frame header (RFC 8878 3.1.1.1), checked against the file: its length, reserved bit and Frame_Content_Size. */
async function readFrameHeader(file: ByteSource, reader: ByteSource, frameOffset: number): Promise<FrameHeader> {
  const headerEnd = Math.min(file.sizeBytes, frameOffset + 18);
  const header = await reader.read(frameOffset, headerEnd - frameOffset);
  const descriptor = header[4] as number;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const hasChecksum = (descriptor >> 2) & 1;
  if (descriptor & 0x08) throw damaged(file, 'the frame header sets its reserved bit', frameOffset + 4);
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag] as number;
  const contentSizeOffset = 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes;
  const headerBytes = contentSizeOffset + contentSizeBytes;
  if (frameOffset + headerBytes > file.sizeBytes) throw damaged(file, 'the file ends inside a frame header', frameOffset);
  const claimedBytes = contentSizeBytes === 0 ? null : readContentSize(header, contentSizeOffset, contentSizeBytes);
  if (claimedBytes !== null && claimedBytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw damaged(file, `the frame header claims ${claimedBytes} decoded bytes, beyond 2^53`, frameOffset);
  }
  const decodedSizeBytes = claimedBytes === null ? null : Number(claimedBytes);
  return { headerBytes, decodedSizeBytes, hasChecksum: hasChecksum === 1 };
}

/** One frame: its header, its blocks (RFC 8878 3.1.1.2) and its optional checksum. */
async function walkFrame(file: ByteSource, reader: ByteSource, frameOffset: number): Promise<Frame> {
  const { headerBytes, decodedSizeBytes, hasChecksum } = await readFrameHeader(file, reader, frameOffset);
  let offset = frameOffset + headerBytes;
  let blockCount = 0;
  for (let last = false; !last; blockCount += 1) {
    if (offset + 3 > file.sizeBytes) throw damaged(file, 'the file ends inside a block header', offset);
    const blockHeader = await reader.read(offset, 3);
    const value = (blockHeader[0] as number) | ((blockHeader[1] as number) << 8) | ((blockHeader[2] as number) << 16);
    last = (value & 1) === 1;
    const type = (value >> 1) & 3;
    const sizeBytes = value >>> 3;
    if (type === 3) throw damaged(file, 'a block of the reserved type 3', offset);
    if (sizeBytes > maxBlockDecodedBytes) throw damaged(file, `a block of ${sizeBytes} bytes, over the 128 KiB maximum`, offset);
    offset += 3 + (type === 1 ? 1 : sizeBytes); // an RLE block stores one byte, repeated Block_Size times
    if (offset > file.sizeBytes) throw damaged(file, 'a block runs past the end of the file', offset);
  }
  if (decodedSizeBytes !== null && decodedSizeBytes > blockCount * maxBlockDecodedBytes) {
    throw damaged(file, `the frame header claims ${decodedSizeBytes} decoded bytes, more than its ${blockCount} blocks can hold`, frameOffset);
  }
  offset += hasChecksum ? 4 : 0;
  if (offset > file.sizeBytes) throw damaged(file, "the file ends inside a frame's checksum", offset);
  return { compressedOffsetBytes: frameOffset, compressedSizeBytes: offset - frameOffset, decodedSizeBytes };
}

/** Frame_Content_Size, little-endian (exact: up to 2^64); the 2-byte form is offset by 256 (RFC 8878 3.1.1.1.4). */
function readContentSize(header: Uint8Array, offset: number, sizeBytes: number): bigint {
  let value = 0n;
  for (let index = sizeBytes - 1; index >= 0; index -= 1) value = value * 256n + BigInt(header[offset + index] as number);
  return sizeBytes === 2 ? value + 256n : value;
}

function tabulate(frames: readonly Frame[]): ZstdFrameTable {
  const column = () => new Float64Array(frames.length);
  const table = {
    count: frames.length,
    compressedOffsetBytes: column(),
    compressedSizeBytes: column(),
    decodedOffsetBytes: column(),
    decodedSizeBytes: column(),
  };
  let decodedOffset = 0;
  frames.forEach((frame, index) => {
    table.compressedOffsetBytes[index] = frame.compressedOffsetBytes;
    table.compressedSizeBytes[index] = frame.compressedSizeBytes;
    table.decodedOffsetBytes[index] = decodedOffset;
    table.decodedSizeBytes[index] = frame.decodedSizeBytes ?? 0;
    decodedOffset += frame.decodedSizeBytes ?? 0;
  });
  return table;
}
