// files:list on real folders: order, filters, links, the credential places and the entry bound.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFolder, maxListedEntries } from '../../src-main/files/list-folder.ts';

describe('files:list', () => {
  let dir = '';
  let home = '';
  let privatePlaces: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-list-'));
    home = join(dir, 'home');
    mkdirSync(join(home, 'Downloads'), { recursive: true });
    mkdirSync(join(home, 'iso builds'));
    mkdirSync(join(home, '.ssh'));
    mkdirSync(join(home, '.cache'));
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'key');
    writeFileSync(join(home, 'disk10.iso'), Buffer.alloc(10));
    writeFileSync(join(home, 'disk2.iso'), Buffer.alloc(2));
    writeFileSync(join(home, 'Debian.IMG.xz'), Buffer.alloc(3));
    writeFileSync(join(home, 'notes.txt'), 'hello');
    writeFileSync(join(home, 'release.asc'), 'armor');
    writeFileSync(join(home, '.hidden.iso'), 'x');
    symlinkSync(join(home, 'Downloads'), join(home, 'to-downloads'));
    symlinkSync(join(home, 'disk2.iso'), join(home, 'latest.iso'));
    symlinkSync(join(home, 'gone.iso'), join(home, 'broken.iso'));
    symlinkSync(join(home, '.ssh'), join(home, 'keys-link'));
    privatePlaces = [join(home, '.ssh')];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists folders first, then images in natural order, hiding other files, dot files and the credential folder', async () => {
    const listing = await listFolder({ path: home, show: 'images' }, { privatePlaces });
    expect(listing.path).toBe(home);
    expect(listing.parent).toBe(dir);
    expect(listing.truncated).toBe(false);
    expect(listing.entries.map((entry) => entry.name)).toEqual([
      'Downloads',
      'iso builds',
      'to-downloads',
      'Debian.IMG.xz',
      'disk2.iso',
      'disk10.iso',
      'latest.iso',
    ]);
    // notes.txt, release.asc, broken.iso (no target: not a file), .cache and .hidden.iso; .ssh and its link are left out entirely.
    expect(listing.hiddenCount).toBe(5);
    expect(listing.entries.find((entry) => entry.name === 'disk10.iso')).toMatchObject({ kind: 'file', isLink: false, sizeBytes: 10, looksLikeImage: true });
    expect(listing.entries.find((entry) => entry.name === 'Downloads')).toMatchObject({ kind: 'folder', sizeBytes: null, looksLikeImage: false });
  });

  it('lists a link as what it points to and says it is a link; a broken link as other', async () => {
    const entries = (await listFolder({ path: home, show: 'all' }, { privatePlaces })).entries;
    expect(entries.find((entry) => entry.name === 'to-downloads')).toMatchObject({ kind: 'folder', isLink: true });
    expect(entries.find((entry) => entry.name === 'latest.iso')).toMatchObject({ kind: 'file', isLink: true, sizeBytes: 2, looksLikeImage: true });
    expect(entries.find((entry) => entry.name === 'broken.iso')).toMatchObject({ kind: 'other', isLink: true, sizeBytes: null, modifiedMs: null });
  });

  it('shows dot files and every file with all, and only key files with keys, never the credential folder', async () => {
    const all = await listFolder({ path: home, show: 'all' }, { privatePlaces });
    expect(all.entries.map((entry) => entry.name)).toContain('.hidden.iso');
    expect(all.entries.map((entry) => entry.name)).toContain('notes.txt');
    expect(all.entries.map((entry) => entry.name)).not.toContain('.ssh');
    expect(all.entries.map((entry) => entry.name)).not.toContain('keys-link');
    expect(all.hiddenCount).toBe(0);
    const keys = await listFolder({ path: home, show: 'keys' }, { privatePlaces });
    expect(keys.entries.filter((entry) => entry.kind === 'file').map((entry) => entry.name)).toEqual(['release.asc']);
    const folders = await listFolder({ path: home, show: 'folders' }, { privatePlaces });
    expect(folders.entries.every((entry) => entry.kind === 'folder')).toBe(true);
  });

  it('refuses to list a credential folder, by its own name or through a link to it', async () => {
    await expect(listFolder({ path: join(home, '.ssh'), show: 'all' }, { privatePlaces })).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(listFolder({ path: join(home, 'keys-link'), show: 'all' }, { privatePlaces })).rejects.toMatchObject({
      code: 'permission-denied',
      message: `${join(home, '.ssh')} holds keys or other credentials; the file dialog does not list it`,
    });
  });

  it('lists a folder named through a link by its real path', async () => {
    const listing = await listFolder({ path: join(home, 'to-downloads'), show: 'images' }, { privatePlaces });
    expect(listing.path).toBe(join(home, 'Downloads'));
    expect(listing.parent).toBe(home);
  });

  it('names a missing folder and a file given as a folder', async () => {
    const missing = join(home, 'nowhere');
    await expect(listFolder({ path: missing, show: 'all' }, { privatePlaces })).rejects.toMatchObject({
      code: 'not-found',
      message: `${missing} does not exist`,
    });
    const file = join(home, 'notes.txt');
    await expect(listFolder({ path: file, show: 'all' }, { privatePlaces })).rejects.toMatchObject({ code: 'not-a-file', message: `${file} is not a folder` });
  });

  it('gives the root folder no parent', async () => {
    expect((await listFolder({ path: '/', show: 'folders' }, { privatePlaces: [] })).parent).toBeNull();
  });

  it(`reads at most ${maxListedEntries} entries of a larger folder and says it was truncated`, async () => {
    const big = join(dir, 'big');
    mkdirSync(big);
    for (let index = 0; index <= maxListedEntries; index += 1) writeFileSync(join(big, `file-${index}.iso`), '');
    const listing = await listFolder({ path: big, show: 'all' }, { privatePlaces: [] });
    expect(listing.entries).toHaveLength(maxListedEntries);
    expect(listing.truncated).toBe(true);
    rmSync(join(big, 'file-0.iso'));
    const exact = await listFolder({ path: big, show: 'all' }, { privatePlaces: [] });
    expect(exact.entries).toHaveLength(maxListedEntries);
    expect(exact.truncated).toBe(false);
  });
});
