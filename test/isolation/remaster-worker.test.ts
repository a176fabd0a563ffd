// A remaster reads an untrusted image, so the service runs its plan and its whole job in a parse
// worker (src-main/isolation/): a normal remaster answers as the CLI's in-process one does, with its
// progress crossing the worker boundary; a cancel still removes the partial output; an original that
// needs more heap or time than a worker is given ends as `too-complex`, leaves no output (the service
// removes OUT.partial itself when the worker is killed, never a file of that name that was there
// before the job) and the engine keeps answering.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoRemasterRequest } from '../../shared/authoring.ts';
import type { JobProgress } from '../../shared/job.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';
import { writeWideIso } from './wide-image.ts';
import { inProcessService, workerService } from './worker-services.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-remaster-worker-'));
// The web shell writes only into the home folder (or a chosen one): the scratch folder stands in for it.
process.env['HOME'] = scratch;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let originalPath = '';
let wideIsoPath = '';
beforeAll(async () => {
  // An original with a 40 MiB file: several 4 MiB chunks, so a write is still going after its first progress report.
  const tree = join(scratch, 'tree');
  mkdirSync(join(tree, 'data'), { recursive: true });
  writeFileSync(join(tree, 'hello.txt'), 'hello\n');
  writeFileSync(join(tree, 'data/big.bin'), Buffer.alloc(40 * 1024 * 1024, 7));
  originalPath = join(scratch, 'original.iso');
  expect((await isotope(['create', tree, '-o', originalPath])).code).toBe(0);
  wideIsoPath = writeWideIso(scratch);
}, 60_000);

function remasterRequest(imagePath: string, outputName: string): IsoRemasterRequest {
  const added = join(scratch, 'preseed.cfg');
  writeFileSync(added, 'd-i debian-installer/locale string en_US\n');
  return { imagePath, outputPath: join(scratch, outputName), edits: [{ kind: 'add', sourcePath: added, imagePath: '/preseed.cfg' }] };
}

describe('a remaster in a parse worker', () => {
  it('plans and writes the same image as the in-process remaster, reporting scanning then writing-image up to the last byte', async () => {
    const isolated = workerService();
    const request = remasterRequest(originalPath, 'worker.iso');
    const plan = await isolated.invoke('iso:plan-remaster', request);
    expect(plan).toEqual(await inProcessService().invoke('iso:plan-remaster', request));
    const progress: JobProgress[] = [];
    const result = await runJob(isolated, 'remaster', 'iso:remaster', request, { progressed: (report) => progress.push(report) });
    const reference = await runJob(inProcessService(), 'remaster', 'iso:remaster', remasterRequest(originalPath, 'local.iso'));
    if (!result.ok || !reference.ok || !plan.ok) throw new Error(`remaster failed: ${JSON.stringify([plan, result, reference])}`);
    expect(result.value.summary).toEqual(plan.value);
    expect(result.value.sizeBytes).toBe(reference.value.sizeBytes);
    expect(readFileSync(request.outputPath).byteLength).toBe(result.value.sizeBytes);
    expect(progress[0]).toMatchObject({ kind: 'remaster', phase: 'scanning' });
    expect(progress.at(-1)).toMatchObject({ phase: 'writing-image', bytesDone: result.value.sizeBytes, bytesTotal: result.value.sizeBytes });
    const listed = await isotope(['ls', request.outputPath, '/']);
    expect(listed.stdout).toContain('preseed.cfg');
  }, 90_000);

  it('ends cancelled when job:cancel names the job mid-write, and leaves no output', async () => {
    const isolated = workerService();
    const request = remasterRequest(originalPath, 'cancelled.iso');
    let cancelled = false;
    const result = await runJob(isolated, 'remaster', 'iso:remaster', request, {
      progressed: (progress) => {
        if (progress.phase !== 'writing-image' || cancelled) return;
        cancelled = true;
        void isolated.invoke('job:cancel', { jobId: progress.jobId });
      },
    });
    expect(cancelled).toBe(true);
    expect(result.ok || result.error.code).toBe('cancelled');
    expect(existsSync(request.outputPath)).toBe(false);
    expect(existsSync(`${request.outputPath}.partial`)).toBe(false);
  }, 90_000);

  it('ends as too-complex when reading the original outgrows the heap cap, leaves a file of its partial name that was there before, and answers the next call', async () => {
    // A 32 MiB cap stands in for a hostile original (the wide image's 200,000 entries need more to plan).
    const isolated = workerService({ heapCapMb: 32 });
    const request = remasterRequest(wideIsoPath, 'outgrown.iso');
    // A file named like the partial output that the job did not make: the service must not remove it.
    writeFileSync(`${request.outputPath}.partial`, 'a file of the user');
    const planned = await isolated.invoke('iso:plan-remaster', request);
    expect(planned).toMatchObject({ ok: false, error: { code: 'too-complex', detail: { path: wideIsoPath, heapCapMb: 32 } } });
    const result = await runJob(isolated, 'remaster', 'iso:remaster', request);
    expect(result).toMatchObject({ ok: false, error: { code: 'too-complex', detail: { path: wideIsoPath, heapCapMb: 32 } } });
    expect(existsSync(request.outputPath)).toBe(false);
    expect(readFileSync(`${request.outputPath}.partial`, 'utf8')).toBe('a file of the user');
    expect(await isolated.invoke('image:open', { path: helloIsoPath() })).toMatchObject({ ok: true });
  }, 90_000);

  it('ends as too-complex when reading the original overruns the time budget, and answers the next call', async () => {
    const timeBudgetMs = 200;
    const isolated = workerService({ timeBudgetMs });
    expect(await isolated.invoke('image:open', { path: helloIsoPath() })).toMatchObject({ ok: true }); // a warm worker: start-up is not the image's
    const request = remasterRequest(wideIsoPath, 'overrun.iso');
    const result = await runJob(isolated, 'remaster', 'iso:remaster', request);
    expect(result).toMatchObject({ ok: false, error: { code: 'too-complex', detail: { path: wideIsoPath, timeBudgetMs } } });
    if (!result.ok) expect(result.error.message).toContain('without progress');
    expect(existsSync(request.outputPath)).toBe(false);
    expect(existsSync(`${request.outputPath}.partial`)).toBe(false);
    expect(await isolated.invoke('image:open', { path: helloIsoPath() })).toMatchObject({ ok: true });
  }, 90_000);
});
