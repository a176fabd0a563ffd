// The ECMA-119 9.4 path table writer: type L and M hold the same records in opposite byte orders.
import { describe, expect, test } from 'vitest';
import { buildPathTable, pathTableSizeBytes } from '../../../src-main/iso/path-table-writer.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const directories = [
  { identifier: Uint8Array.of(0), extentLba: 20, parentNumber: 1 },
  { identifier: ascii('BOOT'), extentLba: 21, parentNumber: 1 },
  { identifier: ascii('EFI'), extentLba: 22, parentNumber: 1 },
  { identifier: ascii('GRUB'), extentLba: 23, parentNumber: 2 },
];

/** Reads a table back record by record (9.4.1-9.4.5). */
function readTable(table: Uint8Array, littleEndian: boolean): { identifier: string; extentLba: number; parentNumber: number }[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const records = [];
  for (let at = 0; at < table.byteLength;) {
    const length = table[at]!;
    records.push({
      identifier: new TextDecoder().decode(table.subarray(at + 8, at + 8 + length)),
      extentLba: view.getUint32(at + 2, littleEndian),
      parentNumber: view.getUint16(at + 6, littleEndian),
    });
    at += 8 + length + (length % 2);
  }
  return records;
}

describe('buildPathTable', () => {
  test('writes each directory once, identifiers padded to even lengths, numbers in the table type byte order', () => {
    expect(pathTableSizeBytes(directories)).toBe(10 + 12 + 12 + 12);
    const expected = directories.map((directory) => ({
      identifier: new TextDecoder().decode(directory.identifier),
      extentLba: directory.extentLba,
      parentNumber: directory.parentNumber,
    }));
    expect(readTable(buildPathTable(directories, 'little'), true)).toEqual(expected);
    expect(readTable(buildPathTable(directories, 'big'), false)).toEqual(expected);
  });
});
