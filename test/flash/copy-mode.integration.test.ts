// Copy-files mode through the flash pipeline, as root on loop devices: a non-hybrid El Torito EFI ISO
// and a Windows-like UDF installer (install.wim split into 1 MiB .swm parts, GPT, Windows options)
// are written as a composed stick (partition table, FAT32, the image's files), read back byte for
// byte and file by file, and then judged by the reference tools: fsck.fat finds nothing wrong, blkid
// names the label and type, mtools lists exactly the image's files with equal SHA-256s. A stick that
// cannot be composed (no room) fails before any byte of the target changes; a target that fails
// mid-write (FUSE) never reports success.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions, type CopyModeOptions } from '../../shared/stick.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { hashTree } from '../stick/stick-file.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from './loop-devices.ts';

const MiB = 1024 * 1024;
const mbrCopy: CopyModeOptions = { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions };

/** A copy-files flash of `imagePath` to `targets` with verification, as every test here runs it; `extra` adds a signal or a listener. */
function copyFlash(imagePath: string, targets: readonly string[], copy: CopyModeOptions = mbrCopy, extra: Partial<Parameters<typeof flashImage>[0]> = {}) {
  return flashImage({
    imagePath,
    targets: targets.map((path) => ({ path })),
    verify: true,
    includeAll: true,
    eject: false,
    recipe: { kind: 'copy', copy },
    ...extra,
  });
}

describe.skipIf(!isRoot)(`copy-files mode on loop devices (${rootSkipReason})`, () => {
  let dir = '';
  const loops = new LoopDevices();

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-copy-mode-');
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loop device over a fresh file of `sizeBytes` holding old data (0xAA) everywhere. */
  function oldDrive(name: string, sizeBytes: number): { file: string; device: string } {
    const file = join(dir, `${name}.img`);
    writeFileSync(file, Buffer.alloc(sizeBytes, 0xaa));
    return { file, device: loops.attach(file) };
  }

  /** The drive's one partition (as sfdisk finds it) copied out for fsck and mtools, and its blkid tags. */
  function partitionOf(file: string, name: string): { partition: string; blkid: string } {
    const table = JSON.parse(runTool('sfdisk', ['--json', file])) as { partitiontable: { partitions: { start: number; size: number }[] } };
    const [entry] = table.partitiontable.partitions;
    if (!entry) throw new Error(`sfdisk finds no partition on ${file}`);
    const partition = join(dir, `${name}.part`);
    runTool('dd', [
      `if=${file}`,
      `of=${partition}`,
      'bs=1M',
      `skip=${entry.start * 512}`,
      `count=${entry.size * 512}`,
      'iflag=skip_bytes,count_bytes',
      'status=none',
    ]);
    return { partition, blkid: runTool('blkid', ['-p', '-o', 'export', partition]) };
  }

  /** SHA-256 of every file on a FAT partition, copied out with mtools. */
  function filesOnStick(partition: string, name: string): Map<string, string> {
    const folder = join(dir, `${name}-files`);
    mkdirSync(folder);
    execFileSync('mcopy', ['-s', '-n', '-i', partition, '::*', folder], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    return hashTree(folder);
  }

  function filesOfImage(image: string, name: string): Map<string, string> {
    const folder = join(dir, `${name}-image`);
    runTool('7zz', ['x', '-y', `-o${folder}`, image, '-x![BOOT]']);
    return hashTree(folder);
  }

  it('writes a non-hybrid El Torito EFI ISO as its files on a new MBR FAT32 stick: verified, fsck clean, the same files', async () => {
    const image = nonhybridGrubIsoPath();
    const { file, device } = oldDrive('nonhybrid', 64 * MiB);
    const result = await copyFlash(image, [device]);
    expect(result.targets[0]).toMatchObject({ target: device, outcome: 'verified', error: null });
    expect(result.outcome).toBe('succeeded');
    // Only the used part and the last MiB were written: most of the old data is still there.
    expect(result.targets[0]!.bytesWritten).toBeLessThan(32 * MiB);

    expect(runTool('sfdisk', ['--json', file])).toContain('"label": "dos"');
    const { partition, blkid } = partitionOf(file, 'nonhybrid');
    expect(blkid).toMatch(/^TYPE=vfat$/m);
    expect(blkid).toMatch(/^SEC_TYPE=|^VERSION=FAT32$/m);
    execFileSync('fsck.fat', ['-n', partition]); // exit 0: nothing to fix
    const onStick = filesOnStick(partition, 'nonhybrid');
    const inImage = filesOfImage(image, 'nonhybrid');
    expect(Object.fromEntries(onStick)).toEqual(Object.fromEntries(inImage));
  });

  it('writes a Windows-like UDF installer with install.wim split into 1 MiB .swm parts on GPT, with autounattend.xml, and wimlib accepts the parts', async () => {
    const image = windowsLikeUdfIsoPath();
    const { file, device } = oldDrive('windows', 64 * MiB);
    const copy: CopyModeOptions = { table: 'gpt', wimPartBytes: MiB, windows: { skipHardwareChecks: true, localAccountName: 'ana', regional: null } };
    const result = await copyFlash(image, [device], copy);
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', error: null });

    execFileSync('sgdisk', ['--verify', file]); // exit 0: the primary and backup tables agree, the backup at the end
    const { partition, blkid } = partitionOf(file, 'windows');
    expect(blkid).toMatch(/^LABEL=CCCOMA_X64F/m);
    execFileSync('fsck.fat', ['-n', partition]);
    const onStick = filesOnStick(partition, 'windows');
    const inImage = filesOfImage(image, 'windows');
    // Every file of the image, except install.wim, which is there as its .swm parts, plus autounattend.xml.
    const parts = [...onStick.keys()].filter((path) => /^\/sources\/install\d*\.swm$/.test(path));
    expect(parts.length).toBeGreaterThan(1);
    const { ['/sources/install.wim']: wim, ...others } = Object.fromEntries(inImage);
    const { ['/autounattend.xml']: answer, ...copied } = Object.fromEntries([...onStick].filter(([path]) => !parts.includes(path)));
    expect(wim).toBeDefined();
    expect(answer).toBeDefined();
    expect(copied).toEqual(others);
    const sources = join(dir, 'windows-files/sources');
    expect(runTool('wimlib-imagex', ['verify', join(sources, 'install.swm'), `--ref=${join(sources, 'install*.swm')}`])).toMatch(/was successfully verified/);
  });

  it("writes two targets of different sizes with the stick composed for the smaller, and wipes the larger one's own last MiB", async () => {
    const image = nonhybridGrubIsoPath();
    const small = oldDrive('small-of-two', 64 * MiB);
    const large = oldDrive('large-of-two', 96 * MiB);
    const result = await copyFlash(image, [small.device, large.device]);
    expect(result.targets.map((target) => target.outcome)).toEqual(['verified', 'verified']);
    // The same partition on both: the one made for the smaller drive.
    const partitions = (file: string): { start: number; size: number; type: string }[] =>
      (
        JSON.parse(runTool('sfdisk', ['--json', file])) as { partitiontable: { partitions: { start: number; size: number; type: string }[] } }
      ).partitiontable.partitions.map(({ start, size, type }) => ({ start, size, type }));
    expect(partitions(large.file)).toEqual(partitions(small.file));
    // No old signature survives at the larger drive's own end (an old GPT backup would live there).
    expect(execFileSync('tail', ['-c', String(MiB), large.file]).equals(Buffer.alloc(MiB))).toBe(true);
    execFileSync('fsck.fat', ['-n', partitionOf(large.file, 'large-of-two').partition]);
  });

  it('cancels a copy-files write like any write: the result says cancelled, never succeeded', async () => {
    const { device } = oldDrive('cancelled', 64 * MiB);
    const controller = new AbortController();
    const result = await copyFlash(
      windowsLikeUdfIsoPath(),
      [device],
      { ...mbrCopy, wimPartBytes: MiB },
      {
        signal: controller.signal,
        onProgress: (progress) => {
          // The first report (the writing phase starting) cancels: a small stick may be written before a second one.
          if (progress.targets.some((target) => target.phase === 'writing')) controller.abort();
        },
      },
    );
    expect(result.outcome).toBe('cancelled');
    expect(result.targets[0]).toMatchObject({ outcome: 'cancelled', error: { code: 'cancelled' } });
  });

  it('refuses a stick the target has no room for before changing one byte of it (target-too-small as no-space)', async () => {
    const image = windowsLikeUdfIsoPath();
    const { device } = oldDrive('tiny', 4 * MiB);
    const before = sha256OfPrefix(device, 4 * MiB);
    const result = await copyFlash(image, [device]);
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]).toMatchObject({ outcome: 'failed', bytesWritten: 0, error: { code: 'no-space' } });
    expect(sha256OfPrefix(device, 4 * MiB)).toBe(before);
  });
});

const faultyFs = fileURLToPath(new URL('./tools/faulty-fs.py', import.meta.url));
const hasFuse = existsSync('/dev/fuse');

describe.skipIf(!isRoot || !hasFuse)('copy-files mode on a failing target (FUSE)', () => {
  let dir = '';
  let fuse: ChildProcess | null = null;
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-copy-faults-');
  });
  afterAll(async () => {
    const mountpoint = join(dir, 'fuse');
    if (fuse) {
      execFileSync('fusermount', ['-u', mountpoint], { stdio: 'ignore' });
      if (fuse.exitCode === null) await new Promise((resolve) => fuse!.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a target that fails inside the file data never reports success, and names where', async () => {
    const mountpoint = join(dir, 'fuse');
    mkdirSync(mountpoint);
    // 40 MiB: FAT32 needs 65525 clusters (Microsoft FAT spec 3.5), a little over 32 MiB of 512-byte ones.
    fuse = spawn('/usr/bin/python3', [faultyFs, mountpoint, String(40 * MiB), 'fail-write', String(2 * MiB)], { stdio: 'ignore' });
    const target = join(mountpoint, 'disk.img');
    for (let attempt = 0; attempt < 100 && !existsSync(target); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await copyFlash(nonhybridGrubIsoPath(), [target]);
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'write-failed' } });
    expect(result.targets[0]!.error!.message).toContain(target);
  });
});
