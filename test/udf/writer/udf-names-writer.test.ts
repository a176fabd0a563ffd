// UDF identifiers for a new image (OSTA UDF 2.1.1, 4.2.2.1) and the CS0 d-characters and d-strings
// under them, checked against our reader's decoding (udf-fields.ts).
import { describe, expect, it } from 'vitest';
import { readDCharacters, readDString } from '../../../src-main/udf/udf-fields.ts';
import { encodeDCharacters, fitDCharacters, writeDString } from '../../../src-main/udf/udf-fields-writer.ts';
import { fitUdfName, udfNamesForDirectory } from '../../../src-main/udf/udf-names-writer.ts';

const place = { offsetBytes: 0, sectorBytes: 2048 };
const decode = (bytes: Uint8Array): string => readDCharacters(bytes, 0, bytes.byteLength, place, 'name');

describe('UDF names and CS0 strings', () => {
  it('records Latin-1 names in the 8-bit form and others in the 16-bit form, astral characters as surrogate pairs', () => {
    expect([...encodeDCharacters('Ünï')]).toEqual([8, 0xdc, 0x6e, 0xef]);
    expect([...encodeDCharacters('a☃')]).toEqual([16, 0, 0x61, 0x26, 0x03]);
    expect([...encodeDCharacters('😀')]).toEqual([16, 0xd8, 0x3d, 0xde, 0x00]);
    for (const name of ['plain.txt', 'Ünïcödé', 'snow ☃', 'smile 😀', '']) expect(decode(encodeDCharacters(name))).toBe(name);
  });

  it('cuts to whole characters, never half a surrogate pair, and only as much as the bytes require', () => {
    expect(fitDCharacters('abcdef', 4)).toBe('abc');
    expect(fitDCharacters('ab😀', 6)).toBe('ab');
    expect(fitDCharacters('ab😀', 9)).toBe('ab😀');
    // Latin-1 only until the wide character: all of 'abc' fits 8-bit, 'abc☃' needs 1 + 4 * 2 bytes.
    expect(fitDCharacters('abc☃', 8)).toBe('abc');
    expect(fitDCharacters('abc', 10, '#12')).toBe('abc');
    expect(fitDCharacters('abcdef', 7, '#12')).toBe('abc');
  });

  it('writes a d-string with its used length in the last byte, cut to the field, and reads back', () => {
    const field = new Uint8Array(32);
    writeDString(field, 0, 32, 'ISOTOPE');
    expect(field[31]).toBe(8);
    expect(readDString(field, 0, 32, place, 'id')).toBe('ISOTOPE');
    writeDString(field, 0, 32, 'x'.repeat(40));
    expect(readDString(field, 0, 32, place, 'id')).toBe('x'.repeat(30));
    writeDString(field, 0, 32, '☃'.repeat(40));
    expect(readDString(field, 0, 32, place, 'id')).toBe('☃'.repeat(15));
    writeDString(field, 0, 32, '');
    expect([...field]).toEqual(new Array(32).fill(0));
  });

  it('keeps every name that fits 255 bytes as it is, in the order given', () => {
    const names = ['b.txt', 'A.TXT', 'a.txt', 'x'.repeat(254), '☃'.repeat(127)];
    expect(udfNamesForDirectory(names)).toEqual(names);
  });

  it('cuts a longer name to its start, # and the CRC of the whole name, then its extension, within 255 bytes', () => {
    const [latin, wide, noExtension] = udfNamesForDirectory(['x'.repeat(300) + '.iso', '☃'.repeat(200) + '.txt', 'y'.repeat(256)]);
    expect(latin).toMatch(/^x+#[0-9A-F]{4}\.iso$/);
    expect(encodeDCharacters(latin!).byteLength).toBe(255);
    expect(wide).toMatch(/^☃+#[0-9A-F]{4}\.txt$/);
    expect(encodeDCharacters(wide!).byteLength).toBeLessThanOrEqual(255);
    expect(encodeDCharacters(wide!).byteLength).toBeGreaterThan(252);
    expect(noExtension).toMatch(/^y+#[0-9A-F]{4}$/);
    expect(fitUdfName('x'.repeat(300) + '.iso')).toBe(latin);
  });

  it('numbers a cut name that meets another name of the directory until it is unique', () => {
    const long = 'z'.repeat(300);
    const cut = fitUdfName(long);
    const names = udfNamesForDirectory([cut, long]);
    expect(names[0]).toBe(cut);
    expect(names[1]).toMatch(/^z+#[0-9A-F]{4}-1$/);
    expect(new Set(udfNamesForDirectory([long + 'a', long + 'b', long + 'c'])).size).toBe(3);
  });

  it('numbers 5,000 long names that cut to one start and CRC in linear time, all distinct', () => {
    // One name given 5,000 times cuts to one candidate each time, as names crafted to share their start
    // and CRC-16 would: numbering each from 1 again would cost 12.5 million cuts (minutes).
    const names = Array.from({ length: 5_000 }, () => 'q'.repeat(300));
    const started = performance.now();
    const recorded = udfNamesForDirectory(names);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(new Set(recorded).size).toBe(names.length);
    expect(recorded[4_999]).toMatch(/^q+#[0-9A-F]{4}-4999$/);
  });
});
