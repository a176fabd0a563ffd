// The built `isotope flash` with write modes and `isotope format`, as a user runs them (root, loop
// devices): --json says the mode chosen and why before anything is written, then ends with the
// result; copy mode takes the partition table, the .swm part size and the Windows options from the
// command line; a stick the target has no room for, or a bad account name, is refused before any
// byte changes; `isotope format` makes an empty FAT32 (or exFAT) stick and needs --unsafe for a loop device.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashResult, FormatResult } from '../../shared/flash.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;

const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The error document a refused command prints last (pretty-printed, as every --json error is). */
function lastError(stdout: string): Record<string, unknown> {
  const start = stdout.startsWith('{\n') ? 0 : stdout.lastIndexOf('\n{\n') + 1;
  return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
}

describe.skipIf(!isRoot)(`isotope flash --mode and isotope format (${rootSkipReason})`, () => {
  let dir = '';
  const loops = new LoopDevices();

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-cli-modes-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function sparseFile(name: string, sizeBytes: number): string {
    const file = join(dir, name);
    writeFileSync(file, '');
    truncateSync(file, sizeBytes);
    return file;
  }

  it('flash --json reports copy mode and its reason for a non-hybrid EFI ISO, then a verified write; without --json it says so in words', () => {
    const target = sparseFile('auto.img', 64 * MiB);
    const run = runIsotope(['flash', nonhybridGrubIsoPath(), target, '--yes', '--json']);
    expect(run.status).toBe(0);
    const lines = jsonLines(run.stdout);
    const planned = lines.find((line) => line['event'] === 'write:planned');
    expect(planned).toMatchObject({ mode: { mode: 'copy', reason: 'el-torito-efi-not-hybrid' }, copy: { table: 'mbr' }, bootPrediction: { bios: false } });
    const result = lines.at(-1) as unknown as FlashResult & { event: string };
    expect(result).toMatchObject({ event: 'job:finished', outcome: 'succeeded', targets: [{ outcome: 'verified' }] });

    const words = runIsotope(['flash', nonhybridGrubIsoPath(), sparseFile('words.img', 64 * MiB), '--yes']);
    expect(words.status).toBe(0);
    expect(words.stderr).toMatch(/^Mode: copy files onto a new FAT32 stick: the ISO starts only from a CD/m);
    expect(words.stderr).toContain('Starts from USB: yes (UEFI x64; BIOS no)');
  });

  it('flash --mode copy --table gpt --wim-part-mib 1 --windows-* writes the Windows-like installer as .swm parts and autounattend.xml on a loop device', () => {
    const file = sparseFile('windows.img', 64 * MiB);
    const device = loops.attach(file);
    const run = runIsotope([
      'flash',
      windowsLikeUdfIsoPath(),
      device,
      '--yes',
      '--unsafe',
      '--json',
      '--mode',
      'copy',
      '--table',
      'gpt',
      '--wim-part-mib',
      '1',
      '--windows-skip-checks',
      '--windows-local-account',
      'ana',
    ]);
    expect(run.status).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.find((line) => line['event'] === 'write:planned')).toMatchObject({
      mode: { mode: 'copy', reason: 'chosen-by-user' },
      copy: { table: 'gpt', wimPartBytes: MiB, windows: { skipHardwareChecks: true, localAccountName: 'ana', regional: null } },
    });
    expect(lines.at(-1)).toMatchObject({ event: 'job:finished', outcome: 'succeeded' });
    execFileSync('sgdisk', ['--verify', file]);
    const listing = execFileSync('mdir', ['-/', '-b', '-i', `${file}@@1M`, '::'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    expect(listing).toMatch(/autounattend\.xml/i);
    expect(listing).toMatch(/sources\/install2\.swm/i);
    expect(listing).not.toMatch(/install\.wim/i);
  });

  it('refuses a copy-files stick the target has no room for, and a bad local account name, before any byte changes', () => {
    const target = sparseFile('small.img', 4 * MiB);
    writeFileSync(target, Buffer.alloc(4 * MiB, 0xaa));
    const before = sha256OfPrefix(target, 4 * MiB);
    const tooSmall = runIsotope(['flash', windowsLikeUdfIsoPath(), target, '--yes', '--json']);
    expect(tooSmall.status).toBe(1);
    expect(lastError(tooSmall.stdout)).toMatchObject({ error: { code: 'target-too-small' } });
    const badName = runIsotope(['flash', windowsLikeUdfIsoPath(), target, '--yes', '--windows-local-account', 'a/b']);
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain('local account name "a/b"');
    expect(sha256OfPrefix(target, 4 * MiB)).toBe(before);
  });

  it('format makes an empty FAT32 stick of a 64 MiB loop device (--unsafe), and without --unsafe changes nothing', () => {
    const file = sparseFile('format.img', 64 * MiB);
    writeFileSync(file, Buffer.alloc(64 * MiB, 0xaa));
    const device = loops.attach(file);
    const before = sha256OfPrefix(device, 64 * MiB);
    const refused = runIsotope(['format', device, '--yes', '--json']);
    expect(refused.status).toBe(1);
    expect(lastError(refused.stdout)).toMatchObject({ error: { code: 'forbidden' } });
    expect(sha256OfPrefix(device, 64 * MiB)).toBe(before);

    const run = runIsotope(['format', device, '--yes', '--unsafe', '--json', '--label', 'usb stick']);
    expect(run.status).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines[0]).toMatchObject({ event: 'format:planned', fileSystem: 'fat32', label: 'USB STICK', table: 'mbr' });
    const result = lines.at(-1) as unknown as FormatResult & { event: string };
    expect(result).toMatchObject({ event: 'job:finished', kind: 'format', outcome: 'succeeded', targets: [{ outcome: 'verified' }] });
    const partition = join(dir, 'format.part');
    runTool('dd', [`if=${device}`, `of=${partition}`, 'bs=1M', 'skip=1', 'count=62', 'status=none']);
    execFileSync('fsck.fat', ['-n', partition]);
    expect(runTool('blkid', ['-p', '-o', 'export', partition])).toMatch(/^TYPE=vfat$/m);
    expect(readFileSync(file).subarray(510, 512)).toEqual(Buffer.from([0x55, 0xaa]));
  });
});
