// shared/follow-job.ts: the one follower of a job that answers with an id and ends with an event,
// used by the write screen and the CLI. Driven by the real engine flashing a real file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import { followJob } from '../../shared/follow-job.ts';
import { ok } from '../../shared/result.ts';
import { createService } from '../../src-main/service/service.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-follow-'));
const imageBytes = Buffer.alloc(3 * 1024 * 1024 + 512, 0x5a);
writeFileSync(join(dir, 'image.img'), imageBytes);

describe('followJob', () => {
  it('delivers the progress and the end of a job that finished before its id came back, and nothing of other jobs', async () => {
    const service = createService({ shell: 'cli', version: 'test', log: () => undefined });
    const events = {
      onProgress: (listener: (progress: JobProgress) => void) => service.on('job:progress', listener),
      onFinished: (listener: (finished: JobFinished) => void) => service.on('job:finished', listener),
    };
    const flashTo = (target: string) => {
      writeFileSync(target, Buffer.alloc(0));
      return service.startTerminalJob({
        kind: 'flash',
        imagePath: join(dir, 'image.img'),
        targets: [{ path: target }],
        verify: true,
        includeAll: false,
        eject: false,
      });
    };
    // Another job runs at the same time: its events must not reach this follower.
    const other = await flashTo(join(dir, 'other.img'));
    const seen: string[] = [];
    const progress: JobProgress[] = [];
    const result = await followJob(
      events,
      'flash',
      async () => {
        const started = await flashTo(join(dir, 'target.img'));
        // Answer only once the job has ended: every event of it arrived before its id is known.
        await new Promise<void>((resolve) => {
          const stop = service.on('job:finished', (finished) => finished.jobId === started.jobId && (stop(), resolve()));
        });
        return ok(started);
      },
      { started: (jobId) => seen.push(`started ${jobId}`), progressed: (report) => progress.push(report) },
    );
    expect(result.ok && result.value.outcome).toBe('succeeded');
    const jobId = result.ok ? result.value.jobId : '';
    expect(jobId).not.toBe(other.jobId);
    expect(seen).toEqual([`started ${jobId}`]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((report) => report.jobId === jobId)).toBe(true);
    expect(progress.at(-1)?.targets[0]?.phase).toBe('done');
    expect(readFileSync(join(dir, 'target.img')).equals(imageBytes)).toBe(true);
  });

  it('answers with the failure a job ended with, and refuses an end of another kind than the one started', async () => {
    const service = createService({ shell: 'cli', version: 'test', log: () => undefined });
    const events = { onFinished: (listener: (finished: JobFinished) => void) => service.on('job:finished', listener) };
    const notAnImage = join(dir, 'not-an-image.txt');
    writeFileSync(notAnImage, 'plain text, no volume descriptors');
    const extract = () => service.call('image:extract', { path: notAnImage, destination: join(dir, 'out') });
    const failed = await followJob(events, 'extract', extract);
    expect(failed.ok).toBe(false);
    expect(failed.ok ? null : failed.error.code).not.toBe('internal');
    const wrongKind = await followJob(events, 'hash', extract);
    expect(wrongKind).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('ended as kind extract, not hash as started') } });
  });

  it("answers with the start call's failure and follows nothing", async () => {
    let subscribed = 0;
    const unsubscribe = () => (subscribed -= 1);
    const result = await followJob({ onFinished: () => ((subscribed += 1), unsubscribe) }, 'flash', async () => ({
      ok: false,
      error: { code: 'confirmation-required', message: 'no confirmation' },
    }));
    expect(result).toEqual({ ok: false, error: { code: 'confirmation-required', message: 'no confirmation' } });
    expect(subscribed).toBe(0);
  });
});
