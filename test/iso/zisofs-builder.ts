// Builds zisofs file bodies for tests: header, block pointer table, one zlib stream per block.
// Version 1 ("pz", zisofs_format.txt): 16-byte header, 32-bit pointers. Version 2 (zisofs2_format.txt):
// 24-byte header with an algorithm id, 64-bit pointers.
import { deflateSync } from 'node:zlib';
import { concat } from './iso-builder.ts';

export function zisofsBody(
  content: Uint8Array,
  options: { version?: 1 | 2; algorithmId?: number; blockLog2?: number; declaredBytes?: number; blocks?: Uint8Array[] } = {},
): Uint8Array {
  const version = options.version ?? 1;
  const blockLog2 = options.blockLog2 ?? 15;
  const blockBytes = 2 ** blockLog2;
  const blocks = options.blocks ?? [];
  if (!options.blocks) for (let at = 0; at < content.byteLength; at += blockBytes) blocks.push(deflateSync(content.subarray(at, at + blockBytes)));
  const declaredBytes = options.declaredBytes ?? content.byteLength;
  const header = new Uint8Array(version === 1 ? 16 : 24);
  const fields = new DataView(header.buffer);
  if (version === 1) {
    header.set([0x37, 0xe4, 0x53, 0x96, 0xc9, 0xdb, 0xd6, 0x07]);
    fields.setUint32(8, declaredBytes, true);
    header[12] = 4;
    header[13] = blockLog2;
  } else {
    header.set([0xef, 0x22, 0x55, 0xa1, 0xbc, 0x1b, 0x95, 0xa0]);
    header[9] = 6;
    header[10] = options.algorithmId ?? 1;
    header[11] = blockLog2;
    fields.setBigUint64(12, BigInt(declaredBytes), true);
  }
  const pointerBytes = version === 1 ? 4 : 8;
  const table = new Uint8Array((blocks.length + 1) * pointerBytes);
  const pointers = new DataView(table.buffer);
  let pointer = header.byteLength + table.byteLength;
  for (let index = 0; index <= blocks.length; index += 1) {
    if (version === 1) pointers.setUint32(index * 4, pointer, true);
    else pointers.setBigUint64(index * 8, BigInt(pointer), true);
    pointer += blocks[index]?.byteLength ?? 0;
  }
  return concat(header, table, ...blocks);
}
