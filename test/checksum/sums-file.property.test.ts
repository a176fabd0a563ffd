// Properties of the sums-file parser over generated input: hostile text never crashes it, and any
// file name survives coreutils' escaping round trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexLengths } from '../../src-main/checksum/algorithms.ts';
import { parseSumsFile } from '../../src-main/checksum/sums-file.ts';

/** A line as coreutils' sha256sum writes it (md5sum.c: names with \\ or \n are escaped, line starts with \\). */
function coreutilsLine(digest: string, fileName: string): string {
  const needsEscape = /[\\\n\r]/.test(fileName);
  const escaped = fileName.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
  return needsEscape ? `\\${digest}  ${escaped}` : `${digest}  ${fileName}`;
}

describe('parseSumsFile properties', () => {
  it('never throws on arbitrary text, and every entry it returns is well-formed', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('-----BEGIN PGP SIGNED MESSAGE-----', '-----BEGIN PGP SIGNATURE-----', '-----END PGP SIGNATURE-----', '# SHA512 HASH', ''),
      fc.tuple(fc.stringMatching(/^[0-9a-f]{32,128}$/), fc.string({ maxLength: 40 })).map(([hex, name]) => `${hex}  ${name}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const parsed = parseSumsFile(lines.join('\n'));
        for (const entry of parsed.entries) {
          expect(entry.digest).toMatch(/^[0-9a-f]+$/);
          expect(entry.digest.length).toBe(hexLengths[entry.algorithm]);
          expect(entry.fileName.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads back any file name written in the coreutils format, whatever its characters', () => {
    const fileName = fc.oneof(
      fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }),
      fc.constantFrom(' leading space', '*star', 'trailing\r', 'a\\b', '\\n'),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fileName, (digest, name) => {
        const parsed = parseSumsFile(`${coreutilsLine(digest, name)}\n`);
        expect(parsed.entries).toEqual([{ lineNumber: 1, algorithm: 'sha256', digest, fileName: name, format: 'gnu' }]);
      }),
      { numRuns: 300 },
    );
  });
});
