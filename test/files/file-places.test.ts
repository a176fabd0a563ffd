// files:places: Downloads found the xdg-user-dirs way, removable media, recent folders, the start place.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDirFrom, filePlaces, removableMountsOf } from '../../src-main/files/file-places.ts';
import { RecentFolders, maxRecentFolders } from '../../src-main/files/recent-folders.ts';
import type { Drive } from '../../shared/drive.ts';

describe('files:places', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-places-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function environment(home: string, recentFolders: string[] = []): Parameters<typeof filePlaces>[0] {
    return { home, userName: 'isotope-test-nobody', configHome: undefined, removableMounts: () => Promise.resolve([]), recentFolders };
  }

  it('reads XDG_DOWNLOAD_DIR in its $HOME and absolute forms, and nothing else', () => {
    const text = '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/Desktop"\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n';
    expect(downloadDirFrom(text, '/home/ada')).toBe('/home/ada/Téléchargements');
    expect(downloadDirFrom('XDG_DOWNLOAD_DIR="/data/dl"\n', '/home/ada')).toBe('/data/dl');
    expect(downloadDirFrom('XDG_DOWNLOAD_DIR="relative/dl"\n', '/home/ada')).toBeNull();
    expect(downloadDirFrom('XDG_DOWNLOAD_DIR="$HOME"\n', '/home/ada')).toBeNull();
    expect(downloadDirFrom('XDG_MUSIC_DIR="$HOME/Music"\n', '/home/ada')).toBeNull();
  });

  it('starts in the Downloads folder user-dirs.dirs names when it exists', async () => {
    const home = join(dir, 'localised');
    mkdirSync(join(home, '.config'), { recursive: true });
    mkdirSync(join(home, 'Téléchargements'));
    writeFileSync(join(home, '.config', 'user-dirs.dirs'), 'XDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n');
    const answer = await filePlaces(environment(home));
    expect(answer.startPath).toBe(join(home, 'Téléchargements'));
    expect(answer.places.slice(0, 2)).toEqual([
      { kind: 'home', label: 'Home', path: home },
      { kind: 'downloads', label: 'Downloads', path: join(home, 'Téléchargements') },
    ]);
  });

  it('falls back to ~/Downloads, and starts at home with no Downloads place when there is none', async () => {
    const withDownloads = join(dir, 'plain');
    mkdirSync(join(withDownloads, 'Downloads'), { recursive: true });
    expect((await filePlaces(environment(withDownloads))).startPath).toBe(join(withDownloads, 'Downloads'));
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    const answer = await filePlaces(environment(bare, [join(dir, 'plain')]));
    expect(answer.startPath).toBe(bare);
    expect(answer.places).toEqual([
      { kind: 'home', label: 'Home', path: bare },
      { kind: 'recent', label: 'plain', path: join(dir, 'plain') },
    ]);
  });

  it('offers the mountpoints of removable, non-system drives with their labels', () => {
    const stick = {
      isRemovable: true,
      isUsb: true,
      isSystem: false,
      mountpoints: ['/media/ada/STICK'],
      partitions: [{ label: 'STICK', mountpoints: ['/media/ada/STICK'] }],
    };
    const fixed = { isRemovable: false, isUsb: false, isSystem: false, mountpoints: ['/data'], partitions: [{ label: 'data', mountpoints: ['/data'] }] };
    const drives = [stick, fixed] as unknown as Drive[];
    expect(removableMountsOf(drives)).toEqual([{ path: '/media/ada/STICK', label: 'STICK' }]);
  });

  it(`remembers the newest ${maxRecentFolders} recent folders, once each, and offers only those still present`, async () => {
    const recent = new RecentFolders();
    const folders = Array.from({ length: 10 }, (_, index) => join(dir, `recent-${index}`));
    for (const folder of folders) mkdirSync(folder);
    for (const folder of folders) recent.remember(folder);
    recent.remember(join(dir, 'recent-9')); // again: stays first, listed once
    rmSync(join(dir, 'recent-8'), { recursive: true });
    expect(await recent.existing()).toEqual([9, 7, 6, 5, 4, 3, 2].map((index) => join(dir, `recent-${index}`)));
  });

  it('keeps as many folders as its max option says, and tells whether it holds one', () => {
    const recent = new RecentFolders({ max: 3 });
    for (const index of [1, 2, 3, 4, 2]) recent.remember(`/folders/${index}`);
    expect([1, 2, 3, 4].map((index) => recent.has(`/folders/${index}`))).toEqual([false, true, true, true]);
    recent.remember('/folders/5');
    expect([2, 3, 4, 5].map((index) => recent.has(`/folders/${index}`))).toEqual([true, false, true, true]);
  });
});
