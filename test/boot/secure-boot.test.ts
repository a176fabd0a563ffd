// The Secure Boot pre-check on real loaders: Debian's signed shim (Microsoft's UEFI CAs) and GRUB
// (Debian's key), a GRUB built by grub-mkimage (unsigned) and one signed by sbsign with a key made here;
// revocation data edited in the test flips the verdict; a tampered shim keeps its certificates but loses
// its signer; hostile signatures give clear errors; an ISO built here with shim + GRUB in its El Torito
// EFI image gets one entry per loader through `isotope boot --json` (the image:boot job).
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureBootRevocations, type BootReport } from '../../shared/boot.ts';
import { checkLoader, judgeArchitectures } from '../../src-main/boot/secure-boot-check.ts';
import { verifyAuthenticodeSignature } from '../../src-main/boot/secure-boot-signers.ts';
import { CorruptImageError } from '../../src-main/io/corrupt-image-error.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { readPeImage } from '../../src-main/pe/pe-image.ts';
import { loadRevocations, type Revocations } from '../../src-main/pe/revocations.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const run = promisify(execFile);
const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';
const GRUB_X64_SIGNED = '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed';

let workDir = '';
let grubUnsigned = '';
let grubTestSigned = '';
let revocations: Revocations;

async function check(path: string, data: Revocations = revocations) {
  const source = await openFileSource(path);
  try {
    return await checkLoader(source, path, data);
  } finally {
    await source.close();
  }
}

async function pesignHash(path: string): Promise<string> {
  const { stdout } = await run('pesign', ['-h', '-i', path]);
  return /hash: ([0-9a-f]{64})/.exec(stdout)![1]!;
}

beforeAll(async () => {
  revocations = await loadRevocations();
  workDir = await mkdtemp(join(tmpdir(), 'isotope-secure-boot-'));
  grubUnsigned = join(workDir, 'grubx64.efi');
  grubTestSigned = join(workDir, 'grubx64.test-signed.efi');
  await run('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/boot/grub', '-o', grubUnsigned, 'normal', 'part_gpt', 'fat']);
  const key = join(workDir, 'test.key');
  const certificate = join(workDir, 'test.crt');
  const subject = '/CN=Isotope test signer';
  await run('openssl', ['req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subject, '-keyout', key, '-out', certificate]);
  await run('sbsign', ['--key', key, '--cert', certificate, '--output', grubTestSigned, grubUnsigned]);
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('signers of real loaders, verified over the Authenticode hash', () => {
  it("Debian's shim verifies to Microsoft's UEFI CA 2011 and UEFI CA 2023, so it is OK on PCs with either", async () => {
    const loader = await check(SHIM_X64);
    expect(loader.authenticodeSha256).toBe(await pesignHash(SHIM_X64));
    expect(loader.architecture).toBe('x64');
    const subjects = loader.signers.map((signer) => signer.subjectCommonName);
    expect(subjects).toEqual(
      expect.arrayContaining(['Microsoft Windows UEFI Driver Publisher', 'Microsoft Corporation UEFI CA 2011', 'Microsoft UEFI CA 2023']),
    );
    const ca2011 = loader.signers.find((signer) => signer.subjectCommonName === 'Microsoft Corporation UEFI CA 2011')!;
    expect(new Date(ca2011.notAfterMs).toISOString()).toBe('2026-06-27T21:32:45.000Z');
    expect(loader.dbxRevoked).toBe(false);
    expect(loader.verdict).toBe('microsoft');
  });

  it("Debian's signed GRUB verifies to Debian's Secure Boot CA, a key firmware trusts only through shim", async () => {
    const loader = await check(GRUB_X64_SIGNED);
    expect(loader.signers).toEqual([
      expect.objectContaining({ subjectCommonName: 'Debian Secure Boot Signer 2022 - grub2', issuerCommonName: 'Debian Secure Boot CA' }),
    ]);
    expect(loader.sbat?.map((entry) => entry.component)).toEqual(expect.arrayContaining(['sbat', 'grub', 'grub.debian']));
    expect(loader.verdict).toBe('other-signer');
  });

  it('a GRUB built by grub-mkimage is unsigned: boots only with Secure Boot off', async () => {
    const loader = await check(grubUnsigned);
    expect(loader).toMatchObject({ signers: [], verdict: 'unsigned', dbxRevoked: false });
    expect(judgeArchitectures([loader])).toEqual([{ architecture: 'x64', verdict: 'unsigned' }]);
  });

  it('a GRUB signed by sbsign with a key made in the test names that key as signer', async () => {
    const loader = await check(grubTestSigned);
    expect(loader.signers).toEqual([expect.objectContaining({ subjectCommonName: 'Isotope test signer', issuerCommonName: 'Isotope test signer' })]);
    expect(loader.verdict).toBe('other-signer');
  });

  it('a shim keeping only its first signature (Microsoft Corporation UEFI CA 2011) is trusted by PCs with the 2011 CA only', async () => {
    const bytes = new Uint8Array(await readFile(SHIM_X64));
    const image = await readPeImage(createMemorySource(bytes));
    const table = image.certificateTable!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // PE Format, "The Attribute Certificate Table": entries are quadword aligned; the table ends the file.
    const firstEntryBytes = Math.ceil(view.getUint32(table.offsetBytes, true) / 8) * 8;
    view.setUint32(image.certificateEntryOffsetBytes! + 4, firstEntryBytes, true);
    const oneSignature = join(workDir, 'shim-2011-only.efi');
    await writeFile(oneSignature, bytes.subarray(0, table.offsetBytes + firstEntryBytes));
    const loader = await check(oneSignature);
    expect(loader.authenticodeSha256).toBe(await pesignHash(SHIM_X64));
    expect(loader.signers.map((signer) => signer.subjectCommonName)).toEqual(['Microsoft Windows UEFI Driver Publisher', 'Microsoft Corporation UEFI CA 2011']);
    expect(loader.verdict).toBe('microsoft-2011-only');
    expect(judgeArchitectures([loader])).toEqual([{ architecture: 'x64', verdict: 'microsoft-2011-only' }]);
  });

  it('a shim with one byte of a section changed keeps its certificates but no signer: unsigned, never "signed by Microsoft"', async () => {
    const bytes = new Uint8Array(await readFile(SHIM_X64));
    const image = await readPeImage(createMemorySource(bytes));
    const text = image.sections.find((section) => section.name === '.text')!;
    const changedAt = text.rawOffsetBytes + 100;
    bytes[changedAt] = bytes[changedAt]! ^ 0xff;
    const tampered = join(workDir, 'shim-tampered.efi');
    await writeFile(tampered, bytes);
    const loader = await check(tampered);
    expect(loader.signers).toEqual([]);
    expect(loader.verdict).toBe('unsigned');
  });
  it('a shim whose NumberOfRvaAndSizes is 4 has no Certificate Table entry: unsigned (boots with Secure Boot off), not unreadable', async () => {
    const bytes = new Uint8Array(await readFile(SHIM_X64));
    const image = await readPeImage(createMemorySource(bytes));
    // PE32+: NumberOfRvaAndSizes is the 4 bytes before the first data directory, 32 bytes before the Certificate Table entry.
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(image.certificateEntryOffsetBytes! - 4 * 8 - 4, 4, true);
    const fewDirectories = join(workDir, 'shim-4-directories.efi');
    await writeFile(fewDirectories, bytes);
    const loader = await check(fewDirectories);
    expect(loader).toMatchObject({ architecture: 'x64', signers: [], verdict: 'unsigned', dbxRevoked: false });
    // Its whole headers are hashed (no entry to skip) and the old signature is plain data: not shim's hash.
    expect(loader.authenticodeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loader.authenticodeSha256).not.toBe(await pesignHash(SHIM_X64));
    expect(judgeArchitectures([loader])).toEqual([{ architecture: 'x64', verdict: 'unsigned' }]);
  });
});

describe('revocation data flips the verdict', () => {
  it("a DBX listing shim's Authenticode hash revokes it and refuses x64", async () => {
    const hash = await pesignHash(SHIM_X64);
    const dbx = new Map(revocations.dbxSha256ByArchitecture);
    dbx.set('x64', new Set([...(dbx.get('x64') ?? []), hash]));
    const loader = await check(SHIM_X64, { ...revocations, dbxSha256ByArchitecture: dbx });
    expect(loader).toMatchObject({ dbxRevoked: true, verdict: 'revoked' });
    expect(judgeArchitectures([loader])).toEqual([{ architecture: 'x64', verdict: 'refused' }]);
    // The verdict line names why (the Write screen, the Boot tab and isotope boot say "revoked by DBX").
    expect(secureBootRevocations({ loaders: [loader], byArchitecture: judgeArchitectures([loader]), dataDate: '2026-01-01' }, 'x64')).toEqual(['DBX']);
  });

  it("an SBAT level one generation above GRUB's revokes it as grub,N < N+1", async () => {
    const own = (await check(GRUB_X64_SIGNED)).sbat!.find((entry) => entry.component === 'grub')!;
    const sbatLevel = new Map(revocations.sbatLevel).set('grub', own.generation + 1);
    const loader = await check(GRUB_X64_SIGNED, { ...revocations, sbatLevel });
    expect(loader.sbatRevoked).toEqual([`grub,${own.generation} < ${own.generation + 1}`]);
    expect(loader.verdict).toBe('revoked');
    expect(secureBootRevocations({ loaders: [loader, loader], byArchitecture: [], dataDate: '2026-01-01' }, 'x64')).toEqual([
      `SBAT: grub,${own.generation} < ${own.generation + 1}`,
    ]);
  });
});

describe('hostile signatures', () => {
  it('a nested PKCS#7 bomb (200,000 indefinite-length SEQUENCEs) is a clear corrupt-signature error, not a crash', async () => {
    const depth = 200_000;
    const bomb = new Uint8Array(depth * 4);
    for (let index = 0; index < depth; index++) bomb.set([0x30, 0x80], index * 2);
    const started = Date.now();
    await expect(verifyAuthenticodeSignature(bomb, '00'.repeat(32), 'bomb.efi')).rejects.toThrow(CorruptImageError);
    await expect(verifyAuthenticodeSignature(bomb, '00'.repeat(32), 'bomb.efi')).rejects.toThrow(
      /bomb\.efi: 800000-byte PKCS#7 signature is not a readable SignedData/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a certificate table of garbage makes the loader unreadable with the offset, and the report goes on', async () => {
    const bytes = new Uint8Array(await readFile(SHIM_X64));
    const image = await readPeImage(createMemorySource(bytes));
    const table = image.certificateTable!;
    bytes.fill(0xa5, table.offsetBytes, table.offsetBytes + table.sizeBytes);
    const garbage = join(workDir, 'shim-garbage-signature.efi');
    await writeFile(garbage, bytes);
    const loader = await check(garbage);
    expect(loader.verdict).toBe('unreadable');
    expect(loader.error).toMatch(new RegExp(`WIN_CERTIFICATE dwLength \\d+ at offset ${table.offsetBytes}`));
  });
});

let shimIsoBuilt: Promise<string> | null = null;

/** The ISO is built once for the tests that read it. */
function shimIso(): Promise<string> {
  shimIsoBuilt ??= buildShimIso();
  return shimIsoBuilt;
}

async function buildShimIso(): Promise<string> {
  const efiImage = join(workDir, 'efi.img');
  await run('mkfs.fat', ['-C', efiImage, '8192']);
  await run('mmd', ['-i', efiImage, '::/EFI', '::/EFI/BOOT']);
  await run('mcopy', ['-i', efiImage, SHIM_X64, '::/EFI/BOOT/BOOTX64.EFI']);
  await run('mcopy', ['-i', efiImage, GRUB_X64_SIGNED, '::/EFI/BOOT/grubx64.efi']);
  const tree = join(workDir, 'tree');
  await run('mkdir', ['-p', join(tree, 'EFI', 'BOOT')]);
  await copyFile(efiImage, join(tree, 'efi.img'));
  await copyFile(SHIM_X64, join(tree, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  const iso = join(workDir, 'shim.iso');
  await run('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-e', 'efi.img', '-no-emul-boot', tree]);
  return iso;
}

describe('an ISO with shim and GRUB in its El Torito EFI image', () => {
  it('isotope boot --json lists each loader of the EFI image and the ISO tree with hash, signers and verdict, and one verdict for x64', async () => {
    const iso = await shimIso();
    const { code, stdout } = await isotope(['boot', iso, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as BootReport;
    const loaders = report.secureBoot!.loaders;
    expect(loaders.map((loader) => loader.path)).toEqual([
      'ISO tree: /EFI/BOOT/BOOTX64.EFI',
      expect.stringMatching(/^El Torito image at sector \d+: \/EFI\/BOOT\/BOOTX64\.EFI$/),
      expect.stringMatching(/^El Torito image at sector \d+: \/EFI\/BOOT\/grubx64\.efi$/),
    ]);
    expect(loaders[0]).toMatchObject({ architecture: 'x64', authenticodeSha256: await pesignHash(SHIM_X64), verdict: 'microsoft' });
    expect(loaders[1]).toMatchObject({ architecture: 'x64', authenticodeSha256: await pesignHash(SHIM_X64), verdict: 'microsoft' });
    expect(loaders[2]).toMatchObject({ authenticodeSha256: await pesignHash(GRUB_X64_SIGNED), verdict: 'other-signer' });
    expect(report.secureBoot!.byArchitecture).toEqual([{ architecture: 'x64', verdict: 'microsoft' }]);
    expect(report.secureBoot!.dataDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('isotope boot says in words who signed each loader and gives the x64 verdict', async () => {
    const { code, stdout } = await isotope(['boot', await shimIso()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Secure Boot \(revocation data of \d{4}-\d{2}-\d{2}\):/);
    expect(stdout).toMatch(
      /signed by Microsoft Corporation UEFI CA 2011 \(issuer Microsoft Corporation Third Party Marketplace Root, valid 2011-06-27 to 2026-06-27\)/,
    );
    expect(stdout).toMatch(/signed by Debian Secure Boot Signer 2022 - grub2 \(issuer Debian Secure Boot CA/);
    expect(stdout).toMatch(/\n {2}x64: Secure Boot: OK\n/);
  });
});
