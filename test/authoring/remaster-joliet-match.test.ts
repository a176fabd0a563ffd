// Which Joliet entry names which primary entry in one folder (src-main/authoring/joliet-match.ts):
// files by the extent their data starts at, the rest by name, a long folder name by its Joliet cut.
import { describe, expect, it } from 'vitest';
import { matchJolietEntries } from '../../src-main/authoring/joliet-match.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';

function entry(name: string, type: TreeEntry['type'], extentLba: number, sizeBytes = type === 'file' ? 10 : 0): TreeEntry {
  return { path: `/${name}`, name, type, sizeBytes, extents: [{ offsetBytes: extentLba * 2048, sizeBytes }], extentLba, hidden: false, recordOffsetBytes: 0 };
}

function names(matched: Map<TreeEntry, TreeEntry>): Record<string, string> {
  return Object.fromEntries([...matched].map(([primary, joliet]) => [primary.name, joliet.name]));
}

describe('matching Joliet entries to the primary tree', () => {
  it('matches files by extent whatever their names, and each of two hard links to the Joliet name that agrees', () => {
    const primary = [entry('Straße.txt', 'file', 100), entry('b-link', 'file', 200), entry('a-link', 'file', 200)];
    const joliet = [entry('a-link', 'file', 200), entry('Strasse.txt', 'file', 100), entry('b-link', 'file', 200)];
    expect(names(matchJolietEntries(primary, joliet))).toEqual({ 'Straße.txt': 'Strasse.txt', 'a-link': 'a-link', 'b-link': 'b-link' });
  });

  it('matches folders and empty files by name, and a long folder name by the Joliet name it begins with', () => {
    const long = `folder-${'n'.repeat(80)}`;
    const primary = [entry(long, 'directory', 30), entry('empty', 'file', 0, 0), entry('docs', 'directory', 31)];
    const joliet = [entry('docs', 'directory', 41), entry(long.slice(0, 64), 'directory', 40), entry('empty', 'file', 0, 0)];
    expect(names(matchJolietEntries(primary, joliet))).toEqual({ [long]: long.slice(0, 64), empty: 'empty', docs: 'docs' });
  });

  it('never matches a folder to a file of the same name', () => {
    expect(names(matchJolietEntries([entry('boot', 'directory', 30)], [entry('boot', 'file', 0, 0)]))).toEqual({});
  });

  it('gives up the prefix search in a folder of hundreds of unmatched names each way (it would be quadratic)', () => {
    const primary = Array.from({ length: 300 }, (_, index) => entry(`primary-${String(index).padStart(3, '0')}-long`, 'directory', 1000 + index));
    const joliet = Array.from({ length: 300 }, (_, index) => entry(`primary-${String(index).padStart(3, '0')}`, 'directory', 2000 + index));
    expect(matchJolietEntries(primary, joliet).size).toBe(0);
    expect(matchJolietEntries(primary.slice(0, 200), joliet.slice(0, 200)).size).toBe(200);
  });
});
