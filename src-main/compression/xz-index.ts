// The blocks of an .xz file from its stream footers and indexes (The .xz File Format 1.2.0, sections
// 2.1.2 and 4), without decoding: where each block's compressed bytes lie and which decoded bytes it
// holds. The decoded size checks a whole decode (liblzma does not report a file cut short on a block
// boundary); the block list gives random access. Every number is hostile: a footer, index or record
// that does not add up is a CorruptImageError naming the structure and its file offset.
import { crc32 } from 'node:zlib';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';

/** Stream header and footer: 12 bytes each (xz 2.1.1, 2.1.2). */
export const xzStreamHeaderBytes = 12;
const footerMagic = [0x59, 0x5a]; // "YZ", xz 2.1.2.4
/** Concatenated streams in one file: real files have one; more than this is refused, not walked. */
const maxStreams = 1024;
/** An index holds ~3-20 bytes per block; 64 MiB covers millions of blocks. */
const maxIndexBytes = 64 * 1024 * 1024;
/** Blocks listed for random access (1 TiB in 1 MiB blocks, 32 MiB of tables); beyond, only the total is kept. */
export const maxListedXzBlocks = 1024 * 1024;

/** The blocks in file order, as parallel columns (compact: a million blocks take 40 MiB, not objects). */
export interface XzBlockTable {
  readonly count: number;
  /** File offset of the stream header of the stream holding the block (liblzma decodes a block after it). */
  readonly streamOffsetBytes: Float64Array;
  /** File offset of the block header. */
  readonly compressedOffsetBytes: Float64Array;
  /** Block header + compressed data + padding + check: the bytes to give liblzma. */
  readonly compressedSizeBytes: Float64Array;
  readonly decodedOffsetBytes: Float64Array;
  readonly decodedSizeBytes: Float64Array;
}

export interface XzIndex {
  readonly decodedSizeBytes: number;
  readonly streamCount: number;
  readonly blockCount: number;
  /** Null when there are more than maxListedXzBlocks blocks. */
  readonly blocks: XzBlockTable | null;
}

interface StreamExtent {
  readonly streamOffsetBytes: number;
  readonly indexOffsetBytes: number;
  readonly indexSizeBytes: number;
  readonly blockCount: number;
  readonly decodedSizeBytes: number;
}

/** Visits one index record: its block's padded compressed size and decoded size. */
type RecordVisitor = (paddedSizeBytes: number, decodedSizeBytes: number) => void;

export async function readXzIndex(file: ByteSource): Promise<XzIndex> {
  const streams: StreamExtent[] = [];
  let end = file.sizeBytes;
  let blockCount = 0;
  let decodedSizeBytes = 0;
  while (end > 0) {
    if (streams.length === maxStreams) throw damaged(file, `more than ${maxStreams} concatenated streams`, end);
    end = await skipStreamPadding(file, end);
    const stream = await readStream(file, end);
    streams.unshift(stream);
    blockCount += stream.blockCount;
    decodedSizeBytes += stream.decodedSizeBytes;
    if (!Number.isSafeInteger(decodedSizeBytes)) throw damaged(file, 'a decoded size beyond 2^53 bytes', stream.indexOffsetBytes);
    end = stream.streamOffsetBytes;
  }
  if (streams.length === 0) throw damaged(file, 'no stream', 0);
  const blocks = blockCount > maxListedXzBlocks ? null : await tabulate(file, streams, blockCount);
  return { decodedSizeBytes, streamCount: streams.length, blockCount, blocks };
}

function damaged(file: ByteSource, detail: string, offsetBytes: number): CorruptImageError {
  return new CorruptImageError(`${file.name}: not a complete .xz file: ${detail} (file offset ${offsetBytes})`, { file: file.name, offsetBytes });
}

/** xz 2.2: stream padding is zero bytes, a multiple of four, after a stream. Read backwards in 64 KiB steps (linear in the padding). */
async function skipStreamPadding(file: ByteSource, endBytes: number): Promise<number> {
  let end = endBytes;
  while (end >= 4) {
    const stepBytes = Math.min(64 * 1024, end - (end % 4));
    const bytes = await file.read(end - stepBytes, stepBytes);
    let zeros = 0;
    while (zeros + 4 <= stepBytes && bytes.subarray(stepBytes - zeros - 4, stepBytes - zeros).every((byte) => byte === 0)) zeros += 4;
    end -= zeros;
    if (zeros < stepBytes) return end;
  }
  return end;
}

/** One stream ending at `endBytes`: its footer, index and where it starts. */
async function readStream(file: ByteSource, endBytes: number): Promise<StreamExtent> {
  if (endBytes < xzStreamHeaderBytes * 2) throw damaged(file, 'too short for a stream header and footer', endBytes);
  const footerOffset = endBytes - xzStreamHeaderBytes;
  const footer = await file.read(footerOffset, xzStreamHeaderBytes);
  if (footer[10] !== footerMagic[0] || footer[11] !== footerMagic[1]) throw damaged(file, 'no stream footer magic "YZ" at the end', endBytes - 2);
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (crc32(footer.subarray(4, 10)) !== view.getUint32(0, true)) throw damaged(file, 'the stream footer CRC32 does not match', footerOffset);
  // xz 2.1.2.2: Backward Size stores (real size / 4) - 1.
  const indexSizeBytes = (view.getUint32(4, true) + 1) * 4;
  const indexOffsetBytes = footerOffset - indexSizeBytes;
  if (indexSizeBytes > maxIndexBytes || indexOffsetBytes < xzStreamHeaderBytes)
    throw damaged(file, `an index of ${indexSizeBytes} bytes does not fit before the footer`, footerOffset);
  let blocksBytes = 0;
  let decodedSizeBytes = 0;
  const blockCount = await visitIndex(file, indexOffsetBytes, indexSizeBytes, (paddedBytes, decodedBytes) => {
    blocksBytes += paddedBytes;
    decodedSizeBytes += decodedBytes;
  });
  if (!Number.isSafeInteger(decodedSizeBytes) || !Number.isSafeInteger(blocksBytes)) throw damaged(file, 'sizes beyond 2^53 bytes', indexOffsetBytes);
  const streamOffsetBytes = indexOffsetBytes - blocksBytes - xzStreamHeaderBytes;
  if (streamOffsetBytes < 0)
    throw damaged(file, `the index lists ${blocksBytes} bytes of blocks, more than the ${indexOffsetBytes} bytes before it`, indexOffsetBytes);
  const header = await file.read(streamOffsetBytes, xzStreamHeaderBytes);
  // xz 2.1.1: the header's magic, and the same stream flags as the footer: otherwise the index's sizes do not add up.
  const magic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (!magic.every((byte, at) => header[at] === byte) || header[6] !== footer[8] || header[7] !== footer[9]) {
    throw damaged(file, `the index's block sizes lead to byte ${streamOffsetBytes}, where no matching stream header lies`, indexOffsetBytes);
  }
  return { streamOffsetBytes, indexOffsetBytes, indexSizeBytes, blockCount, decodedSizeBytes };
}

/** xz 4: Index Indicator 0x00, Number of Records, the records, padding, CRC32. Answers the record count. */
async function visitIndex(file: ByteSource, indexOffset: number, indexBytes: number, visit: RecordVisitor): Promise<number> {
  const index = await file.read(indexOffset, indexBytes);
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  if (crc32(index.subarray(0, index.length - 4)) !== view.getUint32(index.length - 4, true)) throw damaged(file, 'the index CRC32 does not match', indexOffset);
  if (index[0] !== 0) throw damaged(file, 'the index does not start with the index indicator 0x00', indexOffset);
  const reader = { bytes: index, offset: 1 };
  const fail = (what: string) => () => damaged(file, what, indexOffset + reader.offset);
  const count = readVarint(reader, fail('bad number of records'));
  // Each record takes at least two bytes: a count beyond that is a lie, refused before any loop.
  if (count > (index.length - reader.offset) / 2) throw damaged(file, `the index claims ${count} records in ${index.length} bytes`, indexOffset);
  for (let record = 0; record < count; record += 1) {
    const unpaddedBytes = readVarint(reader, fail(`bad unpadded size of record ${record}`));
    const decodedBytes = readVarint(reader, fail(`bad uncompressed size of record ${record}`));
    // xz 4.3.1: Unpadded Size is at least 5 (block header + check); blocks are padded to four bytes (xz 3.3).
    if (unpaddedBytes < 5) throw damaged(file, `record ${record} has an unpadded size of ${unpaddedBytes} bytes`, indexOffset + reader.offset);
    visit(Math.ceil(unpaddedBytes / 4) * 4, decodedBytes);
  }
  // xz 4.4: zero padding to a multiple of four, then the 4-byte CRC32.
  if (Math.ceil(reader.offset / 4) * 4 + 4 !== index.length)
    throw damaged(file, `the index records end at byte ${reader.offset} of ${index.length}`, indexOffset);
  return count;
}

/** Second pass over the (already checked) indexes: the block table, in file order. */
async function tabulate(file: ByteSource, streams: readonly StreamExtent[], blockCount: number): Promise<XzBlockTable> {
  const column = () => new Float64Array(blockCount);
  const table = {
    count: blockCount,
    streamOffsetBytes: column(),
    compressedOffsetBytes: column(),
    compressedSizeBytes: column(),
    decodedOffsetBytes: column(),
    decodedSizeBytes: column(),
  };
  let block = 0;
  let decodedOffset = 0;
  for (const stream of streams) {
    let compressedOffset = stream.streamOffsetBytes + xzStreamHeaderBytes;
    await visitIndex(file, stream.indexOffsetBytes, stream.indexSizeBytes, (paddedBytes, decodedBytes) => {
      table.streamOffsetBytes[block] = stream.streamOffsetBytes;
      table.compressedOffsetBytes[block] = compressedOffset;
      table.compressedSizeBytes[block] = paddedBytes;
      table.decodedOffsetBytes[block] = decodedOffset;
      table.decodedSizeBytes[block] = decodedBytes;
      compressedOffset += paddedBytes;
      decodedOffset += decodedBytes;
      block += 1;
    });
  }
  return table;
}

function readVarint(reader: { bytes: Uint8Array; offset: number }, fail: () => Error): number {
  // xz 1.2: multibyte integers, 7 bits per byte, at most 9 bytes.
  let value = 0;
  for (let index = 0; index < 9; index += 1) {
    const byte = reader.bytes[reader.offset];
    if (byte === undefined) throw fail();
    reader.offset += 1;
    value += (byte & 0x7f) * 2 ** (7 * index);
    if ((byte & 0x80) === 0) return value;
  }
  throw fail();
}
