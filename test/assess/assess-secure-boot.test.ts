// Issue 18: the pre-flight assessment carries the Secure Boot verdict per architecture beside the boot
// verdict, from the loaders its one boot report read in this run: an ISO with Debian's signed shim and
// GRUB (xorriso), one with an unsigned grub-mkimage GRUB, a GPT disk image whose ESP holds shim, the
// shim ISO compressed (xz at random: judged; gzip: unknown until unpacked, never "no"), and damaged boot
// records (unknown, with the damage).
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assessImage } from '../../src-main/assess/assess-image.ts';

const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';
const GRUB_X64_SIGNED = '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed';
const MiB = 1024 * 1024;

let dir = '';
let shimIso = '';
let unsignedIso = '';

/** A FAT image of `sizeKiB` holding each [host file, name] in EFI/BOOT. */
function efiImage(path: string, sizeKiB: number, loaders: readonly (readonly [string, string])[]): string {
  execFileSync('mkfs.fat', ['-C', path, String(sizeKiB)], { stdio: 'ignore' });
  execFileSync('mmd', ['-i', path, '::/EFI', '::/EFI/BOOT']);
  for (const [from, name] of loaders) execFileSync('mcopy', ['-i', path, from, `::/EFI/BOOT/${name}`]);
  return path;
}

/** An ISO (xorriso) whose El Torito EFI image and tree both hold `bootLoader` as EFI/BOOT/BOOTX64.EFI. */
function efiIso(name: string, bootLoader: string, extra: readonly (readonly [string, string])[] = []): string {
  const tree = join(dir, `${name}-tree`);
  mkdirSync(join(tree, 'EFI', 'BOOT'), { recursive: true });
  efiImage(join(tree, 'efi.img'), 8192, [[bootLoader, 'BOOTX64.EFI'], ...extra]);
  copyFileSync(bootLoader, join(tree, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  const iso = join(dir, name);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-e', 'efi.img', '-no-emul-boot', tree], { stdio: 'ignore' });
  return iso;
}

beforeAll(() => {
  dir = mkdtempSync('/tmp/isotope-assess-secure-boot-');
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  shimIso = efiIso('shim.iso', SHIM_X64, [[GRUB_X64_SIGNED, 'grubx64.efi']]);
  const grub = join(dir, 'grubx64.efi');
  execFileSync('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/boot/grub', '-o', grub, 'normal', 'part_gpt', 'fat']);
  unsignedIso = efiIso('unsigned.iso', grub);
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Secure Boot verdict in the pre-flight assessment', () => {
  it("judges an ISO with Debian's signed shim and GRUB: x64 OK, every loader read in this run, beside its boot finding", async () => {
    const assessment = await assessImage(shimIso);
    expect(assessment.secureBoot?.state).toBe('judged');
    if (assessment.secureBoot?.state !== 'judged') return;
    const { report } = assessment.secureBoot;
    expect(report.byArchitecture).toEqual([{ architecture: 'x64', verdict: 'microsoft' }]);
    expect(report.loaders.map((loader) => loader.verdict)).toEqual(['microsoft', 'microsoft', 'other-signer']);
    expect(report.dataDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // An El Torito EFI image alone: the USB boot finding (it depends on the firmware) still stands beside it.
    expect(assessment.findings.map((finding) => finding.code)).toContain('usb-boot-depends');
  });

  it('says an ISO whose only loader grub-mkimage built is unsigned for x64', async () => {
    const assessment = await assessImage(unsignedIso);
    expect(assessment.secureBoot).toMatchObject({ state: 'judged', report: { byArchitecture: [{ architecture: 'x64', verdict: 'unsigned' }] } });
  });

  it('judges a GPT disk image by the shim on its EFI system partition', async () => {
    const disk = join(dir, 'esp-disk.img');
    writeFileSync(disk, Buffer.alloc(40 * MiB));
    execFileSync('sgdisk', ['-n', '1:2048:67583', '-t', '1:ef00', disk], { stdio: 'ignore' });
    const esp = efiImage(join(dir, 'esp.img'), 32 * 1024, [[SHIM_X64, 'BOOTX64.EFI']]);
    const handle = openSync(disk, 'r+');
    writeSync(handle, readFileSync(esp), 0, 32 * MiB, MiB);
    closeSync(handle);
    const assessment = await assessImage(disk);
    expect(assessment.kind).toBe('disk-image');
    expect(assessment.secureBoot).toMatchObject({ state: 'judged', report: { byArchitecture: [{ architecture: 'x64', verdict: 'microsoft' }] } });
    if (assessment.secureBoot?.state === 'judged') expect(assessment.secureBoot.report.loaders[0]!.path).toBe('GPT partition 1: /EFI/BOOT/BOOTX64.EFI');
  });

  it('judges an .iso.xz of the shim ISO by its decoded bytes, and calls a .iso.gz unknown until it is unpacked, never unsigned', async () => {
    const xz = join(dir, 'shim.iso.xz');
    writeFileSync(xz, execFileSync('xz', ['-0', '--block-size=1MiB', '-c', shimIso], { maxBuffer: 64 * MiB }));
    expect((await assessImage(xz)).secureBoot).toMatchObject({ state: 'judged', report: { byArchitecture: [{ architecture: 'x64', verdict: 'microsoft' }] } });
    const gz = join(dir, 'shim.iso.gz');
    writeFileSync(gz, execFileSync('gzip', ['-c', shimIso], { maxBuffer: 64 * MiB }));
    const secureBoot = (await assessImage(gz)).secureBoot;
    expect(secureBoot).toMatchObject({ state: 'unknown', reason: 'needs-decoding' });
    expect(secureBoot?.state === 'unknown' && secureBoot.message).toMatch(/cannot be read at random/);
  });

  it('is unknown, naming the damage, when the boot records cannot be read', async () => {
    const damaged = join(dir, 'bad-catalog.iso');
    copyFileSync(shimIso, damaged);
    // The El Torito boot record's catalog pointer (ECMA-119 sector 17, byte 71; El Torito 2.0 table 7) sent past the end.
    const handle = openSync(damaged, 'r+');
    writeSync(handle, Buffer.from([0xff, 0xff, 0xff, 0x0f]), 0, 4, 17 * 2048 + 71);
    closeSync(handle);
    const assessment = await assessImage(damaged);
    expect(assessment.secureBoot).toMatchObject({ state: 'unknown', reason: 'damaged' });
    expect(assessment.secureBoot?.state === 'unknown' && assessment.secureBoot.message).toMatch(/boot records could not be read/);
  });

  it('is unknown, not "does not apply", for an ISO without an EFI boot image whose root directory runs past the end', async () => {
    const tree = join(dir, 'plain-tree');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'README.TXT'), 'no EFI boot image here\n');
    const damaged = join(dir, 'bad-root.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', damaged, tree], { stdio: 'ignore' });
    // ECMA-119 8.4.18 / 9.1.3: the root directory record is at byte 156 of the primary descriptor (sector 16);
    // its extent's LBA, both-endian, at byte 2 of the record. Sent past the end, the tree cannot be opened.
    const handle = openSync(damaged, 'r+');
    const lba = Buffer.alloc(8);
    lba.writeUInt32LE(0x00ff_ffff, 0);
    lba.writeUInt32BE(0x00ff_ffff, 4);
    writeSync(handle, lba, 0, 8, 16 * 2048 + 156 + 2);
    closeSync(handle);
    const assessment = await assessImage(damaged);
    expect(assessment.findings.map((finding) => finding.code)).toContain('damaged');
    expect(assessment.secureBoot).toMatchObject({ state: 'unknown', reason: 'damaged', message: expect.stringContaining('ISO tree: /EFI/BOOT: ') });
  });

  it('reads the El Torito loaders when a loader in the ISO tree points past the end: that one is unreadable, the damage a finding', async () => {
    const bytes = readFileSync(shimIso);
    const nameAt = bytes.indexOf(Buffer.from('BOOTX64.EFI;1'));
    expect(nameAt).toBeGreaterThan(0);
    // ECMA-119 9.1: the name starts at byte 33 of its directory record; the extent's LBA is at byte 2, both-endian.
    bytes.writeUInt32LE(0x00ff_ffff, nameAt - 33 + 2);
    bytes.writeUInt32BE(0x00ff_ffff, nameAt - 33 + 6);
    const damaged = join(dir, 'bad-tree.iso');
    writeFileSync(damaged, bytes);
    const assessment = await assessImage(damaged);
    expect(assessment.findings.map((finding) => finding.code)).toContain('damaged');
    expect(assessment.secureBoot?.state).toBe('judged');
    if (assessment.secureBoot?.state !== 'judged') return;
    const [tree, ...elTorito] = assessment.secureBoot.report.loaders;
    // The directory listing refuses the record: its loaders are one unreadable entry, with the reader's words.
    expect(tree).toMatchObject({ path: 'ISO tree: /EFI/BOOT', verdict: 'unreadable', error: expect.stringMatching(/runs past the image end/) });
    expect(elTorito.map((loader) => loader.verdict)).toEqual(['microsoft', 'other-signer']);
    expect(assessment.secureBoot.report.byArchitecture).toEqual([{ architecture: 'x64', verdict: 'microsoft' }]);
  });
});
