// A write while downloading (flash-from-download.ts) into a regular file: the download's hold on its
// cache slot ends with the download, and the write (verify included) may still be reading it: the
// write holds it too until it returns: Clear keeps it (naming the write), and the second name the
// write reads through is removed only after.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClearDownloadsResult } from '../../src-main/download/download-cache.ts';
import { clearDownloads, downloadHolder } from '../../src-main/download/download-cache.ts';
import { flashFromDownload, writeHere } from '../../src-main/flash/flash-from-download.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';

const dir = mkdtempSync('/tmp/isotope-flash-hold-');
const mebibyte = 1024 * 1024;
const image = Buffer.from(deterministicBytes(3 * mebibyte, 9));
let server: FaultServer;

beforeAll(async () => {
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  server = await startFaultServer({ files: { 'stick.img': image } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a write while downloading holds the cache file until its verify ends', () => {
  it('keeps the cache file against Clear after the download ended and before the write returned, then lets it go', async () => {
    const target = join(dir, 'target.img');
    writeFileSync(target, Buffer.alloc(4 * mebibyte, 0xa5));
    const url = `${server.origin}/file/stick.img`;
    let clearedDuringWrite: ClearDownloadsResult | null = null;
    let namesDuringWrite: string[] = [];
    let cacheFolder = '';
    const result = await flashFromDownload({
      download: { url },
      http: { extraCaPem: server.caPem, stallTimeoutMs: 5000, env: {} },
      targets: [{ path: target }],
      verify: true,
      includeAll: true,
      startWrite: (options) => {
        const write = writeHere(options);
        // The write, verify included, is over; once the download's own hold on the slot is gone too,
        // only the write's keeps the file (on the old code nothing did, and Clear removed it).
        const done = write.done.then(async (flash) => {
          cacheFolder = dirname(flash.source.path);
          await vi.waitFor(() => expect(downloadHolder(flash.source.path)).not.toBe(`the download of ${url}`), { timeout: 5000 });
          namesDuringWrite = readdirSync(cacheFolder);
          clearedDuringWrite = await clearDownloads(undefined);
          return flash;
        });
        return { feed: write.feed, done };
      },
    });
    expect(result.outcome, JSON.stringify(result.targets)).toBe('succeeded');
    expect(result.targets.map((written) => written.outcome)).toEqual(['verified']);
    expect(clearedDuringWrite).toMatchObject({ removedBytes: 0, kept: [{ reason: `in use by the write of ${url}` }] });
    expect(namesDuringWrite.filter((name) => name.endsWith('.reading'))).toHaveLength(1);
    // The cache file was kept whole; the write's second name is gone, and the slot is free for Clear.
    const path = result.download?.result?.path ?? '';
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(createHash('sha256').update(image).digest('hex'));
    expect(readdirSync(cacheFolder).filter((name) => name.endsWith('.reading'))).toEqual([]);
    expect((await clearDownloads(undefined)).kept).toEqual([]);
  });
});
