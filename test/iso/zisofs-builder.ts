// Builds zisofs ("pz") file bodies for tests: header, block pointer table, one zlib stream per block.
import { deflateSync } from 'node:zlib';
import { concat } from './iso-builder.ts';

export function zisofsBody(content: Uint8Array, options: { blockLog2?: number; declaredBytes?: number; blocks?: Uint8Array[] } = {}): Uint8Array {
  const blockLog2 = options.blockLog2 ?? 15;
  const blockBytes = 2 ** blockLog2;
  const blocks = options.blocks ?? [];
  if (!options.blocks) for (let at = 0; at < content.byteLength; at += blockBytes) blocks.push(deflateSync(content.subarray(at, at + blockBytes)));
  const header = new Uint8Array(16);
  header.set([0x37, 0xe4, 0x53, 0x96, 0xc9, 0xdb, 0xd6, 0x07]);
  new DataView(header.buffer).setUint32(8, options.declaredBytes ?? content.byteLength, true);
  header[12] = 4;
  header[13] = blockLog2;
  const table = new Uint8Array((blocks.length + 1) * 4);
  let pointer = 16 + table.byteLength;
  for (let index = 0; index <= blocks.length; index += 1) {
    new DataView(table.buffer).setUint32(index * 4, pointer, true);
    pointer += blocks[index]?.byteLength ?? 0;
  }
  return concat(header, table, ...blocks);
}
