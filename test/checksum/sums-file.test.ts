import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEntriesFor, maxSumsLines, parseSumsFile, SumsFileError } from '../../src-main/checksum/sums-file.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { coreutilsDigest } from './coreutils.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-sums-'));
const names = ['plain.iso', 'with space.iso', 'back\\slash.iso', 'two  spaces and *star.iso', 'new\nline\r.iso'];
names.forEach((name, index) => writeFileSync(join(dir, name), deterministicBytes(1000 + index, index)));
const runTool = (tool: string, args: readonly string[]): string => execFileSync(tool, [...args, '--', ...names], { cwd: dir, encoding: 'utf8' });

describe('sums files written by coreutils', () => {
  it.each([
    ['sha256sum', [] as string[], 'sha256', 'gnu'],
    ['sha256sum', ['--binary'], 'sha256', 'gnu'],
    ['sha512sum', ['--tag'], 'sha512', 'bsd'],
    ['md5sum', [], 'md5', 'gnu'],
    ['sha1sum', ['--tag'], 'sha1', 'bsd'],
    ['b2sum', ['--tag'], 'blake2b', 'bsd'],
  ] as const)('reads %s %j: every name (spaces, backslash, star, newline, CR) with the digest the tool gives', (tool, args, algorithm, format) => {
    const parsed = parseSumsFile(runTool(tool, args));
    expect(parsed.ignoredLineCount).toBe(0);
    expect(parsed.entries.map((entry) => entry.fileName)).toEqual(names);
    for (const entry of parsed.entries) {
      expect(entry).toMatchObject({ algorithm, format, digest: coreutilsDigest(algorithm, join(dir, entry.fileName)) });
    }
  });

  it('reads untagged b2sum output as BLAKE2b when the sums file is named B2SUMS, as SHA-512 otherwise', () => {
    const text = runTool('b2sum', []);
    expect(parseSumsFile(text, { sumsFileName: 'B2SUMS' }).entries[0]?.algorithm).toBe('blake2b');
    expect(parseSumsFile(text, { sumsFileName: 'SHA512SUMS' }).entries[0]?.algorithm).toBe('sha512');
  });

  it('round-trips: sha256sum -c accepts every entry the parser read', () => {
    const text = runTool('sha256sum', []);
    const reWritten = parseSumsFile(text)
      .entries.map((entry) => {
        const escaped = entry.fileName.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
        return escaped === entry.fileName ? `${entry.digest}  ${entry.fileName}` : `\\${entry.digest}  ${escaped}`;
      })
      .join('\n');
    writeFileSync(join(dir, 'rewritten.sha256'), `${reWritten}\n`);
    expect(execFileSync('sha256sum', ['-c', 'rewritten.sha256'], { cwd: dir, encoding: 'utf8' })).toContain('plain.iso: OK');
  });
});

describe('sums file lines by hand', () => {
  const sha256 = 'a'.repeat(64);
  it.each([
    [`${sha256}  image.iso`, 'image.iso', 'gnu'],
    [`${sha256} *image.iso`, 'image.iso', 'gnu'],
    [`${sha256} image.iso`, 'image.iso', 'gnu'],
    [`  ${sha256.toUpperCase()}  image.iso\r`, 'image.iso', 'gnu'],
    [`\\${sha256}  a\\nb.iso`, 'a\nb.iso', 'gnu'],
    [`SHA256 (image.iso) = ${sha256}`, 'image.iso', 'bsd'],
    [`SHA2-256(image.iso)= ${sha256}`, 'image.iso', 'bsd'],
    [`SHA256 (odd) = name.iso) = ${sha256}`, 'odd) = name.iso', 'bsd'],
    [`\\SHA256 (back\\\\slash.iso) = ${sha256}`, 'back\\slash.iso', 'bsd'],
  ])('reads %j as an entry for %j', (line, fileName, format) => {
    expect(parseSumsFile(line).entries).toEqual([{ lineNumber: 1, algorithm: 'sha256', digest: sha256, fileName, format }]);
  });

  it.each([
    [`${'a'.repeat(63)}  image.iso`, 'a digest of no known length'],
    [`${sha256}`, 'no file name'],
    [`\\${sha256}  bad\\qescape.iso`, 'an escape coreutils rejects'],
    [`MD5 (image.iso) = ${sha256}`, 'a tag whose length disagrees with the digest'],
    [`WHIRLPOOL (image.iso) = ${'a'.repeat(128)}`, 'an unknown algorithm'],
    ['this is not a sums line', 'prose'],
  ])('ignores %j (%s) and counts it', (line) => {
    const parsed = parseSumsFile(`${line}\n# a comment\n\n`);
    expect(parsed.entries).toEqual([]);
    expect(parsed.ignoredLineCount).toBe(1);
  });

  it('follows Gentoo DIGESTS headers: 128 hex digits under "# BLAKE2B HASH" are BLAKE2b, under WHIRLPOOL skipped', () => {
    const digest = 'b'.repeat(128);
    const text = `# BLAKE2B HASH\n${digest}  install.iso\n# SHA512 HASH\n${digest}  install.iso\n# WHIRLPOOL HASH\n${digest}  install.iso\n`;
    expect(parseSumsFile(text).entries.map((entry) => [entry.algorithm, entry.lineNumber])).toEqual([
      ['blake2b', 2],
      ['sha512', 4],
    ]);
  });

  it('reads only the signed body of a clear-signed file, undoing dash-escapes, and ignores lines outside it', () => {
    const good = 'c'.repeat(64);
    const evil = 'd'.repeat(64);
    const text = [
      `${evil}  image.iso`,
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      '- -- not an entry',
      `${good}  image.iso`,
      '-----BEGIN PGP SIGNATURE-----',
      '',
      'AAAA',
      '-----END PGP SIGNATURE-----',
      `${evil}  image.iso`,
    ].join('\n');
    const parsed = parseSumsFile(text);
    expect(parsed.clearSigned).toBe(true);
    expect(parsed.entries).toEqual([{ lineNumber: 6, algorithm: 'sha256', digest: good, fileName: 'image.iso', format: 'gnu' }]);
    expect(parsed.ignoredLineCount).toBe(3);
  });

  it(`refuses a file of more than ${maxSumsLines} lines instead of looping over it`, () => {
    expect(() => parseSumsFile('\n'.repeat(maxSumsLines + 1))).toThrow(SumsFileError);
  });

  it('matches entries by exact name or by final path component', () => {
    const parsed = parseSumsFile(`${sha256}  ./image.iso\n${sha256}  isos/image.iso\n${sha256}  image.iso.zsync\n${sha256}  image.iso\n`);
    expect(findEntriesFor(parsed.entries, 'image.iso').map((entry) => entry.lineNumber)).toEqual([1, 2, 4]);
  });
});
