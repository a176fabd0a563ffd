// The built `isotope drives|flash|verify` commands, run as a user runs them: JSON lines, exit codes,
// the confirmation guard, mismatch ranges; as root also loop devices, and a mounted target (mounted
// inside a private mount namespace that dies with the test) that is unmounted before it is written.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashResult } from '../../shared/flash.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { assertBuilt, isotopeBin, runIsotope } from '../helpers/built-cli.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;

describe('isotope flash / verify / drives', () => {
  let dir = '';
  let image = '';
  const imageBytes = 6 * MiB + 512 + 7; // a ragged tail
  const loops = new LoopDevices();

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-cli-test-');
    // The CLI's flashes store the image's SHA-256 in the data folder's hash cache: a temporary one.
    process.env.ISOTOPE_HOME = join(dir, 'home');
    image = join(dir, 'image.img');
    // Random bytes are no disk image: the pre-flight assessment blocks them, so these flashes pass --force.
    writeFileSync(image, randomBytes(imageBytes));
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const jsonLines = (stdout: string): Record<string, unknown>[] =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('flash --json prints progress events then one result line, and exits 0 for a verified write', () => {
    const target = join(dir, 'out.img');
    writeFileSync(target, '');
    const run = runIsotope(['flash', image, target, '--yes', '--force', '--json']);
    expect(run.status).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toMatchObject({ event: 'image:assessed', kind: 'unknown', blocking: true });
    // Random bytes hold no file system to copy files from: written raw, and --json says so and why.
    expect(lines[1]).toMatchObject({ event: 'write:planned', mode: { mode: 'raw', reason: 'not-a-file-system-image' }, stick: null });
    expect(lines.slice(2, -1).every((line) => line['event'] === 'job:progress')).toBe(true);
    const result = lines.at(-1) as unknown as FlashResult & { event: string };
    expect(result.event).toBe('job:finished');
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]!.outcome).toBe('verified');
    expect(readFileSync(target).equals(readFileSync(image))).toBe(true);
  });

  it('prints the SHA-256 of the bytes each flash read, the second flash of the same file included (never a remembered digest)', () => {
    const ownImage = join(dir, 'cached.img');
    writeFileSync(ownImage, randomBytes(3 * 1024 * 1024 + 512));
    const sha256 = createHash('sha256').update(readFileSync(ownImage)).digest('hex');
    for (const name of ['first.img', 'second.img']) {
      const target = join(dir, name);
      writeFileSync(target, '');
      const run = runIsotope(['flash', ownImage, target, '--yes', '--force']);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`\nSHA256 ${sha256}\n`);
      expect(run.stdout).not.toContain('hash cache');
    }
  });

  it('refuses to flash without --yes when not on a terminal, writing nothing', () => {
    const target = join(dir, 'untouched.img');
    writeFileSync(target, '');
    const run = runIsotope(['flash', image, target, '--force']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--yes');
    expect(statSync(target).size).toBe(0);
  });

  it('refuses a target named twice (exit 2) instead of dropping the repeat, writing nothing', () => {
    const target = join(dir, 'twice.img');
    writeFileSync(target, '');
    const alias = join(dir, 'alias.img');
    symlinkSync(target, alias);
    for (const second of [`${dir}/./twice.img`, alias]) {
      const run = runIsotope(['flash', image, target, second, '--yes', '--force']);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`names ${target}, which is named twice`);
    }
    expect(statSync(target).size).toBe(0);
  });

  it('verify exits 0 for identical bytes and 1 with the range for a 4 KiB corruption', () => {
    const target = join(dir, 'verify.img');
    writeFileSync(target, readFileSync(image));
    expect(runIsotope(['verify', image, target]).status).toBe(0);
    const corruptAt = 3 * MiB + 4096;
    const fd = openSync(target, 'r+');
    writeSync(
      fd,
      Buffer.from(
        readFileSync(image)
          .subarray(corruptAt, corruptAt + 4096)
          .map((byte) => byte ^ 0x5a),
      ),
      0,
      4096,
      corruptAt,
    );
    closeSync(fd);
    const run = runIsotope(['verify', image, target]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`bytes ${corruptAt}..${corruptAt + 4095}`);
    const json = runIsotope(['verify', image, target, '--json']);
    expect(json.status).toBe(1);
    expect(jsonLines(json.stdout).at(-1)).toMatchObject({
      event: 'job:finished',
      kind: 'flash',
      outcome: 'failed',
      targets: [{ mismatch: { offsetBytes: corruptAt, lengthBytes: 4096 }, error: { code: 'verification-mismatch' } }],
    });
  });

  it('Ctrl-C (SIGINT) cancels a running flash cleanly: a stated cancelled result, exit 1, and says the drive is now unusable', async () => {
    const big = join(dir, 'big.img');
    execFileSync('truncate', ['-s', String(2 * 1024 * MiB), big]); // sparse: reads as zeros, costs no memory
    const target = join(dir, 'big-out.img');
    writeFileSync(target, '');
    const child = spawn(process.execPath, [isotopeBin, 'flash', big, target, '--yes', '--force', '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"phase":"writing"')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(jsonLines(stdout).at(-1)).toMatchObject({
      event: 'job:finished',
      kind: 'flash',
      outcome: 'cancelled',
      targets: [{ outcome: 'cancelled', error: { code: 'cancelled' } }],
    });
    expect(stderr).toContain('the drive is partly written and now unusable until it is written again or restored');
  });

  it('drives --all --json lists every drive with its verdict, and every refusal has a code and a reason', () => {
    const lsblkDisks = (): string[] =>
      execFileSync('lsblk', ['--nodeps', '--noheadings', '--paths', '--output', 'NAME,TYPE'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([, type]) => type === 'disk' || type === 'loop')
        .map(([name]) => name!);
    // Other processes may attach loop devices meanwhile: compare with lsblk before and after.
    const before = lsblkDisks();
    const run = runIsotope(['drives', '--all', '--json']);
    const after = lsblkDisks();
    expect(run.status).toBe(0);
    const { drives } = JSON.parse(run.stdout) as { drives: DriveStatus[] };
    const listed = drives.map((status) => status.drive.device);
    for (const device of before.filter((name) => after.includes(name))) expect(listed).toContain(device);
    for (const device of listed) expect([...before, ...after]).toContain(device);
    for (const status of drives) {
      expect(status.eligible).toBe(status.refusals.length === 0);
      for (const issue of [...status.refusals, ...status.warnings]) expect(issue.reason.length).toBeGreaterThan(0);
    }
  });

  describe.skipIf(!isRoot)(`on loop devices (${rootSkipReason})`, () => {
    it('refuses a loop device without --unsafe (exit 1, reason printed) and writes it with --unsafe', () => {
      const backing = join(dir, 'loop.img');
      writeFileSync(backing, Buffer.alloc(8 * MiB));
      const loop = loops.attach(backing);
      const refused = runIsotope(['flash', image, loop, '--yes', '--force']);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toContain('hidden-drive');
      expect(readFileSync(backing).every((byte) => byte === 0)).toBe(true);
      const written = runIsotope(['flash', image, loop, '--yes', '--unsafe', '--force']);
      expect(written.status).toBe(0);
      expect(cmpIdentical(image, loop, imageBytes)).toBe(true);
    });

    it('unmounts a mounted target by device number before writing it (private mount namespace)', () => {
      const backing = join(dir, 'mounted.img');
      writeFileSync(backing, Buffer.alloc(16 * MiB));
      const loop = loops.attach(backing);
      const mountpoint = join(dir, 'mnt');
      // Everything mounted here lives only in this namespace, which dies with the shell.
      const script = [
        'set -e',
        'mkfs.ext4 -q -F "$1"',
        'mkdir -p "$2"',
        'mount "$1" "$2"',
        'grep -q " $2 " /proc/self/mountinfo',
        '"$3" "$4" flash "$5" "$1" --yes --unsafe --force --json > "$6"',
        'if grep -q " $2 " /proc/self/mountinfo; then echo still-mounted; exit 9; fi',
      ].join('\n');
      const output = join(dir, 'mounted.json');
      const run = spawnSync(
        'unshare',
        ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', loop, mountpoint, process.execPath, isotopeBin, image, output],
        { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = jsonLines(readFileSync(output, 'utf8'));
      expect(lines.some((line) => (line['targets'] as { phase: string }[] | undefined)?.some((target) => target.phase === 'unmounting'))).toBe(true);
      expect(lines.at(-1)).toMatchObject({ outcome: 'succeeded' });
      expect(cmpIdentical(image, loop, imageBytes)).toBe(true);
    });
  });
});
