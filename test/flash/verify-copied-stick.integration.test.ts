// Verify-only of a stick written in copy-files mode (issue 14), as root on loop devices: such a stick
// holds the image's files on a new FAT32, not the image's bytes, so verify judges it file by file
// (verified, or the first differing file named with its offset), while a raw-written stick is still
// compared byte for byte. Before this, verify reported a copied stick as differing at byte 0.
import { closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { defaultWimPartBytes, noWindowsOptions, type CopyModeOptions } from '../../shared/stick.ts';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import { flashImage, verifyDriveAgainstImage } from '../../src-main/flash/flash-image.ts';
import type { WriteRecipe } from '../../src-main/flash/write-input.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { isolinuxEfiIsoPath } from '../fixtures/isolinux-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { LoopDevices, isRoot, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;
const mbrCopy: CopyModeOptions = { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions };

describe.skipIf(!isRoot)(`verify-only of copy-files sticks on loop devices (${rootSkipReason})`, () => {
  let dir = '';
  const loops = new LoopDevices();

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-verify-copied-');
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loop device over a fresh 64 MiB file of old data (0xAA), written from `image` as `recipe` says, verified by the write itself. */
  async function writtenDrive(name: string, image: string, recipe: WriteRecipe): Promise<{ file: string; device: string }> {
    const file = join(dir, `${name}.img`);
    writeFileSync(file, Buffer.alloc(64 * MiB, 0xaa));
    const device = loops.attach(file);
    const written = await flashImage({ imagePath: image, targets: [{ path: device }], verify: true, includeAll: true, eject: false, recipe });
    expect(written.targets[0]).toMatchObject({ outcome: 'verified', error: null });
    return { file, device };
  }

  it('verifies a copy-files stick file by file, where a byte comparison with the image differs at byte 0', async () => {
    const image = nonhybridGrubIsoPath();
    const { device } = await writtenDrive('copied', image, { kind: 'copy', copy: mbrCopy });

    const reports: FlashProgress[] = [];
    const result = await verifyDriveAgainstImage({
      imagePath: image,
      target: { path: device },
      includeAll: true,
      onProgress: (report) => reports.push(report),
    });
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', error: null, copiedFiles: { extraPaths: [] } });
    expect(result.targets[0]!.copiedFiles!.fileCount).toBeGreaterThan(3);
    // Progress counts the copied files' bytes, ending with all of them.
    const last = reports.at(-1)!.targets[0]!;
    expect(last).toMatchObject({ target: device, phase: 'verifying' });
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.bytesDone).toBeGreaterThan(0);

    // Asked to compare raw, the same stick differs from the image at once: the partition table is not the image's.
    const raw = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true, mode: 'raw' });
    expect(raw.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'verification-mismatch' } });
    expect(raw.targets[0]!.mismatch!.offsetBytes).toBeLessThan(MiB);
  });

  it('names the copied file that differs and the offset of the byte within it, after one byte of it is flipped on the drive', async () => {
    const image = nonhybridGrubIsoPath();
    const { file, device } = await writtenDrive('flipped', image, { kind: 'copy', copy: mbrCopy });
    // Where a copied file's byte 100 lies on the drive, through the stick's own FAT32 (the partition at 1 MiB).
    const stick = await openFileSource(file);
    const victim = await (async () => {
      try {
        const tree = await openFatTree(stick, { offsetBytes: MiB });
        for await (const entry of tree.walk()) if (entry.type === 'file' && entry.sizeBytes > 4096) return entry;
        throw new Error('no copied file larger than 4 KiB');
      } finally {
        await stick.close();
      }
    })();
    const driveOffsetBytes = victim.extents[0]!.offsetBytes + 100;
    flipByteOnDevice(device, driveOffsetBytes);

    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'verification-mismatch', offsetBytes: 100 } });
    expect(result.targets[0]!.error!.message).toContain(`${victim.path} at byte 100`);
  });

  it('ends a file-by-file verify cancelled as it starts as cancelled, never verified or failed', async () => {
    const image = nonhybridGrubIsoPath();
    const { device } = await writtenDrive('cancelled', image, { kind: 'copy', copy: mbrCopy });
    const controller = new AbortController();
    const result = await verifyDriveAgainstImage({
      imagePath: image,
      target: { path: device },
      includeAll: true,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.targets[0]).toMatchObject({ outcome: 'cancelled', error: { code: 'cancelled' } });
  });

  it("reports a changed partition table (the MBR's disk signature) as a mismatch at that byte, though every file still matches", async () => {
    const image = nonhybridGrubIsoPath();
    const { device } = await writtenDrive('table', image, { kind: 'copy', copy: mbrCopy });
    flipByteOnDevice(device, 440);

    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true });
    expect(result.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'verification-mismatch', offsetBytes: 440 }, mismatch: { offsetBytes: 440 } });
  });

  it('still verifies a raw-written stick byte for byte', async () => {
    const image = nonhybridGrubIsoPath();
    const { device } = await writtenDrive('raw', image, { kind: 'raw' });

    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true });
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', error: null });
    expect(result.targets[0]!.copiedFiles).toBeUndefined();
    // Asked to judge it as copied files, it holds no FAT32 of them: a mismatch, never verified.
    const copy = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true, mode: 'copy' });
    expect(copy.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'verification-mismatch' } });
  });

  it('verifies the larger of two sticks written together, which holds the partition made for the smaller (SYSLINUX patched for it)', async () => {
    const image = isolinuxEfiIsoPath();
    const small = join(dir, 'small-of-two.img');
    const large = join(dir, 'large-of-two.img');
    writeFileSync(small, Buffer.alloc(64 * MiB, 0xaa));
    writeFileSync(large, Buffer.alloc(96 * MiB, 0xaa));
    const devices = [loops.attach(small), loops.attach(large)];
    const targets = devices.map((path) => ({ path }));
    const written = await flashImage({ imagePath: image, targets, verify: true, includeAll: true, eject: false, recipe: { kind: 'copy', copy: mbrCopy } });
    expect(written.targets.map((target) => target.outcome)).toEqual(['verified', 'verified']);

    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: devices[1]! }, includeAll: true });
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', error: null });
    expect(result.targets[0]!.copiedFiles!.fileCount).toBeGreaterThan(0);
  });

  it('isotope verify says a copied stick is verified file by file (exit 0), and --mode raw compares it byte for byte (exit 1)', async () => {
    assertBuilt();
    const image = windowsLikeUdfIsoPath();
    const copy: CopyModeOptions = { ...mbrCopy, windows: { skipHardwareChecks: true, localAccountName: null, regional: null } };
    const { device } = await writtenDrive('cli', image, { kind: 'copy', copy });

    const run = runIsotope(['verify', image, device]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/verified file by file: the stick holds the image's \d+ files/);
    expect(run.stdout).toContain('it also holds /autounattend.xml, which the image lacks');
    const raw = runIsotope(['verify', image, device, '--mode', 'raw', '--json']);
    expect(raw.status).toBe(1);
    const finished = JSON.parse(raw.stdout.trim().split('\n').at(-1)!) as FlashResult & { event: string };
    expect(finished).toMatchObject({ event: 'job:finished', outcome: 'failed', targets: [{ error: { code: 'verification-mismatch' } }] });
    expect(runIsotope(['verify', image, device, '--mode', 'files']).status).not.toBe(0);
  });

  it('verifies a Windows installer written with Windows options on GPT, naming the autounattend.xml the image lacks', async () => {
    const image = windowsLikeUdfIsoPath();
    const copy: CopyModeOptions = {
      table: 'gpt',
      wimPartBytes: defaultWimPartBytes,
      windows: { skipHardwareChecks: true, localAccountName: 'ana', regional: null },
    };
    const { device } = await writtenDrive('windows', image, { kind: 'copy', copy });

    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: device }, includeAll: true });
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', error: null, copiedFiles: { extraPaths: ['/autounattend.xml'] } });
  });
});

/** Inverts one byte on the block device itself (read the sector, flip, write back, fsync), as a faulty stick would hold it. */
function flipByteOnDevice(device: string, offsetBytes: number): void {
  const sectorStart = offsetBytes - (offsetBytes % 512);
  const sector = Buffer.alloc(512);
  const fd = openSync(device, 'r+');
  try {
    readSync(fd, sector, 0, 512, sectorStart);
    sector[offsetBytes - sectorStart] = sector[offsetBytes - sectorStart]! ^ 0xff;
    writeSync(fd, sector, 0, 512, sectorStart);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
