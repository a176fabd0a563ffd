// Issue 19's proof that the history survives kill -9: a real flash of a 1 GiB image to a loop device,
// run by `isotope flash` in a child process, is killed with SIGKILL mid-write; `isotope history --json`
// then lists that job as interrupted, with its target as the enumeration described it at the start.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../shared/history.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { isotopeFromSources } from '../helpers/interrupted-isotope.ts';

const GiB = 1024 * 1024 * 1024;

describe.skipIf(!isRoot)(`the history after kill -9 mid-flash (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    // On disk, not /dev/shm, with direct I/O on the loop: the write takes long enough to be killed mid-way.
    dir = mkdtempSync(join(tmpdir(), 'isotope-history-kill-'));
    env = { ...process.env, ISOTOPE_HOME: join(dir, 'home') };
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a flash killed with SIGKILL mid-write as interrupted, with its loop-device target and size', async () => {
    const image = join(dir, 'image.img');
    writeFileSync(image, Buffer.alloc(1024 * 1024, 0x5a));
    truncateSync(image, GiB);
    const backing = join(dir, 'stick.img');
    writeFileSync(backing, '');
    truncateSync(backing, GiB);
    const device = loops.attach(backing);
    spawnSync('losetup', ['--direct-io=on', device]);

    const child = spawn(process.execPath, [...isotopeFromSources, 'flash', image, device, '--yes', '--unsafe', '--force', '--json'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let killedWhileWriting = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killedWhileWriting) return;
      const writing = stdout
        .split('\n')
        .some((line) => /"event":"job:progress"/.test(line) && /"phase":"writing"/.test(line) && !/"bytesDone":0[,}]/.test(line));
      if (writing) {
        killedWhileWriting = true;
        child.kill('SIGKILL');
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, closedBy) => resolve(closedBy)));
    expect(killedWhileWriting).toBe(true);
    expect(signal).toBe('SIGKILL');
    expect(stdout).not.toContain('"event":"job:finished"');

    const listed = spawnSync(process.execPath, [...isotopeFromSources, 'history', '--json'], { cwd: repoRoot, env, encoding: 'utf8' });
    expect(listed.status).toBe(0);
    const { records, total } = JSON.parse(listed.stdout) as { records: HistoryRecord[]; total: number };
    expect(total).toBe(1);
    expect(records[0]).toMatchObject({ kind: 'flash', outcome: 'interrupted', endedMs: null, mode: 'raw', image: { path: image, sha256: null } });
    expect(records[0]?.targets).toEqual([{ device, model: null, serial: null, sizeBytes: GiB, busPath: null, outcome: 'interrupted', error: null }]);

    const table = spawnSync(process.execPath, [...isotopeFromSources, 'history', '--kind', 'flash', '--outcome', 'interrupted'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
    });
    expect(table.stdout).toMatch(new RegExp(`flash ${image}\\s+${device} \\(1.00 GiB\\)\\s+interrupted`));
  }, 120_000);
});
