// planIso with Rock Ridge: POSIX names, modes, owners, symlinks and devices read back by our reader,
// pycdlib and isoinfo; long names that need continuation areas; directories deeper than ECMA-119's
// 8 levels kept in place (levels 2, 3: as xorriso) or moved to RR_MOVED with CL/PL/RE (level 1: as genisoimage).
import { createHash } from 'node:crypto';
import { describe, expect, onTestFinished, test } from 'vitest';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { modeTypeBits } from '../../src-main/format/authoring-tree.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { listWithIsotope, listWithPycdlib } from '../iso/reference-listing.ts';
import { authoringOptions, directoryNode, fileNode, symlinkNode, writeIsoForTest, writePlannedIso } from './plan-iso-fixtures.ts';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Nine nested folders a1/a2/.../a9 with a file at the bottom: a8 is at level 9 (root = 1), one too deep. */
function deepTree(): AuthoringNode {
  let node = directoryNode('a9', [fileNode('bottom.txt', 'deep\n')]);
  for (let level = 8; level >= 1; level -= 1) node = directoryNode(`a${level}`, [node]);
  return directoryNode('', [node, fileNode('top.txt', 'top\n')]);
}

describe('planIso: Rock Ridge', () => {
  test('keeps POSIX names, symlinks, modes and owners, read alike by our reader, pycdlib and isoinfo', async () => {
    const longName = `${'a-very-long-name-'.repeat(12)}end.txt`; // 211 bytes: NM needs a continuation area
    const root = directoryNode('', [
      fileNode('MixedCase Name.tar.gz', 'archive'),
      fileNode(longName, 'long'),
      fileNode('script.sh', '#!/bin/sh\n', { mode: modeTypeBits.file | 0o755, uid: 0, gid: 0 }),
      symlinkNode('latest', 'MixedCase Name.tar.gz'),
      directoryNode('folder', [symlinkNode('up', '../script.sh')]),
    ]);
    const path = await writeIsoForTest(authoringOptions(root, { rockRidge: true }));
    const ours = await listWithIsotope(path, 'rockridge');
    expect(ours).toEqual(listWithPycdlib(path, 'rockridge'));
    expect(ours).toEqual([
      { path: '/MixedCase Name.tar.gz', type: 'file', sizeBytes: 7, sha256: sha256('archive') },
      { path: `/${longName}`, type: 'file', sizeBytes: 4, sha256: sha256('long') },
      { path: '/folder', type: 'directory' },
      { path: '/folder/up', type: 'symlink', target: '../script.sh' },
      { path: '/latest', type: 'symlink', target: 'MixedCase Name.tar.gz' },
      { path: '/script.sh', type: 'file', sizeBytes: 10, sha256: sha256('#!/bin/sh\n') },
    ]);
    // xorriso -lsl prints owners in decimal (isoinfo -R prints them in octal).
    const listing = runTool('xorriso', ['-indev', path, '-lsl', '/']);
    expect(listing).toMatch(/-rwxr-xr-x\s+1\s+0\s+0\s+10 .* 'script\.sh'/);
    expect(listing).toMatch(/-rw-r--r--\s+1\s+1000\s+1000\s+7 .* 'MixedCase Name\.tar\.gz'/);
    expect(listing).toMatch(/lrwxrwxrwx .* 'latest' -> 'MixedCase Name\.tar\.gz'/);
    expect(runTool('isoinfo', ['-R', '-l', '-i', path])).toContain(longName);
  });

  test('at level 3 keeps directories deeper than 8 levels where they are, as xorriso does, in every namespace', async () => {
    const path = await writeIsoForTest(authoringOptions(deepTree(), { rockRidge: true, joliet: true }));
    const chain = Array.from({ length: 9 }, (_, index) => `/${Array.from({ length: index + 1 }, (_, level) => `a${level + 1}`).join('/')}`);
    const rockRidge = await listWithIsotope(path, 'rockridge');
    expect(rockRidge.map((entry) => entry.path)).toEqual([...chain, `${chain[8]}/bottom.txt`, '/top.txt']);
    expect(rockRidge).toEqual(listWithPycdlib(path, 'rockridge'));
    const iso = await listWithIsotope(path, 'iso9660');
    expect(iso.map((entry) => entry.path)).toContain(`${chain[8]!.toUpperCase()}/BOTTOM.TXT`);
    expect(iso).toEqual(listWithPycdlib(path, 'iso9660'));
    expect(runTool('bsdtar', ['tf', path]).split('\n')).toContain(`${chain[8]!.slice(1)}/bottom.txt`);
  });

  test('at level 1 moves directories deeper than 8 levels to RR_MOVED; Rock Ridge readers follow CL to see them in place', async () => {
    const planned = await planIso(authoringOptions(deepTree(), { level: 1, rockRidge: true }));
    expect(planned.summary.renamed).toContainEqual({ path: '/a1/a2/a3/a4/a5/a6/a7/a8', namespace: 'rr-moved', recordedAs: '/RR_MOVED/A8' });
    const written = await writePlannedIso(planned);
    onTestFinished(written.remove);
    const rockRidge = await listWithIsotope(written.path, 'rockridge');
    expect(rockRidge).toEqual(listWithPycdlib(written.path, 'rockridge'));
    // genisoimage's layout: the relocation folder stays visible to Rock Ridge readers as rr_moved (bsdtar hides it by that name).
    const chain = Array.from({ length: 9 }, (_, index) => `/${Array.from({ length: index + 1 }, (_, level) => `a${level + 1}`).join('/')}`);
    expect(rockRidge.map((entry) => entry.path)).toEqual([...chain, `${chain[8]}/bottom.txt`, '/rr_moved', '/top.txt']);
    const iso = await listWithIsotope(written.path, 'iso9660');
    expect(iso.map((entry) => entry.path)).toContain('/RR_MOVED/A8/A9/BOTTOM.TXT');
    expect(iso).toEqual(listWithPycdlib(written.path, 'iso9660'));
    expect(runTool('xorriso', ['-indev', written.path, '-find', '/', '-name', 'bottom.txt'])).toContain("'/a1/a2/a3/a4/a5/a6/a7/a8/a9/bottom.txt'");
    const bsdtar = runTool('bsdtar', ['tf', written.path]).split('\n');
    expect(bsdtar).toContain('a1/a2/a3/a4/a5/a6/a7/a8/a9/bottom.txt');
    expect(bsdtar.filter((line) => line.startsWith('rr_moved'))).toEqual([]);
  });

  test('at level 1 names in the plan the relocation folder as written when the root already holds an rr_moved', async () => {
    const tree = deepTree();
    const root = { ...tree, children: [...(tree.children ?? []), directoryNode('rr_moved', [fileNode('mine.txt', 'mine\n')])] };
    const planned = await planIso(authoringOptions(root, { level: 1, rockRidge: true }));
    const moved = planned.summary.renamed.find((renamed) => renamed.namespace === 'rr-moved');
    const written = await writePlannedIso(planned);
    onTestFinished(written.remove);
    const iso = (await listWithIsotope(written.path, 'iso9660')).map((entry) => entry.path);
    expect(iso).toContain('/RR_MOVED/MINE.TXT');
    expect(iso).toContain(`${moved?.recordedAs}/A9/BOTTOM.TXT`);
  });

  test('at level 1 without Rock Ridge a deep directory sits in RR_MOVED, its files still reachable', async () => {
    const path = await writeIsoForTest(authoringOptions(deepTree(), { level: 1 }));
    const iso = await listWithIsotope(path, 'iso9660');
    expect(iso).toContainEqual({ path: '/RR_MOVED/A8/A9/BOTTOM.TXT', type: 'file', sizeBytes: 5, sha256: sha256('deep\n') });
    expect(iso.map((entry) => entry.path)).not.toContain('/A1/A2/A3/A4/A5/A6/A7/A8');
    const opened = await openImageFile(path);
    try {
      expect(opened.image.namespaces).toEqual(['iso9660']);
    } finally {
      await opened.close();
    }
  });
});
