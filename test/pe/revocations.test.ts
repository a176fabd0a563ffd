// The vendored revocation data: the DBX hashes per architecture and the newest SBAT level parse as the
// files say, with their dates; a test copy of the DBX listing a real loader's Authenticode hash marks it.
import { copyFile, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { authenticodeSha256 } from '../../src-main/pe/authenticode.ts';
import { readPeImage } from '../../src-main/pe/pe-image.ts';
import { DBX_FILE_NAME, SBAT_LEVEL_FILE_NAME, defaultRevocationsDir, loadRevocations, parseDbx, parseSbatLevel } from '../../src-main/pe/revocations.ts';

const VENDORED_DIR = join(import.meta.dirname, '../../resources/secureboot');
const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'isotope-revocations-'));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function shimSha256(): Promise<string> {
  const source = await openFileSource(SHIM_X64);
  try {
    return await authenticodeSha256(source, await readPeImage(source));
  } finally {
    await source.close();
  }
}

describe('vendored revocation data', () => {
  it('is found in resources/secureboot/ when the engine runs from source', () => {
    expect(defaultRevocationsDir()).toBe(join(VENDORED_DIR, '/'));
  });

  it('holds the DBX image hashes per architecture, lower-case, with the newest entry date', async () => {
    const revocations = await loadRevocations();
    const sizes = Object.fromEntries([...revocations.dbxSha256ByArchitecture].map(([architecture, hashes]) => [architecture, hashes.size]));
    expect(sizes).toEqual({ x64: 443, ia32: 94, aa64: 26, arm: 110 });
    // The file's first x64 entry (shim.efi, 2018-04-01), upper-case there.
    expect(revocations.dbxSha256ByArchitecture.get('x64')!.has('80b4d96931bf0d02fd91a61e19d14f1da452e66db2408ca8604d411f92659f0a')).toBe(true);
    expect(revocations.dbxDate).toBe('2026-05-21');
  });

  it('holds the last SBAT level block (sbat,1,2025051000), not an earlier one', async () => {
    const revocations = await loadRevocations();
    expect(Object.fromEntries(revocations.sbatLevel)).toEqual({ shim: 4, grub: 5, 'grub.proxmox': 2 });
    expect(revocations.sbatLevelDate).toBe('2025-05-10');
  });
});

describe('a DBX listing a loader', () => {
  it("marks Debian's shim only in a test copy that lists its Authenticode hash for x64", async () => {
    const hash = await shimSha256();
    expect((await loadRevocations()).dbxSha256ByArchitecture.get('x64')!.has(hash)).toBe(false);
    const dbx = JSON.parse(await readFile(join(VENDORED_DIR, DBX_FILE_NAME), 'utf8')) as { images: Record<string, object[]> };
    dbx.images.x64!.push({
      authenticodeHash: hash.toUpperCase(),
      hashType: 'SHA256',
      flatHash: '',
      filename: 'shimx64.efi',
      description: 'test',
      companyName: 'test',
      dateOfAddition: '2027-01-02',
      signingAuthority: 'test',
    });
    await writeFile(join(workDir, DBX_FILE_NAME), JSON.stringify(dbx));
    await copyFile(join(VENDORED_DIR, SBAT_LEVEL_FILE_NAME), join(workDir, SBAT_LEVEL_FILE_NAME));
    const revocations = await loadRevocations(workDir);
    expect(revocations.dbxSha256ByArchitecture.get('x64')!.has(hash)).toBe(true);
    expect(revocations.dbxSha256ByArchitecture.get('ia32')!.has(hash)).toBe(false);
    expect(revocations.dbxDate).toBe('2027-01-02');
  });
});

describe('damaged revocation data', () => {
  it('refuses a DBX entry that is not a SHA-256, naming the entry', () => {
    const text = JSON.stringify({ images: { x64: [{ authenticodeHash: 'abc', hashType: 'SHA256', dateOfAddition: '2020-01-01' }] } });
    expect(() => parseDbx(text)).toThrow(/images\.x64\[0\] is not a SHA256 authenticodeHash/);
  });

  it('refuses an SBAT level file without a level or with a malformed line, naming the line', () => {
    expect(() => parseSbatLevel('no levels here\n')).toThrow(/has no "sbat,1,YYYYMMDDNN" level/);
    expect(() => parseSbatLevel('sbat,1,2024010900\nshim,4\ngrub;3\n')).toThrow(/line 3 "grub;3" is not "component,generation"/);
  });
});

describe('a newer DBX file', () => {
  it('skips an architecture key it does not know with a warning naming it, and keeps the others', () => {
    const entry = { authenticodeHash: 'AB'.repeat(32), hashType: 'SHA256', dateOfAddition: '2027-03-04' };
    const text = JSON.stringify({ images: { x64: [entry], riscv128: [entry, entry] } });
    const dbx = parseDbx(text);
    expect([...dbx.dbxSha256ByArchitecture.keys()]).toEqual(['x64']);
    expect(dbx.dbxSha256ByArchitecture.get('x64')!.has('ab'.repeat(32))).toBe(true);
    expect(dbx.warnings).toEqual([
      expect.stringMatching(/dbx_info_msft_latest\.json: architecture "riscv128" is not one of x64, ia32, aarch64, arm: 2 entries skipped/),
    ]);
    expect(dbx.dbxDate).toBe('2027-03-04');
  });
});

describe('loading the data', () => {
  it('parses the files once per process while they keep their modification time and size, and again once one is swapped', async () => {
    const dir = await mkdtemp(join(workDir, 'swap-'));
    await copyFile(join(VENDORED_DIR, DBX_FILE_NAME), join(dir, DBX_FILE_NAME));
    await copyFile(join(VENDORED_DIR, SBAT_LEVEL_FILE_NAME), join(dir, SBAT_LEVEL_FILE_NAME));
    const first = await loadRevocations(dir);
    expect(await loadRevocations(dir)).toBe(first);
    // A swapped SBAT level file (another size): read again, so a data update needs no restart.
    await writeFile(join(dir, SBAT_LEVEL_FILE_NAME), 'sbat,1,2027010100\nshim,5\ngrub,6\n');
    const swapped = await loadRevocations(dir);
    expect(swapped).not.toBe(first);
    expect(Object.fromEntries(swapped.sbatLevel)).toEqual({ shim: 5, grub: 6 });
    expect(swapped.sbatLevelDate).toBe('2027-01-01');
  });

  it('parses again when a same-size file is renamed into place keeping the modification time', async () => {
    const dir = await mkdtemp(join(workDir, 'same-size-'));
    await copyFile(join(VENDORED_DIR, DBX_FILE_NAME), join(dir, DBX_FILE_NAME));
    const sbatLevelPath = join(dir, SBAT_LEVEL_FILE_NAME);
    const modified = new Date('2026-01-01T00:00:00Z');
    await writeFile(sbatLevelPath, 'sbat,1,2027010100\nshim,5\ngrub,6\n');
    await utimes(sbatLevelPath, modified, modified);
    expect(Object.fromEntries((await loadRevocations(dir)).sbatLevel)).toEqual({ shim: 5, grub: 6 });
    // Same size, same modification time, another file (as an update tool writing beside and renaming would leave it).
    const replacement = join(dir, 'replacement.txt');
    await writeFile(replacement, 'sbat,1,2027010100\nshim,7\ngrub,8\n');
    await utimes(replacement, modified, modified);
    await rename(replacement, sbatLevelPath);
    expect(Object.fromEntries((await loadRevocations(dir)).sbatLevel)).toEqual({ shim: 7, grub: 8 });
  });
});
