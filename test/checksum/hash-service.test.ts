// `isotope hash` and the `checksum:*` calls through the real service: digests, progress events, cancel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import { describeProgress, followHashingJob } from '../../src-main/cli/commands/job-progress.ts';
import { createService } from '../../src-main/service/service.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { runJob } from '../helpers/run-job.ts';
import { coreutilsDigests } from './coreutils.ts';
import { runIsotope } from './run-cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-hash-service-'));
  process.env.ISOTOPE_HOME = join(dir, 'home');
  return () => rmSync(dir, { recursive: true, force: true });
});

const service = () => createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });

describe('isotope hash', () => {
  it('prints the four digests as JSON equal to the coreutils tools', async () => {
    const image = join(dir, 'image with space.iso');
    writeFileSync(image, deterministicBytes(5 * 1024 * 1024 + 3, 1));
    const run = await runIsotope(['hash', image, '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.json()).toEqual(coreutilsDigests(image, ['md5', 'sha1', 'sha256', 'sha512']));
  });

  it('computes only the algorithms asked, printed in the --tag format sha256sum -c reads', async () => {
    const image = join(dir, 'image.iso');
    writeFileSync(image, 'abc');
    const run = await runIsotope(['hash', image, '--algorithm', 'sha256,md5']);
    const digests = coreutilsDigests(image, ['md5', 'sha256']);
    expect(run.stdout).toBe(`MD5 (${image}) = ${digests.md5}\nSHA256 (${image}) = ${digests.sha256}\n`);
  });

  it.each(['plain.iso', 'back\\slash.iso', 'new\nline.iso'])('prints lines for %j that sha256sum -c and sha512sum -c accept', async (name) => {
    const image = join(dir, name);
    writeFileSync(image, deterministicBytes(777, 5));
    for (const [algorithm, tool] of [
      ['sha256', 'sha256sum'],
      ['sha512', 'sha512sum'],
    ] as const) {
      const run = await runIsotope(['hash', image, '--algorithm', algorithm]);
      writeFileSync(join(dir, 'SUMS'), run.stdout);
      expect(execFileSync(tool, ['-c', '--strict', join(dir, 'SUMS')], { encoding: 'utf8' })).toMatch(/: OK\n$/);
    }
  });

  it('exits 2 for an unknown algorithm and 1 for a missing file', async () => {
    expect((await runIsotope(['hash', join(dir, 'x'), '--algorithm', 'crc32'])).exitCode).toBe(2);
    const missing = await runIsotope(['hash', join(dir, 'missing.iso')]);
    expect(missing.exitCode).toBe(1);
  });
});

describe('checksum calls', () => {
  it('emits job:progress for a hashing job and ends at the file size', async () => {
    const image = join(dir, 'image.iso');
    writeFileSync(image, deterministicBytes(9 * 1024 * 1024, 2));
    const engine = service();
    const progress: JobProgress[] = [];
    let jobId = '';
    const result = await runJob(
      engine,
      'hash',
      'checksum:hash',
      { path: image, algorithms: ['sha1'] },
      { started: (id) => (jobId = id), progressed: (report) => progress.push(report) },
    );
    expect(result.ok && result.value.digests).toEqual(coreutilsDigests(image, ['sha1']));
    expect(progress.at(-1)).toMatchObject({
      jobId,
      kind: 'hash',
      phase: 'hashing',
      subject: image,
      bytesDone: 9 * 1024 * 1024,
      bytesTotal: 9 * 1024 * 1024,
      targets: [],
      files: null,
    });
  });

  it('emits checksum:remembered with the digests of an earlier pass before the new pass reads, and still answers with the digests read now', async () => {
    const image = join(dir, 'image.iso');
    writeFileSync(image, deterministicBytes(9 * 1024 * 1024, 6));
    const engine = service();
    const events: { name: string; payload: unknown }[] = [];
    engine.events.subscribe((name, payload) => {
      if (name === 'checksum:remembered' || name === 'job:progress') events.push({ name, payload });
    });
    await runJob(engine, 'hash', 'checksum:hash', { path: image, algorithms: ['sha256'] });
    expect(events.filter((event) => event.name === 'checksum:remembered')).toEqual([]);
    let secondId = '';
    const second = await runJob(engine, 'verify', 'checksum:verify', { path: image, algorithms: ['sha256'] }, { started: (id) => (secondId = id) });
    const expected = coreutilsDigests(image, ['sha256']);
    expect(second.ok && second.value.digests).toEqual(expected);
    const ofSecond = events.filter((event) => (event.payload as { jobId: string }).jobId === secondId);
    expect(ofSecond[0]).toEqual({
      name: 'checksum:remembered',
      payload: { jobId: secondId, path: image, remembered: { digests: expected, computedAtMs: expect.any(Number) } },
    });
    expect(ofSecond.slice(1).every((event) => event.name === 'job:progress')).toBe(true);
  });

  it('cancels a running job by id with the neutral "cancelled" code', async () => {
    const image = join(dir, 'big.iso');
    writeFileSync(image, deterministicBytes(64 * 1024 * 1024, 3));
    const engine = service();
    let cancelled: Promise<unknown> | null = null;
    let jobId = '';
    const result = await runJob(
      engine,
      'hash',
      'checksum:hash',
      { path: image },
      {
        started: (id) => (jobId = id),
        progressed: () => void (cancelled ??= engine.invoke('job:cancel', { jobId })),
      },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: true } });
    expect(await engine.invoke('job:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('compares with a pasted digest (checksum:compare) and refuses a relative path', async () => {
    const image = join(dir, 'image.iso');
    writeFileSync(image, 'abc');
    const { sha256 } = coreutilsDigests(image, ['sha256']);
    expect(await runJob(service(), 'compare', 'checksum:compare', { path: image, expected: ` SHA256:${sha256?.toUpperCase()} ` })).toMatchObject({
      ok: true,
      value: { algorithm: 'sha256', matches: true, actual: sha256 },
    });
    expect(await service().invoke('checksum:compare', { path: 'image.iso', expected: sha256 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });
});

describe('progress line of the CLI', () => {
  it('draws the pass on stderr for its own job and erases the line at the end', async () => {
    const image = join(dir, 'image.iso');
    writeFileSync(image, deterministicBytes(9 * 1024 * 1024, 4));
    const engine = service();
    let stderr = '';
    const context = {
      version: 'test',
      createService: () => engine,
      startWeb: () => Promise.reject(new Error('unused')),
      stdout: () => undefined,
      stderr: (text: string) => (stderr += text),
      setExitCode: () => undefined,
    };
    // Another job runs at the same time, over a file of another size: none of its progress is drawn.
    const other = join(dir, 'other.iso');
    writeFileSync(other, deterministicBytes(5 * 1024 * 1024, 5));
    const [ours] = await Promise.all([
      followHashingJob(
        engine,
        context,
        'hash',
        async () => (await engine.invoke('checksum:hash', { path: image, algorithms: ['sha1'] })) as Result<{ jobId: string }>,
        { enabled: true },
      ),
      runJob(engine, 'hash', 'checksum:hash', { path: other, algorithms: ['md5'] }),
    ]);
    expect(ours.ok).toBe(true);
    expect(stderr).not.toContain('of 5 MiB');
    expect(stderr).toContain('hashing 100% (9 MiB of 9 MiB');
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('words a pass of unknown size without a percentage or ETA', () => {
    expect(
      describeProgress({
        jobId: 'j',
        kind: 'hash',
        phase: 'hashing',
        bytesDone: 3 * 1024 * 1024,
        bytesTotal: null,
        bytesPerSecond: 1024 * 1024,
        etaMs: null,
        targets: [],
        subject: '/dev/sdz',
        files: null,
      }),
    ).toBe('hashing (3 MiB, 1 MiB/s)');
  });
});
