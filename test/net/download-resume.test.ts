// Resume and mirrors (issue 19) against the fault server: a resume sends Range and If-Range and
// re-reads the kept bytes through the hash; a server that ignores the Range, a failed If-Range, a
// changed file, a wrong Content-Range, a stall and a mirror serving other bytes each end in a file
// identical to the source or a clear error (or, for the wrong mirror, a SHA-256 that shows it).
import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadToFile, type DownloadToFileOptions, type ResumeValidators } from '../../src-main/net/http-download.ts';
import { codedErrorOf, seededBytes, sha256Of } from './net-test-helpers.ts';
import { servedLastModified, startFaultServer, type FaultServer } from './https-fault-server.ts';

const source = seededBytes(3_000_000, 20);
const cutBytes = 1_234_567;
let server: FaultServer;
let folder: string;
let fileCount = 0;

beforeAll(async () => {
  server = await startFaultServer({ files: { 'image.iso': source } });
  folder = mkdtempSync(join(tmpdir(), 'net-resume-'));
});
afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function run(partialPath: string, paths: readonly string[], options: Partial<DownloadToFileOptions> = {}) {
  return downloadToFile({ urls: paths.map((path) => `${server.origin}${path}`), partialPath, resume: false, extraCaPem: server.caPem, env: {}, ...options });
}

/** A first try cut at `cutBytes` by `path`; its partial file and the validators it reported. */
async function cutFirstTry(path = `/cut/${cutBytes}/file/image.iso`): Promise<{ partialPath: string; validators: ResumeValidators }> {
  fileCount += 1;
  const partialPath = join(folder, `resume-${fileCount}.partial`);
  let validators: ResumeValidators | null = null;
  const error = await codedErrorOf(run(partialPath, [path], { onValidators: (reported) => (validators = reported) }));
  expect(error.code).toBe('length-mismatch');
  expect(statSync(partialPath).size).toBe(cutBytes);
  if (validators === null) throw new Error('the first try reported no validators');
  return { partialPath, validators };
}

function requestsTo(path: string) {
  return server.requests.filter((request) => request.path === path);
}

describe('resuming a download', () => {
  it('resumes after a cut with Range and the strong ETag as If-Range, and ends identical to the source', async () => {
    const { partialPath, validators } = await cutFirstTry();
    expect(validators).toEqual({
      url: `${server.origin}/cut/${cutBytes}/file/image.iso`,
      etag: server.etagOf('image.iso'),
      lastModified: servedLastModified,
      totalBytes: source.length,
    });
    const outcome = await run(partialPath, [`/cut/${cutBytes}/file/image.iso`], { resume: true, validators });
    expect(readFileSync(partialPath).equals(source)).toBe(true);
    expect(outcome).toMatchObject({ sha256: sha256Of(source), sizeBytes: source.length, resumedFromBytes: cutBytes });
    expect(requestsTo(`/cut/${cutBytes}/file/image.iso`).at(-1)).toMatchObject({ range: `bytes=${cutBytes}-`, ifRange: server.etagOf('image.iso') });
  });

  it('re-reads the kept bytes through the hash: a byte corrupted on disk between tries shows in the SHA-256', async () => {
    const { partialPath, validators } = await cutFirstTry();
    const handle = openSync(partialPath, 'r+');
    writeSync(handle, Buffer.from([(source[1000] ?? 0) ^ 0xff]), 0, 1, 1000);
    closeSync(handle);
    const outcome = await run(partialPath, ['/file/image.iso'], { resume: true, validators: { ...validators, url: `${server.origin}/file/image.iso` } });
    const onDisk = readFileSync(partialPath);
    expect(onDisk.subarray(1001).equals(source.subarray(1001))).toBe(true);
    expect(outcome.sha256).not.toBe(sha256Of(source));
    expect(outcome.sha256).toBe(sha256Of(onDisk));
  });

  it('hands a streaming consumer the kept bytes first, so it sees the whole file from byte 0 in order', async () => {
    const { partialPath, validators } = await cutFirstTry();
    const seen: Buffer[] = [];
    let nextOffsetBytes = 0;
    await run(partialPath, [`/cut/${cutBytes}/file/image.iso`], {
      resume: true,
      validators,
      onData: (offsetBytes, bytes) => {
        expect(offsetBytes).toBe(nextOffsetBytes);
        nextOffsetBytes += bytes.length;
        seen.push(Buffer.from(bytes));
      },
    });
    expect(Buffer.concat(seen).equals(source)).toBe(true);
  });

  it('finishes without a body when the kept file is already whole (416 to its Range, the If-Range holding)', async () => {
    const { partialPath, validators } = await cutFirstTry();
    const whole = await run(partialPath, ['/file/image.iso'], { resume: true, validators: { ...validators, url: `${server.origin}/file/image.iso` } });
    const outcome = await run(partialPath, ['/file/image.iso'], { resume: true, validators: { ...validators, url: `${server.origin}/file/image.iso` } });
    expect(requestsTo('/file/image.iso').at(-1)).toMatchObject({ range: `bytes=${source.length}-`, ifRange: server.etagOf('image.iso') });
    expect(outcome).toEqual({ ...whole, resumedFromBytes: source.length });
    expect(readFileSync(partialPath).equals(source)).toBe(true);
  });

  it('starts afresh when the server answers a Range with the whole file (200)', async () => {
    const { partialPath, validators } = await cutFirstTry();
    const outcome = await run(partialPath, ['/ignore-range/file/image.iso'], {
      resume: true,
      validators: { ...validators, url: `${server.origin}/ignore-range/file/image.iso` },
    });
    expect(outcome).toMatchObject({ sha256: sha256Of(source), resumedFromBytes: 0 });
    expect(readFileSync(partialPath).equals(source)).toBe(true);
  });

  it('starts afresh when its If-Range no longer matches (the server honours it with a 200)', async () => {
    const { partialPath, validators } = await cutFirstTry();
    const stale = { ...validators, url: `${server.origin}/file/image.iso`, etag: '"an-older-version"' };
    const outcome = await run(partialPath, ['/file/image.iso'], { resume: true, validators: stale });
    expect(requestsTo('/file/image.iso').at(-1)).toMatchObject({ range: `bytes=${cutBytes}-`, ifRange: '"an-older-version"' });
    expect(outcome).toMatchObject({ sha256: sha256Of(source), resumedFromBytes: 0 });
  });

  it('starts afresh, sending no Range, when there are no validators to prove the kept bytes', async () => {
    const { partialPath } = await cutFirstTry();
    const outcome = await run(partialPath, ['/file/image.iso'], { resume: true, validators: null });
    expect(requestsTo('/file/image.iso').at(-1)?.range).toBeNull();
    expect(outcome).toMatchObject({ sha256: sha256Of(source), resumedFromBytes: 0 });
  });

  it('starts afresh when the server that served the kept bytes gave no ETag or strong Last-Modified', async () => {
    const { partialPath, validators } = await cutFirstTry(`/cut/${cutBytes}/no-validators/file/image.iso`);
    expect(validators).toMatchObject({ etag: null, lastModified: null });
    const path = '/no-validators/file/image.iso';
    const outcome = await run(partialPath, [path], { resume: true, validators: { ...validators, url: `${server.origin}${path}` } });
    expect(requestsTo(path).at(-1)?.range).toBeNull();
    expect(outcome).toMatchObject({ sha256: sha256Of(source), resumedFromBytes: 0 });
  });

  it('fails with changed-on-server and drops the kept bytes when a 206 carries another ETag than the If-Range sent', async () => {
    const path = `/cut/${cutBytes}/etag-changes/file/image.iso`;
    const { partialPath, validators } = await cutFirstTry(path);
    const error = await codedErrorOf(run(partialPath, [path], { resume: true, validators }));
    expect(error.code).toBe('changed-on-server');
    expect(requestsTo(path).at(-1)).toMatchObject({ range: `bytes=${cutBytes}-`, ifRange: validators.etag });
    expect(statSync(partialPath).size).toBe(0);
  });

  it('fails with bad-content-range when a 206 starts elsewhere than asked or names another total, keeping the bytes', async () => {
    for (const fault of ['badrange', 'badtotal']) {
      const { partialPath, validators } = await cutFirstTry();
      const path = `/${fault}/file/image.iso`;
      const error = await codedErrorOf(run(partialPath, [path], { resume: true, validators: { ...validators, url: `${server.origin}${path}` } }));
      expect(error.code).toBe('bad-content-range');
      expect(error.message).toContain(fault === 'badrange' ? `starts at byte ${cutBytes + 1024}, not ${cutBytes}` : `the file was ${source.length} bytes`);
      expect(readFileSync(partialPath).equals(source.subarray(0, cutBytes))).toBe(true);
    }
  });
});

describe('mirrors', () => {
  // The stall timer also covers connect and the TLS handshake: 2 s leaves a loaded CI room for them,
  // while the stalls themselves are placed by offset (/stall/N/) and last until the connection closes.
  const stallTimeoutMs = 2000;

  it('goes on to the next mirror after a stall, resuming there with Range alone (another server, another ETag)', async () => {
    const partialPath = join(folder, 'stall.partial');
    const stallPath = `/stall/${cutBytes}/file/image.iso`;
    const startedMs = performance.now();
    const outcome = await run(partialPath, [stallPath, '/file/image.iso'], { stallTimeoutMs: stallTimeoutMs });
    expect(performance.now() - startedMs).toBeLessThan(10_000);
    expect(outcome).toMatchObject({ sha256: sha256Of(source), resumedFromBytes: cutBytes, servedBy: `${server.origin}/file/image.iso` });
    expect(requestsTo('/file/image.iso').at(-1)).toMatchObject({ range: `bytes=${cutBytes}-`, ifRange: null });
  });

  it('fails with stalled when the only URL stops sending', async () => {
    const error = await codedErrorOf(run(join(folder, 'stall-only.partial'), [`/stall/${cutBytes}/file/image.iso`], { stallTimeoutMs }));
    expect(error.code).toBe('stalled');
    expect(error.message).toContain('no byte arrived for 2 s');
  });

  it('fails with stalled when the server never answers the request', async () => {
    const error = await codedErrorOf(run(join(folder, 'no-answer.partial'), ['/no-answer/file/image.iso'], { stallTimeoutMs }));
    expect(error).toMatchObject({ code: 'stalled', message: `${server.origin}/no-answer/file/image.iso: no byte arrived for 2 s` });
  });

  it('lets the SHA-256 catch a mirror that serves other bytes of the same length', async () => {
    const partialPath = join(folder, 'other-bytes.partial');
    const outcome = await run(partialPath, [`/cut/${cutBytes}/file/image.iso`, '/other-bytes/file/image.iso']);
    expect(outcome.sizeBytes).toBe(source.length);
    expect(outcome.sha256).not.toBe(sha256Of(source));
    expect(outcome.sha256).toBe(sha256Of(readFileSync(partialPath)));
  });

  it('tries the mirrors in order and, when all fail, names each one with its error', async () => {
    const paths = ['/status/500/file/image.iso', '/status/404/file/image.iso', '/redirect/3/file/image.iso'];
    const outcome = await run(join(folder, 'order.partial'), paths, { maxRedirects: 3 });
    expect(outcome.sha256).toBe(sha256Of(source));
    expect(server.requests.slice(-6).map((request) => request.path)).toEqual([
      '/status/500/file/image.iso',
      '/status/404/file/image.iso',
      '/redirect/3/file/image.iso',
      '/redirect/2/file/image.iso',
      '/redirect/1/file/image.iso',
      '/file/image.iso',
    ]);
    const error = await codedErrorOf(run(join(folder, 'all-fail.partial'), paths.slice(0, 2)));
    expect(error.code).toBe('all-mirrors-failed');
    expect(error.message).toMatch(/1\. .*\/status\/500\/file\/image\.iso: http-status: .*500.*; 2\. .*\/status\/404\/file\/image\.iso: http-status: .*404/);
  });
});
