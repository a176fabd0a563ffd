// `isotope backup` on real loop devices (root only), run as a child process from the sources: the image
// file equals the device's bytes (cmp), restores by a flash to a byte-identical drive, compressed outputs
// pass the real gzip/xz/zstd tests and decompress to the device's bytes, every sidecar passes
// `sha256sum -c`, memory stays flat on a 256 MiB drive, and the refusals (output on the drive being
// read, an existing file) and a cancel leave nothing behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupResult } from '../../shared/backup.ts';
import { bootFixturePath, buildBootFixtures } from '../fixtures/boot-images.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { interruptIsotope, isotopeFromSources } from '../helpers/interrupted-isotope.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;

function isotope(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...isotopeFromSources, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The result line of `isotope backup --json` (its last line). */
function backupResult(stdout: string): BackupResult & { event: string } {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as BackupResult & { event: string };
}

function sha256sumCheck(sidecar: string): { status: number | null; stdout: string } {
  const run = spawnSync('sha256sum', ['-c', sidecar], { cwd: join(sidecar, '..'), encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

// Each test starts the command (tsx) once or twice: generous on a machine busy with the whole suite.
describe.skipIf(!isRoot)(`isotope backup (${rootSkipReason})`, { timeout: 120_000 }, () => {
  const loops = new LoopDevices();
  let dir = '';
  let device = '';
  let deviceBytes = 0;
  let deviceSha256 = '';

  beforeAll(() => {
    buildBootFixtures();
    dir = mkdtempSync('/dev/shm/isotope-backup-test-');
    // The restoring flash stores the image's SHA-256 in the data folder's hash cache: a temporary one.
    process.env.ISOTOPE_HOME = join(dir, 'home');
    // A real image (a hybrid ISO built by xorriso) at the start of a drive a little larger than it,
    // then 1 MiB of random bytes (so a compressor that drops data cannot pass) and zeros.
    const image = readFileSync(bootFixturePath('hybridGpt'));
    deviceBytes = Math.ceil((image.length + 4 * MiB) / MiB) * MiB;
    const backing = join(dir, 'drive.img');
    writeFileSync(backing, Buffer.concat([image, randomBytes(MiB), Buffer.alloc(deviceBytes - image.length - MiB)]));
    device = loops.attach(backing, { readOnly: true });
    deviceSha256 = sha256OfPrefix(device, deviceBytes);
  });

  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a .img equal to the whole device, with its SHA-256, and a sidecar that sha256sum -c accepts', () => {
    const output = join(dir, 'raw', 'drive.img');
    mkdirSync(join(dir, 'raw'));
    const run = isotope(['backup', device, '-o', output, '--unsafe', '--json']);
    expect(run.stderr).not.toContain('isotope:');
    expect(run.status).toBe(0);
    const result = backupResult(run.stdout);
    expect(result).toMatchObject({ event: 'job:finished', device, outputPath: output, compression: 'none', bytesRead: deviceBytes, bytesWritten: deviceBytes });
    expect(result.sha256Hex).toBe(deviceSha256);
    expect(statSync(output).size).toBe(deviceBytes);
    expect(cmpIdentical(output, device, deviceBytes)).toBe(true);
    expect(readFileSync(result.sidecarPath, 'utf8')).toBe(`${deviceSha256}  drive.img\n`);
    expect(sha256sumCheck(result.sidecarPath)).toMatchObject({ status: 0, stdout: 'drive.img: OK\n' });
    expect(readdirSync(join(dir, 'raw')).sort()).toEqual(['drive.img', 'drive.img.sha256']);
  });

  it.each(['.img', '.zst'])('restores: the %s backup flashed onto another drive makes it byte-identical to the original', (extension) => {
    const output = join(dir, `restore${extension}`);
    const backup = isotope(['backup', device, '-o', output, '--unsafe', '--json']);
    expect(backup.status).toBe(0);
    const targetBacking = join(dir, `target${extension}.bin`);
    writeFileSync(targetBacking, Buffer.alloc(deviceBytes + MiB));
    const target = loops.attach(targetBacking);
    const flashed = isotope(['flash', output, target, '--yes', '--unsafe', '--force', '--json']);
    expect(flashed.stderr).not.toContain('isotope:');
    expect(flashed.status).toBe(0);
    expect(cmpIdentical(device, target, deviceBytes)).toBe(true);
    // The flash decoded and hashed the same bytes the backup read.
    expect(flashed.stdout.trim().split('\n').at(-1)).toContain(backupResult(backup.stdout).sha256Hex);
  });

  it.each([
    ['gzip', '.gz', ['gzip', '-t'], ['gzip', '-dc']],
    ['xz', '.xz', ['xz', '-t'], ['xz', '-dc']],
    ['zstd', '.zst', ['zstd', '-q', '-t'], ['zstd', '-q', '-dc']],
  ] as const)('writes %s by the extension: the real tool tests it and decompresses it to the device bytes', (compression, extension, test, decompress) => {
    const output = join(dir, `drive${extension}`);
    const run = isotope(['backup', device, '-o', output, '--unsafe', '--json']);
    expect(run.status).toBe(0);
    const result = backupResult(run.stdout);
    expect(result).toMatchObject({ compression, bytesRead: deviceBytes, bytesWritten: statSync(output).size, sha256Hex: deviceSha256 });
    expect(spawnSync(test[0], [...test.slice(1), output]).status).toBe(0);
    const decompressed = execFileSync('sh', ['-c', `${decompress.join(' ')} "$1" | sha256sum`, 'sh', output], { encoding: 'utf8' }).split(' ')[0];
    expect(decompressed).toBe(deviceSha256);
    expect(sha256sumCheck(result.sidecarPath).status).toBe(0);
    expect(result.fileSha256Hex).not.toBe(deviceSha256);
  });

  it('refuses an existing output without --yes (file-exists, the file untouched) and replaces it with --yes', () => {
    const output = join(dir, 'existing.img');
    writeFileSync(output, 'keep me');
    const refused = isotope(['backup', device, '-o', output, '--unsafe', '--json']);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'file-exists' } });
    expect(readFileSync(output, 'utf8')).toBe('keep me');
    expect(existsSync(`${output}.partial`) || existsSync(`${output}.sha256`)).toBe(false);
    expect(isotope(['backup', device, '-o', output, '--unsafe', '--yes']).status).toBe(0);
    expect(cmpIdentical(output, device, deviceBytes)).toBe(true);
  });

  it('refuses a loop device without --unsafe, reading nothing', () => {
    const output = join(dir, 'hidden.img');
    const run = isotope(['backup', device, '-o', output]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('pass --unsafe');
    expect(existsSync(output)).toBe(false);
  });

  it('refuses to write the backup onto the drive being read (an ext4 on it, mounted): nothing changes on the drive', () => {
    const backing = join(dir, 'ext4.img');
    writeFileSync(backing, Buffer.alloc(32 * MiB));
    const loop = loops.attach(backing);
    // No lazy initialisation: the kernel would write the inode tables later, behind the test's back.
    execFileSync('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', loop]);
    const mountpoint = join(dir, 'ext4-mnt');
    mkdirSync(mountpoint);
    // Mounted only inside a private mount namespace that dies with the shell; the backup runs inside it.
    const script = [
      'set -e',
      'mount "$1" "$2"',
      'mkdir "$2/backups"',
      'sync',
      'before=$(sha256sum < "$1")',
      'set +e',
      '"$3" --import tsx "$4" backup "$1" -o "$2/backups/self.img" --unsafe --json > "$5"',
      'status=$?',
      'set -e',
      'sync',
      'after=$(sha256sum < "$1")',
      'ls -A "$2/backups" > "$6"',
      'umount "$2"',
      '[ "$before" = "$after" ] || { echo changed; exit 9; }',
      'exit $status',
    ].join('\n');
    const output = join(dir, 'self.json');
    const listing = join(dir, 'self.ls');
    const run = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', loop, mountpoint, process.execPath, isotopeFromSources[2] ?? '', output, listing],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.stdout).not.toContain('changed');
    expect(run.status).toBe(1);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toMatchObject({ error: { code: 'output-on-source' } });
    expect(readFileSync(listing, 'utf8')).toBe('');
  });

  it('keeps memory flat: a 256 MiB drive of random bytes backs up to .zst and .img with a peak RSS under 256 MiB', { timeout: 300_000 }, () => {
    const backing = join(dir, 'big-drive.bin');
    writeFileSync(backing, randomBytes(256 * MiB));
    const big = loops.attach(backing, { readOnly: true });
    for (const name of ['big.zst', 'big.img']) {
      const output = join(dir, name);
      const run = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kib %M', process.execPath, ...isotopeFromSources, 'backup', big, '-o', output, '--unsafe'], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const peakKib = Number(/peak-rss-kib (\d+)/.exec(run.stderr)?.[1]);
      // A backup that held the drive (or its compressed form) in memory would pass 256 MiB by itself.
      expect(peakKib * 1024).toBeLessThan(256 * MiB);
      expect(sha256sumCheck(`${output}.sha256`).status).toBe(0);
      rmSync(output);
    }
  });

  it('Ctrl-C cancels: the partial file is removed and no file looking complete is left', { timeout: 180_000 }, async () => {
    const backing = join(dir, 'slow.img');
    writeFileSync(backing, randomBytes(128 * MiB));
    const slow = loops.attach(backing, { readOnly: true });
    const output = join(dir, 'cancelled', 'slow.xz');
    mkdirSync(join(dir, 'cancelled'));
    // xz on random bytes is slow enough that the job is still running at the first progress line.
    const run = await interruptIsotope(['backup', slow, '-o', output, '--unsafe', '--json'], '"job:progress"', `${output}.partial`);
    expect(run.interrupted, run.stdout).toBe(true);
    expect(run.partialExisted).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('"code": "cancelled"');
    expect(readdirSync(join(dir, 'cancelled'))).toEqual([]);
  });
});
