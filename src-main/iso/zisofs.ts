// zisofs, the transparent compression of the Rock Ridge ZF entry (libisofs doc/zisofs_format.txt and
// doc/zisofs2_format.txt). A compressed file is a header, a table of block pointers (one more than
// there are blocks: the last marks the end), then one compressed stream per fixed-size input block.
// Version 1 (mkzftree, xorriso): 16-byte header, 32-bit pointers, zlib ("pz"). Version 2 (xorriso
// -zisofs version_2=on): 24-byte header, 64-bit pointers, an algorithm id; Isotope decodes zlib
// ("PZ") and refuses the others by name. Decompressed block by block with node:zlib, each inflate
// bounded to one block so no block can explode.
import { inflateSync } from 'node:zlib';
import type { Place } from '../format/fields.ts';
import { corruptAt, readUint32Le, requireBytes } from '../format/fields.ts';
import { CodedError } from '../jobs/errors.ts';

/** zisofs_format.txt: the version 1 file magic. */
const magicV1 = [0x37, 0xe4, 0x53, 0x96, 0xc9, 0xdb, 0xd6, 0x07];
/** zisofs2_format.txt "File Header": the version 2 file magic. */
const magicV2 = [0xef, 0x22, 0x55, 0xa1, 0xbc, 0x1b, 0x95, 0xa0];
const headerBytesV1 = 16;
const headerBytesV2 = 24;
/** Bytes to read to parse either header (a version 1 file may be shorter than this). */
export const zisofsHeaderProbeBytes = headerBytesV2;

/** zisofs2_format.txt "Supported compressors": @alg_id and the ZF entry's @alg_char, by name. */
const algorithmsV2: Readonly<Record<number, { readonly chars: string; readonly name: string }>> = {
  1: { chars: 'PZ', name: 'zlib' },
  2: { chars: 'XZ', name: 'xz' },
  3: { chars: 'L4', name: 'lz4' },
  4: { chars: 'ZD', name: 'zstd' },
  5: { chars: 'B2', name: 'bzip2' },
};

/** A zisofs file compressed with an algorithm Isotope does not decode (xz, lz4, zstd, bzip2, ...). */
export class UnsupportedZisofsAlgorithmError extends CodedError {
  constructor(path: string, algorithm: string) {
    super('unsupported', `${path}: zisofs algorithm '${algorithm}' is not supported (only zlib is)`);
    this.name = 'UnsupportedZisofsAlgorithmError';
  }
}

/** The name of the algorithm a ZF entry announces ("pz" and "PZ" are zlib). */
export function zisofsAlgorithmName(zfAlgorithm: string): string {
  if (zfAlgorithm === 'pz') return 'zlib';
  return Object.values(algorithmsV2).find((algorithm) => algorithm.chars === zfAlgorithm)?.name ?? zfAlgorithm;
}

export interface ZisofsLayout {
  readonly version: 1 | 2;
  readonly uncompressedSizeBytes: number;
  readonly blockBytes: number;
  /** Where the pointer table starts (the header's size). */
  readonly tableStart: number;
  readonly pointerBytes: 4 | 8;
  readonly blockCount: number;
}

/** Parses the file header (version 1 or 2, by its magic); `header` holds up to zisofsHeaderProbeBytes. */
export function parseZisofsHeader(header: Uint8Array, storedSizeBytes: number, place: Place, path: string): ZisofsLayout {
  const layout = hasMagic(header, magicV2) ? parseHeaderV2(header, place, path) : parseHeaderV1(header, place);
  if (layout.tableStart + (layout.blockCount + 1) * layout.pointerBytes > storedSizeBytes) {
    throw corruptAt(place, 8, `zisofs pointer table for ${layout.blockCount} blocks overruns the ${storedSizeBytes}-byte file`);
  }
  return layout;
}

function hasMagic(header: Uint8Array, magic: readonly number[]): boolean {
  return header.byteLength >= magic.length && magic.every((byte, index) => header[index] === byte);
}

// zisofs_format.txt: magic, uncompressed size (7.3.1), header size / 4, log2(block size), 2 reserved.
function parseHeaderV1(header: Uint8Array, place: Place): ZisofsLayout {
  requireBytes(header, 0, headerBytesV1, place, 'zisofs header');
  if (!hasMagic(header, magicV1)) throw corruptAt(place, 0, 'zisofs file lacks the zisofs magic number');
  const uncompressedSizeBytes = readUint32Le(header, 8, place, 'zisofs uncompressed size');
  const tableStart = (header[12] as number) * 4;
  const blockSizeLog2 = header[13] as number;
  // zisofs_format.txt: block sizes 32 KiB, 64 KiB or 128 KiB (log2 15-17).
  if (blockSizeLog2 < 15 || blockSizeLog2 > 17) throw corruptAt(place, 13, `zisofs block size 2^${blockSizeLog2} is not 2^15-2^17`);
  if (tableStart < headerBytesV1) throw corruptAt(place, 12, `zisofs header size ${tableStart} is below ${headerBytesV1}`);
  return layoutOf(1, uncompressedSizeBytes, blockSizeLog2, tableStart, 4);
}

// zisofs2_format.txt "File Header": magic, header version (0), header size / 4, @alg_id,
// log2(block size), uncompressed size (64-bit little-endian), 4 bytes of padding.
function parseHeaderV2(header: Uint8Array, place: Place, path: string): ZisofsLayout {
  requireBytes(header, 0, headerBytesV2, place, 'zisofs2 header');
  const headerVersion = header[8] as number;
  if (headerVersion !== 0) throw corruptAt(place, 8, `zisofs2 header version ${headerVersion} is not 0`);
  const tableStart = (header[9] as number) * 4;
  if (tableStart < headerBytesV2) throw corruptAt(place, 9, `zisofs2 header size ${tableStart} is below ${headerBytesV2}`);
  const algorithmId = header[10] as number;
  if (algorithmId !== 1) throw new UnsupportedZisofsAlgorithmError(path, algorithmsV2[algorithmId]?.name ?? `id ${algorithmId}`);
  // zisofs2_format.txt asks readers for 2^15-2^17; xorriso's block_size_v2 writes up to 1 MiB, which
  // libisofs reads back: accept up to 2^20 (one block is what one inflate may produce).
  const blockSizeLog2 = header[11] as number;
  if (blockSizeLog2 < 15 || blockSizeLog2 > 20) throw corruptAt(place, 11, `zisofs2 block size 2^${blockSizeLog2} is not 2^15-2^20`);
  const size = new DataView(header.buffer, header.byteOffset + 12, 8).getBigUint64(0, true);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw corruptAt(place, 12, `zisofs2 uncompressed size ${size} is beyond any file Isotope can read`);
  return layoutOf(2, Number(size), blockSizeLog2, tableStart, 8);
}

function layoutOf(version: 1 | 2, uncompressedSizeBytes: number, blockSizeLog2: number, tableStart: number, pointerBytes: 4 | 8): ZisofsLayout {
  const blockBytes = 2 ** blockSizeLog2;
  return { version, uncompressedSizeBytes, blockBytes, tableStart, pointerBytes, blockCount: Math.ceil(uncompressedSizeBytes / blockBytes) };
}

/** Parses the pointer table (4- or 8-byte little-endian pointers): they ascend and stay inside the stored file. */
export function parseZisofsPointers(table: Uint8Array, layout: ZisofsLayout, storedSizeBytes: number, place: Place): number[] {
  requireBytes(table, 0, (layout.blockCount + 1) * layout.pointerBytes, place, 'zisofs block pointers');
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const pointers: number[] = [];
  for (let index = 0; index <= layout.blockCount; index += 1) {
    const at = index * layout.pointerBytes;
    // A 64-bit pointer past 2^53 is past the stored file too: the bound below refuses it.
    const pointer = layout.pointerBytes === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
    const previous = pointers[index - 1];
    if (pointer > storedSizeBytes || (previous !== undefined && pointer < previous) || (index === 0 && pointer < layout.tableStart)) {
      throw corruptAt(place, at, `zisofs block pointer ${index} (${pointer}) is out of order or outside the ${storedSizeBytes}-byte file`);
    }
    pointers.push(pointer);
  }
  return pointers;
}

/** Inflates one block; its output must be exactly `expectedBytes` (bounded: never more is produced). */
export function inflateZisofsBlock(compressed: Uint8Array, expectedBytes: number, place: Place): Uint8Array {
  if (compressed.byteLength === 0) return new Uint8Array(expectedBytes); // a hole: all zeros
  let output: Buffer;
  try {
    output = inflateSync(compressed, { maxOutputLength: Math.max(1, expectedBytes) });
  } catch (error) {
    throw corruptAt(place, 0, `zisofs block does not inflate to ${expectedBytes} bytes: ${(error as Error).message}`);
  }
  if (output.byteLength !== expectedBytes) {
    throw corruptAt(place, 0, `zisofs block inflates to ${output.byteLength} bytes, expected ${expectedBytes}`);
  }
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
