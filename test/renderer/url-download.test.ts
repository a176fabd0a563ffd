// Open from URL's state (src-renderer/state/url-download.svelte.ts) over the real engine, downloading
// from the local fault server's plain HTTP origin: the result carries the SHA-256 and the verdict of
// SHA256SUMS next to the URL; the Checksums tab shows that report without starting a pass of its own;
// what the form accepts as an address and as a pasted SHA-256.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { downloadVerdict } from '../../shared/download.ts';
import { Checksums } from '../../src-renderer/state/checksums.svelte.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { normalisedSha256, UrlDownload, urlProblem } from '../../src-renderer/state/url-download.svelte.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';
import { proxyVariables } from '../helpers/no-proxy.ts';
import { inProcessEngine } from './in-process-engine.ts';

const home = mkdtempSync(join(tmpdir(), 'isotope-renderer-url-'));
const image = Buffer.from(deterministicBytes(512 * 1024, 9));
const sha256 = createHash('sha256').update(image).digest('hex');
let server: FaultServer;

beforeAll(async () => {
  vi.stubEnv('ISOTOPE_HOME', home);
  // The in-process engine reads the proxy from process.env: an ambient one must not carry 127.0.0.1.
  for (const name of proxyVariables) vi.stubEnv(name, '');
  server = await startFaultServer({ files: { 'card.img': image, SHA256SUMS: Buffer.from(`${sha256}  card.img\n`) } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('UrlDownload', () => {
  it('downloads into the cache and reports the SHA-256 and the verdict of the sums file next to the URL; the Checksums tab shows it without a pass', async () => {
    const { client } = inProcessEngine();
    const jobs = new JobStore(client);
    const download = new UrlDownload(client, jobs);
    const result = await download.start(`${server.httpOrigin}/file/card.img`, sha256);
    expect(download.error).toBeNull();
    expect(result).toMatchObject({ sha256, sizeBytes: image.length, expectedSha256Matches: true });
    expect(result && downloadVerdict(result)).toBe('matches-unsigned');
    expect(download.running).toBe(false);

    const checksums = new Checksums(client, jobs);
    checksums.reset(result?.path ?? '');
    if (result?.verification) checksums.showReport(result.path, result.verification);
    checksums.ensureStarted();
    expect(checksums.running).toBe(false);
    expect(checksums.report?.verdict).toBe('matches-unsigned');
  });

  it('ends with the engine error when the server has no such file', async () => {
    const { client } = inProcessEngine();
    const download = new UrlDownload(client, new JobStore(client));
    expect(await download.start(`${server.httpOrigin}/file/missing.img`, '')).toBeNull();
    expect(download.error?.code).toBe('http-status');
  });

  it('accepts http(s) addresses and 64-hex SHA-256 values only', () => {
    expect(urlProblem('  ')).toBe('empty');
    expect(urlProblem('ftp://example.org/a.iso')).toBe('not-http');
    expect(urlProblem('https://')).toBe('not-http');
    expect(urlProblem(' https://example.org/a.iso ')).toBeNull();
    expect(normalisedSha256('')).toBe('');
    expect(normalisedSha256(` ${'AB'.repeat(32)} `)).toBe('ab'.repeat(32));
    expect(normalisedSha256('abc')).toBeNull();
  });
});
