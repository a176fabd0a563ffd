// The download cache on a real folder: a URL's slot keeps the URL's file name (sums files list that
// name) under a hash of the URL; hostile names never leave the slot; the least recently used files
// are evicted first to fit the limit, never one a running job holds; Clear removes only cache files
// and keeps (and names) the one in use.
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cacheSlotFor,
  readSidecar,
  clearDownloads,
  downloadCacheDir,
  evictForRoom,
  fileNameFromUrl,
  listDownloads,
  prepareSlot,
  retainDownload,
  writeSidecar,
} from '../../src-main/download/download-cache.ts';

const dir = mkdtempSync('/tmp/isotope-download-cache-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mebibyte = 1024 * 1024;

/** A complete cache file of `sizeBytes` for `url`, last used at `lastUsedMs`. */
async function cached(dataDir: string, url: string, sizeBytes: number, lastUsedMs: number): Promise<string> {
  const slot = cacheSlotFor(url, dataDir);
  mkdirSync(slot.folder, { recursive: true });
  writeFileSync(slot.path, Buffer.alloc(sizeBytes, 1));
  await writeSidecar(slot.folder, {
    url,
    name: fileNameFromUrl(url),
    etag: null,
    lastModified: null,
    validators: null,
    sha256: 'ab'.repeat(32),
    sizeBytes,
    complete: true,
    createdMs: lastUsedMs,
    lastUsedMs,
  });
  return slot.path;
}

describe('download cache slots', () => {
  it('keep the URL name under a folder named by a hash of the URL', () => {
    const slot = cacheSlotFor('https://example.org/debian/debian-12.7.0-amd64-netinst.iso?x=1', '/data');
    expect(slot.path).toMatch(/^\/data\/downloads\/[0-9a-f]{16}\/debian-12\.7\.0-amd64-netinst\.iso$/);
    expect(slot.partialPath).toBe(`${slot.path}.partial`);
    expect(cacheSlotFor('https://mirror.example/debian-12.7.0-amd64-netinst.iso', '/data').folder).not.toBe(slot.folder);
  });

  it('never let a hostile or empty URL name leave its slot, nor carry control characters to a terminal', () => {
    expect(fileNameFromUrl('https://example.org/a/%2E%2E')).toBe('download');
    expect(fileNameFromUrl('https://example.org/a/..%2F..%2Fetc%2Fpasswd')).toBe('download');
    expect(fileNameFromUrl('https://example.org/a/%00x.iso')).toBe('download');
    expect(fileNameFromUrl('https://example.org/a/%1B%5B2Jx.iso')).toBe('download'); // ESC [2J clears a terminal
    expect(fileNameFromUrl('https://example.org/a/bell%07.iso')).toBe('download');
    expect(fileNameFromUrl('https://example.org/a/csi%C2%9B.iso')).toBe('download'); // U+009B, the C1 CSI
    expect(fileNameFromUrl('https://example.org/')).toBe('download');
    expect(fileNameFromUrl('https://example.org/download.json')).toBe('download');
    expect(fileNameFromUrl('https://example.org/my%20image.iso')).toBe('my image.iso');
    expect(Buffer.byteLength(fileNameFromUrl(`https://example.org/${'é'.repeat(300)}.iso`))).toBeLessThanOrEqual(200);
  });

  it('cuts a long name to at most 200 bytes between two characters, never inside a four-byte one', () => {
    // 'a' and 49 emoji are 197 bytes: the 50th emoji would end at byte 201, so it goes whole.
    expect(fileNameFromUrl(`https://example.org/a${'😀'.repeat(100)}`)).toBe(`a${'😀'.repeat(49)}`);
    expect(fileNameFromUrl(`https://example.org/${'ab'.repeat(150)}`)).toBe('ab'.repeat(100));
  });
});

describe('download cache sidecars', () => {
  it('are not trusted with validators that would not make a clean If-Range header', async () => {
    const slot = cacheSlotFor('https://example.org/resumed.iso', join(dir, 'sidecars'));
    mkdirSync(slot.folder, { recursive: true });
    const sidecar = {
      url: 'https://example.org/resumed.iso',
      name: 'resumed.iso',
      etag: null,
      lastModified: null,
      validators: { url: 'https://example.org/resumed.iso', etag: '"v1"', lastModified: null, totalBytes: 10 },
      sha256: null,
      sizeBytes: 5,
      complete: false,
      createdMs: 1,
      lastUsedMs: 1,
    };
    await writeSidecar(slot.folder, sidecar);
    expect(await readSidecar(slot.folder)).toEqual(sidecar);
    writeFileSync(join(slot.folder, 'download.json'), JSON.stringify({ ...sidecar, validators: { ...sidecar.validators, etag: '"v1"\r\nX-Evil: 1' } }));
    expect(await readSidecar(slot.folder)).toBeNull();
  });
});

describe('download cache eviction and clearing', () => {
  it('evicts the least recently used files until the new download fits, skipping one in use and the new slot', async () => {
    const dataDir = join(dir, 'evict');
    const oldest = await cached(dataDir, 'https://example.org/oldest.iso', 2 * mebibyte, 1000);
    const held = await cached(dataDir, 'https://example.org/held.iso', 2 * mebibyte, 2000);
    const middle = await cached(dataDir, 'https://example.org/middle.iso', 2 * mebibyte, 3000);
    const newest = await cached(dataDir, 'https://example.org/newest.iso', 2 * mebibyte, 4000);
    const slot = cacheSlotFor('https://example.org/new.iso', dataDir);
    mkdirSync(slot.folder, { recursive: true });
    writeFileSync(slot.partialPath, Buffer.alloc(mebibyte));
    const release = retainDownload(held, 'a flash of held.iso');
    try {
      // 8 MiB cached + 3 MiB coming, limit 7 MiB (and room for the sidecars' blocks): 4 MiB must go, the two oldest not in use.
      const removed = await evictForRoom({ slot, neededBytes: 3 * mebibyte, limitBytes: 7 * mebibyte + 64 * 1024, dataDir });
      expect(removed).toEqual([oldest, middle]);
    } finally {
      release();
    }
    expect([oldest, held, middle, newest, slot.partialPath].map((path) => existsSync(path))).toEqual([false, true, false, true, true]);
  });

  it('evicts nothing while the cache and the new download fit the limit', async () => {
    const dataDir = join(dir, 'fits');
    const kept = await cached(dataDir, 'https://example.org/kept.iso', mebibyte, 1000);
    const slot = cacheSlotFor('https://example.org/new.iso', dataDir);
    expect(await evictForRoom({ slot, neededBytes: mebibyte, limitBytes: 3 * mebibyte, dataDir })).toEqual([]);
    expect(existsSync(kept)).toBe(true);
  });

  it('lists complete and partial files, most recent first, and clears all but the one in use, naming it', async () => {
    const dataDir = join(dir, 'clear');
    const first = await cached(dataDir, 'https://example.org/first.iso', mebibyte, 1000);
    const second = await cached(dataDir, 'https://example.org/second.iso', mebibyte, 2000);
    const listed = await listDownloads(dataDir);
    expect(listed.entries.map((entry) => [entry.path, entry.complete, entry.sizeBytes])).toEqual([
      [second, true, mebibyte],
      [first, true, mebibyte],
    ]);
    expect(listed.diskBytes).toBeGreaterThanOrEqual(2 * mebibyte);

    await expect(clearDownloads(['/etc/passwd'], dataDir)).rejects.toMatchObject({ code: 'destination-not-allowed' });
    await expect(clearDownloads([join(downloadCacheDir(dataDir), 'x')], dataDir)).rejects.toMatchObject({ code: 'destination-not-allowed' });
    const release = retainDownload(first, 'the download of https://example.org/first.iso');
    const cleared = await clearDownloads(undefined, dataDir);
    release();
    expect(cleared.kept).toEqual([{ path: first, reason: 'in use by the download of https://example.org/first.iso' }]);
    expect(cleared.removedBytes).toBeGreaterThanOrEqual(mebibyte);
    expect(existsSync(dirname(second))).toBe(false);
    expect(existsSync(first)).toBe(true);
    expect((await clearDownloads([first], dataDir)).kept).toEqual([]);
    expect((await listDownloads(dataDir)).entries).toEqual([]);
  });
});

describe('the .reading link a write while downloading reads through', () => {
  it('counts a file and its .reading hard link once in the disk space the cache takes', async () => {
    const dataDir = join(dir, 'reading-count');
    const path = await cached(dataDir, 'https://example.org/linked.iso', 4 * mebibyte, 1);
    const before = (await listDownloads(dataDir)).diskBytes;
    linkSync(path, `${path}.partial.0123456789ab.reading`);
    expect((await listDownloads(dataDir)).diskBytes).toBe(before);
    expect(before).toBeLessThan(5 * mebibyte);
  });

  it('removes a .reading link a killed process left when the slot is next used, keeping the partial file', async () => {
    const slot = cacheSlotFor('https://example.org/killed.iso', join(dir, 'reading-stale'));
    mkdirSync(slot.folder, { recursive: true });
    writeFileSync(slot.partialPath, Buffer.alloc(mebibyte, 2));
    linkSync(slot.partialPath, `${slot.partialPath}.0123456789ab.reading`);
    await prepareSlot(slot, { fresh: false });
    expect(readdirSync(slot.folder)).toEqual(['killed.iso.partial']);
  });
});
