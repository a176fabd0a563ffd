// Every flash, verify, format and backup the service runs is in the history (service/job-history.ts),
// on real loop devices (root): its target as the enumeration describes it (a loop device has no model,
// serial or bus path; its size is real), the image's SHA-256 as the write computed it, each phase's
// speed, the verify result, and a failing target's error.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FormatPlan } from '../../shared/flash.ts';
import type { HistoryRecord } from '../../shared/history.ts';
import type { Result } from '../../shared/result.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';
import { runJob } from '../helpers/run-job.ts';

const MiB = 1024 * 1024;

function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe.skipIf(!isRoot)(`the history of jobs run through the service (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  const homeBefore = process.env.ISOTOPE_HOME;
  let dir = '';
  let service: Service;
  let device = '';
  let driveId = '';
  // FAT32's smallest volume (65,525 clusters) fits.
  const deviceBytes = 64 * MiB;

  beforeAll(async () => {
    dir = mkdtempSync('/dev/shm/isotope-job-history-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    const backing = join(dir, 'stick.img');
    writeFileSync(backing, '');
    truncateSync(backing, deviceBytes);
    device = loops.attach(backing);
    service = createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined });
    const listed = valueOf(await service.call('drives:list', { includeAll: true }));
    driveId = listed.drives.find((status: DriveStatus) => status.drive.device === device)?.drive.id ?? '';
  });
  afterAll(() => {
    if (homeBefore === undefined) delete process.env.ISOTOPE_HOME;
    else process.env.ISOTOPE_HOME = homeBefore;
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function recordOf(jobId: string): Promise<HistoryRecord> {
    const { records } = valueOf(await service.call('history:list', {}));
    const record = records.find((candidate) => candidate.id === jobId);
    if (!record) throw new Error(`job ${jobId} is not in the history`);
    return record;
  }

  async function terminalJob(work: Parameters<Service['startTerminalJob']>[0]): Promise<string> {
    let jobId = '';
    const result = await runJob(
      { invoke: async () => ({ ok: true, value: ({ jobId } = await service.startTerminalJob(work)) }), on: service.on },
      'flash',
      'x',
      {},
    );
    expect(result.ok).toBe(true);
    return jobId;
  }

  const loopTarget = (outcome: string) => ({ device, model: null, serial: null, sizeBytes: deviceBytes, busPath: null, outcome, error: null });

  it('records a flash with its target, the SHA-256 the write computed, write and verify speeds and verify passed', async () => {
    const image = helloIsoPath();
    const imageBytes = readFileSync(image).length;
    const jobId = await terminalJob({ kind: 'flash', imagePath: image, targets: [{ path: device }], verify: true, includeAll: true, eject: false });
    const record = await recordOf(jobId);
    expect(record).toMatchObject({ kind: 'flash', outcome: 'succeeded', mode: 'raw', verify: 'passed', error: null });
    expect(record.image).toEqual({ path: image, url: null, sizeBytes: imageBytes, sha256: sha256OfPrefix(image, imageBytes) });
    expect(record.targets).toEqual([expect.objectContaining(loopTarget('succeeded'))]);
    expect(record.writeBytesPerSecond).toBeGreaterThan(0);
    expect(record.verifyBytesPerSecond).toBeGreaterThan(0);
    expect(record.endedMs).toBeGreaterThanOrEqual(record.startedMs);
  });

  it('records a verify that finds the drive differs as failed, with the target error verification-mismatch', async () => {
    const other = join(dir, 'other.img');
    writeFileSync(other, Buffer.alloc(MiB, 0x77));
    const jobId = await terminalJob({ kind: 'verify', imagePath: other, target: { path: device } });
    const record = await recordOf(jobId);
    expect(record).toMatchObject({ kind: 'verify', outcome: 'failed', mode: null, verify: 'failed', writeBytesPerSecond: null });
    expect(record.error?.code).toBe('verification-mismatch');
    expect(record.targets[0]).toMatchObject({ device, sizeBytes: deviceBytes, outcome: 'failed', error: { code: 'verification-mismatch' } });
  });

  it('records a format through the contract with its mode and no image', async () => {
    const plan = valueOf(await service.call('drives:format-prepare', { driveId, fileSystem: 'fat32', includeAll: true })) as FormatPlan;
    const typedNames = Object.fromEntries(plan.targets.map((target) => [target.driveId, target.nameToType ?? '']));
    const formatted = valueOf(await runJob(service, 'format', 'drives:format-start', { confirmationId: plan.confirmationId, typedNames }));
    const record = await recordOf(formatted.jobId);
    expect(record).toMatchObject({ kind: 'format', outcome: 'succeeded', mode: 'format-fat32', verify: 'passed' });
    expect(record.image).toEqual({ path: null, url: null, sizeBytes: null, sha256: null });
    expect(record.targets).toEqual([expect.objectContaining(loopTarget('succeeded'))]);
  });

  it('records a backup with the output file as its image and the SHA-256 of the bytes read', async () => {
    const outputPath = join(dir, 'backup.img');
    const result = await runJob(service, 'backup', 'drives:backup', { driveId, outputPath, compression: 'none' });
    const backup = valueOf(result);
    const record = await recordOf(backup.jobId);
    expect(record).toMatchObject({ kind: 'backup', outcome: 'succeeded', mode: null, verify: null });
    expect(record.image).toEqual({ path: outputPath, url: null, sizeBytes: deviceBytes, sha256: sha256OfPrefix(device, deviceBytes) });
    expect(record.targets).toEqual([expect.objectContaining(loopTarget('succeeded'))]);
    expect(record.writeBytesPerSecond).toBeGreaterThan(0);
  });

  it('lists the jobs newest first and filters them by kind', async () => {
    const { records, total } = valueOf(await service.call('history:list', {}));
    expect(total).toBe(4);
    expect(records.map((record) => record.kind)).toEqual(['backup', 'format', 'verify', 'flash']);
    expect(valueOf(await service.call('history:list', { kinds: ['verify', 'format'] })).records.map((record) => record.kind)).toEqual(['format', 'verify']);
    const csv = valueOf(await service.call('history:export', { format: 'csv', query: { kinds: ['flash'] } }));
    expect(csv.mimeType).toBe('text/csv');
    expect(csv.text.split('\r\n').filter((line) => line !== '')).toHaveLength(2);
    const html = valueOf(await service.call('history:export', { format: 'html', recordId: records[0]?.id ?? '' }));
    expect(html.text).toContain(device);
    expect(await service.call('history:export', { format: 'html', recordId: 'no-such-job' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
