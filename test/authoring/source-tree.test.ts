// readSourceTree on real trees in a temporary folder: links recorded, never followed; hard links keyed;
// devices, fifos and sockets; excludes; hostile names, depth and unreadable entries refused by name.
import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { findAuthoringNode, type AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { maxTreeDepth, readSourceTree } from '../../src-main/authoring/source-tree.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-source-tree-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folderCount = 0;
function folder(): string {
  folderCount += 1;
  const path = join(scratch, `tree-${folderCount}`);
  mkdirSync(path);
  return path;
}

function node(root: AuthoringNode, path: string): AuthoringNode {
  const found = findAuthoringNode(root, path);
  if (!found) throw new Error(`${path} is not in the tree`);
  return found;
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(
    () => ({ code: 'none', message: 'no error' }),
    (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
  );
}

describe('readSourceTree', () => {
  it('records symlinks as links (a loop and a link to the parent are not followed) and gives hard links one key', async () => {
    const tree = folder();
    mkdirSync(join(tree, 'sub'));
    writeFileSync(join(tree, 'sub/data.bin'), Buffer.alloc(5000, 7));
    linkSync(join(tree, 'sub/data.bin'), join(tree, 'hard-link.bin'));
    symlinkSync('loop-b', join(tree, 'loop-a'));
    symlinkSync('loop-a', join(tree, 'loop-b'));
    symlinkSync('..', join(tree, 'sub/up'));
    const { root } = await readSourceTree([tree], { excludes: [] });
    expect(root.children?.map((child) => child.name)).toEqual(['hard-link.bin', 'loop-a', 'loop-b', 'sub']);
    expect(node(root, '/loop-a')).toMatchObject({ kind: 'symlink', linkTarget: 'loop-b', children: null, content: null });
    expect(node(root, '/sub/up')).toMatchObject({ kind: 'symlink', linkTarget: '..' });
    const data = node(root, '/sub/data.bin');
    expect(data).toMatchObject({ kind: 'file', sizeBytes: 5000, origin: join(tree, 'sub/data.bin') });
    expect(data.hardLinkKey).not.toBeNull();
    expect(node(root, '/hard-link.bin').hardLinkKey).toBe(data.hardLinkKey);
    expect(Buffer.from(await data.content!.read(0, 5000)).equals(Buffer.alloc(5000, 7))).toBe(true);
  });

  it('keeps fifos, device nodes with their numbers and sockets, as xorriso and genisoimage do', async () => {
    const tree = folder();
    expect(spawnSync('mkfifo', [join(tree, 'pipe')]).status).toBe(0);
    expect(spawnSync('mknod', [join(tree, 'null-device'), 'c', '1', '3']).status).toBe(0);
    expect(spawnSync('mknod', [join(tree, 'loop-device'), 'b', '7', '300']).status).toBe(0);
    const server = createServer();
    await new Promise<void>((listening) => server.listen(join(tree, 'socket'), listening));
    try {
      const { root, warnings } = await readSourceTree([tree], { excludes: [] });
      expect(node(root, '/pipe')).toMatchObject({ kind: 'fifo', sizeBytes: 0, content: null });
      expect(node(root, '/pipe').mode & 0o170000).toBe(0o010000);
      expect(node(root, '/null-device')).toMatchObject({ kind: 'character-device', device: { major: 1, minor: 3 } });
      expect(node(root, '/loop-device')).toMatchObject({ kind: 'block-device', device: { major: 7, minor: 300 } });
      expect(node(root, '/socket')).toMatchObject({ kind: 'socket', content: null });
      expect(node(root, '/socket').mode & 0o170000).toBe(0o140000);
      expect(warnings).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('merges folders (their contents) and files (at the root) into one root, and refuses two sources giving one name', async () => {
    const first = folder();
    const second = folder();
    writeFileSync(join(first, 'a.txt'), 'a');
    writeFileSync(join(second, 'b.txt'), 'b');
    const loose = join(folder(), 'loose.cfg');
    writeFileSync(loose, 'x');
    const { root } = await readSourceTree([first, second, loose], { excludes: [] });
    expect(root.children?.map((child) => child.name)).toEqual(['a.txt', 'b.txt', 'loose.cfg']);
    writeFileSync(join(second, 'a.txt'), 'again');
    const clash = await failureOf(readSourceTree([first, second], { excludes: [] }));
    expect(clash.code).toBe('invalid-request');
    expect(clash.message).toContain(join(first, 'a.txt'));
    expect(clash.message).toContain(join(second, 'a.txt'));
  });

  it('leaves out what the .gitignore-style excludes name, relative to each source', async () => {
    const tree = folder();
    mkdirSync(join(tree, 'build'));
    writeFileSync(join(tree, 'build/out.o'), 'o');
    mkdirSync(join(tree, 'src/.git'), { recursive: true });
    writeFileSync(join(tree, 'src/.git/HEAD'), 'ref');
    mkdirSync(join(tree, 'src/build-file-parent'));
    writeFileSync(join(tree, 'src/build-file-parent/build'), 'a file named build is not a folder');
    writeFileSync(join(tree, 'src/old.tmp'), 't');
    writeFileSync(join(tree, 'src/keep.tmp'), 'k');
    writeFileSync(join(tree, 'top.txt'), 'anchored');
    writeFileSync(join(tree, 'src/top.txt'), 'not at the top');
    const { root } = await readSourceTree([tree], { excludes: ['build/', '**/.git', '*.tmp', '!keep.tmp', '/top.txt'] });
    const paths: string[] = [];
    const visit = (at: AuthoringNode, prefix: string): void => {
      for (const child of at.children ?? []) {
        paths.push(`${prefix}/${child.name}`);
        visit(child, `${prefix}/${child.name}`);
      }
    };
    visit(root, '');
    expect(paths).toEqual(['/src', '/src/build-file-parent', '/src/build-file-parent/build', '/src/keep.tmp', '/src/top.txt']);
  });

  it('keeps control characters in names and refuses a name that is not UTF-8, naming its bytes', async () => {
    const tree = folder();
    writeFileSync(join(tree, 'tab\there\nnewline'), '');
    const { root } = await readSourceTree([tree], { excludes: [] });
    expect(root.children?.map((child) => child.name)).toEqual(['tab\there\nnewline']);
    writeFileSync(Buffer.concat([Buffer.from(`${tree}/latin1-`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    const bad = await failureOf(readSourceTree([tree], { excludes: [] }));
    expect(bad.code).toBe('bad-source-name');
    expect(bad.message).toContain(`${tree}/latin1-\\xe9.txt`);
  });

  it(`walks ${maxTreeDepth} levels of folders and refuses one more, naming the path`, async () => {
    const tree = folder();
    const levels = Array.from({ length: maxTreeDepth }, () => 'd');
    mkdirSync(join(tree, ...levels), { recursive: true });
    const { root } = await readSourceTree([tree], { excludes: [] });
    expect(node(root, `/${levels.join('/')}`).kind).toBe('directory');
    mkdirSync(join(tree, ...levels, 'x'));
    const deep = await failureOf(readSourceTree([tree], { excludes: [] }));
    expect(deep.code).toBe('invalid-request');
    expect(deep.message).toContain(`${join(tree, ...levels, 'x')} lies ${maxTreeDepth + 1} levels deep`);
  });

  it('tells its onEntry after each entry how many were read and how many bytes of file data were found', async () => {
    const tree = folder();
    mkdirSync(join(tree, 'sub'));
    writeFileSync(join(tree, 'sub/a.bin'), Buffer.alloc(1000));
    writeFileSync(join(tree, 'b.bin'), Buffer.alloc(234));
    const reports: { entryCount: number; fileBytes: number; path: string }[] = [];
    await readSourceTree([tree], { excludes: [], onEntry: (scanned) => reports.push(scanned) });
    expect(reports).toHaveLength(4);
    expect(reports.at(-1)?.entryCount).toBe(4);
    expect(reports.at(-1)?.fileBytes).toBe(1234);
    expect(reports.map((report) => report.path).sort()).toEqual([tree, join(tree, 'b.bin'), join(tree, 'sub'), join(tree, 'sub/a.bin')]);
  });

  it('refuses a missing source as not-found and ends cancelled when its signal is aborted', async () => {
    expect((await failureOf(readSourceTree([join(scratch, 'missing')], { excludes: [] }))).code).toBe('not-found');
    const tree = folder();
    writeFileSync(join(tree, 'f'), 'f');
    expect((await failureOf(readSourceTree([tree], { excludes: [], signal: AbortSignal.abort() }))).code).toBe('cancelled');
  });

  it('refuses an unreadable file and an unreadable folder by name when the walk runs as an unprivileged user', () => {
    // Outside the test's TMPDIR, whose parents only root may enter.
    const tree = mkdtempSync('/tmp/isotope-unreadable-');
    onTestFinished(() => rmSync(tree, { recursive: true, force: true }));
    chmodSync(tree, 0o755);
    writeFileSync(join(tree, 'secret.key'), 'key');
    chmodSync(join(tree, 'secret.key'), 0o000);
    const asNobody = (): { code: string; message: string } => {
      const result = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--',
          process.execPath,
          '--import',
          'tsx',
          join(repoRoot, 'test/authoring/tools/read-tree.ts'),
          tree,
        ],
        { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HOME: '/tmp', TMPDIR: '/tmp' }, timeout: 60_000 },
      );
      if (result.status !== 0) throw new Error(`the walk as nobody failed to run: ${result.stderr}`);
      return JSON.parse(result.stdout) as { code: string; message: string };
    };
    expect(asNobody()).toEqual({ code: 'permission-denied', message: `${join(tree, 'secret.key')}: permission denied checking it can be read` });
    chmodSync(join(tree, 'secret.key'), 0o644);
    mkdirSync(join(tree, 'closed'), { mode: 0o000 });
    chmodSync(join(tree, 'closed'), 0o000);
    expect(asNobody()).toEqual({ code: 'permission-denied', message: `${join(tree, 'closed')}: permission denied reading the folder` });
  });
});
