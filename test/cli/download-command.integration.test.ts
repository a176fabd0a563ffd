// `isotope download` end to end: the built command against the local HTTPS fault server, trusting the
// test CA through SSL_CERT_FILE (the system bundle's standard override, which net/ reads like the
// distribution's bundle): --json progress lines and a final result line with the SHA-256 and the
// checksum verdict; --metalink with a dead first URL; a wrong --sha256 exits 1; --insecure warns loudly
// and skips the TLS check, which without it fails naming the host.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { assertBuilt, isotopeBin, type CliRun } from '../helpers/built-cli.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';
import { withoutProxy } from '../helpers/no-proxy.ts';

const dir = mkdtempSync('/tmp/isotope-download-cli-');
const image = Buffer.from(deterministicBytes(3 * 1024 * 1024 + 5, 3));
const sha256 = createHash('sha256').update(image).digest('hex');
const caPath = join(dir, 'ca.pem');
let server: FaultServer;

beforeAll(async () => {
  assertBuilt();
  server = await startFaultServer({ files: { 'live.iso': image, SHA256SUMS: Buffer.from(`${sha256}  live.iso\n`) } });
  writeFileSync(caPath, server.caPem);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the built command without blocking this process (the server answers from it). */
function isotope(args: readonly string[], options: { trustTestCa?: boolean } = {}): Promise<CliRun> {
  const env = { ...withoutProxy(), ISOTOPE_HOME: join(dir, 'data'), ...(options.trustTestCa === false ? {} : { SSL_CERT_FILE: caPath }) };
  const child = spawn(process.execPath, [isotopeBin, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('isotope download', () => {
  it('prints JSON progress lines and a final line with the SHA-256 and the checksum verdict', async () => {
    const outputPath = join(dir, 'live.iso');
    const run = await isotope(['download', `${server.origin}/file/live.iso`, '-o', outputPath, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.slice(0, -1).every((line) => line.event === 'job:progress' && line.phase === 'downloading')).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      event: 'job:finished',
      kind: 'download',
      path: outputPath,
      sha256,
      sizeBytes: image.length,
      checksumVerdict: 'matches-unsigned',
    });
    expect(readFileSync(outputPath).equals(image)).toBe(true);
  });

  it('takes the mirrors and the SHA-256 of a Metalink, past a dead first URL', async () => {
    const metalinkPath = join(dir, 'live.meta4');
    writeFileSync(
      metalinkPath,
      `<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink">
  <file name="live.iso">
    <size>${image.length}</size>
    <hash type="sha-256">${sha256}</hash>
    <url priority="1">${server.origin}/status/404/file/live.iso</url>
    <url priority="2">${server.origin}/file/live.iso</url>
  </file>
</metalink>
`,
    );
    const run = await isotope(['download', '--metalink', metalinkPath, '-o', join(dir, 'from-metalink.iso'), '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
      servedBy: `${server.origin}/file/live.iso`,
      expectedSha256Matches: true,
      sha256,
    });
  });

  it('exits 1 when the download does not have the SHA-256 given', async () => {
    const run = await isotope(['download', `${server.origin}/file/live.iso`, '-o', join(dir, 'wrong.iso'), '--sha256', 'AB'.repeat(32)]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('the given SHA-256: DOES NOT MATCH');
    expect(run.stdout).toContain('CHECKSUM: mismatch');
  });

  it('fails naming the host when the certificate is not trusted, and with --insecure warns loudly and downloads', async () => {
    const url = `${server.origin}/file/live.iso`;
    const refused = await isotope(['download', url, '-o', join(dir, 'untrusted.iso')], { trustTestCa: false });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('127.0.0.1');
    const insecure = await isotope(['download', url, '-o', join(dir, 'insecure.iso'), '--insecure'], { trustTestCa: false });
    expect(insecure.status).toBe(0);
    expect(insecure.stderr).toMatch(/^WARNING: --insecure: TLS certificates are NOT checked/);
    expect(readFileSync(join(dir, 'insecure.iso')).equals(image)).toBe(true);
  });

  it('exits 2 without a URL or a Metalink', async () => {
    expect((await isotope(['download'])).status).toBe(2);
  });
});
