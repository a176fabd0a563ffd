// Fault injection (root only): a FUSE file (test/flash/tools/faulty-fs.py, python3-fusepy) that fails
// or vanishes after N bytes, mid-write and mid-verify, and a file on a size-capped tmpfs. Each ends
// with a specific error code and a message naming the target, never "success".
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlashErrorCode } from '../../shared/flash.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { isRoot, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;
const faultyFs = fileURLToPath(new URL('./tools/faulty-fs.py', import.meta.url));
const hasFuse =
  existsSync('/dev/fuse') &&
  (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import fusepy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

describe.skipIf(!isRoot || !hasFuse)(`fault injection (${rootSkipReason}; also needs /dev/fuse and python3-fusepy)`, () => {
  let dir = '';
  let image = '';
  let fuse: { process: ChildProcess; mountpoint: string } | null = null;

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-faults-');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(24 * MiB));
  });
  afterEach(async () => unmountFuse());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function mountFaulty(mode: string, offsetBytes: number): Promise<string> {
    const mountpoint = join(dir, `fuse-${mode}`);
    mkdirSync(mountpoint, { recursive: true });
    const child = spawn('/usr/bin/python3', [faultyFs, mountpoint, String(32 * MiB), mode, String(offsetBytes)], { stdio: 'ignore' });
    fuse = { process: child, mountpoint };
    const file = join(mountpoint, 'disk.img');
    for (let attempt = 0; attempt < 100 && !existsSync(file); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!existsSync(file)) throw new Error('the FUSE file system did not come up');
    return file;
  }

  async function unmountFuse(): Promise<void> {
    if (!fuse) return;
    const { process: child, mountpoint } = fuse;
    fuse = null;
    try {
      execFileSync('fusermount', ['-u', mountpoint], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', mountpoint], { stdio: 'ignore' });
    }
    if (child.exitCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      });
    }
  }

  const flashTo = (target: string) => flashImage({ imagePath: image, targets: [{ path: target }], verify: true, includeAll: true, eject: false });

  const cases: readonly { mode: string; offsetBytes: number; code: FlashErrorCode; phase: string }[] = [
    { mode: 'fail-write', offsetBytes: 10 * MiB, code: 'write-failed', phase: 'write' },
    { mode: 'vanish-write', offsetBytes: 10 * MiB, code: 'target-removed', phase: 'write' },
    { mode: 'fail-read', offsetBytes: 6 * MiB, code: 'read-failed', phase: 'read' },
    { mode: 'vanish-read', offsetBytes: 6 * MiB, code: 'target-removed', phase: 'read' },
  ];

  it.each(cases)('a FUSE file that does $mode after $offsetBytes bytes ends in $code, never success', async ({ mode, offsetBytes, code, phase }) => {
    const target = await mountFaulty(mode, offsetBytes);
    const result = await flashTo(target);
    expect(result.outcome).toBe('failed');
    const failed = result.targets[0]!;
    expect(failed.outcome).toBe('failed');
    expect(failed.error!.code).toBe(code);
    expect(failed.error!.message).toContain(`${phase} ${target}`);
    // The reported offset is at or past the point where the file started failing, within one chunk.
    expect(failed.error!.offsetBytes).toBeGreaterThanOrEqual(offsetBytes - 4 * MiB);
    expect(failed.error!.offsetBytes).toBeLessThanOrEqual(offsetBytes + 4 * MiB);
  });

  it('a drive that returns different bytes than were written fails verification with the exact range', async () => {
    const corruptAt = 7 * MiB + 12_288;
    const target = await mountFaulty('corrupt-read', corruptAt);
    const result = await flashTo(target);
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: corruptAt });
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: corruptAt, lengthBytes: 4096 });
  });

  it('a regular file on a full tmpfs fails with no-space at the byte where the space ran out', async () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    try {
      const target = join(small, 'out.img');
      writeFileSync(target, '');
      const result = await flashTo(target);
      expect(result.outcome).toBe('failed');
      expect(result.targets[0]!.error!.code).toBe('no-space');
      // 8 MiB of space; the first MiB is held back (written last), so the file is sparse there and
      // the space runs out at byte 9 MiB.
      expect(result.targets[0]!.error!.offsetBytes).toBe(9 * MiB);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});
