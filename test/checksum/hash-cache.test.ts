import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashImage } from '../../src-main/checksum/hash-image.ts';
import { coreutilsDigests } from './coreutils.ts';

function setup(): { dataDir: string; image: string } {
  const dir = mkdtempSync(join(tmpdir(), 'isotope-cache-'));
  const image = join(dir, 'image.iso');
  writeFileSync(image, 'first version of the image\n'.repeat(1000));
  return { dataDir: join(dir, 'data'), image };
}

describe('hash cache', () => {
  it('answers a second request for the same file version from the cache', async () => {
    const { dataDir, image } = setup();
    const first = await hashImage(image, { algorithms: ['sha256', 'md5'], dataDir });
    const second = await hashImage(image, { algorithms: ['md5', 'sha256'], dataDir });
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.digests).toEqual(coreutilsDigests(image, ['md5', 'sha256']));
  });

  it('hashes only what the cache lacks and then knows both', async () => {
    const { dataDir, image } = setup();
    await hashImage(image, { algorithms: ['sha256'], dataDir });
    const more = await hashImage(image, { algorithms: ['sha256', 'sha512'], dataDir });
    expect(more.fromCache).toBe(false);
    expect(more.digests).toEqual(coreutilsDigests(image, ['sha256', 'sha512']));
    expect((await hashImage(image, { algorithms: ['sha512', 'sha256'], dataDir })).fromCache).toBe(true);
  });

  it('re-hashes after the file changed (new content and mtime), and after only its mtime changed', async () => {
    const { dataDir, image } = setup();
    await hashImage(image, { algorithms: ['sha256'], dataDir });
    writeFileSync(image, 'second version of the image\n'.repeat(1000)); // same size, new bytes
    const changed = await hashImage(image, { algorithms: ['sha256'], dataDir });
    expect(changed.fromCache).toBe(false);
    expect(changed.digests).toEqual(coreutilsDigests(image, ['sha256']));
    utimesSync(image, new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect((await hashImage(image, { algorithms: ['sha256'], dataDir })).fromCache).toBe(false);
  });

  it('ignores a damaged cache file and replaces it', async () => {
    const { dataDir, image } = setup();
    await hashImage(image, { algorithms: ['sha1'], dataDir });
    writeFileSync(join(dataDir, 'hash-cache.json'), '{"version":1,"entries":[{"path":');
    const again = await hashImage(image, { algorithms: ['sha1'], dataDir });
    expect(again.fromCache).toBe(false);
    expect(again.digests).toEqual(coreutilsDigests(image, ['sha1']));
    expect(JSON.parse(readFileSync(join(dataDir, 'hash-cache.json'), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('never caches when told not to (dataDir null)', async () => {
    const { image } = setup();
    expect((await hashImage(image, { algorithms: ['md5'], dataDir: null })).fromCache).toBe(false);
    expect((await hashImage(image, { algorithms: ['md5'], dataDir: null })).fromCache).toBe(false);
  });
});
