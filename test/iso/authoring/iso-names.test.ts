// ISO 9660 identifiers of authored trees (ECMA-119 7.4-7.6, 9.3): translation, level limits, kept
// names, deterministic collision-free mangling, and the ordering the writer sorts records by.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsoLevel } from '../../../shared/authoring.ts';
import { compareIsoIdentifiers, isoACharacters, isoNamesForDirectory, isoVolumeIdentifier } from '../../../src-main/iso/iso-names.ts';

const file = (name: string, kept?: string) => ({ name, isDirectory: false, ...(kept === undefined ? {} : { kept }) });
const folder = (name: string, kept?: string) => ({ name, isDirectory: true, ...(kept === undefined ? {} : { kept }) });

/** What a valid identifier of each level looks like (ECMA-119 7.5.1, 7.6.3). */
function expectValidIdentifier(identifier: string, isDirectory: boolean, level: IsoLevel): void {
  if (isDirectory) {
    expect(identifier).toMatch(/^[A-Z0-9_]+$/);
    expect(identifier.length).toBeLessThanOrEqual(level === 1 ? 8 : 31);
    return;
  }
  const match = /^([A-Z0-9_]*)\.([A-Z0-9_]*);1$/.exec(identifier);
  expect(match, identifier).not.toBeNull();
  const [, base = '', extension = ''] = match ?? [];
  expect(base.length + extension.length).toBeGreaterThan(0);
  if (level === 1) {
    expect(base.length).toBeLessThanOrEqual(8);
    expect(extension.length).toBeLessThanOrEqual(3);
  } else expect(base.length + extension.length).toBeLessThanOrEqual(30);
}

describe('isoNamesForDirectory: translation', () => {
  it('writes level 1 8.3 names in d-characters as xorriso does, a file without extension as NAME.;1', () => {
    const names = isoNamesForDirectory(
      [file('README'), file('hello world.txt'), file('a.b.c.tar.gz'), file('lower.TXT'), file('x;y.txt'), file('.hidden'), folder('averylongdirectoryname')],
      1,
    );
    expect(names).toEqual(['README.;1', 'HELLO_WO.TXT;1', 'A_B_C_TA.GZ;1', 'LOWER.TXT;1', 'X_Y.TXT;1', '_HIDDEN.;1', 'AVERYLON']);
  });

  it('gives directories no "." (ECMA-119 7.6), where xorriso and genisoimage keep "SUB.DIR"', () => {
    expect(isoNamesForDirectory([folder('sub.dir')], 1)).toEqual(['SUB_DIR']);
    expect(isoNamesForDirectory([folder('sub.dir')], 3)).toEqual(['SUB_DIR']);
  });

  it('drops accents instead of turning each accented letter into "_"', () => {
    expect(isoNamesForDirectory([file('Ünïcödé.txt'), file('😀.txt')], 2)).toEqual(['UNICODE.TXT;1', '_.TXT;1']);
  });

  it('keeps name and extension within 30 characters at levels 2 and 3, directories within 31', () => {
    const long = 'verylongfilename_more_than_thirty_one_characters';
    for (const level of [2, 3] as const) {
      const [shortExtension, longExtension, directory] = isoNamesForDirectory([file(`${long}.ext`), file(`${long}.extension`), folder(`${long}dir`)], level);
      expect(shortExtension).toBe('VERYLONGFILENAME_MORE_THAN_.EXT;1');
      expect(longExtension).toBe('VERYLONGFILENAME_MORE.EXTENSION;1');
      expect(directory).toBe('VERYLONGFILENAME_MORE_THAN_THIR');
      for (const name of [shortExtension, longExtension]) expectValidIdentifier(name as string, false, level);
    }
  });

  it('cuts an extension so the name keeps at least its first 8 characters', () => {
    const [name] = isoNamesForDirectory([file(`report.${'x'.repeat(40)}`)], 2);
    expect(name).toBe(`REPORT.${'X'.repeat(24)};1`);
  });
});

describe('isoNamesForDirectory: uniqueness', () => {
  it('numbers the names that translate alike, the first original name keeping the plain one', () => {
    const children = [file('longfilename2.txt'), file('longfilename1.txt'), file('longfilename1.TXT2')];
    expect(isoNamesForDirectory(children, 1)).toEqual(['LONGFI_2.TXT;1', 'LONGFI_1.TXT;1', 'LONGFILE.TXT;1']);
  });

  it('never gives a numbered name that another child translates to plainly', () => {
    const names = isoNamesForDirectory([file('a.txt'), file('A.txt'), file('a_1.txt')], 1);
    expect(names).toEqual(['A_2.TXT;1', 'A.TXT;1', 'A_1.TXT;1']);
  });

  it('treats a file and a directory of one name as different identifiers', () => {
    expect(isoNamesForDirectory([file('readme'), folder('readme')], 1)).toEqual(['README.;1', 'README']);
  });

  it('names 100,000 alike files uniquely in linear time', () => {
    const children = Array.from({ length: 100_000 }, (_, index) => file(`photo-from-holiday-${String(index).padStart(6, '0')}.jpeg`));
    const startedMs = performance.now();
    const names = isoNamesForDirectory(children, 1);
    expect(performance.now() - startedMs).toBeLessThan(5_000);
    expect(new Set(names).size).toBe(100_000);
    expect(names).toContain('PHOTO_FR.JPE;1');
    expect(names).toContain('PHOTO__1.JPE;1');
    expect(names).toContain('PH_99999.JPE;1');
    expect(names.filter((name) => !/^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/.test(name))).toEqual([]);
  });

  it('cuts a long extension to make room for the counter when the base has none', () => {
    const extension = 'x'.repeat(29);
    const names = isoNamesForDirectory([file(`a.${extension}`), file(`A.${extension}`)], 2);
    expect(names).toEqual([`A_1.${'X'.repeat(27)};1`, `A.${'X'.repeat(29)};1`]);
  });
});

describe('isoNamesForDirectory: kept names', () => {
  it('keeps a remastered image identifier that is valid for the level, adding the version the reader strips', () => {
    expect(isoNamesForDirectory([file('install.amd', 'INSTALL.AMD'), file('readme', 'README'), folder('boot', 'BOOT')], 1)).toEqual([
      'INSTALL.AMD;1',
      'README.;1',
      'BOOT',
    ]);
  });

  it('replaces a kept identifier that breaks the level or is already taken', () => {
    const names = isoNamesForDirectory([file('a.txt', 'lower.txt'), file('b.txt', 'TOOLONGNAME.TXT'), file('c.txt', 'SAME.TXT'), file('d.txt', 'SAME.TXT')], 1);
    expect(names).toEqual(['A.TXT;1', 'B.TXT;1', 'SAME.TXT;1', 'D.TXT;1']);
  });

  it('lets kept identifiers win over a new file that translates to the same name', () => {
    expect(isoNamesForDirectory([file('new.txt'), file('old.txt', 'NEW.TXT')], 1)).toEqual(['NEW_1.TXT;1', 'NEW.TXT;1']);
  });
});

describe('isoNamesForDirectory: properties', () => {
  const childArbitrary = fc.record({
    name: fc.oneof(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), fc.stringMatching(/^[a-c.]{1,12}$/)),
    isDirectory: fc.boolean(),
  });
  const childrenArbitrary = fc
    .uniqueArray(childArbitrary, { selector: (child) => child.name, maxLength: 60 })
    .filter((children) => children.every((child) => child.name !== '.' && child.name !== '..'));
  const levelArbitrary = fc.constantFrom<IsoLevel>(1, 2, 3);

  it('gives every child a valid identifier, unique in its directory', () => {
    fc.assert(
      fc.property(childrenArbitrary, levelArbitrary, (children, level) => {
        const names = isoNamesForDirectory(children, level);
        expect(new Set(names).size).toBe(children.length);
        names.forEach((name, index) => expectValidIdentifier(name, (children[index] as { isDirectory: boolean }).isDirectory, level));
      }),
      { numRuns: 300 },
    );
  });

  it('gives each child the same identifier whatever order the children come in', () => {
    fc.assert(
      fc.property(childrenArbitrary, levelArbitrary, fc.infiniteStream(fc.nat()), (children, level, randoms) => {
        const shuffled = children.map((child) => ({ child, key: randoms.next().value as number })).sort((a, b) => a.key - b.key);
        const original = new Map(children.map((child, index) => [child.name, isoNamesForDirectory(children, level)[index]]));
        const again = isoNamesForDirectory(
          shuffled.map((entry) => entry.child),
          level,
        );
        shuffled.forEach((entry, index) => expect(again[index]).toBe(original.get(entry.child.name)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('compareIsoIdentifiers (ECMA-119 9.3)', () => {
  it('orders by name padded with spaces, then extension, then version highest first', () => {
    const sorted = ['B.;1', 'AB.C;1', 'A.CD;1', 'A.B;1', 'A.B;2', 'A0.X;1', 'A', '\u0001', '\u0000'].sort(compareIsoIdentifiers);
    expect(sorted).toEqual(['\u0000', '\u0001', 'A', 'A.B;2', 'A.B;1', 'A.CD;1', 'A0.X;1', 'AB.C;1', 'B.;1']);
  });

  it('sorts any set of identifiers the same way whatever order they come in (a total order)', () => {
    const identifier = fc.oneof(
      fc.stringMatching(/^[A-Z0-9_]{0,6}\.[A-Z0-9_]{0,3};[1-3]$/).filter((text) => !text.startsWith('.;')),
      fc.stringMatching(/^[A-Z0-9_]{1,8}$/),
    );
    fc.assert(
      fc.property(fc.uniqueArray(identifier, { maxLength: 30 }), (identifiers) => {
        const sorted = [...identifiers].sort(compareIsoIdentifiers);
        expect([...identifiers].reverse().sort(compareIsoIdentifiers)).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });
});

describe('volume and a-character identifiers', () => {
  it('records a label as given in printable ASCII (Fedora boots by CDLABEL=...), at most 32 characters', () => {
    expect(isoVolumeIdentifier('Fedora-WS-Live-39-1-5')).toBe('Fedora-WS-Live-39-1-5');
    expect(isoVolumeIdentifier('Débian 12 ✓')).toBe('Debian 12 _');
    expect(isoVolumeIdentifier('x'.repeat(40))).toHaveLength(32);
  });

  it('upper-cases a-character fields and replaces what a-characters lack', () => {
    expect(isoACharacters('Isotope 0.1 <https://example.org/~x>', 128)).toBe('ISOTOPE 0.1 <HTTPS://EXAMPLE.ORG/_X>');
    expect(isoACharacters('a'.repeat(200), 128)).toHaveLength(128);
  });
});
