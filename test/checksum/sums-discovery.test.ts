import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSumsFiles, isSumsFileName } from '../../src-main/checksum/sums-discovery.ts';

describe('sums file discovery', () => {
  it.each([
    'SHA256SUMS',
    'SHA512SUMS',
    'sha256sums.txt',
    'sha256sum.txt',
    'MD5SUMS',
    'B2SUMS',
    'CHECKSUM',
    'Fedora-Workstation-41-1.4-x86_64-CHECKSUM',
    'install-amd64-minimal-20241201.iso.DIGESTS',
    'image.iso.sha256',
    'image.iso.sha256sum',
    'image.iso.sha512',
    'image.iso.md5',
  ])('recognises %s', (name) => {
    expect(isSumsFileName(name)).toBe(true);
  });

  it.each(['SHA256SUMS.gpg', 'SHA256SUMS.sig', 'image.iso', 'README.txt', 'sha256.c'])('does not take %s for a sums file', (name) => {
    expect(isSumsFileName(name)).toBe(false);
  });

  it('finds the sums files beside an image, those named after it first, with their detached signatures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotope-discovery-'));
    for (const name of ['image.iso', 'SHA256SUMS', 'SHA256SUMS.gpg', 'SHA256SUMS.asc', 'image.iso.sha512', 'notes.txt', 'SHA1SUMS']) {
      writeFileSync(join(dir, name), '');
    }
    expect(await findSumsFiles(join(dir, 'image.iso'))).toEqual([
      { sumsPath: join(dir, 'image.iso.sha512'), signaturePaths: [] },
      { sumsPath: join(dir, 'SHA1SUMS'), signaturePaths: [] },
      { sumsPath: join(dir, 'SHA256SUMS'), signaturePaths: [join(dir, 'SHA256SUMS.gpg'), join(dir, 'SHA256SUMS.asc')] },
    ]);
  });
});
