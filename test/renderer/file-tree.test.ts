// The Contents tab's tree state (src-renderer/state/file-tree.svelte.ts) over the real engine: folders
// listed only when expanded, a 50,000-entry folder joined from its pages, and the column sorts.
import { describe, expect, it } from 'vitest';
import { imageListPageMaxEntries } from '../../shared/image.ts';
import { FileTree } from '../../src-renderer/state/file-tree.svelte.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { bigFileName, bigFolderFileCount, bigIsoPath } from '../fixtures/ui-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

const paths = (tree: FileTree): string[] => tree.rows.map((row) => row.entry.path);

describe('FileTree', () => {
  it('lists only the root on open, folders first, and a folder only once it is expanded', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(helloIsoPath());
    expect(paths(tree)).toEqual(['/docs', '/README.TXT']);
    expect(tree.namespace).toBe('rockridge');
    expect(tree.rows[0]).toMatchObject({ depth: 1, expanded: false, loading: false, position: 1, siblingCount: 2 });

    await tree.expand('/docs');
    expect(paths(tree)).toEqual(['/docs', '/docs/guide.txt', '/README.TXT']);
    expect(tree.rows[1]).toMatchObject({ depth: 2, position: 1, siblingCount: 1, entry: { sizeBytes: 'A guide.\n'.length * 1000 } });

    await tree.collapse('/docs');
    expect(paths(tree)).toEqual(['/docs', '/README.TXT']);
  });

  it('joins a folder larger than one page from all its pages, in name order', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(bigIsoPath());
    await tree.expand('/big');
    const big = tree.rows.filter((row) => row.depth === 2).map((row) => row.entry.name);
    expect(bigFolderFileCount).toBeGreaterThan(imageListPageMaxEntries);
    expect(big).toHaveLength(bigFolderFileCount);
    expect(big.slice(0, 2)).toEqual([bigFileName(0), bigFileName(1)]);
    expect(big.at(-1)).toBe(bigFileName(bigFolderFileCount - 1));
  }, 60_000);

  it('sorts by size and by name both ways, keeping folders first', async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(bigIsoPath());
    await tree.expand('/big');
    const bigNames = (): string[] => tree.rows.filter((row) => row.depth === 2).map((row) => row.entry.name);
    // Every 1000th file holds "file N\n" x 40 (f10000 and up: 440 bytes, f01000-f09000: 400, f00000: 280); the rest are empty.
    tree.setSort('size');
    expect(bigNames().slice(0, 2)).toEqual([bigFileName(1), bigFileName(2)]); // empty ones first, ties by name
    tree.setSort('size');
    expect(tree.sortAscending).toBe(false);
    expect(bigNames().slice(0, 2)).toEqual([bigFileName(10_000), bigFileName(11_000)]);
    expect(bigNames()[49]).toBe(bigFileName(0));
    tree.setSort('name');
    expect(tree.sortAscending).toBe(true);
    tree.setSort('name');
    expect(bigNames().slice(0, 2)).toEqual([bigFileName(bigFolderFileCount - 1), bigFileName(bigFolderFileCount - 2)]);
    // Folders first in either direction: the root's folders still lead, now Z to A.
    const root = tree.rows.filter((row) => row.depth === 1).map((row) => row.entry.name);
    expect(root).toEqual(['nested', 'docs', 'big']);
  }, 60_000);

  it("keeps the engine's error and leaves a folder that cannot be listed collapsed", async () => {
    const tree = new FileTree(inProcessEngine().client);
    await tree.reset(helloIsoPath());
    await tree.expand('/no-such-folder');
    expect(tree.error?.code).toBe('not-found');
    expect(tree.expanded.has('/no-such-folder')).toBe(false);
  });
});
