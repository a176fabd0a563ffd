// The renderer's one job store (src-renderer/state/jobs.svelte.ts) over the real engine: each job's
// last `job:progress` under its id, whatever its kind, and only the most recent jobs kept.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HashRequest } from '../../shared/checksum.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { EngineClient } from '../../src-renderer/api.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { inProcessEngine } from './in-process-engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-renderer-jobs-'));

/** A hashing job followed to its end, as the renderer follows one; answers with the job's id. */
async function hash(client: EngineClient, request: HashRequest): Promise<string> {
  let jobId = '';
  const result = await followJob(
    { onFinished: (listener) => client.subscribe('job:finished', listener) },
    'hash',
    () => client.call('checksum:hash', request),
    { started: (id) => (jobId = id) },
  );
  expect(result.ok).toBe(true);
  return jobId;
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JobStore', () => {
  it("holds each job's last progress under its id, and nothing for a job that never reported", async () => {
    const image = join(dir, 'image.img');
    const sizeBytes = 3 * 1024 * 1024 + 512;
    writeFileSync(image, Buffer.alloc(sizeBytes, 0x5a));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    const jobId = await hash(client, { path: image, algorithms: ['sha256'] });
    expect(jobs.progressOf(jobId)).toMatchObject({ jobId, kind: 'hash', bytesDone: sizeBytes, bytesTotal: sizeBytes, subject: image });
    expect(jobs.progressOf('never-started')).toBeNull();
    expect(jobs.progressOf(null)).toBeNull();
  });

  it("answers a job's share of bytes done from its last progress, and null for a job that never reported", async () => {
    const image = join(dir, 'fraction.img');
    writeFileSync(image, Buffer.alloc(2 * 1024 * 1024, 0x33));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    const jobId = await hash(client, { path: image, algorithms: ['sha256'] });
    expect(jobs.fractionOf(jobId)).toBe(1);
    expect(jobs.fractionOf('never-started')).toBeNull();
    expect(jobs.fractionOf(null)).toBeNull();
  });

  it('lists a job as running from its first report until its job:finished, then keeps only its last progress', async () => {
    const image = join(dir, 'running.img');
    writeFileSync(image, Buffer.alloc(8 * 1024 * 1024, 0x11));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    let runningWhileReporting: string[] = [];
    client.subscribe('job:progress', (progress) => {
      if (progress.bytesDone < (progress.bytesTotal ?? 0)) runningWhileReporting = jobs.running.map((job) => job.jobId);
    });
    const jobId = await hash(client, { path: image, algorithms: ['sha256'] });
    expect(runningWhileReporting).toEqual([jobId]);
    expect(jobs.running).toEqual([]);
    expect(jobs.progressOf(jobId)).toMatchObject({ jobId, kind: 'hash' });
  });

  it('keeps the 16 most recently reported jobs and forgets older ones', async () => {
    const image = join(dir, 'small.img');
    writeFileSync(image, Buffer.alloc(4096, 1));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    const jobIds: string[] = [];
    for (let index = 0; index < 17; index += 1) jobIds.push(await hash(client, { path: image, algorithms: ['md5'] }));
    expect(jobs.progressOf(jobIds[0]!)).toBeNull();
    expect(jobs.progressOf(jobIds[1]!)).toMatchObject({ bytesDone: 4096 });
    expect(jobs.progressOf(jobIds[16]!)).toMatchObject({ bytesDone: 4096 });
  });
});
