// The free-space check of a download on a real small disk: an 8 MiB tmpfs (mounted here; root) as the
// data folder. A 16 MiB download is refused with no-space as soon as its size is known, naming the
// sizes, and leaves no partial file; a 1 MiB one fits. The default 512 MiB reserve refuses even that.
// A body without a length is stopped once it grows past the free space above the reserve.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSlotFor } from '../../src-main/download/download-cache.ts';
import { runDownload, type RunDownloadOptions } from '../../src-main/download/run-download.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';

const dir = mkdtempSync('/tmp/isotope-download-space-');
const disk = join(dir, 'tmpfs');
const mebibyte = 1024 * 1024;
let server: FaultServer | undefined;

beforeAll(async () => {
  mkdirSync(disk);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
  server = await startFaultServer({
    files: {
      'big.img': Buffer.from(deterministicBytes(16 * mebibyte, 5)),
      'small.img': Buffer.from(deterministicBytes(mebibyte, 6)),
      'six.img': Buffer.from(deterministicBytes(6 * mebibyte, 7)),
    },
  });
});
afterAll(async () => {
  // Unmounted first: a failed close must not leave the tmpfs mounted.
  execFileSync('umount', [disk]);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function options(name: string, reserveBytes?: number, faults = ''): RunDownloadOptions {
  if (server === undefined) throw new Error('the fault server did not start');
  return {
    url: `${server.origin}/${faults}file/${name}`,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    http: { extraCaPem: server.caPem, env: {} },
    dataDir: disk,
    ...(reserveBytes === undefined ? {} : { reserveBytes }),
  };
}

describe('a download on a small disk', () => {
  it('is refused with no-space once its size is known, leaving no partial file', async () => {
    const run = runDownload(options('big.img', 0));
    await expect(run).rejects.toMatchObject({ code: 'no-space', detail: { neededBytes: 16 * mebibyte } });
    await expect(run).rejects.toThrow(/no room to download 16777216 bytes: \d+ bytes are available/);
    expect(existsSync(cacheSlotFor(options('big.img').url, disk).partialPath)).toBe(false);
  });

  it('fits when it is smaller than the free space, and is refused under the default 512 MiB reserve', async () => {
    const result = await runDownload(options('small.img', 0));
    expect(result.sizeBytes).toBe(mebibyte);
    await expect(runDownload(options('small.img'))).rejects.toMatchObject({ code: 'no-space' });
    expect(readdirSync(join(disk, 'downloads')).length).toBeGreaterThan(0);
  });

  it('stops a body without a length once it grows past the free space above the reserve, leaving no partial file', async () => {
    // About 7 MiB are free: the 6 MiB would fit on the disk, but not above a 4 MiB reserve.
    const run = runDownload(options('six.img', 4 * mebibyte, 'nolength/'));
    await expect(run).rejects.toMatchObject({ code: 'no-space' });
    await expect(run).rejects.toThrow(/no room to download \d+ bytes: \d+ bytes are available, keeping 4194304 bytes free/);
    expect(existsSync(cacheSlotFor(options('six.img', 4 * mebibyte, 'nolength/').url, disk).partialPath)).toBe(false);
  });
});
