// Reads the decoded size of an .xz file from its stream footers and indexes (The .xz File Format
// 1.1.0, sections 2.1.2 and 4), without decoding. liblzma's stream decoder does not report a file
// cut short on a block boundary, so the decoded byte count is checked against this total; a file
// whose footer or index does not parse is damaged (a truncated download always is).
import type { FileHandle } from 'node:fs/promises';
import { FlashFailure } from '../flash-error.ts';

const footerBytes = 12;
const footerMagic = [0x59, 0x5a]; // "YZ", xz 2.1.2.4
/** Concatenated streams in one file: real files have one; more than this is refused, not walked. */
const maxStreams = 1024;
/** An index holds ~3-20 bytes per block; 64 MiB covers millions of blocks. */
const maxIndexBytes = 64 * 1024 * 1024;

export async function readXzDecodedSize(handle: FileHandle, fileSizeBytes: number, path: string): Promise<number> {
  const damaged = (detail: string, offset: number): FlashFailure =>
    new FlashFailure('corrupt-archive', `${path}: not a complete .xz file: ${detail} (file offset ${offset})`, null);
  let end = fileSizeBytes;
  let total = 0;
  for (let stream = 0; stream < maxStreams; stream += 1) {
    // xz 2.2: stream padding is zero bytes, a multiple of four, after a stream.
    while (end >= 4) {
      const pad = await readExactly(handle, end - 4, 4);
      if (pad.some((byte) => byte !== 0)) break;
      end -= 4;
    }
    if (end < footerBytes * 2) throw damaged('too short for a stream header and footer', end);
    const footer = await readExactly(handle, end - footerBytes, footerBytes);
    if (footer[10] !== footerMagic[0] || footer[11] !== footerMagic[1]) throw damaged('no stream footer magic "YZ" at the end', end - 2);
    // xz 2.1.2.2: Backward Size stores (real size / 4) - 1.
    const indexSize = (new DataView(footer.buffer, footer.byteOffset).getUint32(4, true) + 1) * 4;
    const indexStart = end - footerBytes - indexSize;
    if (indexSize > maxIndexBytes || indexStart < footerBytes) throw damaged(`index of ${indexSize} bytes does not fit`, end - footerBytes);
    const index = await readExactly(handle, indexStart, indexSize);
    // xz 4.1: Index Indicator is 0x00.
    if (index[0] !== 0) throw damaged('index does not start with the index indicator', indexStart);
    const reader = { bytes: index, offset: 1 };
    const records = readVarint(reader, () => damaged('bad number of records', indexStart));
    if (records > indexSize) throw damaged(`index claims ${records} records in ${indexSize} bytes`, indexStart);
    let blocksBytes = 0;
    for (let record = 0; record < records; record += 1) {
      const unpadded = readVarint(reader, () => damaged(`bad unpadded size of record ${record}`, indexStart));
      const uncompressed = readVarint(reader, () => damaged(`bad uncompressed size of record ${record}`, indexStart));
      blocksBytes += Math.ceil(unpadded / 4) * 4; // xz 3.3: block padding to a multiple of four
      total += uncompressed;
    }
    if (!Number.isSafeInteger(total)) throw damaged('decoded size beyond 2^53 bytes', indexStart);
    const streamStart = indexStart - blocksBytes - footerBytes;
    if (streamStart < 0) throw damaged('blocks larger than the file', indexStart);
    end = streamStart;
    if (end === 0) return total;
  }
  throw damaged(`more than ${maxStreams} concatenated streams`, end);
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

async function readExactly(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, offset);
  if (bytesRead !== length) throw new FlashFailure('source-unreadable', `short read of ${length} bytes at ${offset}`, null);
  return bytes;
}
