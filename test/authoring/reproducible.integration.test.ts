// Issue 15 "Reproducibility": `isotope create --reproducible` gives byte-identical images for the same
// tree, whatever the machine's time zone, umask, clock and directory order. The tree is copied twice,
// each copy made under its own umask at its own moment (so modes, times and inode numbers of the two
// copies differ, and so may readdir's order), and each is written by the built CLI in a process with
// its own TZ and umask and the same SOURCE_DATE_EPOCH. A third run with another SOURCE_DATE_EPOCH
// must differ (the test can fail), and the image's times must be SOURCE_DATE_EPOCH.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { isotopeOracle } from './differential/oracles/isotope-oracle.ts';
import { treeSpecs } from './differential/tree-specs.ts';
import { ensureTree } from './differential/trees.ts';

const sourceDateEpoch = 1_700_000_000;

interface Environment {
  readonly tz: string;
  readonly umask: string;
  readonly sourceDateEpoch: number;
}

/** Runs `script` with its arguments under /bin/sh with the given umask and TZ, failing with its output. */
function shell(script: string, args: readonly string[], environment: Environment): string {
  const run = spawnSync('sh', ['-c', `umask ${environment.umask} && ${script}`, 'sh', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: environment.tz, SOURCE_DATE_EPOCH: String(environment.sourceDateEpoch) },
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${run.status ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
  return run.stdout;
}

/** Copies the tree (cp without -p: the umask shapes the modes, now the times) and writes its image with the CLI. */
function copyAndCreate(treeRoot: string, workDir: string, name: string, environment: Environment): string {
  const copy = join(workDir, `${name}-tree`);
  const image = join(workDir, `${name}.iso`);
  shell('cp -R "$1" "$2"', [treeRoot, copy], environment);
  shell('exec "$1" "$2" create "$3" -o "$4" --reproducible --label REPRO --no-boot-detect', [process.execPath, isotopeBin, copy, image], environment);
  return image;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('isotope create --reproducible', () => {
  let workDir = '';
  beforeAll(() => {
    assertBuilt();
    workDir = mkdtempSync(join(tmpdir(), 'isotope-reproducible-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  for (const treeName of ['mixed-everything', 'unicode-normalization', 'iso-8.3-collisions']) {
    it(`writes the same bytes for two copies of the ${treeName} tree made and written under different time zones and umasks`, () => {
      const tree = ensureTree(treeSpecs.find((spec) => spec.name === treeName)!);
      const kolkata = copyAndCreate(tree.root, workDir, `${treeName}-kolkata`, { tz: 'Asia/Kolkata', umask: '077', sourceDateEpoch });
      const utc = copyAndCreate(tree.root, workDir, `${treeName}-utc`, { tz: 'UTC', umask: '022', sourceDateEpoch });
      expect(sha256(kolkata)).toBe(sha256(utc));
    }, 300_000);
  }

  it('writes other bytes for another SOURCE_DATE_EPOCH, and records that time on every file', async () => {
    const tree = ensureTree(treeSpecs.find((spec) => spec.name === 'basic')!);
    const first = copyAndCreate(tree.root, workDir, 'epoch-a', { tz: 'UTC', umask: '022', sourceDateEpoch });
    const second = copyAndCreate(tree.root, workDir, 'epoch-b', { tz: 'UTC', umask: '022', sourceDateEpoch: sourceDateEpoch + 3600 });
    expect(sha256(first)).not.toBe(sha256(second));
    const listing = await isotopeOracle.read(first, 'rockridge', { content: false, scratchDir: workDir });
    expect(listing.entries.length).toBeGreaterThan(3);
    for (const entry of listing.entries) expect(entry.mtimeS, entry.path).toBe(sourceDateEpoch);
  }, 300_000);
});
