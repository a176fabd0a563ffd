// The transport against a real HTTPS server on 127.0.0.1 (test/net/https-fault-server.ts, its CA
// made by openssl): redirects, lengths, TLS trust, the environment's proxy, cancellation and small
// files. Resume and mirrors are in download-resume.test.ts.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadToFile, fetchSmall, type DownloadToFileOptions } from '../../src-main/net/http-download.ts';
import { startConnectProxy, type ConnectProxy } from './connect-proxy.ts';
import { startFaultServer, type FaultServer } from './https-fault-server.ts';
import { codedErrorOf, seededBytes, sha256Of } from './net-test-helpers.ts';

const source = seededBytes(3_000_000, 19);
/** Larger than what a download buffers (eight 1 MiB slots, and the sockets'), so a consumer holding it back stops the transfer. */
const large = seededBytes(24 * 1024 * 1024, 23);
const files = { 'image.iso': source, 'large.iso': large, SHA256SUMS: Buffer.from(`${sha256Of(source)}  image.iso\n`) };
let server: FaultServer;
let folder: string;
let fileCount = 0;

beforeAll(async () => {
  server = await startFaultServer({ files });
  folder = mkdtempSync(join(tmpdir(), 'net-download-'));
});
afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Downloads from the server's paths, trusting its CA unless `untrusted`. */
function download(paths: readonly string[], options: Partial<DownloadToFileOptions> & { untrusted?: boolean } = {}) {
  fileCount += 1;
  const partialPath = join(folder, `download-${fileCount}.partial`);
  const { untrusted, ...rest } = options;
  const urls = paths.map((path) => `${server.origin}${path}`);
  return { partialPath, result: downloadToFile({ urls, partialPath, resume: false, ...(untrusted ? {} : { extraCaPem: server.caPem }), env: {}, ...rest }) };
}

describe('downloadToFile over HTTPS', () => {
  it('writes a file identical to the source, with its SHA-256, size and strong ETag', async () => {
    const { partialPath, result } = download(['/file/image.iso']);
    const outcome = await result;
    expect(readFileSync(partialPath).equals(source)).toBe(true);
    expect(outcome).toMatchObject({ sizeBytes: source.length, sha256: sha256Of(source), resumedFromBytes: 0, etag: server.etagOf('image.iso') });
    expect(outcome.servedBy).toBe(`${server.origin}/file/image.iso`);
  });

  it('follows a chain of 302 redirects (relative and absolute Locations) up to the limit, and names the final URL', async () => {
    const { partialPath, result } = download(['/redirect/4/file/image.iso'], { maxRedirects: 4 });
    const outcome = await result;
    expect(sha256Of(readFileSync(partialPath))).toBe(sha256Of(source));
    expect(outcome.url).toBe(`${server.origin}/redirect/4/file/image.iso`);
    expect(outcome.servedBy).toBe(`${server.origin}/file/image.iso`);
  });

  it('fails with too-many-redirects one redirect past the limit', async () => {
    const error = await codedErrorOf(download(['/redirect/5/file/image.iso'], { maxRedirects: 4 }).result);
    expect(error.code).toBe('too-many-redirects');
    expect(error.message).toContain('more than 4 times');
  });

  it('refuses a redirect from https to http, before any request reaches the http server', async () => {
    const error = await codedErrorOf(download(['/to-http/file/image.iso']).result);
    expect(error.code).toBe('insecure-redirect');
    expect(error.message).toContain(`${server.httpOrigin}/file/image.iso`);
    expect(server.requests.filter((request) => request.scheme === 'http')).toEqual([]);
  });

  it('refuses a redirect to a scheme other than http or https', async () => {
    const error = await codedErrorOf(download(['/to-ftp/file/image.iso']).result);
    expect(error.code).toBe('unsupported-url');
    expect(error.message).toContain('ftp: URLs cannot be downloaded');
  });

  it('streams a 200 without Content-Length to its end, the total unknown until then', async () => {
    const totals = new Set<number | null>();
    const { partialPath, result } = download(['/nolength/file/image.iso'], { onProgress: (_done, total) => totals.add(total) });
    expect((await result).sizeBytes).toBe(source.length);
    expect(readFileSync(partialPath).equals(source)).toBe(true);
    expect([...totals]).toEqual([null]);
  });

  it('fails with length-mismatch when the connection is cut, keeping the bytes received', async () => {
    const { partialPath, result } = download(['/cut/1234567/file/image.iso']);
    const error = await codedErrorOf(result);
    expect(error.code).toBe('length-mismatch');
    expect(error.message).toContain(`after 1234567 bytes of the ${source.length}`);
    expect(readFileSync(partialPath).equals(source.subarray(0, 1234567))).toBe(true);
  });

  it('stops a file over maxBytes, announced or streaming without a length, with too-large', async () => {
    const announced = await codedErrorOf(download(['/file/image.iso'], { maxBytes: 1_000_000 }).result);
    expect(announced).toMatchObject({ code: 'too-large', message: expect.stringContaining(`is ${source.length} bytes, more than the 1000000 allowed`) });
    const { partialPath, result } = download(['/nolength/file/image.iso'], { maxBytes: 1_000_000 });
    expect(await codedErrorOf(result)).toMatchObject({ code: 'too-large', message: expect.stringContaining('sent more than the 1000000 bytes') });
    expect(statSync(partialPath).size).toBeLessThan(1_000_000 + 2 * 1024 * 1024);
  });

  it('fails with http-status naming the status and URL of a 404', async () => {
    const error = await codedErrorOf(download(['/status/404/file/image.iso']).result);
    expect(error.code).toBe('http-status');
    expect(error.message).toContain('404');
    expect(error.detail).toMatchObject({ status: 404, url: `${server.origin}/status/404/file/image.iso` });
  });

  it('refuses a URL that is not http or https', async () => {
    const error = await codedErrorOf(downloadToFile({ urls: ['ftp://127.0.0.1/image.iso'], partialPath: join(folder, 'ftp.partial'), resume: false }));
    expect(error.code).toBe('unsupported-url');
  });

  it('refuses a URL or a mirror carrying a user name or password, before any request, without echoing the password', async () => {
    const before = server.requests.length;
    const withPassword = `${server.origin}/file/image.iso`.replace('https://', 'https://user:secret@');
    for (const urls of [[withPassword], [`${server.origin}/file/image.iso`, withPassword]]) {
      const error = await codedErrorOf(
        downloadToFile({ urls, partialPath: join(folder, 'userinfo.partial'), resume: false, extraCaPem: server.caPem, env: {} }),
      );
      expect(error.message).not.toContain('secret');
      expect(JSON.stringify(error)).not.toContain('secret');
    }
    const small = await codedErrorOf(fetchSmall(withPassword, 1024, { extraCaPem: server.caPem, env: {} }));
    expect(small.code).toBe('unsupported-url');
    expect(small.message).toMatch(/^a URL of 127\.0\.0\.1:\d+ carries a user name or password/);
    expect(server.requests.length).toBe(before);
  });

  it('refuses a server whose certificate no trusted CA signed, naming the host, unless TLS checks are turned off', async () => {
    const error = await codedErrorOf(download(['/file/image.iso'], { untrusted: true }).result);
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(/^127\.0\.0\.1: the TLS handshake failed: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    const { result } = download(['/file/image.iso'], { untrusted: true, insecureTls: true });
    expect((await result).sha256).toBe(sha256Of(source));
  });

  it('lands nothing more while a consumer holds a range back, and does not count that wait as a stall', async () => {
    // The consumer holds the first range for four times the stall timeout (a stick a window behind).
    const stallTimeoutMs = 250;
    const holdMs = 4 * stallTimeoutMs;
    const landings: { offsetBytes: number; atMs: number }[] = [];
    let releasedAtMs = Infinity;
    const startMs = performance.now();
    const { partialPath, result } = download(['/file/large.iso'], {
      stallTimeoutMs,
      onData: (offsetBytes) => {
        landings.push({ offsetBytes, atMs: performance.now() - startMs });
        if (offsetBytes !== 0) return undefined;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            releasedAtMs = performance.now() - startMs;
            resolve();
          }, holdMs),
        );
      },
    });
    const outcome = await result;
    expect(outcome.sha256).toBe(sha256Of(large));
    expect(readFileSync(partialPath).equals(large)).toBe(true);
    expect(landings[0]?.offsetBytes).toBe(0);
    expect(landings.length).toBeGreaterThan(1);
    expect(landings.slice(1).every((landing) => landing.atMs >= releasedAtMs)).toBe(true);
  });

  it('stops at once when cancelled, leaving the bytes written so far for a later resume', async () => {
    const controller = new AbortController();
    const { partialPath, result } = download(['/stall/2000000/file/image.iso'], {
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 1024 * 1024) controller.abort();
      },
    });
    const error = await codedErrorOf(result);
    expect(error.code).toBe('cancelled');
    expect(statSync(partialPath).size).toBeGreaterThanOrEqual(1024 * 1024);
  });
});

describe('downloadToFile through the environment proxy', () => {
  let proxy: ConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy();
  });
  afterAll(async () => proxy.close());

  it('tunnels https through HTTPS_PROXY with CONNECT (credentials as Proxy-Authorization), TLS still checked end to end', async () => {
    const authority = new URL(server.origin).host;
    const proxyUrl = proxy.url.replace('http://', 'http://user:p%40ss@');
    const { partialPath, result } = download(['/file/image.iso'], { env: { HTTPS_PROXY: proxyUrl } });
    await result;
    expect(readFileSync(partialPath).equals(source)).toBe(true);
    expect(proxy.requestLines.at(-1)).toBe(`CONNECT ${authority} HTTP/1.1`);
    expect(proxy.authorizations.at(-1)).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    const untrusted = await codedErrorOf(download(['/file/image.iso'], { env: { https_proxy: proxy.url }, untrusted: true }).result);
    expect(untrusted.code).toBe('tls');
  });

  it('sends a plain http request to http_proxy in absolute form', async () => {
    const url = `${server.httpOrigin}/file/image.iso`;
    const outcome = await downloadToFile({
      urls: [url],
      partialPath: join(folder, 'http-proxy.partial'),
      resume: false,
      env: { http_proxy: proxy.url },
    });
    expect(outcome.sha256).toBe(sha256Of(source));
    expect(proxy.requestLines.at(-1)).toBe(`GET ${url} HTTP/1.1`);
  });

  it('connects directly to a host NO_PROXY names', async () => {
    const before = proxy.requestLines.length;
    const { result } = download(['/file/image.iso'], { env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.org, 127.0.0.1' } });
    expect((await result).sha256).toBe(sha256Of(source));
    expect(proxy.requestLines.length).toBe(before);
  });

  it('fails with network naming the proxy when the proxy cannot be reached', async () => {
    const error = await codedErrorOf(download(['/file/image.iso'], { env: { HTTPS_PROXY: 'http://127.0.0.1:1' } }).result);
    expect(error.code).toBe('network');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('fetchSmall', () => {
  it('returns a small file whole, with the URL that served it after redirects', async () => {
    const fetched = await fetchSmall(`${server.origin}/redirect/1/file/SHA256SUMS`, 1024, { extraCaPem: server.caPem, env: {} });
    expect(Buffer.from(fetched?.bytes ?? []).toString()).toBe(files.SHA256SUMS.toString());
    expect(fetched?.servedBy).toBe(`${server.origin}/file/SHA256SUMS`);
  });

  it('answers null for 404 and 410, and http-status for a server error', async () => {
    const options = { extraCaPem: server.caPem, env: {} };
    expect(await fetchSmall(`${server.origin}/file/missing.sha256`, 1024, options)).toBeNull();
    expect(await fetchSmall(`${server.origin}/status/410/file/SHA256SUMS`, 1024, options)).toBeNull();
    expect((await codedErrorOf(fetchSmall(`${server.origin}/status/503/file/SHA256SUMS`, 1024, options))).code).toBe('http-status');
  });

  it('refuses a file over its limit, announced or not', async () => {
    const options = { extraCaPem: server.caPem, env: {} };
    const announced = await codedErrorOf(fetchSmall(`${server.origin}/file/image.iso`, 65536, options));
    expect(announced.code).toBe('too-large');
    expect(announced.message).toContain(`announces ${source.length} bytes`);
    const streamed = await codedErrorOf(fetchSmall(`${server.origin}/nolength/file/image.iso`, 65536, options));
    expect(streamed.code).toBe('too-large');
    expect(streamed.message).toContain('sent more than the 65536 bytes');
  });
});
