// The `drives:*` and `flash:*` calls through the service, as every shell uses them: a plan from
// `flash:prepare` with an engine-issued confirmation, `flash:start` refused without it (missing,
// forged, reused, expired, for a drive since replaced, without the typed names or the acknowledged
// findings), a job id at once, `job:progress` events, one `job:finished`, and cancellation.
// Real loop devices over files in /dev/shm; the CLI's below-contract path writes regular files.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashPlan, FlashResult } from '../../shared/flash.ts';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import type { ShellConfirmation } from '../../src-main/service/confirmations.ts';
import { createService, type Service, type ServiceOptions } from '../../src-main/service/service.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { LoopDevices, cmpIdentical, isRoot, readBytes, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;

function waitForFinish(service: Service, jobId: () => string | null): { progress: JobProgress[]; finished: Promise<FlashResult> } {
  const progress: JobProgress[] = [];
  const finished = new Promise<FlashResult>((resolve) => {
    const unsubscribe = service.events.subscribe((name, payload) => {
      if (name === 'job:progress') progress.push(payload as JobProgress);
      const ended = payload as JobFinished;
      if (name === 'job:finished' && ended.jobId === jobId() && ended.kind === 'flash' && ended.result.ok) {
        unsubscribe();
        resolve(ended.result.value);
      }
    });
  });
  return { progress, finished };
}

/** Starts a contract flash and waits for its result; the call's own error when it is refused. */
async function startAndFinish(service: Service, request: unknown): Promise<Result<FlashResult>> {
  let jobId: string | null = null;
  const { finished } = waitForFinish(service, () => jobId);
  const started = (await service.invoke('flash:start', request)) as Result<{ jobId: string }>;
  if (!started.ok) return started;
  jobId = started.value.jobId;
  return { ok: true, value: await finished };
}

function planOf(result: Result<unknown>): FlashPlan {
  if (!result.ok) throw new Error(`flash:prepare failed: ${result.error.code}: ${result.error.message}`);
  return result.value as FlashPlan;
}

async function driveIdOf(service: Service, device: string, imagePath: string): Promise<string> {
  const listed = (await service.invoke('drives:list', { includeAll: true, imagePath })) as Result<{ drives: DriveStatus[] }>;
  if (!listed.ok) throw new Error(listed.error.message);
  const status = listed.value.drives.find((candidate) => candidate.drive.device === device);
  if (!status) throw new Error(`${device} is not listed`);
  return status.drive.id;
}

describe('the contract refuses what it must at the boundary', () => {
  const service = createService({ shell: 'web', version: 'test', log: () => undefined });

  it('refuses flash:start without a confirmation id, and any request naming targets or options itself', async () => {
    expect(await service.invoke('flash:start', {})).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    // The old shape: a write with nothing confirmed by the engine.
    const old = await service.invoke('flash:start', { imagePath: '/tmp/image.img', driveIds: ['/dev/sdb#8:16#1000'] });
    expect(old).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const includeAll = await service.invoke('flash:start', { confirmationId: 'x', includeAll: true });
    expect(includeAll).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it("refuses regular-file and device-path targets through the contract (they are the CLI's alone)", async () => {
    const prepare = await service.invoke('flash:prepare', { imagePath: '/tmp/image.img', driveIds: [], targetPaths: ['/home/user/.ssh/authorized_keys'] });
    expect(prepare).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const verify = await service.invoke('flash:verify', { imagePath: '/tmp/image.img', targetPath: '/dev/sda' });
    expect(verify).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    // The CLI's own door is no call: a transport, which only ever invokes calls by name, cannot open it.
    const terminal = await service.invoke('startTerminalJob', {
      kind: 'flash',
      imagePath: '/tmp/image.img',
      targets: [{ path: '/home/user/.ssh/authorized_keys' }],
    });
    expect(terminal).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  });

  it('refuses a forged confirmation id as confirmation-required', async () => {
    const forged = await service.invoke('flash:start', { confirmationId: 'ab'.repeat(16) });
    expect(forged).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
  });

  it('refuses a request naming the same drive twice instead of dropping the repeat', async () => {
    const twice = await service.invoke('flash:prepare', { imagePath: '/tmp/image.img', driveIds: ['/dev/sdb#8:16#1000#?', '/dev/sdb#8:16#1000#?'] });
    expect(twice).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('twice') } });
  });
});

describe("regular-file targets below the contract (the CLI's path)", () => {
  let dir = '';
  let image = '';
  const service = createService({ shell: 'cli', version: 'test', log: () => undefined });
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-service-test-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(12 * MiB + 100));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers with a job id, then reports progress and one job:finished', async () => {
    const target = join(dir, 'out.img');
    writeFileSync(target, '');
    let jobId: string | null = null;
    const { progress, finished } = waitForFinish(service, () => jobId);
    jobId = (await service.startTerminalJob({ kind: 'flash', imagePath: image, targets: [{ path: target }], verify: true, includeAll: false, eject: false }))
      .jobId;
    const result = await finished;
    expect(result).toMatchObject({ jobId, outcome: 'succeeded', targets: [{ target, outcome: 'verified' }] });
    expect(progress.every((event) => event.jobId === jobId && event.kind === 'flash' && event.targets[0]?.target === target)).toBe(true);
    expect(readFileSync(target).equals(readFileSync(image))).toBe(true);
  });

  it('job:cancel stops a running job, which finishes as cancelled', async () => {
    const target = join(dir, 'cancelled.img');
    writeFileSync(target, '');
    let jobId: string | null = null;
    const { finished } = waitForFinish(service, () => jobId);
    jobId = (await service.startTerminalJob({ kind: 'flash', imagePath: image, targets: [{ path: target }], verify: true, includeAll: false, eject: false }))
      .jobId;
    expect(await service.invoke('job:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: true } });
    expect((await finished).outcome).toBe('cancelled');
    expect(await service.invoke('job:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('verify-only compares a file with the image', async () => {
    let jobId: string | null = null;
    const { finished } = waitForFinish(service, () => jobId);
    jobId = (await service.startTerminalJob({ kind: 'verify', imagePath: image, target: { path: image } })).jobId;
    expect((await finished).outcome).toBe('succeeded');
  });

  it('drives:list answers with statuses whose eligibility matches their refusals', async () => {
    const listed = await service.invoke('drives:list', { includeAll: true, imagePath: image });
    expect(listed.ok).toBe(true);
    for (const status of (listed as { value: { drives: DriveStatus[] } }).value.drives) {
      expect(status.eligible).toBe(status.refusals.length === 0);
    }
  });
});

describe.skipIf(!isRoot)(`engine-issued confirmations on real loop devices (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let image = '';
  let backing = '';
  let device = '';
  let nowMs = Date.now();
  const shellConfirmations: ShellConfirmation[] = [];
  let shellAnswer = true;
  const makeService = (extra: Partial<ServiceOptions> = {}): Service =>
    createService({ shell: 'web', version: 'test', log: () => undefined, clock: () => nowMs, ...extra });
  const web = makeService();

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-confirm-test-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    image = join(dir, 'hello.iso');
    copyFileSync(helloIsoPath(), image);
    backing = join(dir, 'target-a.img');
    writeFileSync(backing, '');
    truncateSync(backing, 8 * MiB);
    device = loops.attach(backing);
  });
  afterEach(() => {
    nowMs = Date.now();
    shellAnswer = true;
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const zeroTarget = (): void => void execFileSync('dd', ['if=/dev/zero', `of=${device}`, 'bs=1M', 'count=1', 'conv=fsync'], { stdio: 'ignore' });
  const wasWritten = (): boolean => cmpIdentical(image, device, statSync(image).size);
  const name = (): string => device.split('/').pop()!;

  it('writes the loop device with a plan, its confirmation and the typed name, and describes the target in the plan', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true, eject: false }));
    expect(plan.targets).toEqual([expect.objectContaining({ driveId, device, sizeBytes: 8 * MiB, nameToType: name(), partitions: [] })]);
    expect(plan).toMatchObject({ verify: true, eject: false, includeAll: true, assessment: { path: image } });
    expect(plan.expiresAtMs).toBe(nowMs + 5 * 60 * 1000);
    const result = await startAndFinish(web, { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'succeeded', targets: [{ outcome: 'verified' }] } });
    expect(wasWritten()).toBe(true);
  });

  it('verifies a drive by id through the contract (read-only, no confirmation), and finds a changed byte', async () => {
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true, eject: false }));
    expect((await startAndFinish(web, { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } })).ok).toBe(true);
    const verifyOnce = async (): Promise<FlashResult> => {
      let jobId: string | null = null;
      const { finished } = waitForFinish(web, () => jobId);
      const started = (await web.invoke('flash:verify', { imagePath: image, driveId })) as Result<{ jobId: string }>;
      if (!started.ok) throw new Error(started.error.message);
      jobId = started.value.jobId;
      return finished;
    };
    expect(await verifyOnce()).toMatchObject({ outcome: 'succeeded' });
    execFileSync('dd', ['if=/dev/urandom', `of=${device}`, 'bs=4096', 'count=1', 'seek=4', 'conv=fsync,notrunc'], { stdio: 'ignore' });
    expect(await verifyOnce()).toMatchObject({ outcome: 'failed', targets: [{ error: { code: 'verification-mismatch' } }] });
  });

  it('refuses a confirmation used a second time, and writes nothing', async () => {
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    const request = { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } };
    expect((await startAndFinish(web, request)).ok).toBe(true);
    zeroTarget();
    expect(await web.invoke('flash:start', request)).toMatchObject({
      ok: false,
      error: { code: 'confirmation-required', message: expect.stringContaining('already used') },
    });
    expect(wasWritten()).toBe(false);
  });

  it('refuses an expired confirmation', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    nowMs += 5 * 60 * 1000 + 1;
    const started = await web.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
    expect(started).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('expired') } });
    expect(wasWritten()).toBe(false);
  });

  it('refuses a confirmation issued by another engine (another window or web-shell client cannot lend one)', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    const other = makeService();
    expect(await other.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } })).toMatchObject({
      ok: false,
      error: { code: 'confirmation-required' },
    });
    expect(wasWritten()).toBe(false);
  });

  it('refuses, in the web shell, a write whose device name was not typed (or was typed wrong)', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    for (const typedNames of [undefined, { [driveId]: 'sda' }]) {
      const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
      const started = await web.invoke('flash:start', { confirmationId: plan.confirmationId, ...(typedNames ? { typedNames } : {}) });
      expect(started).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('not typed') } });
    }
    expect(wasWritten()).toBe(false);
  });

  it('refuses hidden drives unless the plan included all drives: includeAll is bound into the plan', async () => {
    const driveId = await driveIdOf(web, device, image);
    const hidden = await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId] });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('show all drives') } });
  });

  it('refuses a confirmation for drive A once A was replaced in the same slot by another of the same size', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    // Another "stick" of the same size in the same slot: same loop device, same size, other backing file.
    const otherBacking = join(dir, 'target-b.img');
    writeFileSync(otherBacking, '');
    truncateSync(otherBacking, 8 * MiB);
    execFileSync('losetup', ['-d', device]);
    execFileSync('losetup', [device, otherBacking]);
    try {
      const started = await web.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
      expect(started).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('a different drive is attached') } });
      expect(readBytes(otherBacking, 0, MiB).every((byte) => byte === 0)).toBe(true);
    } finally {
      execFileSync('losetup', ['-d', device]);
      execFileSync('losetup', [device, backing]);
    }
  });

  it('refuses a confirmation once the image changed after the plan (another version of the file)', async () => {
    zeroTarget();
    const driveId = await driveIdOf(web, device, image);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    writeFileSync(image, readFileSync(image)); // same bytes, a new version: its ctime moved
    const started = await web.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
    expect(started).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('the image changed') } });
    expect(wasWritten()).toBe(false);
  });

  it('refuses a write whose blocking findings were not acknowledged, and writes it once they are', async () => {
    zeroTarget();
    const noise = join(dir, 'noise.img');
    writeFileSync(noise, randomBytes(MiB));
    const driveId = await driveIdOf(web, device, noise);
    const plan = planOf(await web.invoke('flash:prepare', { imagePath: noise, driveIds: [driveId], includeAll: true }));
    const blocking = plan.assessment.findings.filter((finding) => finding.severity === 'blocking').map((finding) => finding.code);
    expect(blocking).not.toEqual([]);
    const refused = await web.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('not acknowledged') } });
    const again = planOf(await web.invoke('flash:prepare', { imagePath: noise, driveIds: [driveId], includeAll: true }));
    const written = await startAndFinish(web, { confirmationId: again.confirmationId, typedNames: { [driveId]: name() }, acknowledgedFindings: blocking });
    expect(written).toMatchObject({ ok: true, value: { outcome: 'succeeded' } });
    expect(cmpIdentical(noise, device, MiB)).toBe(true);
  });

  it("asks the shell's own dialog (Electron's main process) with the plan, writes nothing when it says no, and still asks a virtual drive's typed name", async () => {
    zeroTarget();
    const electron = makeService({
      shell: 'electron',
      confirmDestructive: async (request) => {
        shellConfirmations.push(request);
        return shellAnswer;
      },
    });
    const driveId = await driveIdOf(electron, device, image);
    const plan = planOf(await electron.invoke('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true }));
    // A loop device is virtual: even with the shell's dialog, its name must be typed.
    expect(plan.targets[0]?.nameToType).toBe(name());
    shellAnswer = false;
    const declined = await electron.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [driveId]: name() } });
    expect(declined).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(shellConfirmations.at(-1)).toMatchObject({ kind: 'flash', plan: { targets: [{ driveId, device }] } });
    expect(wasWritten()).toBe(false);
  });
});
