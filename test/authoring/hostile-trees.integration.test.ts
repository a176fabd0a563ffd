// Issue 15 "Hostile trees": `isotope create` (the built CLI, as a user runs it) on trees that try to
// make a writer loop, crash, lie or write where it should not. Each ends in an image that keeps what
// the tree holds (symlink loops as links, control characters in Rock Ridge names) or in a clear error
// naming the file, and nothing is ever written beside the output but the output itself (the output's
// folder and the source are snapshotted before and after). '/' and NUL cannot be in a POSIX name (the
// kernel refuses them), so the hostile names here are control characters and bytes that are not UTF-8.
// Everything runs for any user but two parts, which need root: the unreadable file is read by the CLI
// running as nobody (setpriv), and the changing files are a FUSE file system (differential/tools/
// changing-fs.py, python3-fusepy).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { compareListing } from './differential/compare.ts';
import { isotopeOracle } from './differential/oracles/isotope-oracle.ts';
import { pycdlibOracle } from './differential/oracles/pycdlib-oracle.ts';
import { snapshotDirectory } from './differential/tree-entry.ts';

const isRoot = process.getuid?.() === 0;
const changingFs = fileURLToPath(new URL('./differential/tools/changing-fs.py', import.meta.url));
const hasFuse = existsSync('/dev/fuse') && spawnSync('/usr/bin/python3', ['-c', 'import fusepy']).status === 0;
const nobody = 65534;

interface CreateRun {
  readonly status: number | null;
  readonly output: string;
  readonly elapsedMs: number;
}

/** `isotope create SOURCES -o OUT --no-boot-detect`, optionally as nobody; the run's status and everything it printed. */
function create(sources: readonly string[], outputPath: string, options: { asNobody?: boolean } = {}): CreateRun {
  const command = [process.execPath, isotopeBin, 'create', ...sources, '-o', outputPath, '--no-boot-detect'];
  const asNobody = ['setpriv', `--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', '--'];
  const [program, ...args] = options.asNobody ? [...asNobody, ...command] : command;
  const startedMs = performance.now();
  const run = spawnSync(program as string, args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOME: '/tmp', TMPDIR: '/tmp' } });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, elapsedMs: performance.now() - startedMs };
}

/** Every path below `dir` with its type, size and mtime, by find(1) (names that are not UTF-8 included, as bytes). */
function stateOf(dir: string): readonly string[] {
  const fields = execFileSync('find', [dir, '-mindepth', '1', '-printf', '%P\\0%y %s %T@\\0'], { encoding: 'latin1' }).split('\0');
  return fields.flatMap((field, index) => (index % 2 === 0 && index + 1 < fields.length ? [`${field}\0${fields[index + 1]}`] : [])).sort();
}

describe('isotope create on hostile trees', () => {
  let workDir = '';
  beforeAll(() => {
    assertBuilt();
    // Outside the test run's TMPDIR, whose parents only root may enter: nobody must reach the tree and the output folder.
    workDir = mkdtempSync('/tmp/isotope-hostile-');
    chmodSync(workDir, 0o755);
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /** A fresh source folder and output folder (world-writable, for the run as nobody). */
  function freshCase(name: string): { source: string; outDir: string; output: string } {
    const source = join(workDir, `${name}-source`);
    const outDir = join(workDir, `${name}-out`);
    mkdirSync(source);
    mkdirSync(outDir);
    chmodSync(outDir, 0o777);
    return { source, outDir, output: join(outDir, `${name}.iso`) };
  }

  /** Runs create and checks that nothing but the output changed in its folder and in the source. */
  function createTouchingOnlyOutput(
    sources: readonly string[],
    watched: { source: string; outDir: string; output: string },
    options: { asNobody?: boolean } = {},
  ): CreateRun {
    const sourceBefore = stateOf(watched.source);
    const outBefore = stateOf(watched.outDir);
    const run = create(sources, watched.output, options);
    expect(stateOf(watched.source)).toEqual(sourceBefore);
    const imageName = watched.output.split('/').pop() as string;
    const outAfter = stateOf(watched.outDir).filter((entry) => run.status !== 0 || !entry.startsWith(`${imageName}\0`));
    expect(outAfter, 'the output folder holds only the image (nothing on failure, no .partial)').toEqual(outBefore);
    return run;
  }

  it('keeps symlink loops and links to ancestors as links, never following them', async () => {
    const watched = freshCase('loops');
    const { source } = watched;
    mkdirSync(join(source, 'dir'));
    writeFileSync(join(source, 'dir/file.txt'), 'one file\n');
    const links: Record<string, string> = { 'loop-a': 'loop-b', 'loop-b': 'loop-a', self: 'self', up: '..', root: '/', 'dir/back': '../dir', 'dir/here': '.' };
    for (const [path, target] of Object.entries(links)) symlinkSync(target, join(source, path));
    const run = createTouchingOnlyOutput([source], watched);
    expect(run.status, run.output).toBe(0);
    expect(run.elapsedMs).toBeLessThan(60_000);
    const listing = await isotopeOracle.read(watched.output, 'rockridge', { content: true, scratchDir: workDir });
    expect(listing.entries.map((entry) => [entry.path, entry.kind, entry.linkTarget ?? null]).sort()).toEqual(
      [['/dir', 'directory', null], ['/dir/file.txt', 'file', null], ...Object.entries(links).map(([path, target]) => [`/${path}`, 'symlink', target])].sort(),
    );
  });

  it('keeps control characters in Rock Ridge names and writes valid, unique Joliet and ISO 9660 names for them', async () => {
    const watched = freshCase('controls');
    const names = ['\u0001start', 'tab\there', 'new\nline', 'esc\u001b[31mred', 'del\u007f', 'bell\u0007', 'cr\rreturn', 'tab\there2'];
    for (const name of names) writeFileSync(join(watched.source, name), `${JSON.stringify(name)}\n`);
    const run = createTouchingOnlyOutput([watched.source], watched);
    expect(run.status, run.output).toBe(0);
    const expected = snapshotDirectory(watched.source, { content: true });
    for (const oracle of [isotopeOracle, pycdlibOracle]) {
      for (const namespace of ['rockridge', 'joliet', 'iso9660'] as const) {
        const listing = await oracle.read(watched.output, namespace, { content: true, scratchDir: workDir });
        const problems = compareListing(
          expected,
          { ...listing, fields: listing.fields.filter((field) => field !== 'mtimeS' && field !== 'mode') },
          namespace,
          {
            level: 3,
            jolietLong: false,
          },
          { jolietExtraUnits: 0 },
        );
        expect(problems, `${oracle.name} ${namespace}`).toEqual([]);
      }
    }
  });

  it('refuses a name that is not UTF-8 by naming it, and writes nothing', () => {
    const watched = freshCase('not-utf8');
    writeFileSync(join(watched.source, 'fine.txt'), 'fine\n');
    writeFileSync(Buffer.concat([Buffer.from(`${watched.source}/latin1-`), Buffer.from([0xe9, 0xff]), Buffer.from('.txt')]), 'bytes\n');
    const run = createTouchingOnlyOutput([watched.source], watched);
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toMatch(/latin1-/);
  });

  it('writes 255 levels of folders and refuses 256 by naming the path', async () => {
    const deep = freshCase('deep-255');
    const chain = (levels: number): string => Array.from({ length: levels }, (_, index) => `d${index + 1}`).join('/');
    mkdirSync(join(deep.source, chain(254)), { recursive: true });
    writeFileSync(join(deep.source, chain(254), 'bottom.txt'), 'at the bottom\n');
    const run = createTouchingOnlyOutput([deep.source], deep);
    expect(run.status, run.output).toBe(0);
    const listing = await isotopeOracle.read(deep.output, 'rockridge', { content: true, scratchDir: workDir });
    expect(listing.entries.find((entry) => entry.path === `/${chain(254)}/bottom.txt`)?.sizeBytes).toBe(14);

    const deeper = freshCase('deep-300');
    mkdirSync(join(deeper.source, chain(300)), { recursive: true });
    const refused = createTouchingOnlyOutput([deeper.source], deeper);
    expect(refused.status, refused.output).not.toBe(0);
    expect(refused.output).toContain('/d256');
  });

  it.runIf(isRoot)('refuses a file the user cannot read by naming it (the CLI running as nobody, so root only), and writes nothing', () => {
    const watched = freshCase('unreadable');
    chmodSync(watched.source, 0o755);
    writeFileSync(join(watched.source, 'public.txt'), 'public\n');
    writeFileSync(join(watched.source, 'secret.key'), 'secret\n');
    chmodSync(join(watched.source, 'public.txt'), 0o644);
    chmodSync(join(watched.source, 'secret.key'), 0o000);
    const run = createTouchingOnlyOutput([watched.source], watched, { asNobody: true });
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toContain(join(watched.source, 'secret.key'));
  });

  describe.runIf(isRoot && hasFuse)('files that change while the image is written (FUSE, root only)', () => {
    let fuse: { child: ChildProcess; mountpoint: string } | null = null;
    afterEach(async () => {
      if (!fuse) return;
      const { child, mountpoint } = fuse;
      fuse = null;
      execFileSync('fusermount', ['-u', mountpoint], { stdio: 'ignore' });
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    });

    async function mountChanging(): Promise<string> {
      const mountpoint = mkdtempSync(join(workDir, 'fuse-'));
      const child = spawn('/usr/bin/python3', [changingFs, mountpoint], { stdio: 'ignore' });
      fuse = { child, mountpoint };
      for (let attempt = 0; attempt < 100 && !existsSync(join(mountpoint, 'steady.txt')); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!existsSync(join(mountpoint, 'steady.txt'))) throw new Error('the FUSE file system did not come up');
      return mountpoint;
    }

    it('writes the steady file (the control)', async () => {
      const mountpoint = await mountChanging();
      const watched = freshCase('steady');
      const run = create([join(mountpoint, 'steady.txt')], watched.output);
      expect(run.status, run.output).toBe(0);
      const listing = await isotopeOracle.read(watched.output, 'rockridge', { content: true, scratchDir: workDir });
      expect(listing.entries.map((entry) => [entry.path, entry.sizeBytes])).toEqual([['/steady.txt', 64 * 1024]]);
    });

    it.each(['grows.bin', 'vanishes.bin', 'short.bin'])('refuses %s, which changes during the build, by naming it, and leaves no output', async (name) => {
      const mountpoint = await mountChanging();
      const watched = freshCase(`changing-${name}`);
      const run = createTouchingOnlyOutput([join(mountpoint, 'steady.txt'), join(mountpoint, name)], watched);
      expect(run.status, run.output).not.toBe(0);
      expect(run.output).toContain(join(mountpoint, name));
    });
  });
});
