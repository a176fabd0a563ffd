// `isotope create` end to end, in-process over the real service: a real tree becomes an image that
// our `isotope ls`, isoinfo and xorriso read back; --dry-run prints the plan and writes nothing;
// --json reports progress then the result; outputs that would clobber a file or lie in a source are
// refused; SOURCE_DATE_EPOCH gives the same bytes under another TZ and umask.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isotope } from '../helpers/in-process-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-create-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const savedEnv = { TZ: process.env['TZ'], SOURCE_DATE_EPOCH: process.env['SOURCE_DATE_EPOCH'] };
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

let treeCount = 0;
/** A small tree: text, a 3 MiB file, a nested folder, an executable and a symlink. */
function makeTree(options: { umask?: number; mtimeSeconds?: number } = {}): string {
  treeCount += 1;
  const tree = join(scratch, `tree-${treeCount}`);
  const previous = process.umask(options.umask ?? 0o022);
  try {
    mkdirSync(join(tree, 'docs/deep'), { recursive: true });
    writeFileSync(join(tree, 'README.txt'), 'hello from the tree\n');
    writeFileSync(join(tree, 'docs/deep/big.bin'), Buffer.alloc(3 * 1024 * 1024, 0x5a));
    writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    chmodSync(join(tree, 'run.sh'), 0o755 & ~(options.umask ?? 0o022));
    symlinkSync('README.txt', join(tree, 'readme-link'));
  } finally {
    process.umask(previous);
  }
  if (options.mtimeSeconds !== undefined) {
    for (const path of ['README.txt', 'docs/deep/big.bin', 'run.sh', 'docs/deep', 'docs'])
      utimesSync(join(tree, path), options.mtimeSeconds, options.mtimeSeconds);
  }
  return tree;
}

const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('isotope create', () => {
  it('makes an image of a tree that isotope ls, isoinfo and xorriso read back, file for file', async () => {
    const tree = makeTree();
    const output = join(scratch, 'plain.iso');
    const run = await isotope(['create', tree, '-o', output, '--label', 'MY_TREE']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`WROTE: ${output}`);
    expect(run.stdout).toContain(`SHA256 ${sha256Of(output)}`);
    const listed = await isotope(['ls', output, '/docs/deep']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('big.bin');
    const isoinfo = spawnSync('isoinfo', ['-i', output, '-R', '-x', '/docs/deep/big.bin'], { maxBuffer: 16 * 1024 * 1024 });
    expect(isoinfo.status).toBe(0);
    expect(isoinfo.stdout.equals(readFileSync(join(tree, 'docs/deep/big.bin')))).toBe(true);
    const xorriso = spawnSync('xorriso', ['-indev', output, '-find', '/', '-exec', 'lsdl'], { encoding: 'utf8' });
    expect(xorriso.status).toBe(0);
    for (const name of ["'/README.txt'", "'/docs/deep/big.bin'", "'/run.sh'", "'/readme-link' -> 'README.txt'"]) expect(xorriso.stdout).toContain(name);
    expect(spawnSync('isoinfo', ['-d', '-i', output], { encoding: 'utf8' }).stdout).toContain('Volume id: MY_TREE');
  });

  it('prints the plan with --dry-run (and as JSON with --json) and writes nothing', async () => {
    const tree = makeTree();
    const output = join(scratch, 'dry.iso');
    const run = await isotope(['create', tree, '-o', output, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PLAN: .* sectors of 2048 bytes\)/);
    expect(run.stdout).toContain('primary volume descriptor');
    expect(run.stdout).toContain('file /docs/deep/big.bin');
    expect(run.stdout).toContain('3 files');
    const json = await isotope(['create', tree, '-o', output, '--dry-run', '--json']);
    const plan = JSON.parse(json.stdout) as { fileCount: number; label: string; regions: { name: string }[] };
    expect(plan.fileCount).toBe(3);
    expect(plan.label).toBe(`tree-${treeCount}`);
    expect(existsSync(output)).toBe(false);
  });

  it('reports JSON progress lines (scanning, then writing-image) and a final job:finished line with --json', async () => {
    const output = join(scratch, 'json.iso');
    const run = await isotope(['create', makeTree(), '-o', output, '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; phase?: string; kind?: string; sha256Hex?: string });
    const phases = events.filter((event) => event.event === 'job:progress').map((event) => event.phase);
    expect(phases[0]).toBe('scanning');
    expect(phases.at(-1)).toBe('writing-image');
    expect(events.at(-1)).toMatchObject({ event: 'job:finished', kind: 'create', sha256Hex: sha256Of(output) });
  });

  it('refuses to replace an existing file without --force, and replaces it with --force', async () => {
    const tree = makeTree();
    const output = join(scratch, 'existing.iso');
    writeFileSync(output, 'keep me');
    const refused = await isotope(['create', tree, '-o', output]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${output} exists (7 bytes)`);
    expect(readFileSync(output, 'utf8')).toBe('keep me');
    const forced = await isotope(['create', tree, '-o', output, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(output).byteLength).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('refuses an output inside the source folder and writes nothing there', async () => {
    const tree = makeTree();
    const run = await isotope(['create', tree, '-o', join(tree, 'docs/self.iso')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(tree, 'docs/self.iso')} lies inside ${tree}`);
    expect(existsSync(join(tree, 'docs/self.iso'))).toBe(false);
    expect(existsSync(join(tree, 'docs/self.iso.partial'))).toBe(false);
  });

  it('makes byte-identical images of equal trees with SOURCE_DATE_EPOCH, under another TZ and umask and other file times', async () => {
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    process.env['TZ'] = 'UTC';
    const first = join(scratch, 'repro-1.iso');
    expect((await isotope(['create', makeTree({ umask: 0o022, mtimeSeconds: 1_600_000_000 }), '-o', first, '--label', 'REPRO'])).code).toBe(0);
    process.env['TZ'] = 'Pacific/Kiritimati';
    const second = join(scratch, 'repro-2.iso');
    expect((await isotope(['create', makeTree({ umask: 0o077, mtimeSeconds: 1_650_000_000 }), '-o', second, '--label', 'REPRO'])).code).toBe(0);
    expect(sha256Of(second)).toBe(sha256Of(first));
    // mkisofs -r's modes and owners: the tree made under umask 077 reads as the one made under 022.
    const listing = spawnSync('xorriso', ['-indev', second, '-find', '/', '-exec', 'lsdl'], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(/^-r-xr-xr-x +1 0 +0 .*'\/run\.sh'$/m);
    expect(listing).toMatch(/^-r--r--r-- +1 0 +0 .*'\/README\.txt'$/m);
    const ordinary = join(scratch, 'ordinary.iso');
    delete process.env['SOURCE_DATE_EPOCH'];
    expect((await isotope(['create', makeTree({ umask: 0o077 }), '-o', ordinary, '--label', 'REPRO'])).code).toBe(0);
    expect(sha256Of(ordinary)).not.toBe(sha256Of(first));
  });

  it('writes the same bytes with --no-sha256 and prints no SHA256 line (a JSON sha256Hex of null)', async () => {
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    const tree = makeTree();
    const hashed = join(scratch, 'hashed.iso');
    const hashedRun = await isotope(['create', tree, '-o', hashed]);
    expect(hashedRun.stdout).toContain(`SHA256 ${sha256Of(hashed)}`);
    const plain = join(scratch, 'unhashed.iso');
    const plainRun = await isotope(['create', tree, '-o', plain, '--no-sha256']);
    expect(plainRun.code).toBe(0);
    expect(plainRun.stdout).toContain(`WROTE: ${plain}`);
    expect(plainRun.stdout).not.toContain('SHA256');
    expect(sha256Of(plain)).toBe(sha256Of(hashed));
    const jsonRun = await isotope(['create', tree, '-o', plain, '--force', '--no-sha256', '--json']);
    const finished = JSON.parse(jsonRun.stdout.trim().split('\n').at(-1)!) as { event: string; sha256Hex: unknown };
    expect(finished).toMatchObject({ event: 'job:finished', sha256Hex: null });
  });

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds as a usage error', async () => {
    process.env['SOURCE_DATE_EPOCH'] = 'yesterday';
    const run = await isotope(['create', makeTree(), '-o', join(scratch, 'bad-epoch.iso')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SOURCE_DATE_EPOCH must be whole seconds since 1970, not "yesterday"');
  });
});

describe('isotope remaster', () => {
  it('remasters with --no-sha256 into the same bytes as with its SHA-256, printing no SHA256 line', async () => {
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    const original = join(scratch, 'to-remaster-plain.iso');
    expect((await isotope(['create', makeTree(), '-o', original])).code).toBe(0);
    const hashed = join(scratch, 'remastered-hashed.iso');
    const hashedRun = await isotope(['remaster', original, '-o', hashed, '--remove', '/run.sh']);
    expect(hashedRun.stdout).toContain(`SHA256 ${sha256Of(hashed)}`);
    const plain = join(scratch, 'remastered-plain.iso');
    const plainRun = await isotope(['remaster', original, '-o', plain, '--remove', '/run.sh', '--no-sha256']);
    expect(plainRun.code).toBe(0);
    expect(plainRun.stdout).toContain(`WROTE: ${plain}`);
    expect(plainRun.stdout).not.toContain('SHA256');
    expect(sha256Of(plain)).toBe(sha256Of(hashed));
  });

  it('writes a copy with files removed, renamed and added (SRC:DEST and SRC alone) that isotope ls and xorriso read', async () => {
    const tree = makeTree();
    const original = join(scratch, 'to-remaster.iso');
    expect((await isotope(['create', tree, '-o', original])).code).toBe(0);
    const preseed = join(scratch, 'preseed.cfg');
    writeFileSync(preseed, 'd-i debian-installer/locale string en_US\n');
    const output = join(scratch, 'remastered.iso');
    const run = await isotope([
      'remaster',
      original,
      '-o',
      output,
      '--remove',
      '/run.sh',
      '--rename',
      '/docs/deep/big.bin:/docs/moved.bin',
      '--add',
      `${preseed}:/install/preseed.cfg`,
      '--add',
      preseed,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`WROTE: ${output}`);
    const listing = spawnSync('xorriso', ['-indev', output, '-find', '/', '-type', 'f'], { encoding: 'utf8' }).stdout;
    expect(
      listing
        .split('\n')
        .filter((line) => line.startsWith("'"))
        .sort(),
    ).toEqual(["'/README.txt'", "'/docs/moved.bin'", "'/install/preseed.cfg'", "'/preseed.cfg'"]);
    const moved = spawnSync('isoinfo', ['-i', output, '-R', '-x', '/docs/moved.bin'], { maxBuffer: 16 * 1024 * 1024 });
    expect(moved.stdout.equals(readFileSync(join(tree, 'docs/deep/big.bin')))).toBe(true);
  });

  it('refuses a --rename without an image path after the colon as a usage error', async () => {
    const run = await isotope(['remaster', join(scratch, 'any.iso'), '-o', join(scratch, 'never.iso'), '--rename', 'old-name']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--rename old-name: give FROM:TO');
  });
});
