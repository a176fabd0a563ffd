// Benchmark: `isotope create` against `xorriso -as mkisofs -R -J` and `genisoimage -R -J` on the same
// input in the same run (issue 15: time ratio <= 1.0 against both; peak RSS under 150 MiB with 50,000
// files). Two inputs, built once into test/.cache/bench/create/: a tree of 50,000 small files in 500
// folders, and one 1 GiB file of incompressible bytes. Every tool writes to /dev/shm (memory: this
// measures the writers, not the disk), the output is removed after each run, and the runs go
// round-robin `--rounds` times (medians). Each command runs under GNU time for its peak RSS. Isotope
// runs as it ships: `npm run build`'s bin/isotope.js under plain node (`--isotope-bin` names another
// build's), twice per round: with its default SHA-256 of the output, and with --no-sha256, the
// like-for-like run (xorriso and genisoimage compute no digest); both ratios are printed, and the
// floors (`floors` below: Node's start, dd's copy) beside them. `--cpu-prof`
// also writes a V8 CPU profile of one isotope run per input into the bench folder (open it in Chrome's DevTools).
// Run: npm run build && npx tsx test/bench/create/run.ts [--rounds 3] [--cpu-prof] [--isotope-bin PATH]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../fixtures/fixture-cache.ts';

const MiB = 1024 * 1024;
const fileCount = 50_000;
const filesPerFolder = 100;
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'cpu-prof': { type: 'boolean', default: false },
    'isotope-bin': { type: 'string', default: join(repoRoot, 'bin/isotope.js') },
  },
});
const rounds = Math.max(1, Number(values.rounds));
const benchDir = join(repoRoot, 'test/.cache/bench/create');
const isotopeBin = resolve(values['isotope-bin']);
const outputDir = '/dev/shm';

function buildOnce(name: string, build: (path: string) => void): string {
  const path = join(benchDir, name);
  if (existsSync(path)) return path;
  rmSync(`${path}.part`, { recursive: true, force: true });
  build(`${path}.part`);
  renameSync(`${path}.part`, path);
  return path;
}

/** 50,000 files of a few bytes (every 50th a few KiB) in 500 folders. */
function buildManyFiles(root: string): void {
  for (let folder = 0; folder < fileCount / filesPerFolder; folder += 1) {
    const dir = join(root, `folder-${String(folder).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let index = 0; index < filesPerFolder; index += 1) {
      const fd = openSync(join(dir, `file with a longer name ${index}.txt`), 'w');
      writeSync(fd, index % 50 === 0 ? `${folder}/${index}\n`.repeat(400) : `${folder}/${index}\n`);
      closeSync(fd);
    }
  }
}

/** One 1 GiB file of random bytes (no tool can skip zeros or holes). */
function buildOneGiB(root: string): void {
  mkdirSync(root, { recursive: true });
  const fd = openSync(join(root, 'one-gib.bin'), 'w');
  for (let written = 0; written < 1024 * MiB; written += 16 * MiB) writeSync(fd, randomBytes(16 * MiB));
  closeSync(fd);
}

interface Measured {
  readonly ms: number;
  readonly peakRssKiB: number;
  readonly imageBytes: number;
}

/** Runs one writer under GNU time, then removes its output. */
function measure(command: string, args: readonly string[], outputPath: string): Measured {
  const timeFile = join(benchDir, 'time.txt');
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, command, ...args], { encoding: 'utf8', maxBuffer: 256 * MiB });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  const peakRssKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? NaN);
  const imageBytes = existsSync(outputPath) ? statSync(outputPath).size : 0; // a floor may write nothing
  rmSync(outputPath, { force: true });
  return { ms, peakRssKiB, imageBytes };
}

type Writer = (tree: string, outputPath: string) => readonly [string, readonly string[]];

const writers: Record<string, Writer> = {
  'isotope create': (tree, out) => [process.execPath, [isotopeBin, 'create', tree, '-o', out, '--force', '--no-boot-detect']],
  'isotope create --no-sha256': (tree, out) => [process.execPath, [isotopeBin, 'create', tree, '-o', out, '--force', '--no-boot-detect', '--no-sha256']],
  'xorriso -as mkisofs -R -J': (tree, out) => ['xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-o', out, tree]],
  'genisoimage -R -J': (tree, out) => ['genisoimage', ['-quiet', '-R', '-J', '-o', out, tree]],
};

/**
 * Floors, timed in the same rounds: what any writer in Node pays before its first line runs (Node's
 * start), and, for the one-file input, the copy alone done by dd (read and write 1 MiB at a time, as
 * the writers' copies do). Node's start plus dd's copy is what a Node writer costs with no work of its own.
 */
const floors: Record<string, Writer> = {
  'floor: node -e 0': () => [process.execPath, ['-e', '0']],
  'floor: dd bs=1M (1 GiB only)': (tree, out) => ['dd', [`if=${join(tree, 'one-gib.bin')}`, `of=${out}`, 'bs=1M', 'status=none']],
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function benchInput(label: string, tree: string, floorNames: readonly string[]): void {
  const measured = { ...writers, ...Object.fromEntries(floorNames.map((name) => [name, floors[name]!])) };
  const results = new Map<string, Measured[]>(Object.keys(measured).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, writer] of Object.entries(measured)) {
      const outputPath = join(outputDir, `isotope-bench-create-${process.pid}.iso`);
      const [command, args] = writer(tree, outputPath);
      results.get(name)!.push(measure(command, args, outputPath));
    }
  }
  console.log(`\n${label}: median of ${rounds} rounds, round-robin, output in ${outputDir}`);
  const summary = new Map(
    [...results].map(([name, runs]) => [
      name,
      { ms: median(runs.map((run) => run.ms)), rss: Math.max(...runs.map((run) => run.peakRssKiB)), bytes: runs[0]!.imageBytes },
    ]),
  );
  for (const [name, result] of summary)
    console.log(
      `  ${name.padEnd(30)} ${result.ms.toFixed(0).padStart(7)} ms  peak RSS ${(result.rss / 1024).toFixed(1).padStart(6)} MiB  image ${(result.bytes / MiB).toFixed(1)} MiB`,
    );
  const ourNames = Object.keys(writers).filter((name) => name.startsWith('isotope'));
  for (const ourName of ourNames) {
    const ours = summary.get(ourName)!;
    for (const [name, result] of summary)
      if (!name.startsWith('isotope') && !name.startsWith('floor'))
        console.log(`  ratio ${ourName.padEnd(26)} / ${name.padEnd(26)} ${(ours.ms / result.ms).toFixed(3)} (<= 1.0 is the target)`);
  }
  const nodeStart = summary.get('floor: node -e 0');
  const ddCopy = summary.get('floor: dd bs=1M (1 GiB only)');
  if (nodeStart !== undefined && ddCopy !== undefined) {
    const floorMs = nodeStart.ms + ddCopy.ms;
    for (const [name, result] of summary)
      if (!name.startsWith('isotope') && !name.startsWith('floor'))
        console.log(`  floor ${`node -e 0 + dd (${floorMs.toFixed(0)} ms)`.padEnd(26)} / ${name.padEnd(26)} ${(floorMs / result.ms).toFixed(3)}`);
  }
  if (values['cpu-prof']) {
    const outputPath = join(outputDir, `isotope-bench-create-prof-${process.pid}.iso`);
    const profDir = join(benchDir, 'profiles');
    mkdirSync(profDir, { recursive: true });
    spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, isotopeBin, 'create', tree, '-o', outputPath, '--force', '--no-boot-detect'], {
      stdio: 'inherit',
    });
    rmSync(outputPath, { force: true });
    console.log(`  CPU profile of one isotope run in ${profDir}`);
  }
}

if (!existsSync(join(dirname(isotopeBin), '../dist/main/main.js'))) throw new Error('run `npm run build` first: the bench runs the built CLI');
mkdirSync(benchDir, { recursive: true });
const manyFiles = buildOnce(`tree-${fileCount}-files`, buildManyFiles);
const oneGiB = buildOnce('tree-1-gib-file', buildOneGiB);
benchInput(`${fileCount} files in ${fileCount / filesPerFolder} folders`, manyFiles, ['floor: node -e 0']);
benchInput('one 1 GiB file', oneGiB, ['floor: node -e 0', 'floor: dd bs=1M (1 GiB only)']);
console.log(`\nTarget: peak RSS of isotope create under 150 MiB with ${fileCount} files.`);
