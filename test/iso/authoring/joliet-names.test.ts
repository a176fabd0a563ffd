// Joliet identifiers of authored trees (Joliet specification 1995): UCS-2 limits, forbidden and astral
// characters, case-sensitive uniqueness, the encoding and the order the writer sorts records by.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUcs2Be } from '../../../src-main/format/fields.ts';
import { namesForDirectory } from '../../../src-main/iso/directory-names.ts';
import { compareJolietIdentifiers, encodeUcs2, jolietNamesForDirectory } from '../../../src-main/iso/joliet-names.ts';

const file = (name: string, kept?: string) => ({ name, isDirectory: false, ...(kept === undefined ? {} : { kept }) });
const folder = (name: string, kept?: string) => ({ name, isDirectory: true, ...(kept === undefined ? {} : { kept }) });
const short = { long: false };

/** Joliet's forbidden characters, and surrogates (UCS-2 has none). */
function isForbiddenInJoliet(unit: number): boolean {
  return unit < 0x20 || '*/:?\\'.includes(String.fromCharCode(unit)) || (unit >= 0xd800 && unit <= 0xdfff);
}
const long = { long: true };

describe('jolietNamesForDirectory', () => {
  it('keeps names as they are, files without a version (";1") as xorriso and genisoimage record them', () => {
    expect(jolietNamesForDirectory([file('Read Me.txt'), folder('Program Files'), file('ünïcödé — 日本語.txt')], short)).toEqual([
      'Read Me.txt',
      'Program Files',
      'ünïcödé — 日本語.txt',
    ]);
  });

  it('replaces the characters Joliet forbids and control characters with "_"', () => {
    expect(jolietNamesForDirectory([file('we*ird:na?me;x\\y.txt'), file('tab\there\u0001.txt')], short)).toEqual(['we_ird_na_me_x_y.txt', 'tab_here_.txt']);
  });

  it('replaces a character beyond U+FFFF (UCS-2 has no surrogates) with one "_"', () => {
    const [name] = jolietNamesForDirectory([file('emoji😀.txt')], short);
    expect(name).toBe('emoji_.txt');
    expect(/[\ud800-\udfff]/.test(name as string)).toBe(false);
  });

  it('gives files and directories the whole 64 UCS-2 units, or 103 with long names, keeping a short extension', () => {
    const [cut, directory] = jolietNamesForDirectory([file(`${'a'.repeat(100)}.pdf`), folder('d'.repeat(100))], short);
    // xorriso -J records this file as 60 'a' and '.pdf' too.
    expect(cut).toBe(`${'a'.repeat(60)}.pdf`);
    expect(directory).toBe('d'.repeat(64));
    const [longCut, longDirectory] = jolietNamesForDirectory([file(`${'a'.repeat(120)}.pdf`), folder('d'.repeat(120))], long);
    expect(longCut).toHaveLength(103);
    expect(longCut).toBe(`${'a'.repeat(99)}.pdf`);
    expect(longDirectory).toBe('d'.repeat(103));
  });

  it('numbers names that become equal with ~N before the extension, and compares case-sensitively as Joliet does', () => {
    expect(jolietNamesForDirectory([file('a?b.txt'), file('a*b.txt'), file('A*B.txt')], short)).toEqual(['a_b~1.txt', 'a_b.txt', 'A_B.txt']);
    const twins = jolietNamesForDirectory([file(`${'x'.repeat(70)}.iso`), file(`${'x'.repeat(71)}.iso`)], short);
    expect(twins).toEqual([`${'x'.repeat(60)}.iso`, `${'x'.repeat(58)}~1.iso`]);
  });

  it('keeps a remastered Joliet name when it is valid and free, and replaces it otherwise', () => {
    expect(jolietNamesForDirectory([file('new name.txt', 'Old Name.txt'), file('b', 'bad:name'), file('x', 'Old Name.txt')], short)).toEqual([
      'Old Name.txt',
      'b',
      'x',
    ]);
  });

  it('keeps a remastered Joliet name that carried a version without it, and its whole 64 units', () => {
    const kept64 = 'k'.repeat(64);
    expect(jolietNamesForDirectory([file('a', 'Old Name.txt;1'), file('b', `${kept64};1`), folder('c', kept64.replace(/k$/, 'c'))], short)).toEqual([
      'Old Name.txt',
      kept64,
      kept64.replace(/k$/, 'c'),
    ]);
  });

  const childrenArbitrary = fc.uniqueArray(
    fc.record({
      name: fc.string({
        minLength: 1,
        maxLength: 130,
        unit: fc.oneof(fc.constantFrom('a', 'A', '.', ':', '*', '\t', '😀', 'é'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
      }),
      isDirectory: fc.boolean(),
    }),
    { selector: (child) => child.name, maxLength: 40 },
  );

  it('gives every child a UCS-2 identifier within the limit, unique, whatever the order of the children', () => {
    fc.assert(
      fc.property(childrenArbitrary, fc.boolean(), (children, isLong) => {
        const options = { long: isLong };
        const names = jolietNamesForDirectory(children, options);
        expect(new Set(names).size).toBe(children.length);
        for (const name of names) {
          expect(name.length).toBeLessThanOrEqual(isLong ? 103 : 64);
          expect([...name].filter((character) => isForbiddenInJoliet(character.charCodeAt(0)))).toEqual([]);
        }
        const reversed = jolietNamesForDirectory([...children].reverse(), options);
        expect(reversed).toEqual([...names].reverse());
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeUcs2 and compareJolietIdentifiers', () => {
  it('encodes big-endian UCS-2 that the reader decodes back', () => {
    const text = 'Ab 日本 é;1';
    const bytes = encodeUcs2(text);
    expect(bytes.byteLength).toBe(text.length * 2);
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x41, 0x00, 0x62]);
    expect(readUcs2Be(bytes, 0, bytes.byteLength, { offsetBytes: 0 }, 'name')).toBe(text);
  });

  it('sorts by name, extension and version (ECMA-119 9.3) and breaks ties so the order is total', () => {
    const sorted = ['b;1', 'a.txt;1', 'a b.txt;1', 'a.b;1', 'a;1', 'a ;1', 'Z;1', '日本;1'].sort(compareJolietIdentifiers);
    expect(sorted).toEqual(['Z;1', 'a ;1', 'a;1', 'a.b;1', 'a.txt;1', 'a b.txt;1', 'b;1', '日本;1']);
    expect(compareJolietIdentifiers('a ;1', 'a;1')).toBeLessThan(0);
    expect(compareJolietIdentifiers('a;1', 'a ;1')).toBeGreaterThan(0);
  });

  it('sorts any set of names the same way whatever order they come in (a total order)', () => {
    const name = fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'B', ' ', '.', ';', '1', 'é') });
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 30 }), (names) => {
        const sorted = [...names].sort(compareJolietIdentifiers);
        expect([...names].reverse().sort(compareJolietIdentifiers)).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });
});

describe('namesForDirectory', () => {
  it('refuses with bad-source-name, naming the child, when no numbered variant is left', () => {
    const rules = {
      namespace: 'Test',
      validKept: () => null,
      translate: () => ({ identifier: 'SAME', withCounter: (counter: number) => (counter <= 2 ? `SAME${counter}` : null) }),
    };
    const children = ['one', 'two', 'three', 'four'].map((name) => ({ name, isDirectory: false }));
    expect(() => namesForDirectory(children, rules)).toThrow(expect.objectContaining({ code: 'bad-source-name', message: expect.stringContaining('"two"') }));
  });
});
