// image:decode, cache:list and cache:clear through the real service (createService): the decode runs
// as a job with progress over the compressed bytes and ends with the cache entry; the cache is listed
// with its disk bytes, refuses to clear anything outside its folder, and is cleared.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import { createService } from '../../src-main/service/service.ts';

const dir = mkdtempSync('/tmp/isotope-decode-service-');
const raw = Buffer.concat([randomBytes(2 * 1024 * 1024), Buffer.alloc(4 * 1024 * 1024), randomBytes(100_000)]);
const imagePath = join(dir, 'card.img.gz');
beforeAll(() => {
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  writeFileSync(imagePath, execFileSync('gzip', ['-c'], { input: raw, maxBuffer: 64 * 1024 * 1024 }));
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the decode calls', () => {
  it('decode a .gz as a job, list the cache file, refuse a foreign path, then clear it', async () => {
    const service = createService({ shell: 'web', version: 'test', log: () => undefined });
    const opened = await service.call('image:open', { path: imagePath });
    expect(opened.ok && opened.value.compression).toMatchObject({ kind: 'gzip', access: 'needs-decoding', decodedSizeBytes: null });

    const progress: JobProgress[] = [];
    service.on('job:progress', (report) => progress.push(report));
    const finished = new Promise<JobFinished>((resolve) => service.on('job:finished', resolve));
    const started = await service.call('image:decode', { path: imagePath });
    if (!started.ok) throw new Error(started.error.message);
    const end = await finished;
    expect(end).toMatchObject({ jobId: started.value.jobId, kind: 'decode', result: { ok: true } });
    const entry = end.kind === 'decode' && end.result.ok ? end.result.value : null;
    if (!entry) throw new Error('no cache entry');
    expect(entry).toMatchObject({ imagePath, compression: 'gzip', decodedSizeBytes: raw.length });
    expect(createHash('sha256').update(readFileSync(entry.cachePath)).digest('hex')).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(progress.at(-1)).toMatchObject({
      kind: 'decode',
      phase: 'decoding',
      bytesDone: readFileSync(imagePath).length,
      bytesTotal: readFileSync(imagePath).length,
    });

    const listed = await service.call('cache:list', {});
    expect(listed.ok && listed.value).toEqual({ entries: [entry], diskBytes: entry.diskBytes });
    const reopened = await service.call('image:open', { path: imagePath });
    expect(reopened.ok && reopened.value.compression).toMatchObject({ kind: 'gzip', access: 'decoded-cache', decodedSizeBytes: raw.length });

    const foreign = await service.call('cache:clear', { cachePaths: [imagePath] });
    expect(foreign.ok ? null : foreign.error.code).toBe('destination-not-allowed');
    expect(existsSync(imagePath)).toBe(true);
    const cleared = await service.call('cache:clear', {});
    expect(cleared.ok && cleared.value).toEqual({ removedBytes: entry.diskBytes, kept: [] });
    expect(existsSync(entry.cachePath)).toBe(false);
    expect((await service.call('cache:list', {})).ok).toBe(true);
  });

  it('cancel a running decode through job:cancel, leaving no file in the cache folder', async () => {
    const path = join(dir, 'slow.img.bz2');
    writeFileSync(path, execFileSync('bzip2', ['-c'], { input: randomBytes(24 * 1024 * 1024), maxBuffer: 64 * 1024 * 1024 }));
    const service = createService({ shell: 'web', version: 'test', log: () => undefined });
    const finished = new Promise<JobFinished>((resolve) => service.on('job:finished', resolve));
    const started = await service.call('image:decode', { path });
    if (!started.ok) throw new Error(started.error.message);
    const stop = service.on('job:progress', (report) => {
      if (report.jobId !== started.value.jobId) return;
      stop();
      void service.call('job:cancel', { jobId: started.value.jobId });
    });
    const end = await finished;
    expect(end).toMatchObject({ kind: 'decode', result: { ok: false, error: { code: 'cancelled' } } });
    expect(readdirSync(join(dir, 'data', 'decoded'))).toEqual([]);
  });
});
