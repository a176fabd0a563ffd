// The decoded cache on files made by the real tools: a decode writes a sparse file whose bytes equal
// the raw image, found again only for the same file version; openImageSource reads it (and refuses
// with needs-decoding before it exists); the space is checked before and during a decode, so a gzip
// bomb stops against a small disk; a cancelled decode leaves nothing; clearing removes only cache files.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NeedsDecodingError } from '../../src-main/compression/needs-decoding-error.ts';
import {
  clearDecodedCaches,
  decodedCacheDiskBytes,
  decodeToCache,
  findDecodedCache,
  listDecodedCaches,
  retainDecodedCache,
} from '../../src-main/container/decoded-cache.ts';
import { openImageSource } from '../../src-main/container/open-image-source.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { makeCompressedFixtures, sha256, type CompressedFixtures, type CompressedVariant } from '../compression/compressed-fixtures.ts';

let fixtures: CompressedFixtures;
let dataDir: string;
beforeAll(() => {
  fixtures = makeCompressedFixtures();
  dataDir = join(fixtures.dir, 'data');
  vi.stubEnv('ISOTOPE_HOME', dataDir);
}, 120_000);
afterAll(() => {
  vi.unstubAllEnvs();
  fixtures.remove();
});

const plentyOfSpace = { freeSpace: () => Promise.resolve(1024 ** 4), reserveBytes: 0 };
const decodedFolder = (): string => join(dataDir, 'decoded');

describe('decodeToCache', () => {
  const variants: CompressedVariant[] = ['gzip', 'bzip2', 'xz-one-block', 'zstd-pzstd', 'zip-deflated', 'xz-blocks'];
  for (const variant of variants) {
    it(`decodes a ${variant} image into a sparse cache file equal to the raw image, found again for the same file`, async () => {
      const path = fixtures.paths[variant];
      const progress: number[] = [];
      const entry = await decodeToCache(path, { ...plentyOfSpace, onProgress: (step) => progress.push(step.compressedBytesRead) });
      expect(entry).toMatchObject({ imagePath: path, decodedSizeBytes: fixtures.raw.length });
      expect(sha256(readFileSync(entry.cachePath))).toBe(fixtures.rawSha256);
      // 3 MiB of the raw image are zeros: left as holes, they take no disk space.
      expect(entry.diskBytes).toBeLessThanOrEqual(fixtures.raw.length - 3 * 1024 * 1024 + 64 * 1024);
      expect(progress.at(-1)).toBeGreaterThan(0);
      expect(await findDecodedCache(path)).toEqual(entry);
      expect(readdirSync(decodedFolder()).filter((name) => name.endsWith('.partial'))).toEqual([]);
    });
  }

  it('reads a compressed image through openImageSource only once it is decoded, then from the cache', async () => {
    const path = join(fixtures.dir, 'late.img.gz');
    writeFileSync(path, readFileSync(fixtures.paths.gzip));
    const before = await openImageSource(path).catch((error: unknown) => error);
    expect(before).toBeInstanceOf(NeedsDecodingError);
    expect(before).toMatchObject({ code: 'needs-decoding', compression: { kind: 'gzip', access: 'needs-decoding' } });
    expect(String((before as Error).message)).toContain(
      `late.img.gz: this gzip image (${readFileSync(path).length} bytes, an unrecorded size decoded) must be decoded once before it can be read: gzip has no index`,
    );
    await decodeToCache(path, plentyOfSpace);
    const source = await openImageSource(path);
    try {
      expect(source.compression).toMatchObject({ kind: 'gzip', access: 'decoded-cache', decodedSizeBytes: fixtures.raw.length });
      expect(sha256(await source.read(0, source.sizeBytes))).toBe(fixtures.rawSha256);
      const cachePath = (await findDecodedCache(path))?.cachePath as string;
      // Clearing while the image is open would free nothing: the file is kept and named.
      expect((await clearDecodedCaches([cachePath])).kept).toEqual([{ cachePath, reason: `read by the open image ${path}` }]);
    } finally {
      await source.close();
    }
  });

  it('joins a second decode of the same file version to the first: one cache file, the same entry', async () => {
    const path = join(fixtures.dir, 'twice.img.gz');
    writeFileSync(path, readFileSync(fixtures.paths.gzip));
    const [first, second] = await Promise.all([decodeToCache(path, plentyOfSpace), decodeToCache(path, plentyOfSpace)]);
    expect(second).toEqual(first);
    expect(sha256(readFileSync(first.cachePath))).toBe(fixtures.rawSha256);
  });

  it('does not match a cache file once the compressed file changed (its modification time)', async () => {
    const path = join(fixtures.dir, 'changed.img.gz');
    writeFileSync(path, readFileSync(fixtures.paths.gzip));
    await decodeToCache(path, plentyOfSpace);
    expect(await findDecodedCache(path)).not.toBeNull();
    const { mtime } = statSync(path);
    utimesSync(path, mtime, new Date(mtime.getTime() + 5000));
    expect(await findDecodedCache(path)).toBeNull();
  });

  it('keeps no cache file when the compressed file changes while it is decoded', async () => {
    const path = join(fixtures.dir, 'moving.img.gz');
    writeFileSync(path, readFileSync(fixtures.paths.gzip));
    let touched = false;
    const failure = await decodeToCache(path, {
      ...plentyOfSpace,
      onProgress: () => {
        if (touched) return;
        touched = true;
        const { mtime } = statSync(path);
        utimesSync(path, mtime, new Date(mtime.getTime() + 7000));
      },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'source-changed' });
    expect(readdirSync(decodedFolder()).filter((name) => name.endsWith('.img')).length).toBe((await listDecodedCaches()).length);
    expect(await findDecodedCache(path)).toBeNull();
  });

  it('refuses before writing when the recorded decoded size does not fit the free space', async () => {
    const path = join(fixtures.dir, 'big.img.xz');
    writeFileSync(path, readFileSync(fixtures.paths['xz-one-block']));
    const failure = await decodeToCache(path, { freeSpace: () => Promise.resolve(600 * 1024 * 1024), reserveBytes: 595 * 1024 * 1024 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'no-space' });
    expect(String((failure as Error).message)).toContain(`${fixtures.raw.length} decoded bytes need more than the ${5 * 1024 * 1024} bytes available`);
    expect(String((failure as Error).message)).toContain(decodedFolder());
    expect(await findDecodedCache(path)).toBeNull();
  });

  it('stops a gzip bomb (256 MiB of zeros in 250 KiB) at the free space of a small disk, leaving no file', async () => {
    const path = join(fixtures.dir, 'bomb.img.gz');
    writeFileSync(path, execFileSync('sh', ['-c', 'head -c 268435456 /dev/zero | gzip -c'], { maxBuffer: 64 * 1024 * 1024 }));
    const before = new Set(readdirSync(decodedFolder()));
    const failure = await decodeToCache(path, { freeSpace: () => Promise.resolve(96 * 1024 * 1024), reserveBytes: 32 * 1024 * 1024 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'no-space' });
    expect(String((failure as Error).message)).toMatch(/\d+ decoded bytes need more than the 67108864 bytes available/);
    expect(readdirSync(decodedFolder()).filter((name) => !before.has(name))).toEqual([]);
  });

  it('refuses a FIFO as not a file before opening it (an open would wait for a writer)', async () => {
    const fifoPath = join(fixtures.dir, 'image.img.gz.fifo');
    execFileSync('mkfifo', [fifoPath]);
    const failure = await decodeToCache(fifoPath, plentyOfSpace).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'not-a-file', message: `${fifoPath} is not a regular file: only a compressed image file can be decoded` });
  });

  it('leaves no file when cancelled mid-decode', async () => {
    const path = join(fixtures.dir, 'cancelled.img.bz2');
    writeFileSync(path, readFileSync(fixtures.paths.bzip2));
    const before = new Set(readdirSync(decodedFolder()));
    const controller = new AbortController();
    const failure = await decodeToCache(path, {
      ...plentyOfSpace,
      signal: controller.signal,
      onProgress: ({ decodedBytes }) => {
        if (decodedBytes > 0) controller.abort();
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CancelledError);
    expect(readdirSync(decodedFolder()).filter((name) => !before.has(name))).toEqual([]);
    expect(await findDecodedCache(path)).toBeNull();
  });
});

describe('clearDecodedCaches', () => {
  it('refuses a path outside the cache folder before removing anything', async () => {
    const entries = await listDecodedCaches();
    expect(entries.length).toBeGreaterThan(0);
    const failure = await clearDecodedCaches([entries[0]?.cachePath as string, fixtures.rawPath]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'destination-not-allowed' });
    expect(statSync(fixtures.rawPath).isFile()).toBe(true);
    expect((await listDecodedCaches()).length).toBe(entries.length);
  });

  it('keeps a file a flash reads, names it, and removes the others with their disk bytes', async () => {
    const entries = await listDecodedCaches();
    const [held, ...others] = entries;
    if (!held) throw new Error('no cache entries');
    const release = retainDecodedCache(held.cachePath, 'the flash of test.img.gz');
    const result = await clearDecodedCaches();
    release();
    expect(result.kept).toEqual([{ cachePath: held.cachePath, reason: 'read by the flash of test.img.gz' }]);
    expect(result.removedBytes).toBe(others.reduce((sum, entry) => sum + entry.diskBytes, 0));
    expect((await listDecodedCaches()).map((entry) => entry.cachePath)).toEqual([held.cachePath]);
  });

  it('keeps a file a flash reads however its path is spelled (./ and // in the named path)', async () => {
    const [held] = await listDecodedCaches();
    if (!held) throw new Error('no cache entry left');
    const release = retainDecodedCache(held.cachePath, 'the flash of test.img.gz');
    const respelled = `${dirname(held.cachePath)}/.//${basename(held.cachePath)}`;
    const result = await clearDecodedCaches([respelled]);
    release();
    expect(result.kept.map((entry) => entry.reason)).toEqual(['read by the flash of test.img.gz']);
    expect(statSync(held.cachePath).isFile()).toBe(true);
  });

  it("counts and clears a killed decode's partial file, orphan sidecars and stale temporary sidecars, keeping a young partial and files not its own", async () => {
    const [held] = await listDecodedCaches();
    if (!held) throw new Error('no cache entry left');
    const leftover = (name: string, sizeBytes: number, ageMs: number): string => {
      const path = join(decodedFolder(), name);
      writeFileSync(path, Buffer.alloc(sizeBytes, 0x5a));
      const when = new Date(Date.now() - ageMs);
      utimesSync(path, when, when);
      return path;
    };
    const hour = 60 * 60 * 1000;
    const killed = leftover(`${'a'.repeat(32)}.img.partial`, 1024 * 1024, hour);
    const young = leftover(`${'b'.repeat(32)}.img.partial`, 64 * 1024, 0);
    const orphan = leftover(`${'c'.repeat(32)}.json`, 100, 0);
    const staleSidecar = leftover(`${'d'.repeat(32)}.json.0b6c7f6e-54c4-4c3e-9d51-4e1f0a7d2b11.partial`, 100, hour);
    const notOurs = leftover('notes.txt', 100, hour);
    const diskBytes = (paths: string[]): number => paths.reduce((sum, path) => sum + statSync(path).blocks * 512, 0);
    const everything = readdirSync(decodedFolder()).map((name) => join(decodedFolder(), name));
    expect(await decodedCacheDiskBytes()).toBe(diskBytes(everything.filter((path) => path !== notOurs && path !== held.cachePath.replace(/\.img$/, '.json'))));
    const removable = diskBytes([killed, orphan, staleSidecar]);

    const result = await clearDecodedCaches();

    expect(result.kept).toEqual([{ cachePath: young, reason: 'written less than 10 minutes ago, maybe by another decode' }]);
    expect(result.removedBytes).toBe(held.diskBytes + removable);
    expect(readdirSync(decodedFolder()).sort()).toEqual([`${'b'.repeat(32)}.img.partial`, 'notes.txt']);
  });
});
