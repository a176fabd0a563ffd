// The edits a remaster makes (src-main/authoring/remaster-edits.ts) to the tree of a real image: files
// and folders added from disk, paths removed, renamed and moved; and what each refuses.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RemasterEdit } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { pathAfterEdits } from '../../src-main/authoring/remaster-edits.ts';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { sha256Of, walkNodes, withOptions } from './remaster-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-edits-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The paths of the edited tree of the xorriso feature image, and the node at each. */
async function editedTree(edits: readonly RemasterEdit[]): Promise<Map<string, AuthoringNode>> {
  return withOptions(xorrisoFeaturesIsoPath(), async (options) => new Map([...walkNodes(options.root)].map(({ path, node }) => [path, node])), edits);
}

function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('remaster edits', () => {
  it('adds a file at a new path, making its missing folders, and a folder with its whole tree', async () => {
    const file = join(scratch, 'preseed.cfg');
    writeFileSync(file, 'd-i debian-installer/locale string en_US\n');
    const folder = join(scratch, 'extras');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'sub/tool.sh'), '#!/bin/sh\necho tool\n');
    const tree = await editedTree([
      { kind: 'add', sourcePath: file, imagePath: '/install/auto/preseed.cfg' },
      { kind: 'add', sourcePath: folder, imagePath: '/extras' },
    ]);
    const added = tree.get('/install/auto/preseed.cfg') as AuthoringNode;
    expect(added.kind).toBe('file');
    expect(added.keptNames).toBeNull();
    expect(await sha256Of(added)).toBe(sha256OfFile(file));
    expect(tree.get('/install/auto')?.kind).toBe('directory');
    expect(await sha256Of(tree.get('/extras/sub/tool.sh') as AuthoringNode)).toBe(sha256OfFile(join(folder, 'sub/tool.sh')));
    // Untouched nodes keep the original's names.
    expect(tree.get('/README.TXT')?.keptNames).toEqual({ iso9660: 'README.TXT;1', joliet: 'README.TXT' });
  });

  it('replaces what is at the path an add names', async () => {
    const file = join(scratch, 'README.TXT');
    writeFileSync(file, 'A new readme.\n');
    const tree = await editedTree([{ kind: 'add', sourcePath: file, imagePath: '/README.TXT' }]);
    const readme = tree.get('/README.TXT') as AuthoringNode;
    expect(await sha256Of(readme)).toBe(sha256OfFile(file));
    expect(readme.keptNames).toBeNull();
  });

  it('removes a file and a folder with everything in it', async () => {
    const tree = await editedTree([
      { kind: 'remove', imagePath: '/README.TXT' },
      { kind: 'remove', imagePath: '/deep' },
    ]);
    expect(tree.has('/README.TXT')).toBe(false);
    expect([...tree.keys()].filter((path) => path.startsWith('/deep'))).toEqual([]);
    expect(tree.has('/docs/guide.txt')).toBe(true);
  });

  it('renames and moves a node, which loses its kept names while its children keep theirs', async () => {
    const tree = await editedTree([
      { kind: 'rename', imagePath: '/docs', newImagePath: '/documents' },
      { kind: 'rename', imagePath: '/README.TXT', newImagePath: '/documents/readme.txt' },
    ]);
    expect(tree.has('/docs')).toBe(false);
    expect(tree.get('/documents')?.keptNames).toBeNull();
    expect(tree.get('/documents/readme.txt')?.keptNames).toBeNull();
    expect(tree.get('/documents/guide.txt')?.keptNames).toEqual({ iso9660: 'GUIDE.TXT;1', joliet: 'guide.txt' });
  });

  it.each<[string, RemasterEdit, string, string]>([
    ['removing a missing path', { kind: 'remove', imagePath: '/no/such/file' }, 'not-found', '/no is not in the image'],
    ['renaming a missing path', { kind: 'rename', imagePath: '/missing.txt', newImagePath: '/x.txt' }, 'not-found', '/missing.txt is not in the image'],
    [
      'renaming onto an existing path',
      { kind: 'rename', imagePath: '/README.TXT', newImagePath: '/docs/guide.txt' },
      'invalid-request',
      'cannot rename /README.TXT to /docs/guide.txt: /docs/guide.txt exists',
    ],
    ['moving a folder into itself', { kind: 'rename', imagePath: '/docs', newImagePath: '/docs/inner' }, 'invalid-request', 'cannot move /docs into itself'],
    ['adding below a file', { kind: 'add', sourcePath: '/etc/hostname', imagePath: '/README.TXT/x' }, 'invalid-request', '/README.TXT is a file, not a folder'],
    ['removing the root', { kind: 'remove', imagePath: '/' }, 'invalid-request', "remove needs an absolute path below the image's root"],
    ['adding a missing source', { kind: 'add', sourcePath: '/no/such/source', imagePath: '/x' }, 'not-found', '/no/such/source'],
  ])('refuses %s, naming it', async (_what, edit, code, message) => {
    await expect(editedTree([edit])).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
  });
});

describe('where a path is after the edits', () => {
  it('follows renames of the node and of folders above it, and says when an add replaced it or a removal took it', () => {
    const edits: RemasterEdit[] = [
      { kind: 'rename', imagePath: '/boot', newImagePath: '/start' },
      { kind: 'rename', imagePath: '/start/grub/efi.img', newImagePath: '/start/efi.img' },
    ];
    expect(pathAfterEdits('/boot/grub/efi.img', edits)).toEqual({ path: '/start/efi.img', replaced: false });
    expect(pathAfterEdits('/boot/grub/grub.cfg', edits)).toEqual({ path: '/start/grub/grub.cfg', replaced: false });
    expect(pathAfterEdits('/bootx/a', edits)).toEqual({ path: '/bootx/a', replaced: false });
    expect(pathAfterEdits('/boot/x', [{ kind: 'add', sourcePath: '/tmp/boot', imagePath: '/boot' }])).toEqual({ path: '/boot/x', replaced: true });
    expect(pathAfterEdits('/boot/x', [{ kind: 'remove', imagePath: '/boot/' }])).toBeNull();
  });
  it("gives added files owner 0 and mkisofs -r modes when reproducible, and leaves the original's own as they were", async () => {
    const file = join(scratch, 'private.cfg');
    writeFileSync(file, 'secret=no\n');
    chmodSync(file, 0o600);
    const remastered = await remasterAuthoringOptions({
      imagePath: xorrisoFeaturesIsoPath(),
      outputPath: join(scratch, 'unused.iso'),
      edits: [{ kind: 'add', sourcePath: file, imagePath: '/new/private.cfg' }],
      reproducible: true,
    });
    try {
      const tree = new Map([...walkNodes(remastered.options.root)].map(({ path, node }) => [path, node]));
      const pick = (path: string): object => ({ mode: tree.get(path)?.mode.toString(8), uid: tree.get(path)?.uid, gid: tree.get(path)?.gid });
      expect(pick('/new/private.cfg')).toEqual({ mode: '100444', uid: 0, gid: 0 });
      expect(pick('/new')).toEqual({ mode: '40555', uid: 0, gid: 0 });
      expect(pick('/docs/guide.txt')).toEqual({ mode: '100644', uid: 0, gid: 0 });
    } finally {
      await remastered.close();
    }
  });
});
