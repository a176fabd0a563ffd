// The flash engine on real loop devices (root only): byte-identical writes checked with cmp and
// sha256sum, refusals that change zero bytes, one failing target among four, a busy target, an
// interrupted write that leaves the first MiB cleared, cancellation, and verification that really
// reads the device (a 4 KiB corruption of the backing file is found, with its range).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashProgress } from '../../shared/flash.ts';
import { flashImage, verifyDriveAgainstImage } from '../../src-main/flash/flash-image.ts';
import { headBytes } from '../../src-main/flash/flash-job.ts';
import { archiveKinds, flashArchivePath, flashImageSizeBytes, flashSourcePath } from '../fixtures/flash-images.ts';
import { LoopDevices, cmpIdentical, isRoot, readBytes, rootSkipReason, sha256OfPrefix } from './loop-devices.ts';

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)(`flashing loop devices (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let image = '';
  const imageBytes = 32 * MiB;
  const fullTmpfs = { path: '', mounted: false };

  const backingFile = (name: string, sizeBytes: number, fill = 0): string => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(sizeBytes, fill));
    return path;
  };
  const flash = (
    targets: string[],
    options: { includeAll?: boolean; verify?: boolean; imagePath?: string; signal?: AbortSignal; onProgress?: (progress: FlashProgress) => void } = {},
  ) =>
    flashImage({
      imagePath: options.imagePath ?? image,
      targets: targets.map((path) => ({ path })),
      verify: options.verify ?? true,
      includeAll: options.includeAll ?? true,
      eject: false,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-flash-test-');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(imageBytes));
  });

  afterAll(() => {
    loops.detachAll();
    if (fullTmpfs.mounted) execFileSync('umount', [fullTmpfs.path]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a 32 MiB image byte-identical to a loop device, verified, with the SHA-256 sha256sum computes', async () => {
    const loop = loops.attach(backingFile('one.img', 40 * MiB));
    const events: FlashProgress[] = [];
    const result = await flash([loop], { onProgress: (progress) => events.push(progress) });
    expect(result.outcome).toBe('succeeded');
    expect(result.targets).toMatchObject([{ target: loop, outcome: 'verified', bytesWritten: imageBytes, error: null }]);
    expect(cmpIdentical(image, loop, imageBytes)).toBe(true);
    expect(result.source.sha256Hex).toBe(sha256OfPrefix(image, imageBytes));
    const phases = new Set(events.flatMap((event) => event.targets.map((target) => target.phase)));
    expect([...phases]).toEqual(expect.arrayContaining(['writing', 'flushing', 'verifying', 'done']));
  });

  it('clones a block device (a loop over the image) onto another loop device', async () => {
    const source = loops.attach(image, { readOnly: true });
    const target = loops.attach(backingFile('clone.img', 40 * MiB));
    const result = await flash([target], { imagePath: source });
    expect(result.outcome).toBe('succeeded');
    expect(result.source).toMatchObject({ compression: 'device', sizeBytes: imageBytes });
    expect(cmpIdentical(image, target, imageBytes)).toBe(true);
  });

  it.each(archiveKinds)('writes a .%s image to a loop device byte-identical to the raw image', async (kind) => {
    const loop = loops.attach(backingFile(`archive-${kind}.img`, 16 * MiB));
    const result = await flash([loop], { imagePath: flashArchivePath(kind) });
    expect(result.outcome).toBe('succeeded');
    expect(result.source.sizeBytes).toBe(flashImageSizeBytes);
    expect(cmpIdentical(flashSourcePath(), loop, flashImageSizeBytes)).toBe(true);
  });

  it('refuses a loop device without "show all drives" and changes none of its bytes', async () => {
    const loop = loops.attach(backingFile('hidden.img', 40 * MiB, 0x5a));
    const before = sha256OfPrefix(loop, 40 * MiB);
    const result = await flash([loop], { includeAll: false });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]).toMatchObject({ outcome: 'failed', bytesWritten: 0, error: { code: 'refused' } });
    expect(result.targets[0]!.refusals.map((issue) => issue.code)).toEqual(['hidden-drive']);
    expect(sha256OfPrefix(loop, 40 * MiB)).toBe(before);
  });

  it('refuses a read-only loop (losetup -r) and changes none of its bytes', async () => {
    const loop = loops.attach(backingFile('readonly.img', 40 * MiB, 0x11), { readOnly: true });
    const before = sha256OfPrefix(loop, 40 * MiB);
    const result = await flash([loop]);
    expect(result.targets[0]!.refusals.map((issue) => issue.code)).toEqual(['read-only']);
    expect(sha256OfPrefix(loop, 40 * MiB)).toBe(before);
  });

  it('refuses the loop device backed by the image itself, and the image is unchanged', async () => {
    const before = sha256OfPrefix(image, imageBytes);
    const loop = loops.attach(image);
    const result = await flash([loop]);
    expect(result.targets[0]!.refusals.map((issue) => issue.code)).toEqual(['source-drive']);
    expect(sha256OfPrefix(image, imageBytes)).toBe(before);
  });

  it('refuses a loop device smaller than the image and changes none of its bytes', async () => {
    const loop = loops.attach(backingFile('small.img', 16 * MiB, 0x22));
    const before = sha256OfPrefix(loop, 16 * MiB);
    const result = await flash([loop]);
    expect(result.targets[0]!.refusals.map((issue) => issue.code)).toEqual(['too-small']);
    expect(sha256OfPrefix(loop, 16 * MiB)).toBe(before);
  });

  it('writes four targets from one read; the one on a full tmpfs fails alone with a code and offset', async () => {
    fullTmpfs.path = join(dir, 'full');
    mkdirSync(fullTmpfs.path);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', fullTmpfs.path]);
    fullTmpfs.mounted = true;
    const sparse = join(fullTmpfs.path, 'sparse.img');
    execFileSync('truncate', ['-s', `${40 * MiB}`, sparse]);
    const good = [1, 2, 3].map((index) => loops.attach(backingFile(`multi-${index}.img`, 40 * MiB)));
    const failing = loops.attach(sparse);
    const result = await flash([good[0]!, failing, good[1]!, good[2]!]);
    expect(result.outcome).toBe('partial');
    for (const loop of good) {
      expect(result.targets.find((target) => target.target === loop)).toMatchObject({ outcome: 'verified', error: null });
      expect(cmpIdentical(image, loop, imageBytes)).toBe(true);
    }
    const failed = result.targets.find((target) => target.target === failing)!;
    expect(failed.outcome).toBe('failed');
    expect(['write-failed', 'no-space']).toContain(failed.error!.code);
    expect(failed.error!.message).toContain(failing);
  });

  it('reports a target held exclusively by another process as busy and writes none of its bytes', async () => {
    const loop = loops.attach(backingFile('busy.img', 40 * MiB, 0x33));
    const before = sha256OfPrefix(loop, 40 * MiB);
    // A mounted device refuses O_EXCL the same way (EBUSY); mounting is not done on this machine.
    const holder: ChildProcess = spawn(
      '/usr/bin/python3',
      ['-c', `import os,sys; fd=os.open(${JSON.stringify(loop)}, os.O_RDONLY|os.O_EXCL); print('held', flush=True); sys.stdin.read()`],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const result = await flash([loop]);
      expect(result.targets[0]).toMatchObject({ outcome: 'failed', bytesWritten: 0, error: { code: 'target-busy' } });
    } finally {
      holder.stdin!.end();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(sha256OfPrefix(loop, 40 * MiB)).toBe(before);
  });

  it('leaves the first MiB cleared (no stale partition table) when the archive breaks mid-way, and says where', async () => {
    // gzip (the real tool) of the 32 MiB image, cut at 60%: about 19 MiB decode before the damage.
    const truncated = join(dir, 'image.img.gz');
    const compressed = execFileSync('gzip', ['-1', '-c', image], { maxBuffer: 64 * MiB });
    writeFileSync(truncated, compressed.subarray(0, Math.floor(compressed.length * 0.6)));
    const loop = loops.attach(backingFile('interrupted.img', 40 * MiB, 0x5a));
    const result = await flash([loop], { imagePath: truncated });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.error).toMatchObject({ code: 'corrupt-archive' });
    const failedAt = result.targets[0]!.error!.offsetBytes!;
    expect(failedAt).toBeGreaterThan(8 * MiB);
    expect(readBytes(loop, 0, headBytes).every((byte) => byte === 0)).toBe(true);
    // The whole chunks before the damage were written (after the first MiB), and nothing past it.
    expect(readBytes(loop, headBytes, 7 * MiB).equals(readBytes(image, headBytes, 7 * MiB))).toBe(true);
    expect(readBytes(loop, 32 * MiB, MiB).every((byte) => byte === 0x5a)).toBe(true);
  });

  it('cancels cleanly when aborted, with a stated result and the first MiB cleared', async () => {
    const loop = loops.attach(backingFile('cancel.img', 40 * MiB, 0x77));
    const controller = new AbortController();
    const result = await flash([loop], {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.targets.some((target) => target.phase === 'writing')) controller.abort();
      },
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.targets[0]).toMatchObject({ outcome: 'cancelled', error: { code: 'cancelled' } });
    expect(readBytes(loop, 0, headBytes).every((byte) => byte === 0)).toBe(true);
  });

  it('verify reads the device: a 4 KiB corruption of the backing file is found with its range', async () => {
    const backing = backingFile('corrupt.img', 40 * MiB);
    const loop = loops.attach(backing);
    expect((await flash([loop])).outcome).toBe('succeeded');
    const corruptAt = 5 * MiB + 12_288;
    const fd = openSync(backing, 'r+');
    writeSync(
      fd,
      Buffer.alloc(4096, 0xff).map((_, index) => readBytes(image, corruptAt + index, 1)[0]! ^ 0xff),
      0,
      4096,
      corruptAt,
    );
    closeSync(fd);
    const result = await verifyDriveAgainstImage({ imagePath: image, target: { path: loop }, includeAll: true });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.error!.code).toBe('verification-mismatch');
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: corruptAt, lengthBytes: 4096 });
    const clean = await verifyDriveAgainstImage({ imagePath: image, target: { path: loop }, includeAll: true }).then(() =>
      verifyDriveAgainstImage({ imagePath: image, target: { path: image }, includeAll: true }),
    );
    expect(clean.outcome).toBe('succeeded');
  });
});
