// A queue of writes and duplicator mode through the service, on real loop devices (issue 19, Proof →
// Queue). Three loop devices get three different images under one confirmation; one of them is a
// fake-capacity stick (a loop over a sparse file on a 4 MiB tmpfs: it accepts the writes, then fails
// them past its real space), whose failure stays its own. Each pair is its own job with its own
// history record. Duplicator mode writes a loop device attached after it started, never one present before.
// The engine here sees only this file's loop devices (pathSeeingOnlyLoopsIn): with --unsafe's includeAll
// the duplicator would write any loop device another test file attaches while it watches.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { HistoryRecord } from '../../shared/history.ts';
import type { DuplicatorPlan, DuplicatorState, QueuePlan, QueueState } from '../../shared/queue.ts';
import type { Result } from '../../shared/result.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { LoopDevices, cmpIdentical, isRoot, pathSeeingOnlyLoopsIn, rootSkipReason } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function driveIdOf(service: Service, device: string): Promise<string> {
  const { drives } = valueOf<{ drives: DriveStatus[] }>(await service.invoke('drives:list', { includeAll: true }));
  const status = drives.find((candidate) => candidate.drive.device === device);
  if (!status) throw new Error(`${device} is not listed`);
  return status.drive.id;
}

/** Resolves with the first `queue:changed` state that is done. */
function queueDone(service: Service, queueId: () => string | null): Promise<QueueState> {
  return new Promise((resolve) => {
    const unsubscribe = service.on('queue:changed', (state) => {
      if (state.queueId === queueId() && state.done) {
        unsubscribe();
        resolve(state);
      }
    });
  });
}

function waitForDuplicator(service: Service, test: (state: DuplicatorState) => boolean, timeoutMs: number): Promise<DuplicatorState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`duplicator:changed did not reach the expected state in ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = service.on('duplicator:changed', (state) => {
      if (!test(state)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
    });
  });
}

const typedNamesOf = (plan: QueuePlan): Record<string, string> =>
  Object.fromEntries(plan.pairs.map((pair) => [pair.driveId, pair.plan.targets[0]?.nameToType ?? '']));
const blockingOf = (plan: QueuePlan): string[] => [
  ...new Set(plan.pairs.flatMap((pair) => pair.plan.assessment.findings.filter((finding) => finding.severity === 'blocking').map((finding) => finding.code))),
];

describe.skipIf(!isRoot)(`a queue and duplicator mode on loop devices (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  const service = createService({ shell: 'web', version: 'test', log: () => undefined });
  let dir = '';
  let smallTmpfs = '';
  const images: string[] = [];
  const devices: string[] = [];
  const machinePath = process.env.PATH;

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-queue-test-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    process.env.PATH = pathSeeingOnlyLoopsIn(dir);
    // Three different images of different sizes, each on a loop device big enough for it.
    for (const [index, sizeBytes] of [6 * MiB, 9 * MiB, 12 * MiB].entries()) {
      const image = join(dir, `image-${index}.img`);
      writeFileSync(image, randomBytes(sizeBytes));
      images.push(image);
    }
    for (const index of [0, 1]) {
      const backing = join(dir, `stick-${index}.img`);
      writeFileSync(backing, '');
      truncateSync(backing, 16 * MiB);
      devices.push(loops.attach(backing));
    }
    // The fake-capacity stick: 16 MiB as the drive says, 4 MiB of real space behind it.
    smallTmpfs = join(dir, 'small');
    mkdirSync(smallTmpfs);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', smallTmpfs]);
    const fakeBacking = join(smallTmpfs, 'fake-stick.img');
    writeFileSync(fakeBacking, '');
    truncateSync(fakeBacking, 16 * MiB);
    devices.push(loops.attach(fakeBacking));
  });
  afterAll(() => {
    process.env.PATH = machinePath;
    loops.detachAll();
    execFileSync('umount', [smallTmpfs], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  async function runQueue(order: 'parallel' | 'sequential'): Promise<QueueState> {
    const pairs = await Promise.all(images.map(async (imagePath, index) => ({ imagePath, driveId: await driveIdOf(service, devices[index]!) })));
    const plan = valueOf<QueuePlan>(await service.invoke('queue:prepare', { pairs, order, includeAll: true, eject: false }));
    expect(plan.pairs.map((pair) => pair.plan.targets[0]?.device)).toEqual(devices);
    let queueId: string | null = null;
    const done = queueDone(service, () => queueId);
    const started = valueOf<QueueState>(
      await service.invoke('queue:start', { confirmationId: plan.confirmationId, typedNames: typedNamesOf(plan), acknowledgedFindings: blockingOf(plan) }),
    );
    queueId = started.queueId;
    expect(started.rows.map((row) => row.state)).toEqual(order === 'parallel' ? ['running', 'running', 'running'] : ['running', 'waiting', 'waiting']);
    // The confirmation was used up: the same queue cannot be started twice.
    const again = await service.invoke('queue:start', { confirmationId: plan.confirmationId, typedNames: typedNamesOf(plan) });
    expect(again).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    return done;
  }

  async function historyOf(jobIds: readonly (string | null)[]): Promise<HistoryRecord[]> {
    const { records } = valueOf<{ records: HistoryRecord[] }>(await service.invoke('history:list', { kinds: ['flash'] }));
    return jobIds.map((jobId) => records.find((record) => record.id === jobId)!);
  }

  it('writes three images to three drives in parallel, each its own job: the fake-capacity stick fails alone, and the history has three records', async () => {
    const ended = await runQueue('parallel');
    expect(ended.rows.map((row) => row.outcome)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(new Set(ended.rows.map((row) => row.jobId)).size).toBe(3);
    expect(cmpIdentical(images[0]!, devices[0]!, 6 * MiB)).toBe(true);
    expect(cmpIdentical(images[1]!, devices[1]!, 9 * MiB)).toBe(true);
    // All three ran at once: each started before any ended.
    const firstEndMs = Math.min(...ended.rows.map((row) => row.endedMs!));
    expect(ended.rows.every((row) => row.startedMs! <= firstEndMs)).toBe(true);
    const records = await historyOf(ended.rows.map((row) => row.jobId));
    expect(records.map((record) => record.outcome)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(records.map((record) => record.image.path)).toEqual(images);
    expect(records.map((record) => record.targets[0]?.device)).toEqual(devices);
    expect(records[2]?.error).not.toBeNull();
  });

  it('runs them one after another when sequential: each starts after the one before it ended, whatever its outcome', async () => {
    for (const device of devices.slice(0, 2)) execFileSync('dd', ['if=/dev/zero', `of=${device}`, 'bs=1M', 'count=12', 'conv=fsync'], { stdio: 'ignore' });
    // The fake stick first, so the two after it show that its failure stopped nothing.
    images.reverse();
    devices.reverse();
    const ended = await runQueue('sequential');
    images.reverse();
    devices.reverse();
    expect(ended.rows.map((row) => row.outcome)).toEqual(['failed', 'succeeded', 'succeeded']);
    for (const [index, row] of ended.rows.entries()) {
      if (index > 0) expect(row.startedMs!).toBeGreaterThanOrEqual(ended.rows[index - 1]!.endedMs!);
    }
    expect(cmpIdentical(images[0]!, devices[0]!, 6 * MiB)).toBe(true);
    expect(cmpIdentical(images[1]!, devices[1]!, 9 * MiB)).toBe(true);
    expect((await historyOf(ended.rows.map((row) => row.jobId))).map((record) => record.outcome)).toEqual(['failed', 'succeeded', 'succeeded']);
  });

  it('duplicator mode writes and verifies a drive attached after it started, counts it, and never touches one present at start', async () => {
    const image = images[0]!;
    const presentBefore = readFileSync(devices[1]!);
    const plan = valueOf<DuplicatorPlan>(await service.invoke('duplicator:prepare', { imagePath: image, includeAll: true, eject: false }));
    // This file's view of the machine: its own three drives and nothing else.
    expect([...plan.presentDevices].sort()).toEqual([...devices].sort());
    expect(plan.phraseToType).toBe('image-0.img');
    const blocking = plan.assessment.findings.filter((finding) => finding.severity === 'blocking').map((finding) => finding.code);
    const refused = await service.invoke('duplicator:start', { confirmationId: plan.confirmationId, typedPhrase: 'wrong', acknowledgedFindings: blocking });
    expect(refused).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    const plan2 = valueOf<DuplicatorPlan>(await service.invoke('duplicator:prepare', { imagePath: image, includeAll: true, eject: false }));
    const started = valueOf<DuplicatorState>(
      await service.invoke('duplicator:start', { confirmationId: plan2.confirmationId, typedPhrase: plan2.phraseToType!, acknowledgedFindings: blocking }),
    );
    expect(started).toMatchObject({ watching: true, written: 0, running: 0, failed: 0, skipped: 0 });

    const backing = join(dir, 'new-stick.img');
    writeFileSync(backing, '');
    truncateSync(backing, 8 * MiB);
    const tooSmallBacking = join(dir, 'small-stick.img');
    writeFileSync(tooSmallBacking, '');
    truncateSync(tooSmallBacking, 2 * MiB);
    const counted = waitForDuplicator(service, (state) => state.written === 1 && state.skipped === 1 && state.running === 0, 60_000);
    const newDevice = loops.attach(backing);
    const smallDevice = loops.attach(tooSmallBacking);
    const state = await counted;
    expect(state.sticks.find((stick) => stick.device === newDevice)).toMatchObject({ outcome: 'succeeded' });
    expect(state.sticks.find((stick) => stick.device === smallDevice)).toMatchObject({ outcome: 'skipped', skippedBecause: expect.stringContaining('holds') });
    expect(cmpIdentical(image, newDevice, 6 * MiB)).toBe(true);
    expect(readFileSync(devices[1]!).equals(presentBefore)).toBe(true);
    const jobId = state.sticks.find((stick) => stick.device === newDevice)?.jobId ?? null;
    const [record] = await historyOf([jobId]);
    expect(record).toMatchObject({ outcome: 'succeeded', verify: 'passed', targets: [{ device: newDevice }] });

    const stopped = valueOf<DuplicatorState>(await service.invoke('duplicator:stop', { duplicatorId: started.duplicatorId }));
    expect(stopped).toMatchObject({ watching: false, written: 1, skipped: 1 });
    expect(await service.invoke('duplicator:stop', { duplicatorId: started.duplicatorId })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  }, 90_000);
});
