// The built `isotope queue` on real loop devices (root), as a user runs it (issue 19, Proof → Queue).
// Three drives get three different Debian-shipped images; the one smaller than its image fails alone,
// each pair is its own job and `isotope history --json` (same ISOTOPE_HOME) holds three records under
// the ids the queue printed. Duplicator mode writes a loop device attached after it started, counts
// it, stops on SIGINT, and leaves a device attached before it started byte for byte as it was. Ctrl-C
// in a sequential queue starts no further pair. At a terminal (a pty), one question names every pair.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../shared/history.ts';
import type { DuplicatorState } from '../../shared/queue.ts';
import { debianBootImages } from '../fixtures/boot-images.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { assertBuilt, isotopeBin, runIsotope } from '../helpers/built-cli.ts';
import { LoopDevices, cmpIdentical, isRoot, pathSeeingOnlyLoopsIn, readBytes, rootSkipReason, sha256Hex } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;

const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A running `isotope` whose stdout JSON lines can be awaited one condition at a time. */
class RunningIsotope {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';
  #closed = false;
  #waiters: (() => void)[] = [];
  readonly #child: ChildProcess;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.#child = spawn(process.execPath, [isotopeBin, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith('{"')) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    // 'close': exited AND its output read to the end.
    this.exited = new Promise((resolve) =>
      this.#child.on('close', (code) => {
        this.#closed = true;
        for (const wake of this.#waiters.splice(0)) wake();
        resolve(code);
      }),
    );
  }

  /** Resolves with the first line (so far or to come) that `test` accepts; rejects after `timeoutMs`. */
  async line(test: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      if (this.#closed) throw new Error(`exited without such a line; stderr:\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`no such line within ${timeoutMs} ms; stderr:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  signal(name: NodeJS.Signals): void {
    this.#child.kill(name);
  }
}

describe.skipIf(!isRoot)(`isotope queue on loop devices (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-queue-cli-');
    env = { ...process.env, ISOTOPE_HOME: join(dir, 'home') };
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loop device over `dir/name` (`name` may start with a folder of its own). */
  function loopDevice(name: string, sizeBytes: number, content?: Buffer): string {
    const backing = join(dir, name);
    mkdirSync(dirname(backing), { recursive: true });
    writeFileSync(backing, content ?? '');
    truncateSync(backing, sizeBytes);
    return loops.attach(backing);
  }

  function history(): HistoryRecord[] {
    const run = runIsotope(['history', '--json', '--kind', 'flash'], { env });
    expect(run.status).toBe(0);
    return (JSON.parse(run.stdout) as { records: HistoryRecord[] }).records;
  }

  it('writes three images to three drives as three jobs: the drive smaller than its image fails alone (exit 1), and the history holds three records under the printed ids', () => {
    const images = [debianBootImages.ipxe, debianBootImages.grubRescueCdrom, debianBootImages.memtestX64];
    const devices = [loopDevice('a.img', 8 * MiB), loopDevice('b.img', 16 * MiB), loopDevice('small.img', 4 * MiB)];
    const pairs = images.map((image, index) => `${image}=${devices[index]}`);

    const run = runIsotope(['queue', ...pairs, '--unsafe', '--yes', '--json'], { env });

    expect(run.status).toBe(1);
    const results = jsonLines(run.stdout).filter((line) => line['event'] === 'queue:result');
    expect(results.map((result) => [result['imagePath'], result['target'], result['outcome']])).toEqual([
      [images[0], devices[0], 'succeeded'],
      [images[1], devices[1], 'succeeded'],
      [images[2], devices[2], 'failed'],
    ]);
    expect(results[2]).toMatchObject({ result: { targets: [{ outcome: 'failed', error: { message: expect.stringContaining('holds 4194304') } }] } });
    expect(cmpIdentical(images[0]!, devices[0]!, 2 * MiB)).toBe(true);
    expect(cmpIdentical(images[1]!, devices[1]!, 5081088)).toBe(true);
    // Refused before any byte: the small drive is still all zero.
    expect(readBytes(devices[2]!, 0, 4 * MiB).equals(Buffer.alloc(4 * MiB))).toBe(true);

    const historyIds = results.map((result) => result['historyId']);
    expect(new Set(historyIds).size).toBe(3);
    const records = history();
    const recorded = historyIds.map((id) => records.find((record) => record.id === id));
    expect(recorded.map((record) => [record?.image.path, record?.targets[0]?.device, record?.outcome])).toEqual([
      [images[0], devices[0], 'succeeded'],
      [images[1], devices[1], 'succeeded'],
      [images[2], devices[2], 'failed'],
    ]);
  });

  it('--sequential --image writes one image to every target, each pair starting after the one before it ended (exit 0, all verified)', () => {
    const image = debianBootImages.ipxe;
    const devices = [loopDevice('s1.img', 4 * MiB), loopDevice('s2.img', 4 * MiB)];

    const run = runIsotope(['queue', '--image', image, ...devices, '--sequential', '--unsafe', '--yes', '--json'], { env });

    expect(run.status).toBe(0);
    const results = jsonLines(run.stdout).filter((line) => line['event'] === 'queue:result');
    expect(results).toMatchObject(devices.map((device) => ({ target: device, outcome: 'succeeded', result: { targets: [{ outcome: 'verified' }] } })));
    for (const device of devices) expect(cmpIdentical(image, device, 2 * MiB)).toBe(true);
    const records = history();
    const [first, second] = results.map((result) => records.find((record) => record.id === result['historyId'])!);
    expect(second!.startedMs).toBeGreaterThanOrEqual(first!.endedMs!);
  });

  it('--duplicator writes and counts a drive attached after it started, stops on SIGINT (exit 0), and leaves a drive attached before it unchanged', async () => {
    const image = debianBootImages.ipxe;
    const presentContent = randomBytes(8 * MiB);
    const present = loopDevice('duplicator/present.img', 8 * MiB, presentContent);
    const duplicator = new RunningIsotope(['queue', '--duplicator', '--image', image, '--unsafe', '--yes', '--json'], viewOfOwnLoops('duplicator'));
    try {
      // This test's view of the machine (see viewOfOwnLoops): the one drive attached now is left alone.
      expect(await duplicator.line((line) => line['event'] === 'duplicator:planned', 60_000)).toMatchObject({ presentDevices: [present] });
      const started = (await duplicator.line((line) => line['event'] === 'duplicator:started', 60_000)) as unknown as DuplicatorState;
      expect(started).toMatchObject({ watching: true, written: 0, running: 0 });

      const inserted = loopDevice('duplicator/inserted.img', 8 * MiB);
      const counted = (await duplicator.line(
        (line) => line['event'] === 'duplicator:changed' && line['written'] === 1 && line['running'] === 0,
        60_000,
      )) as unknown as DuplicatorState;
      duplicator.signal('SIGINT');

      expect(await duplicator.exited).toBe(0);
      expect(duplicator.lines.at(-1)).toMatchObject({ event: 'duplicator:stopped', watching: false, written: 1, failed: 0, stoppedBecause: null });
      const stick = counted.sticks.find((candidate) => candidate.device === inserted);
      expect(stick).toMatchObject({ outcome: 'succeeded' });
      expect(counted.sticks.some((candidate) => candidate.device === present)).toBe(false);
      expect(cmpIdentical(image, inserted, 2 * MiB)).toBe(true);
      expect(sha256Hex(readFileSync(present))).toBe(sha256Hex(presentContent));
      expect(history().find((record) => record.id === stick?.jobId)).toMatchObject({ outcome: 'succeeded', verify: 'passed', targets: [{ device: inserted }] });
    } finally {
      // A failed expectation must not leave it watching: it would write the next test's drives.
      duplicator.signal('SIGKILL');
    }
  }, 120_000);

  it('Ctrl-C in a --sequential queue cancels the running write and starts no other pair: that drive is untouched (exit 1)', async () => {
    // Big enough that the first write is still running when the signal comes (not a disk image: --force).
    const image = join(dir, 'big.bin');
    writeFileSync(image, randomBytes(160 * MiB));
    const devices = [loopDevice('c1.img', 160 * MiB), loopDevice('c2.img', 160 * MiB)];
    const queue = new RunningIsotope(['queue', '--image', image, ...devices, '--sequential', '--unsafe', '--force', '--yes', '--json'], env);
    await queue.line((line) => line['event'] === 'job:progress', 60_000).finally(() => queue.signal('SIGINT'));

    expect(await queue.exited).toBe(1);
    const results = queue.lines.filter((line) => line['event'] === 'queue:result');
    expect(results).toMatchObject([
      { target: devices[0], outcome: 'cancelled' },
      { target: devices[1], outcome: 'cancelled', jobId: null, historyId: null, result: null },
    ]);
    expect(readBytes(devices[1]!, 0, 160 * MiB).equals(Buffer.alloc(160 * MiB))).toBe(true);
  }, 120_000);

  /** The environment for a duplicator that sees only this test's loop devices, those over files in `dir/folder` (see pathSeeingOnlyLoopsIn). */
  function viewOfOwnLoops(folder: string): NodeJS.ProcessEnv {
    return { ...env, PATH: pathSeeingOnlyLoopsIn(join(dir, folder)) };
  }
});

/** Runs the built `isotope` on a pseudo-terminal (util-linux `script`) and types `answer` at its question; the transcript without carriage returns. */
function answerAtTerminal(args: readonly string[], answer: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; transcript: string }> {
  const quoted = [process.execPath, isotopeBin, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', quoted, '/dev/null'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    transcript += chunk.toString();
    if (answered || !transcript.includes('Type "yes" to continue')) return;
    answered = true;
    child.stdin.write(`${answer}\r`);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, transcript: transcript.replaceAll('\r', '') });
    }),
  );
}

describe('isotope queue at a terminal', () => {
  let dir = '';
  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-queue-tty-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('asks once, naming every pair under its image and each blocking finding written anyway; "no" writes nothing (exit 1), "yes" writes both', async () => {
    const notAnImage = join(dir, 'random.bin');
    writeFileSync(notAnImage, randomBytes(8192));
    const targets = ['first.img', 'second.img'].map((name) => join(dir, name));
    for (const target of targets) writeFileSync(target, Buffer.alloc(4096));
    const args = ['queue', `${debianBootImages.ipxe}=${targets[0]}`, `${notAnImage}=${targets[1]}`, '--force'];
    const env = { ...process.env, ISOTOPE_HOME: join(dir, 'home') };

    const declined = await answerAtTerminal(args, 'no', env);

    expect(declined.status).toBe(1);
    expect(declined.transcript).toContain(`Writing ${debianBootImages.ipxe} (raw) ERASES everything on:\n  ${targets[0]}  (a file)\n`);
    expect(declined.transcript).toContain(
      `Writing ${notAnImage} (raw) ERASES everything on:\n  ${targets[1]}  (a file)\n  written anyway (--force): this file is not a disk image\n`,
    );
    expect(declined.transcript).toContain('Write these 2 drives at once? Type "yes" to continue');
    expect(declined.transcript).toContain('isotope: nothing written');
    for (const target of targets) expect(readFileSync(target).equals(Buffer.alloc(4096))).toBe(true);

    const accepted = await answerAtTerminal(args, 'yes', env);

    expect(accepted.status).toBe(0);
    expect(accepted.transcript).toContain('Queue: 2 of 2 pairs succeeded');
    expect(cmpIdentical(debianBootImages.ipxe, targets[0]!, 2 * MiB)).toBe(true);
    expect(cmpIdentical(notAnImage, targets[1]!, 8192)).toBe(true);
  }, 120_000);
});
