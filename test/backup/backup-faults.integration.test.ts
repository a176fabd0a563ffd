// A drive that fails while it is read (root, /dev/fuse and python3-fusepy): a loop device over the
// faulty FUSE file of the flash tests (test/flash/tools/faulty-fs.py), whose reads past 6 MiB fail
// with EIO. The backup ends with read-failed naming the device and the offset, and leaves no file:
// neither the partial one nor anything that looks complete.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupWorkFor, findBackupDrive, runBackupWork } from '../../src-main/backup/backup-work.ts';
import { backupChunkBytes } from '../../src-main/backup/device-reader.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;
const faultyFs = fileURLToPath(new URL('../flash/tools/faulty-fs.py', import.meta.url));
const hasFuse = existsSync('/dev/fuse') && (() => execFileSyncOk('/usr/bin/python3', ['-c', 'import fusepy']))();

function execFileSyncOk(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!isRoot || !hasFuse)(`a drive failing during a backup (${rootSkipReason}; also needs /dev/fuse and python3-fusepy)`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let mountpoint = '';
  let fuse: ChildProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync('/dev/shm/isotope-backup-faults-');
    mountpoint = join(dir, 'fuse');
    mkdirSync(mountpoint);
    fuse = spawn('/usr/bin/python3', [faultyFs, mountpoint, String(16 * MiB), 'fail-read', String(6 * MiB)], { stdio: 'ignore' });
    const file = join(mountpoint, 'disk.img');
    for (let attempt = 0; attempt < 100 && !existsSync(file); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!existsSync(file)) throw new Error('the FUSE file system did not come up');
  });
  afterAll(() => {
    loops.detachAll();
    if (!execFileSyncOk('fusermount', ['-u', mountpoint])) execFileSyncOk('umount', ['-l', mountpoint]);
    fuse?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with read-failed at the failing offset and leaves no file behind', { timeout: 60_000 }, async () => {
    const device = loops.attach(join(mountpoint, 'disk.img'), { readOnly: true });
    const outputDir = join(dir, 'out');
    mkdirSync(outputDir);
    const drive = await findBackupDrive({ devicePath: device });
    const work = backupWorkFor(drive, { outputPath: join(outputDir, 'failing.img.zst'), compression: 'zstd', overwrite: false });
    const run = runBackupWork(work, { jobId: 'faults', signal: new AbortController().signal, onProgress: () => undefined });
    const error = (await run.catch((failure: unknown) => failure)) as { code?: string; message?: string };
    expect(error.code).toBe('read-failed');
    // The message names the device and where the failing read started: the 4 MiB read holding byte 6 MiB.
    const offsetBytes = Number(new RegExp(`${device} at byte (\\d+)`).exec(error.message ?? '')?.[1]);
    expect(offsetBytes).toBeGreaterThan(6 * MiB - backupChunkBytes);
    expect(offsetBytes).toBeLessThanOrEqual(6 * MiB);
    expect(readdirSync(outputDir)).toEqual([]);
  });
});
