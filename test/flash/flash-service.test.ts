// The `drives:*` and `flash:*` calls through the service, as every shell uses them: validation at the
// boundary, a job id at once, `flash:progressed` events, one `flash:finished`, and cancellation.
// Regular-file targets, so this runs without root.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { fileIdentityOf, openHashCache } from '../../src-main/checksum/hash-cache.ts';
import { createService, type Service } from '../../src-main/service/service.ts';

const MiB = 1024 * 1024;

function waitForFinish(service: Service, jobId: () => string | null): { progress: FlashProgress[]; finished: Promise<FlashResult> } {
  const progress: FlashProgress[] = [];
  const finished = new Promise<FlashResult>((resolve) => {
    const unsubscribe = service.events.subscribe((name, payload) => {
      if (name === 'flash:progressed') progress.push(payload as FlashProgress);
      if (name === 'flash:finished' && (payload as FlashResult).jobId === jobId()) {
        unsubscribe();
        resolve(payload as FlashResult);
      }
    });
  });
  return { progress, finished };
}

describe('flash calls through the service', () => {
  let dir = '';
  let image = '';
  const service = createService({ shell: 'cli', version: 'test', log: () => undefined });
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-service-test-');
    // The flash handler passes the data folder (its hash cache) on: a temporary one, never the user's.
    process.env.ISOTOPE_HOME = join(dir, 'home');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(12 * MiB + 100));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses relative paths and unknown fields at the boundary', async () => {
    const relative = await service.invoke('flash:start', { imagePath: 'image.img', driveIds: [] });
    expect(relative).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const extra = await service.invoke('drives:list', { includeAll: true, force: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const none = await service.invoke('flash:start', { imagePath: image, driveIds: [] });
    expect(none).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('answers flash:start with a job id, then reports progress and one flash:finished', async () => {
    const target = join(dir, 'out.img');
    writeFileSync(target, '');
    let jobId: string | null = null;
    const { progress, finished } = waitForFinish(service, () => jobId);
    const started = await service.invoke('flash:start', { imagePath: image, driveIds: [], targetPaths: [target] });
    expect(started.ok).toBe(true);
    jobId = (started as { value: { jobId: string } }).value.jobId;
    const result = await finished;
    expect(result).toMatchObject({ jobId, outcome: 'succeeded', targets: [{ target, outcome: 'verified' }] });
    expect(progress.every((event) => event.jobId === jobId)).toBe(true);
    expect(readFileSync(target).equals(readFileSync(image))).toBe(true);
    // The handler passed the data folder: the SHA-256 computed while writing is now in its hash cache.
    const sha256 = createHash('sha256').update(readFileSync(image)).digest('hex');
    expect(result.source.sha256Hex).toBe(sha256);
    expect(await openHashCache(join(dir, 'home')).lookup(fileIdentityOf(image, statSync(image))!)).toEqual({ sha256 });
  });

  it('flash:cancel stops a running job, which finishes as cancelled', async () => {
    const target = join(dir, 'cancelled.img');
    writeFileSync(target, '');
    let jobId: string | null = null;
    const { finished } = waitForFinish(service, () => jobId);
    const started = await service.invoke('flash:start', { imagePath: image, driveIds: [], targetPaths: [target] });
    jobId = (started as { value: { jobId: string } }).value.jobId;
    expect(await service.invoke('flash:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: true } });
    expect((await finished).outcome).toBe('cancelled');
    expect(await service.invoke('flash:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('flash:verify compares a file with the image', async () => {
    let jobId: string | null = null;
    const { finished } = waitForFinish(service, () => jobId);
    const started = await service.invoke('flash:verify', { imagePath: image, targetPath: image });
    jobId = (started as { value: { jobId: string } }).value.jobId;
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
