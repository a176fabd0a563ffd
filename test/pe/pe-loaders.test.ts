// The PE reader, Authenticode hash, signature walk and .sbat reader against real EFI loaders: Debian's
// signed shim and GRUB, GRUB images built here by grub-mkimage (x64 and ia32), and one signed here by
// sbsign with a key made in the test. The oracles are pesign (the hash), sbverify (the signatures) and
// objcopy (the .sbat bytes).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { authenticodeSha256, readSignatures } from '../../src-main/pe/authenticode.ts';
import { readPeImage } from '../../src-main/pe/pe-image.ts';
import { parseSbat, readSbat } from '../../src-main/pe/sbat.ts';

const run = promisify(execFile);
const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';
const GRUB_X64_SIGNED = '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed';
const GRUB_CD_X64_SIGNED = '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed';

async function readLoader(path: string) {
  const source = await openFileSource(path);
  try {
    const image = await readPeImage(source);
    return { image, sha256: await authenticodeSha256(source, image), signatures: await readSignatures(source, image), sbat: await readSbat(source, image) };
  } finally {
    await source.close();
  }
}

async function pesignHash(path: string): Promise<string> {
  const { stdout } = await run('pesign', ['-h', '-i', path]);
  return /hash: ([0-9a-f]{64})/.exec(stdout)![1]!;
}

async function sbverifySignatureCount(path: string): Promise<number> {
  const { stdout } = await run('sbverify', ['--list', path]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  return (stdout.match(/^signature \d+$/gm) ?? []).length;
}

let workDir = '';
let grubX64 = '';
let grubIa32 = '';
let grubX64TestSigned = '';

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'isotope-pe-'));
  grubX64 = join(workDir, 'grubx64.efi');
  grubIa32 = join(workDir, 'grubia32.efi');
  grubX64TestSigned = join(workDir, 'grubx64.signed.efi');
  await run('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/boot/grub', '-o', grubX64, 'normal', 'part_gpt', 'fat']);
  await run('grub-mkimage', ['-O', 'i386-efi', '-p', '/boot/grub', '-o', grubIa32, 'normal', 'part_gpt', 'fat']);
  const key = join(workDir, 'test.key');
  const certificate = join(workDir, 'test.crt');
  await run('openssl', [
    'req',
    '-new',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Isotope test signer',
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  await run('sbsign', ['--key', key, '--cert', certificate, '--output', grubX64TestSigned, grubX64]);
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('Authenticode SHA-256 of real EFI loaders', () => {
  it.each([SHIM_X64, GRUB_X64_SIGNED, GRUB_CD_X64_SIGNED])('equals pesign -h for %s', async (path) => {
    expect((await readLoader(path)).sha256).toBe(await pesignHash(path));
  });

  it("equals pesign -h for unsigned GRUB images from grub-mkimage (x64 and ia32), one sbsign signed, and Debian's ia32 GRUB", async () => {
    for (const path of [grubX64, grubIa32, grubX64TestSigned, '/usr/lib/grub/i386-efi/monolithic/grubia32.efi'])
      expect((await readLoader(path)).sha256).toBe(await pesignHash(path));
  });
});

describe('architecture and headers', () => {
  it('reads shim and Debian GRUB as PE32+ x64, grub-mkimage i386-efi as PE32 ia32', async () => {
    for (const path of [SHIM_X64, GRUB_X64_SIGNED, grubX64]) {
      const { image } = await readLoader(path);
      expect([image.architecture, image.machine, image.isPe32Plus]).toEqual(['x64', 0x8664, true]);
    }
    for (const path of [grubIa32, '/usr/lib/grub/i386-efi/monolithic/grubia32.efi']) {
      const ia32 = (await readLoader(path)).image;
      expect([ia32.architecture, ia32.machine, ia32.isPe32Plus]).toEqual(['ia32', 0x14c, false]);
    }
  });

  // Names over 8 bytes live in the COFF string table, which the PE format says images do not use; GNU ld
  // writes one anyway (shim's .sbatlevel and .vendor_cert).
  it('finds the sections objdump lists, at the same file offsets, with the same names, long ones too', async () => {
    const { stdout } = await run('objdump', ['-h', SHIM_X64]);
    const expected = [...stdout.matchAll(/^\s+\d+\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/gm)].map((match) => ({
      name: match[1],
      rawOffsetBytes: parseInt(match[3]!, 16),
    }));
    const { image } = await readLoader(SHIM_X64);
    expect(expected.map((section) => section.name)).toEqual(expect.arrayContaining(['.sbatlevel', '.vendor_cert']));
    expect(image.sections.map((section) => ({ name: section.name, rawOffsetBytes: section.rawOffsetBytes }))).toEqual(expected);
  });
});

describe('signatures', () => {
  it('finds as many PKCS#7 signatures as sbverify --list, each a DER SEQUENCE openssl parses', async () => {
    for (const path of [SHIM_X64, GRUB_X64_SIGNED, grubX64TestSigned]) {
      const { signatures } = await readLoader(path);
      expect(signatures.length).toBe(await sbverifySignatureCount(path));
      expect(signatures.length).toBeGreaterThan(0);
      for (const der of signatures) {
        const derPath = join(workDir, 'signature.der');
        await writeFile(derPath, der);
        const { stdout } = await run('openssl', ['pkcs7', '-inform', 'DER', '-in', derPath, '-print_certs', '-noout']);
        expect(stdout).toMatch(/subject=/);
      }
    }
  });

  it('finds no signature in an unsigned grub-mkimage image and exactly one, by the test signer, after sbsign', async () => {
    expect((await readLoader(grubX64)).signatures).toEqual([]);
    expect((await readLoader(grubX64)).image.certificateTable).toBeNull();
    const signed = await readLoader(grubX64TestSigned);
    expect(signed.signatures).toHaveLength(1);
    expect(Buffer.from(signed.signatures[0]!).includes(Buffer.from('Isotope test signer'))).toBe(true);
  });
});

describe('.sbat', () => {
  it.each([SHIM_X64, GRUB_X64_SIGNED])('equals the section objcopy extracts from %s', async (path) => {
    const sbatPath = join(workDir, 'sbat.csv');
    await run('objcopy', ['-O', 'binary', '--only-section=.sbat', path, sbatPath]);
    const expected = parseSbat((await readFile(sbatPath, 'latin1')).replace(/\0+$/, ''), sbatPath);
    const { sbat } = await readLoader(path);
    expect(sbat).toEqual(expected);
    expect(sbat![0]).toMatchObject({ component: 'sbat', generation: 1 });
    expect(sbat!.length).toBeGreaterThan(1);
  });

  it("reads shim's own entries: shim and shim.debian with their generations", async () => {
    const { sbat } = await readLoader(SHIM_X64);
    const sbatPath = join(workDir, 'shim-sbat.csv');
    await run('objcopy', ['-O', 'binary', '--only-section=.sbat', SHIM_X64, sbatPath]);
    const text = await readFile(sbatPath, 'latin1');
    for (const entry of sbat!) expect(text).toContain(`${entry.component},${entry.generation},${entry.vendor},${entry.package},${entry.version},${entry.url}`);
    expect(sbat!.map((entry) => entry.component)).toEqual(expect.arrayContaining(['shim', 'shim.debian']));
  });

  // shim refuses a .sbat line with fewer than SBAT_SECTION_COLUMNS (6) fields (sbat.c parse_sbat_section).
  it("refuses memtest86+'s .sbat, whose second line has 5 fields, naming the line", async () => {
    await expect(readLoader('/boot/memtest86+x64.efi')).rejects.toThrow(/\.sbat section at offset \d+: SBAT line 2 has 5 fields, fewer than 6/);
  });

  it('is null for a GRUB image without a .sbat section', async () => {
    expect((await readLoader(grubX64)).sbat).toBeNull();
  });
});
