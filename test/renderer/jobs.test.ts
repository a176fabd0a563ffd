// The renderer's one job store (src-renderer/state/jobs.svelte.ts) over the real engine: each job's
// last `job:progress` under its id, whatever its kind, and only the most recent jobs kept.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { inProcessEngine } from './in-process-engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-renderer-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JobStore', () => {
  it('holds each job\'s last progress under its id, and nothing for a job that never reported', async () => {
    const image = join(dir, 'image.img');
    const sizeBytes = 3 * 1024 * 1024 + 512;
    writeFileSync(image, Buffer.alloc(sizeBytes, 0x5a));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    expect((await client.call('checksum:hash', { path: image, algorithms: ['sha256'], jobId: 'pass-1' })).ok).toBe(true);
    expect(jobs.progressOf('pass-1')).toMatchObject({ jobId: 'pass-1', kind: 'hash', bytesDone: sizeBytes, bytesTotal: sizeBytes, subject: image });
    expect(jobs.progressOf('never-started')).toBeNull();
    expect(jobs.progressOf(null)).toBeNull();
  });

  it('keeps the 16 most recently reported jobs and forgets older ones', async () => {
    const image = join(dir, 'small.img');
    writeFileSync(image, Buffer.alloc(4096, 1));
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    for (let index = 0; index < 17; index += 1) await client.call('checksum:hash', { path: image, algorithms: ['md5'], jobId: `pass-${index}` });
    expect(jobs.progressOf('pass-0')).toBeNull();
    expect(jobs.progressOf('pass-1')).toMatchObject({ bytesDone: 4096 });
    expect(jobs.progressOf('pass-16')).toMatchObject({ bytesDone: 4096 });
  });
});
