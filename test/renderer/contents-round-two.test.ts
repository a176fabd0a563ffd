// The Contents tab's round-two state (issue 17) over the real engine: the streamed search (a new one
// cancels the old), revealing a found entry in the tree, the breadcrumb's folder, Ctrl+A, "(empty)",
// type-ahead, picture previews as blob: URLs, and the extraction's per-file conflict questions.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineClient } from '../../src-renderer/api.ts';
import { Extraction } from '../../src-renderer/state/extraction.svelte.ts';
import { FilePreview, pictureUrlOf } from '../../src-renderer/state/file-preview.svelte.ts';
import { FileTree } from '../../src-renderer/state/file-tree.svelte.ts';
import { findTypeAheadMatch } from '../../src-renderer/state/type-ahead.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { dotGif, previewIsoPath } from '../fixtures/preview-images.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { bigIsoPath } from '../fixtures/ui-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

/** How each search job ends (`ok` or its error's code), sorted: which ended first is the engine's timing. */
function recordSearchOutcomes(client: EngineClient): string[] {
  const outcomes: string[] = [];
  client.subscribe('job:finished', (finished) => {
    if (finished.kind !== 'search') return;
    outcomes.push(finished.result.ok ? 'ok' : finished.result.error.code);
    outcomes.sort();
  });
  return outcomes;
}

describe('TreeSearch', () => {
  it('streams the matches of a glob in, then says how many entries it read', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(bigIsoPath());
    await tree.search.start(bigIsoPath(), 'auto', 'f0004?.txt');
    expect(tree.search.matches.map((match) => match.path)).toEqual(Array.from({ length: 10 }, (_unused, index) => `/big/f0004${index}.txt`));
    expect(tree.search.finished).toMatchObject({ truncated: false, entriesSearched: expect.any(Number) as number });
    expect(tree.search.running).toBe(false);
  });

  it('cancels a running search when a new one starts: only the new one’s matches remain', async () => {
    const { client } = inProcessEngine();
    const searchOutcomes = recordSearchOutcomes(client);
    const tree = new FileTree(client);
    await tree.reset(bigIsoPath());
    // One name in ten: the walk reads every entry of the 50,000-file image (it never stops early at the
    // match limit, as '*' can on a quiet machine), and the second starts once the first's matches show.
    const first = tree.search.start(bigIsoPath(), 'auto', '*9.txt');
    while (tree.search.matches.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const second = tree.search.start(bigIsoPath(), 'auto', 'deep');
    await Promise.all([first, second]);
    expect(tree.search.matches.map((match) => match.path)).toEqual(['/nested/a/b/c/deep.txt']);
    expect(searchOutcomes).toEqual(['cancelled', 'ok']);
  });

  it('cancels a search replaced after it asked the engine but before the job id came back', async () => {
    const { client } = inProcessEngine();
    const searchOutcomes = recordSearchOutcomes(client);
    let second: Promise<void> | null = null;
    const tree = new FileTree({
      ...client,
      call: (name, request) => {
        // The first search's request is on its way: replace it now, before its answer arrives.
        if (name === 'image:search' && second === null) second = tree.search.start(bigIsoPath(), 'auto', 'deep');
        return client.call(name, request);
      },
    });
    await tree.reset(bigIsoPath());
    await tree.search.start(bigIsoPath(), 'auto', '*');
    await second;
    expect(tree.search.matches.map((match) => match.path)).toEqual(['/nested/a/b/c/deep.txt']);
    expect(searchOutcomes).toEqual(['cancelled', 'ok']);
  });

  it('runs only the last of two searches started at once', async () => {
    const { client } = inProcessEngine();
    const searchOutcomes = recordSearchOutcomes(client);
    const tree = new FileTree(client);
    await tree.reset(bigIsoPath());
    await Promise.all([tree.search.start(bigIsoPath(), 'auto', '*'), tree.search.start(bigIsoPath(), 'auto', 'deep')]);
    expect(tree.search.matches.map((match) => match.path)).toEqual(['/nested/a/b/c/deep.txt']);
    expect(searchOutcomes).toEqual(['ok']);
  });
});

describe('FileTree, round two', () => {
  it('reveals a found entry: opens its folders, makes it active, and the breadcrumb is its folder', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(bigIsoPath());
    await tree.reveal('/nested/a/b/c/deep.txt');
    expect(tree.activeEntry?.path).toBe('/nested/a/b/c/deep.txt');
    expect(tree.currentFolder).toBe('/nested/a/b/c');
    expect([...tree.expanded].sort()).toEqual(['/nested', '/nested/a', '/nested/a/b', '/nested/a/b/c']);
  });

  it('ticks every shown row on Ctrl+A, and marks an open empty folder', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(previewIsoPath());
    await tree.expand('/empty-folder');
    tree.selectAll();
    expect([...tree.selected].sort()).toEqual(tree.rows.map((row) => row.entry.path).sort());
    expect(tree.rows.find((row) => row.entry.path === '/empty-folder')).toMatchObject({ expanded: true, isEmpty: true });
    expect(tree.rows.filter((row) => row.isEmpty)).toHaveLength(1);
  });

  it('finds the next name starting with what was typed, ignoring case, wrapping round', () => {
    const names = ['boot', 'Big', 'docs', 'efi', 'big.txt'];
    expect(findTypeAheadMatch(names, 0, 'b')).toBe(0);
    expect(findTypeAheadMatch(names, 1, 'b')).toBe(1);
    expect(findTypeAheadMatch(names, 2, 'b')).toBe(4);
    expect(findTypeAheadMatch(names, 0, 'BIG.')).toBe(4);
    expect(findTypeAheadMatch(names, 0, 'x')).toBe(-1);
  });
});

describe('FilePreview pictures', () => {
  it('turns a picture preview into a blob: URL holding exactly its bytes and type', async () => {
    const preview = new FilePreview(inProcessEngine().client);
    await preview.show(previewIsoPath(), { path: '/pictures/dot.gif', name: 'dot.gif', type: 'file', sizeBytes: dotGif.byteLength }, 'auto');
    const url = preview.pictureUrl ?? '';
    expect(url.startsWith('blob:')).toBe(true);
    const blob = await fetch(url).then((response) => response.blob());
    expect(blob.type).toBe('image/gif');
    expect(Buffer.from(await blob.arrayBuffer()).equals(dotGif)).toBe(true);
    preview.clear();
    expect(preview.pictureUrl).toBeNull();
    expect(pictureUrlOf({ file: '/a', sizeBytes: 1, kind: 'text', content: 'a', previewBytes: 1 })).toBeNull();
  });
});

/** A browser profile's storage, kept in a Map (Node has no localStorage). */
class ProfileStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
}

describe('Extraction default destination', () => {
  it('starts the destination box with the folder Settings remembers, in the next session too; empty forgets it', () => {
    const { client } = inProcessEngine();
    const storage = new ProfileStorage();
    const first = new Extraction(client, new JobStore(client), storage);
    expect(first.destination).toBe('');
    first.rememberDefaultDestination('  /home/you/extracted ');
    expect(first.destination).toBe('/home/you/extracted');
    const next = new Extraction(client, new JobStore(client), storage);
    expect(next.destination).toBe('/home/you/extracted');
    next.rememberDefaultDestination('');
    expect(new Extraction(client, new JobStore(client), storage).destination).toBe('');
    storage.setItem('isotope.extract-destination.v1', 'not a path');
    expect(new Extraction(client, new JobStore(client), storage).defaultDestination).toBe('');
  });
});

describe('Extraction conflicts', () => {
  // The web shell extracts only into the home folder.
  let destination: string;
  beforeEach(() => {
    destination = mkdtempSync(join(homedir(), 'isotope-conflicts-'));
  });
  afterEach(() => rmSync(destination, { recursive: true, force: true }));

  function newExtraction(): Extraction {
    const { client } = inProcessEngine();
    const extraction = new Extraction(client, new JobStore(client), null);
    extraction.destination = destination;
    return extraction;
  }

  it('asks about each existing file before writing anything, then keeps both as chosen', async () => {
    writeFileSync(join(destination, 'README.TXT'), 'mine');
    const extraction = newExtraction();
    await extraction.start(xorrisoFeaturesIsoPath(), ['/README.TXT'], 'auto');
    expect(extraction.conflict).toMatchObject({ entryPath: '/README.TXT', destinationPath: join(destination, 'README.TXT'), existingKind: 'file' });
    expect(readdirSync(destination)).toEqual(['README.TXT']);
    await extraction.answerConflict('keep-both', false);
    expect(extraction.conflict).toBeNull();
    expect(extraction.result).toMatchObject({ fileCount: 1 });
    expect(extraction.writtenTo).toBe(destination);
    expect(readFileSync(join(destination, 'README (2).TXT'), 'utf8')).toBe('Hello from Isotope.\n');
  });

  it('applies "the same for all" to every remaining conflict', async () => {
    mkdirSync(join(destination, 'docs'));
    for (const name of ['guide.txt', 'empty.txt', 'random.bin']) writeFileSync(join(destination, 'docs', name), 'mine');
    const extraction = newExtraction();
    await extraction.start(xorrisoFeaturesIsoPath(), ['/docs'], 'auto');
    expect(extraction.conflicts).toHaveLength(3);
    await extraction.answerConflict('skip', true);
    expect(extraction.error).toBeNull();
    expect(readFileSync(join(destination, 'docs/guide.txt'), 'utf8')).toBe('mine');
    expect(extraction.result?.skipped.map((skipped) => skipped.path).sort()).toEqual(
      expect.arrayContaining(['/docs/empty.txt', '/docs/guide.txt', '/docs/random.bin']) as string[],
    );
  });

  it('writes nothing when the questions are cancelled', async () => {
    writeFileSync(join(destination, 'README.TXT'), 'mine');
    const extraction = newExtraction();
    await extraction.start(xorrisoFeaturesIsoPath(), ['/README.TXT', '/docs'], 'auto');
    extraction.cancelConflicts();
    expect(extraction.conflict).toBeNull();
    expect(readdirSync(destination)).toEqual(['README.TXT']);
  });
});
