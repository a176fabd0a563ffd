// A flash of a compressed image that was decoded once (image:decode) reads the decoded cache file of
// this very file version instead of decoding again: the source is seekable (verification can name the
// exact first bad byte), and the written bytes equal the raw image. Without a cache it streams.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeToCache } from '../../src-main/container/decoded-cache.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { openFlashSource } from '../../src-main/flash/source/image-source.ts';

const dir = mkdtempSync('/tmp/isotope-flash-cache-');
const raw = Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(2 * 1024 * 1024), randomBytes(4096)]);
const imagePath = join(dir, 'card.img.bz2');
beforeAll(() => {
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  writeFileSync(imagePath, execFileSync('bzip2', ['-c'], { input: raw, maxBuffer: 64 * 1024 * 1024 }));
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('a flash of a decoded compressed image', () => {
  it('streams before the decode and reads the cache file at random after it, writing the raw bytes', async () => {
    const before = await openFlashSource(imagePath);
    await before.close();
    expect(before).toMatchObject({ compression: 'bzip2', isSeekable: false, sizeBytes: null });

    await decodeToCache(imagePath, { freeSpace: () => Promise.resolve(1024 ** 4), reserveBytes: 0 });
    const after = await openFlashSource(imagePath);
    try {
      expect(after).toMatchObject({ compression: 'bzip2', isSeekable: true, sizeBytes: raw.length });
      const middle = new Uint8Array(4096);
      await after.readAt(middle, 1024 * 1024 - 100);
      expect(Buffer.from(middle).equals(raw.subarray(1024 * 1024 - 100, 1024 * 1024 - 100 + 4096))).toBe(true);
    } finally {
      await after.close();
    }

    const target = join(dir, 'target.img');
    writeFileSync(target, '');
    const result = await flashImage({ imagePath, targets: [{ path: target }], verify: true, includeAll: false, eject: false });
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: raw.length });
    expect(readFileSync(target).equals(raw)).toBe(true);
  });
});
