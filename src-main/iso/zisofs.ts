// zisofs (the "pz" algorithm of the Rock Ridge ZF entry, written by mkzftree and xorriso): a file is
// a 16-byte header, a table of block pointers, then zlib streams, one per block. Decompressed here
// block by block with node:zlib, each inflate bounded to one block so no block can explode.
import { inflateSync } from 'node:zlib';
import type { Place } from './fields.ts';
import { corruptAt, readUint32Le, requireBytes } from './fields.ts';

/** The zisofs file magic: 37 E4 53 96 C9 DB D6 07. */
const magic = [0x37, 0xe4, 0x53, 0x96, 0xc9, 0xdb, 0xd6, 0x07];
export const zisofsHeaderBytes = 16;

/** zisofs file header (its first 16 bytes): magic, uncompressed size, table offset, block size. */
export function parseZisofsHeader(header: Uint8Array, storedSizeBytes: number, place: Place): { uncompressedSizeBytes: number; blockBytes: number; tableStart: number; blockCount: number } {
  requireBytes(header, 0, zisofsHeaderBytes, place, 'zisofs header');
  for (let index = 0; index < magic.length; index += 1) {
    if (header[index] !== magic[index]) throw corruptAt(place, index, 'zisofs file lacks the zisofs magic number');
  }
  const uncompressedSizeBytes = readUint32Le(header, 8, place, 'zisofs uncompressed size');
  const tableStart = (header[12] as number) * 4;
  const blockSizeLog2 = header[13] as number;
  // zisofs: block sizes 32 KiB, 64 KiB or 128 KiB (log2 15-17).
  if (blockSizeLog2 < 15 || blockSizeLog2 > 17) throw corruptAt(place, 13, `zisofs block size 2^${blockSizeLog2} is not 2^15-2^17`);
  if (tableStart < zisofsHeaderBytes) throw corruptAt(place, 12, `zisofs header size ${tableStart} is below ${zisofsHeaderBytes}`);
  const blockBytes = 2 ** blockSizeLog2;
  const blockCount = Math.ceil(uncompressedSizeBytes / blockBytes);
  if (tableStart + (blockCount + 1) * 4 > storedSizeBytes) {
    throw corruptAt(place, 8, `zisofs pointer table for ${blockCount} blocks overruns the ${storedSizeBytes}-byte file`);
  }
  return { uncompressedSizeBytes, blockBytes, tableStart, blockCount };
}

/** Parses the pointer table: pointers ascend and stay inside the stored file. */
export function parseZisofsPointers(table: Uint8Array, blockCount: number, tableStart: number, storedSizeBytes: number, place: Place): number[] {
  const pointers: number[] = [];
  for (let index = 0; index <= blockCount; index += 1) {
    const pointer = readUint32Le(table, index * 4, place, 'zisofs block pointer');
    const previous = pointers[index - 1];
    if (pointer > storedSizeBytes || (previous !== undefined && pointer < previous) || (index === 0 && pointer < tableStart)) {
      throw corruptAt(place, index * 4, `zisofs block pointer ${index} (${pointer}) is out of order or outside the ${storedSizeBytes}-byte file`);
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
