// download:start, downloads:list and downloads:clear through the real service (createService) against
// the local HTTPS fault server: the download is a job (kind download, phase downloading) ending with
// its result; a named output outside the home folder is refused before any request; the cache is
// listed with its limit; the job is in the history; Clear keeps, and names, the file a running download writes.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import { createService } from '../../src-main/service/service.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';

const dir = mkdtempSync('/tmp/isotope-download-service-');
const mebibyte = 1024 * 1024;
const image = Buffer.from(deterministicBytes(2 * mebibyte, 11));
let server: FaultServer;

beforeAll(async () => {
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  server = await startFaultServer({ files: { 'card.img': image } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function service() {
  return createService({ shell: 'web', version: 'test', log: () => undefined, http: { extraCaPem: server.caPem, stallTimeoutMs: 10_000, env: {} } });
}

describe('the download calls', () => {
  it('download into the cache as a job with progress, then list the file with the limit', async () => {
    const engine = service();
    const progress: JobProgress[] = [];
    engine.on('job:progress', (report) => progress.push(report));
    const finished = new Promise<JobFinished>((resolve) => engine.on('job:finished', resolve));
    const url = `${server.origin}/file/card.img`;
    const started = await engine.call('download:start', { url });
    if (!started.ok) throw new Error(started.error.message);
    const end = await finished;
    expect(end).toMatchObject({ jobId: started.value.jobId, kind: 'download', result: { ok: true } });
    const result = end.kind === 'download' && end.result.ok ? end.result.value : null;
    expect(result?.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    expect(progress.at(-1)).toMatchObject({ kind: 'download', phase: 'downloading', bytesDone: image.length, bytesTotal: image.length, subject: url });
    const listed = await engine.call('downloads:list', {});
    expect(listed.ok && listed.value).toMatchObject({ entries: [{ path: result?.path, url, complete: true }], limitBytes: 20 * 1024 ** 3 });
    const history = await engine.call('history:list', { kinds: ['download'] });
    expect(history.ok && history.value.records).toMatchObject([
      {
        id: started.value.jobId,
        kind: 'download',
        outcome: 'succeeded',
        verify: null,
        image: { url, path: result?.path, sizeBytes: image.length, sha256: result?.sha256 },
      },
    ]);
  });

  it('refuses a named output outside the home folder before any request', async () => {
    const requestsBefore = server.requests.length;
    const started = await service().call('download:start', { url: `${server.origin}/file/card.img`, outputPath: join(dir, 'card.img') });
    expect(started.ok ? null : started.error.code).toBe('destination-not-allowed');
    expect(server.requests.length).toBe(requestsBefore);
  });

  it('keep and name the file a running download writes when the cache is cleared', async () => {
    const engine = service();
    const url = `${server.origin}/stall/${mebibyte}/file/card.img`;
    const finished = new Promise<JobFinished>((resolve) => engine.on('job:finished', resolve));
    const started = await engine.call('download:start', { url });
    if (!started.ok) throw new Error(started.error.message);
    // Progress is throttled: the file itself says when the server has stopped sending at 1 MiB.
    await vi.waitFor(async () => {
      const listed = await engine.call('downloads:list', {});
      expect(listed.ok && listed.value.entries[0]?.sizeBytes).toBe(mebibyte);
    });
    const cleared = await engine.call('downloads:clear', {});
    expect(cleared.ok && cleared.value.kept).toEqual([{ path: expect.stringMatching(/card\.img\.partial$/), reason: `in use by the download of ${url}` }]);
    await engine.call('job:cancel', { jobId: started.value.jobId });
    expect((await finished).result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const listed = await engine.call('downloads:list', {});
    expect(listed.ok && listed.value.entries).toMatchObject([{ url, complete: false }]);
  });
});
