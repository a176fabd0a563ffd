// How a flash verifies and where its SHA-256 comes from (root only, real loop devices): a raw image is
// verified by comparing the read-back bytes with the image read again (a 4 KiB corruption made between
// writing and verifying is reported to the byte), a compressed one by block digests taken while
// writing (reported to its 64 KiB block); and the SHA-256 comes from the checksum panel's hash cache
// when that knows the file, else it is computed in the pass and stored there, by the user's process
// (as root, only into a folder root owns, never into one another user controls).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashProgress } from '../../shared/flash.ts';
import { fileIdentityOf, hashCacheFileName, openHashCache } from '../../src-main/checksum/hash-cache.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { runFlashWorkWithCache } from '../../src-main/flash/flash-work.ts';
import { digestBlockBytes } from '../../src-main/flash/hasher.ts';
import { LoopDevices, isRoot, readBytes, rootSkipReason, sha256OfPrefix } from './loop-devices.ts';

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)(`verification and the SHA-256 cache (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let image = '';
  const imageBytes = 20 * MiB + 4096;

  const loopOver = (name: string): { loop: string; backing: string } => {
    const backing = join(dir, name);
    writeFileSync(backing, Buffer.alloc(24 * MiB));
    return { loop: loops.attach(backing), backing };
  };
  /** Flips 4 KiB at each offset of the target's backing file the moment verification starts (after the write and flush). */
  const corruptWhenVerifying = (backing: string, original: string, ...offsets: number[]) => {
    let done = false;
    return (progress: FlashProgress): void => {
      if (done || !progress.targets.some((target) => target.phase === 'verifying')) return;
      done = true;
      const fd = openSync(backing, 'r+');
      for (const offsetBytes of offsets) {
        const flipped = readBytes(original, offsetBytes, 4096).map((byte) => byte ^ 0xff);
        writeSync(fd, flipped, 0, flipped.length, offsetBytes);
      }
      closeSync(fd);
    };
  };

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-verify-cache-test-');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(imageBytes));
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a raw image by comparing bytes: a 4 KiB corruption after writing is reported to the exact byte range', async () => {
    const { loop, backing } = loopOver('compare.img');
    const corruptAt = 9 * MiB + 3 * 4096;
    const result = await flashImage({ imagePath: image, targets: [{ path: loop }], verify: true, includeAll: true, eject: false, onProgress: corruptWhenVerifying(backing, image, corruptAt) });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: corruptAt });
    // Digests would only locate it to its 64 KiB block; the byte comparison finds the 4 KiB exactly.
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: corruptAt, lengthBytes: 4096 });
  });

  it('compares whole chunks: two corruptions 256 KiB apart in one 4 MiB chunk are reported as one range from the first bad byte to the last', async () => {
    const { loop, backing } = loopOver('compare-two.img');
    const first = 12 * MiB + 8192;
    const second = first + 256 * 1024;
    const result = await flashImage({ imagePath: image, targets: [{ path: loop }], verify: true, includeAll: true, eject: false, onProgress: corruptWhenVerifying(backing, image, first, second) });
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: first });
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: first, lengthBytes: second + 4096 - first });
  });

  it('verifies a compressed image by its write-time block digests: a corruption is reported as its 64 KiB block', async () => {
    const archive = join(dir, 'image.img.gz');
    writeFileSync(archive, execFileSync('gzip', ['-1', '-c', image], { maxBuffer: 64 * MiB }));
    const { loop, backing } = loopOver('digests.img');
    const corruptAt = 9 * MiB + 3 * 4096;
    const result = await flashImage({ imagePath: archive, targets: [{ path: loop }], verify: true, includeAll: true, eject: false, onProgress: corruptWhenVerifying(backing, image, corruptAt) });
    expect(result.source.compression).toBe('gzip');
    expect(result.outcome).toBe('failed');
    const blockStart = Math.floor(corruptAt / digestBlockBytes) * digestBlockBytes;
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: blockStart });
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: blockStart, lengthBytes: digestBlockBytes });
  });

  /** A flash as the service runs it: the user's hash cache in front, read and written in this process. */
  const flashWithCache = (loop: string, verify: boolean, dataDir: string) =>
    runFlashWorkWithCache({ kind: 'flash', imagePath: image, targets: [{ path: loop }], verify, includeAll: true, eject: false }, { jobId: 'test', signal: new AbortController().signal, onProgress: () => undefined }, {}, dataDir);

  it('computes the SHA-256 in the pass and stores it in the hash cache; the next flash takes it from the cache', async () => {
    const dataDir = join(dir, 'data-first');
    mkdirSync(dataDir);
    const { loop } = loopOver('cache.img');
    const expected = sha256OfPrefix(image, imageBytes);
    const first = await flashWithCache(loop, true, dataDir);
    expect(first.outcome).toBe('succeeded');
    expect(first.source.sha256Hex).toBe(expected);
    expect(first.source.sha256FromCache).toBeUndefined();
    expect(existsSync(join(dataDir, hashCacheFileName))).toBe(true);
    const identity = fileIdentityOf(image, await stat(image))!;
    expect(await openHashCache(dataDir).lookup(identity)).toEqual({ sha256: expected });

    const second = await flashWithCache(loop, true, dataDir);
    expect(second.outcome).toBe('succeeded');
    expect(second.source).toMatchObject({ sha256Hex: expected, sha256FromCache: true });
  });

  it('running as root, never writes the cache into a folder another user controls', async () => {
    const { loop } = loopOver('owner.img');
    const userHome = join(dir, 'home-of-1000');
    mkdirSync(userHome);
    chownSync(userHome, 1000, 1000);
    const dataDir = join(userHome, 'isotope');
    const missing = await flashWithCache(loop, false, dataDir);
    expect(missing.outcome).toBe('succeeded');
    expect(existsSync(dataDir)).toBe(false);

    // The user's own data folder, with the cache file a symlink to a file of root's: untouched.
    mkdirSync(dataDir);
    chownSync(dataDir, 1000, 1000);
    const rootsFile = join(dir, 'roots-file');
    writeFileSync(rootsFile, 'root only\n');
    symlinkSync(rootsFile, join(dataDir, hashCacheFileName));
    const stored = await flashWithCache(loop, false, dataDir);
    expect(stored.outcome).toBe('succeeded');
    expect(stored.source.sha256Hex).toBe(sha256OfPrefix(image, imageBytes));
    expect(readFileSync(rootsFile, 'utf8')).toBe('root only\n');
    expect(statSync(rootsFile).uid).toBe(0);
    expect(readdirSync(dataDir)).toEqual([hashCacheFileName]);
  });

  it('reports the cached SHA-256 without hashing (a planted value comes back), and ignores it once the file changed', async () => {
    const dataDir = join(dir, 'data-planted');
    mkdirSync(dataDir);
    const planted = 'ab'.repeat(32);
    await openHashCache(dataDir).store(fileIdentityOf(image, await stat(image))!, { sha256: planted });
    const { loop } = loopOver('planted.img');
    const cached = await flashWithCache(loop, true, dataDir);
    expect(cached.outcome).toBe('succeeded');
    expect(cached.source).toMatchObject({ sha256Hex: planted, sha256FromCache: true });

    // A new mtime is a new version of the file: the SHA-256 is computed again (and replaces the entry).
    const later = new Date(Date.now() + 60_000);
    utimesSync(image, later, later);
    const fresh = await flashWithCache(loop, true, dataDir);
    expect(fresh.source.sha256Hex).toBe(sha256OfPrefix(image, imageBytes));
    expect(fresh.source.sha256FromCache).toBeUndefined();
  });
});
