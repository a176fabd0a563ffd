// The path box reads a path the way a shell user writes one (src-renderer/state/drop-path.ts, issue 17).
import { describe, expect, it } from 'vitest';
import { pathFromTyped } from '../../src-renderer/state/drop-path.ts';

const home = '/home/ada';

describe('typed paths', () => {
  it('reads ~ and ~/… as the home folder', () => {
    expect(pathFromTyped('~', home)).toEqual({ path: '/home/ada' });
    expect(pathFromTyped('~/', home)).toEqual({ path: '/home/ada' });
    expect(pathFromTyped('  ~/Downloads/debian 12.iso ', home)).toEqual({ path: '/home/ada/Downloads/debian 12.iso' });
  });

  it("refuses another account's ~name rather than guessing where it is", () => {
    expect(pathFromTyped('~bob/disk.iso', home)).toEqual({ problem: 'other-home' });
  });

  it('drops one pair of matching outer quotes, single or double', () => {
    expect(pathFromTyped("'/media/ada/My Stick/disk.iso'", home)).toEqual({ path: '/media/ada/My Stick/disk.iso' });
    expect(pathFromTyped('"~/it\'s here.iso"', home)).toEqual({ path: "/home/ada/it's here.iso" });
  });

  it('reads file:// URLs percent-decoded, with an empty host or localhost, and refuses another host', () => {
    expect(pathFromTyped('file:///home/ada/Debian%2012%20%C3%A9t%C3%A9.iso', home)).toEqual({ path: '/home/ada/Debian 12 été.iso' });
    expect(pathFromTyped('file://localhost/tmp/a%23b.iso', home)).toEqual({ path: '/tmp/a#b.iso' });
    expect(pathFromTyped('FILE:///tmp/x.iso', home)).toEqual({ path: '/tmp/x.iso' });
    expect(pathFromTyped('file://server/share/x.iso', home)).toEqual({ problem: 'remote-file-url' });
    expect(pathFromTyped('file:///tmp/%E9.iso', home)).toEqual({ problem: 'bad-file-url' });
    expect(pathFromTyped('file:///tmp/%00.iso', home)).toEqual({ problem: 'nul' });
  });

  it('reads a path without a leading / as relative to the home folder, and keeps an absolute one', () => {
    expect(pathFromTyped('Downloads/disk.img', home)).toEqual({ path: '/home/ada/Downloads/disk.img' });
    expect(pathFromTyped('/srv/images/disk.img', home)).toEqual({ path: '/srv/images/disk.img' });
  });

  it('names an empty entry and a NUL character as problems', () => {
    expect(pathFromTyped('   ', home)).toEqual({ problem: 'empty' });
    expect(pathFromTyped('""', home)).toEqual({ problem: 'empty' });
    expect(pathFromTyped('/tmp/a\0b', home)).toEqual({ problem: 'nul' });
  });
});
