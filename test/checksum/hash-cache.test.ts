// The hash cache beside the hashing pass: it remembers digests per file version (path, size, mtime,
// ctime, inode) for display, and never stands in for reading the file, unless asked with `cached`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RememberedDigests } from '../../shared/checksum.ts';
import { hashImage } from '../../src-main/checksum/hash-image.ts';
import { coreutilsDigests } from './coreutils.ts';

function setup(): { dir: string; dataDir: string; image: string } {
  const dir = mkdtempSync(join(tmpdir(), 'isotope-cache-'));
  const image = join(dir, 'image.iso');
  writeFileSync(image, 'first version of the image\n'.repeat(1000));
  return { dir, dataDir: join(dir, 'data'), image };
}

describe('hash cache', () => {
  it('reads the file on every request, and hands out what it remembered of this version before the pass', async () => {
    const { dataDir, image } = setup();
    const beforeMs = Date.now();
    const first = await hashImage(image, { algorithms: ['sha256', 'md5'], dataDir });
    expect(first.remembered).toBeNull();
    const told: RememberedDigests[] = [];
    const second = await hashImage(image, { algorithms: ['md5', 'sha256'], dataDir, onRemembered: (remembered) => told.push(remembered) });
    const expected = coreutilsDigests(image, ['md5', 'sha256']);
    expect(second.digests).toEqual(expected);
    expect(second.remembered).toEqual({ digests: expected, computedAtMs: expect.any(Number) });
    expect(second.remembered!.computedAtMs).toBeGreaterThanOrEqual(beforeMs);
    expect(told).toEqual([second.remembered]);
  });

  it('answers a `cached` request from the cache only when it remembers every algorithm asked', async () => {
    const { dataDir, image } = setup();
    await hashImage(image, { algorithms: ['sha256'], dataDir });
    const partly = await hashImage(image, { algorithms: ['sha256', 'sha512'], dataDir, cached: true });
    expect(partly.digests).toEqual(coreutilsDigests(image, ['sha256', 'sha512'])); // read: the cache lacked SHA-512
    const remembered = await hashImage(image, { algorithms: ['sha512', 'sha256'], dataDir, cached: true });
    expect(remembered.digests).toBeNull();
    expect(remembered.remembered?.digests).toEqual(coreutilsDigests(image, ['sha256', 'sha512']));
  });

  it('forgets a version whose content changed with its mtime set back by the real `touch -r`: the ctime moved', async () => {
    const { dir, dataDir, image } = setup();
    const reference = join(dir, 'reference');
    execFileSync('cp', ['-p', image, reference]);
    await hashImage(image, { algorithms: ['sha256'], dataDir });
    writeFileSync(image, 'other version of the image\n'.repeat(1000)); // same size, new bytes
    execFileSync('touch', ['-r', reference, image]);
    const changed = await hashImage(image, { algorithms: ['sha256'], dataDir, cached: true });
    expect(changed.remembered).toBeNull();
    expect(changed.digests).toEqual(coreutilsDigests(image, ['sha256']));
  });

  it('ignores a damaged cache file and replaces it', async () => {
    const { dataDir, image } = setup();
    await hashImage(image, { algorithms: ['sha1'], dataDir });
    writeFileSync(join(dataDir, 'hash-cache.json'), '{"version":2,"entries":[{"path":');
    const again = await hashImage(image, { algorithms: ['sha1'], dataDir, cached: true });
    expect(again.remembered).toBeNull();
    expect(again.digests).toEqual(coreutilsDigests(image, ['sha1']));
    expect(JSON.parse(readFileSync(join(dataDir, 'hash-cache.json'), 'utf8'))).toMatchObject({ version: 2 });
  });

  it('never remembers when told not to (dataDir null)', async () => {
    const { image } = setup();
    await hashImage(image, { algorithms: ['md5'], dataDir: null });
    const again = await hashImage(image, { algorithms: ['md5'], dataDir: null, cached: true });
    expect(again.remembered).toBeNull();
    expect(again.digests).toEqual(coreutilsDigests(image, ['md5']));
  });
});
