// Type-ahead (issue 17, review 16): the one implementation behind the Contents tree and the in-app file
// dialog, with its reset window settable; the file dialog's prefix ends when another folder is listed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBrowser } from '../../src-renderer/state/file-browser.svelte.ts';
import { TypeAhead, typeAheadResetMs } from '../../src-renderer/state/type-ahead.ts';
import { inProcessEngine } from './in-process-engine.ts';

const names = ['alpha', 'beta', 'big.iso', 'Bügel', 'delta'];

describe('TypeAhead', () => {
  it('extends the prefix while letters come within the reset window, and starts anew after a pause as long as it', () => {
    const typeAhead = new TypeAhead(50);
    expect(typeAhead.type('b', 1000, names, -1)).toBe(1);
    expect(typeAhead.type('i', 1049, names, 1)).toBe(2); // "bi"
    expect(typeAhead.type('d', 1099, names, 2)).toBe(4); // 50 ms later: "d" alone
    expect(new TypeAhead().resetMs).toBe(typeAheadResetMs);
  });

  it('looks past the active row for a new prefix, wrapping, and ignores case and accents', () => {
    const typeAhead = new TypeAhead(50);
    expect(typeAhead.type('b', 0, names, 1)).toBe(2);
    expect(typeAhead.type('B', 100, names, 2)).toBe(3);
    expect(typeAhead.type('u', 120, names, 3)).toBe(3); // "Bu" matches Bügel itself
    expect(typeAhead.type('b', 200, names, 3)).toBe(1);
    expect(typeAhead.type('x', 300, names, 1)).toBe(-1);
  });

  it('ends the prefix on reset, so the next letter starts a new one at once', () => {
    const typeAhead = new TypeAhead(10_000);
    expect(typeAhead.type('b', 0, names, -1)).toBe(1);
    typeAhead.reset();
    expect(typeAhead.type('d', 1, names, 1)).toBe(4);
  });

  it('takes a space as a letter only inside a prefix, and never a key with Ctrl, Alt or Meta', () => {
    const typeAhead = new TypeAhead();
    const key = (value: string, modifiers: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({
      key: value,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      ...modifiers,
    });
    expect(typeAhead.accepts(key(' '))).toBe(false);
    expect(typeAhead.accepts(key('a', { ctrlKey: true }))).toBe(false);
    expect(typeAhead.accepts(key('ArrowDown'))).toBe(false);
    typeAhead.type('a', 0, names, -1);
    expect(typeAhead.accepts(key(' '))).toBe(true);
  });
});

describe('FileBrowser type-ahead', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(homedir(), 'isotope-type-ahead-'));
    for (const path of ['first/my.iso', 'second/aaa.iso', 'second/hello.iso']) {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), '');
    }
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('starts a new prefix in a newly listed folder, however quickly the next letter comes', async () => {
    const { client } = inProcessEngine();
    const browser = new FileBrowser(client, 'image', homedir());
    await browser.open(join(folder, 'first'));
    browser.typeAhead('m', 1000);
    expect(browser.entries[browser.highlighted]?.name).toBe('my.iso');
    await browser.open(join(folder, 'second'));
    browser.typeAhead('h', 1001);
    expect(browser.entries[browser.highlighted]?.name).toBe('hello.iso');
  });

  it('ends the loading and the prefix when a typed path replaces a folder still being listed', async () => {
    const { client } = inProcessEngine();
    const browser = new FileBrowser(client, 'image', homedir());
    await browser.open(join(folder, 'first'));
    browser.typeAhead('m', 1000);
    const opening = browser.open(join(folder, 'first'));
    await browser.goTo(join(folder, 'second'));
    await opening;
    expect(browser.loading).toBe(false);
    expect(browser.listing?.path).toBe(join(folder, 'second'));
    browser.typeAhead('h', 1001);
    expect(browser.entries[browser.highlighted]?.name).toBe('hello.iso');
  });
});
