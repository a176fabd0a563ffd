// A backup whose device is read by the elevated helper (root only, loop devices): the helper is started
// with the real helper command (`flash-helper TOKEN` over the private socket, here run by `sh -c` in
// place of the OS prompt) and streams the bytes; the engine hashes, compresses and writes the file.
// The helper reads only a whole drive of its own enumeration: a device path with another device's
// number is refused, and nothing is written.
import { execFile, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { BackupResult } from '../../shared/backup.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupWork, type BackupWork } from '../../src-main/backup/backup-work.ts';
import { openDeviceElevated } from '../../src-main/elevation/backup-elevation.ts';
import type { ElevationOptions } from '../../src-main/elevation/elevation.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;
/** The unprivileged user the engine runs as in the last test. */
const nobody = 65534;

/** The helper command run as it is (a shell string of fixed words), by `sh -c` instead of pkexec. */
const elevation: ElevationOptions = {
  interpreterPath: join(repoRoot, 'node_modules/.bin/tsx'),
  entryPath: join(repoRoot, 'test/backup/live-isotope.ts'),
  exec: (command, done) => void execFile('sh', ['-c', command], { cwd: '/' }, (error) => done(error)),
};

function deviceNumberOf(device: string): string {
  const [major, minor] = execFileSync('lsblk', ['-dno', 'MAJ:MIN', device], { encoding: 'utf8' }).trim().split(':');
  return `${major}:${minor}`;
}

describe.skipIf(!isRoot)(`a backup read by the elevated helper (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let device = '';
  const deviceBytes = 12 * MiB;

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-backup-elevated-');
    chmodSync(dir, 0o755); // the engine run as nobody reaches its own folder inside
    writeFileSync(join(dir, 'drive.img'), randomBytes(deviceBytes));
    device = loops.attach(join(dir, 'drive.img'), { readOnly: true });
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const work = (overrides: Partial<BackupWork>): BackupWork => ({
    device,
    deviceNumber: deviceNumberOf(device),
    partitionDeviceNumbers: [],
    outputPath: join(dir, 'out.zst'),
    compression: 'zstd',
    overwrite: false,
    ...overrides,
  });
  const controls = { jobId: 'test', signal: new AbortController().signal, onProgress: () => undefined };

  it('writes the bytes the helper streams: the file decompresses to the device, with its SHA-256', { timeout: 120_000 }, async () => {
    const result = await runBackupWork(work({}), controls, (job, signal) => openDeviceElevated(job, signal, elevation));
    expect(result).toMatchObject({ bytesRead: deviceBytes, sha256Hex: sha256OfPrefix(device, deviceBytes) });
    execFileSync('zstd', ['-q', '-d', '-f', join(dir, 'out.zst'), '-o', join(dir, 'out.img')]);
    expect(cmpIdentical(join(dir, 'out.img'), device, deviceBytes)).toBe(true);
  });

  it('is refused by the helper when the path and the device number are not one drive of its enumeration', { timeout: 120_000 }, async () => {
    const other = loops.attach(join(dir, 'drive.img'), { readOnly: true });
    const outputPath = join(dir, 'refused', 'out.img');
    mkdirSync(join(dir, 'refused'));
    const run = runBackupWork(work({ deviceNumber: deviceNumberOf(other), outputPath, compression: 'none' }), controls, (job, signal) =>
      openDeviceElevated(job, signal, elevation),
    );
    await expect(run).rejects.toMatchObject({ code: 'not-found' });
    expect(readdirSync(join(dir, 'refused'))).toEqual([]);
    expect(existsSync(outputPath)).toBe(false);
  });

  it(
    'as an unprivileged user the engine cannot open the drive: it elevates once, and writes the file itself, owned by that user',
    { timeout: 120_000 },
    async () => {
      const userDir = join(dir, 'user');
      mkdirSync(userDir);
      chownSync(userDir, nobody, nobody);
      const outputPath = join(userDir, 'stick.img.gz');
      const spec = { work: work({ outputPath, compression: 'gzip' }), interpreterPath: elevation.interpreterPath, entryPath: elevation.entryPath };
      const child = fork(join(repoRoot, 'test/backup/tools/backup-as-user.ts'), [JSON.stringify(spec)], {
        uid: nobody,
        gid: nobody,
        cwd: repoRoot, // where `--import tsx` is found
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, HOME: userDir, TMPDIR: userDir },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const commands: string[] = [];
      const reply = await new Promise<{ outcome: { result?: BackupResult; error?: unknown }; uid: number }>((resolve, reject) => {
        child.on('message', (message: { command?: string; outcome?: unknown }) => {
          if (message.command === undefined) return resolve(message as never);
          commands.push(message.command);
          // The OS prompt's part: run the fixed command line as root, as pkexec does, naming the asking user.
          execFile('sh', ['-c', message.command], { cwd: '/', env: { ...process.env, PKEXEC_UID: String(nobody) } }, (error) =>
            child.send({ error: error ? error.message : null }),
          );
        });
        child.on('exit', (code) => reject(new Error(`the engine as nobody exited (${code}) without an outcome`)));
      });
      expect(reply.uid).toBe(nobody);
      expect(reply.outcome).toMatchObject({ result: { bytesRead: deviceBytes, sha256Hex: sha256OfPrefix(device, deviceBytes) } });
      expect(commands).toHaveLength(1);
      expect(commands[0]).toMatch(/ flash-helper [0-9a-f]{32}$/);
      expect(statSync(outputPath).uid).toBe(nobody);
      expect(statSync(`${outputPath}.sha256`).uid).toBe(nobody);
      expect(gunzipSync(readFileSync(outputPath)).equals(readFileSync(join(dir, 'drive.img')))).toBe(true);
    },
  );
});
