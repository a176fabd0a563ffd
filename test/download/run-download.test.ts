// runDownload against the local HTTPS fault server (test/net/https-fault-server.ts, its CA handed in as
// extraCaPem): a download into the cache or a named file ends identical to the source; the sums files
// next to the URL are found and judged by the verifier from the digests computed while streaming
// (a match, a mismatch, a signature by a keyring key, the same without the key, SHA-512 sums); a
// mirror's other bytes are caught by the sums; a resume re-reads the kept bytes; the cache limit
// evicts; a cancel keeps the cache's partial file and removes a named file's.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKeys } from '../../src-main/checksum/keyring.ts';
import { cacheSlotFor, listDownloads, readSidecar } from '../../src-main/download/download-cache.ts';
import { runDownload, type RunDownloadOptions } from '../../src-main/download/run-download.ts';
import { deterministicBytes, imageName, signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';

const dir = mkdtempSync('/tmp/isotope-run-download-');
const mebibyte = 1024 * 1024;
const image = Buffer.from(deterministicBytes(3 * mebibyte + 12_345, 7));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const sha512 = (bytes: Uint8Array): string => createHash('sha512').update(bytes).digest('hex');
const signed = signedSumsFixture();
const signedImage = readFileSync(join(signed.rsaDetached, imageName));
let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer({
    files: {
      'debian.iso': image,
      // The sums files sit next to the image: `/file/NAME` is their folder for every fault prefix.
      SHA256SUMS: Buffer.from(`${sha256(image)}  debian.iso\n${'0'.repeat(64)}  other.iso\n`),
      'plain.iso': image,
      'wrong.iso': image,
      'wrong.iso.sha256': Buffer.from(`${'1'.repeat(64)}  wrong.iso\n`),
      'big.iso.sha512': Buffer.from(`${sha512(image)}  big.iso\n`),
      'big.iso': image,
      // A hostile "sums file" of 2 MiB before the real SHA256SUMS: skipped, never read whole.
      'huge.iso': image,
      'huge.iso.sha256': Buffer.alloc(2 * mebibyte, 0x41),
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
/** A fresh data folder per test unless given; the test CA trusted; quick stall detection. */
function options(url: string, extra: Partial<RunDownloadOptions> = {}): RunDownloadOptions {
  runs += 1;
  return {
    url,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    http: { extraCaPem: server.caPem, stallTimeoutMs: 1500, env: {} }, // env: the ambient HTTPS_PROXY never applies
    dataDir: join(dir, `data-${runs}`),
    reserveBytes: 0,
    ...extra,
  };
}

describe('runDownload', () => {
  it('downloads into the cache under the URL name, identical to the source, and verifies it against SHA256SUMS next to it', async () => {
    const url = `${server.origin}/file/debian.iso`;
    const events: string[] = [];
    const run = options(url, {
      onPartialFile: (path) => events.push(`file ${path}`),
      onData: () => void events.push('data'),
      onProgress: () => events.push('progress'),
    });
    const result = await runDownload(run);
    expect(result.path).toBe(cacheSlotFor(url, run.dataDir).path);
    // The partial file is announced once, before any byte or progress report (a flash written while downloading opens it).
    expect(events.filter((event) => event.startsWith('file '))).toEqual([`file ${cacheSlotFor(url, run.dataDir).partialPath}`]);
    expect(events[0]).toMatch(/^file /);
    expect(readFileSync(result.path).equals(image)).toBe(true);
    expect(result).toMatchObject({ url, servedBy: url, sizeBytes: image.length, sha256: sha256(image), resumedFromBytes: 0, expectedSha256Matches: null });
    expect(result.verification?.verdict).toBe('matches-unsigned');
    expect(result.verification?.sumsFiles.map((sums) => sums.sumsPath)).toEqual([`${server.origin}/file/SHA256SUMS`]);
    expect(result.verification?.sumsFiles[0]?.comparisons).toMatchObject([{ algorithm: 'sha256', actual: sha256(image), matches: true }]);
    const listed = await listDownloads(run.dataDir);
    expect(listed.entries).toMatchObject([{ path: result.path, url, sizeBytes: image.length, sha256: sha256(image), complete: true }]);
  });

  it('saves to a named file via NAME.partial, refuses to replace it unless asked, and judges a pasted SHA-256', async () => {
    const outputPath = join(dir, 'named.iso');
    const url = `${server.origin}/file/plain.iso`;
    const first = await runDownload(options(url, { outputPath, expectedSha256: sha256(image) }));
    expect(first).toMatchObject({ path: outputPath, expectedSha256Matches: true, verification: null });
    expect(readFileSync(outputPath).equals(image)).toBe(true);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
    await expect(runDownload(options(url, { outputPath }))).rejects.toMatchObject({ code: 'file-exists' });
    const again = await runDownload(options(url, { outputPath, overwrite: true, expectedSha256: '2'.repeat(64) }));
    expect(again.expectedSha256Matches).toBe(false);
  });

  it('reports a mismatch when the sums file next to the URL lists another digest', async () => {
    const result = await runDownload(options(`${server.origin}/file/wrong.iso`));
    expect(result.verification?.verdict).toBe('mismatch');
    expect(result.verification?.sumsFiles.map((sums) => sums.sumsPath)).toEqual([`${server.origin}/file/wrong.iso.sha256`]);
  });

  it('skips a sums file over 1 MiB and goes on to the next name', async () => {
    const result = await runDownload(options(`${server.origin}/file/huge.iso`));
    expect(result.verification).toBeNull(); // SHA256SUMS was read, and does not list huge.iso
    const asked = server.requests.map((request) => request.path);
    expect(asked).toContain('/file/huge.iso.sha256');
    expect(asked.indexOf('/file/SHA256SUMS', asked.indexOf('/file/huge.iso.sha256'))).toBeGreaterThan(-1);
  });

  it('computes SHA-512 while streaming when only a SHA-512 sums file is found', async () => {
    const result = await runDownload(options(`${server.origin}/file/big.iso`));
    expect(result.verification?.verdict).toBe('matches-unsigned');
    expect(result.verification?.digests).toMatchObject({ sha256: sha256(image), sha512: sha512(image) });
  });

  it('catches a mirror that serves other bytes by the hash the sums file gives', async () => {
    // The URL stalls after 1 MiB; the mirror serves another file of the same size.
    const url = `${server.origin}/stall/${mebibyte}/file/debian.iso`;
    const result = await runDownload(options(url, { mirrors: [`${server.origin}/other-bytes/file/debian.iso`] }));
    expect(result.servedBy).toBe(`${server.origin}/other-bytes/file/debian.iso`);
    expect(result.sha256).not.toBe(sha256(image));
    expect(result.verification?.verdict).toBe('mismatch');
  });

  it('does not count an unsigned sums file found only next to a mirror: the verdict is unknown and says why', async () => {
    // Nothing next to the URL (every name answers 404); the mirror's folder has SHA256SUMS listing its own bytes.
    const result = await runDownload(options(`${server.origin}/status/404/file/debian.iso`, { mirrors: [`${server.origin}/file/debian.iso`] }));
    expect(result.sha256).toBe(sha256(image));
    expect(result.verification).toBeNull();
    expect(result.sumsSearchProblems).toEqual([
      `${server.origin}/file/SHA256SUMS: found only next to a mirror, not signed by a key in the keyring (not-signed): not counted`,
    ]);
  });
});

describe('runDownload with signed sums', () => {
  let signedServer: FaultServer;
  beforeAll(async () => {
    const file = (name: string): Buffer => readFileSync(join(signed.rsaDetached, name));
    signedServer = await startFaultServer({ files: { [imageName]: signedImage, SHA256SUMS: file('SHA256SUMS'), 'SHA256SUMS.gpg': file('SHA256SUMS.gpg') } });
  });
  afterAll(() => signedServer.close());

  it('is verified when the detached signature is by a key in the keyring, and only matches-unknown-signer without it', async () => {
    const url = `${signedServer.origin}/file/${imageName}`;
    const withoutKey = await runDownload({ ...options(url), http: { extraCaPem: signedServer.caPem, env: {} } });
    expect(withoutKey.verification?.verdict).toBe('matches-unknown-signer');
    const withKey = options(url);
    await importKeys(withKey.dataDir ?? '', signed.keys.rsa.armoredPath);
    const verified = await runDownload({ ...withKey, http: { extraCaPem: signedServer.caPem, env: {} } });
    expect(verified.verification?.verdict).toBe('verified');
    expect(verified.verification?.sumsFiles[0]?.signature).toMatchObject({ status: 'good', signaturePath: `${signedServer.origin}/file/SHA256SUMS.gpg` });
  });

  it('counts sums found only next to a mirror when a keyring key signed them, and not when the signer is unknown', async () => {
    const mirrored = (dataDir?: string) => ({
      ...options(`${signedServer.origin}/status/404/file/${imageName}`, {
        mirrors: [`${signedServer.origin}/file/${imageName}`],
        ...(dataDir ? { dataDir } : {}),
      }),
      http: { extraCaPem: signedServer.caPem, env: {} },
    });
    const unknownSigner = await runDownload(mirrored());
    expect(unknownSigner.verification).toBeNull();
    expect(unknownSigner.sumsSearchProblems).toEqual([
      expect.stringContaining('SHA256SUMS: found only next to a mirror, not signed by a key in the keyring (unknown-key)'),
    ]);
    const withKey = mirrored();
    await importKeys(withKey.dataDir ?? '', signed.keys.rsa.armoredPath);
    const verified = await runDownload(withKey);
    expect(verified.verification?.verdict).toBe('verified');
    expect(verified.sumsSearchProblems).toEqual([]);
  });
});

describe('runDownload resume, cancel and the cache limit', () => {
  it('resumes a cancelled download of the same URL from its partial file, re-reading the kept bytes (a flipped byte shows)', async () => {
    const url = `${server.origin}/stall/${mebibyte}/file/debian.iso`;
    const dataDir = join(dir, 'resume');
    const controller = new AbortController();
    const first = runDownload({
      ...options(url, { dataDir }),
      signal: controller.signal,
      onProgress: (bytesDone) => {
        if (bytesDone >= mebibyte) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    const slot = cacheSlotFor(url, dataDir);
    expect(readFileSync(slot.partialPath).length).toBe(mebibyte);
    expect((await readSidecar(slot.folder))?.validators).toMatchObject({ url, etag: server.etagOf('debian.iso') });
    expect((await listDownloads(dataDir)).entries).toMatchObject([{ path: slot.partialPath, complete: false, sha256: null }]);

    // A byte of the kept part flipped on disk: a resume that trusted the kept bytes would report the source's SHA-256.
    const kept = readFileSync(slot.partialPath);
    kept.writeUInt8(kept.readUInt8(1000) ^ 0xff, 1000);
    writeFileSync(slot.partialPath, kept);
    const resumed = await runDownload(options(url, { dataDir }));
    const expected = Buffer.from(image);
    expected.writeUInt8(expected.readUInt8(1000) ^ 0xff, 1000);
    expect(resumed.resumedFromBytes).toBe(mebibyte);
    expect(resumed.sha256).toBe(sha256(expected));
    expect(resumed.verification?.verdict).toBe('mismatch');
    const ranges = server.requests
      .filter((request) => request.path === `/stall/${mebibyte}/file/debian.iso`)
      .map((request) => [request.range, request.ifRange]);
    expect(ranges.at(-1)).toEqual([`bytes=${mebibyte}-`, server.etagOf('debian.iso')]);
  });

  it('refuses a second download of a URL whose cache file a running download writes', async () => {
    const url = `${server.origin}/stall/${mebibyte}/file/plain.iso`;
    const dataDir = join(dir, 'twice');
    const controller = new AbortController();
    let reported: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (reported = resolve));
    const first = runDownload({ ...options(url, { dataDir }), signal: controller.signal, onProgress: () => reported() });
    await running;
    await expect(runDownload(options(url, { dataDir }))).rejects.toMatchObject({
      code: 'file-exists',
      message: expect.stringContaining(`the download of ${url}`),
    });
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses a second download to the same named file while the first writes it, and leaves the first running', async () => {
    const outputPath = join(dir, 'claimed.iso');
    const url = `${server.origin}/stall/${mebibyte}/file/plain.iso`;
    const controller = new AbortController();
    let reported: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (reported = resolve));
    const first = runDownload({ ...options(url, { outputPath }), signal: controller.signal, onProgress: () => reported() });
    await running;
    await expect(runDownload(options(`${server.origin}/file/plain.iso`, { outputPath, overwrite: true }))).rejects.toMatchObject({
      code: 'file-exists',
      message: expect.stringContaining('is being written by another download'),
    });
    expect(existsSync(`${outputPath}.partial`)).toBe(true);
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('removes a named file’s partial file when cancelled', async () => {
    const outputPath = join(dir, 'cancelled.iso');
    const controller = new AbortController();
    const run = runDownload({
      ...options(`${server.origin}/stall/${mebibyte}/file/plain.iso`, { outputPath }),
      signal: controller.signal,
      onProgress: (bytesDone) => {
        if (bytesDone >= mebibyte) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
    expect(existsSync(outputPath)).toBe(false);
  });

  it('evicts the least recently used cache file to fit a new download under the limit', async () => {
    const dataDir = join(dir, 'limit');
    const older = await runDownload(options(`${server.origin}/file/plain.iso`, { dataDir }));
    const newer = await runDownload(options(`${server.origin}/file/debian.iso`, { dataDir }));
    // Room for two files of this size (and their sidecars), not three.
    const third = await runDownload(options(`${server.origin}/file/big.iso`, { dataDir, cacheLimitBytes: 2 * image.length + mebibyte }));
    expect([older.path, newer.path, third.path].map((path) => existsSync(path))).toEqual([false, true, true]);
  });

  it('names the sums search problems when a folder could not be searched', async () => {
    const result = await runDownload(options(`${server.origin}/status/503/file/plain.iso`, { mirrors: [`${server.origin}/file/plain.iso`] }));
    expect(result.servedBy).toBe(`${server.origin}/file/plain.iso`);
    expect(result.verification).toBeNull();
    expect(result.sumsSearchProblems).toEqual([expect.stringContaining('answered 503')]);
  });

  it('fails with the sums search bounded when the server answers nothing but errors', async () => {
    const url = `${server.origin}/status/500/file/debian.iso`;
    await expect(runDownload(options(url))).rejects.toMatchObject({ code: 'http-status' });
    const sumsRequests = server.requests.filter((request) => request.path.startsWith('/status/500/file/') && request.path !== '/status/500/file/debian.iso');
    // The first error ends the search in that folder.
    expect(sumsRequests.length).toBe(1);
  });
});
