// Benchmark (issue 16): list every file of a bare ext4 and a bare FAT32 file system holding 20,000 files
// (mkfs.ext4 -d, and mkfs.fat + mcopy, built once into test/.cache/bench/disk-list/) with Isotope and
// with `7zz l` on the same file, in the same run. Isotope runs two ways: the engine in one Node
// process (a bundle of the reader alone: open, then walk every entry, timed from open to last entry,
// first run cold and then warm, as the app's resident engine lists) and the whole `isotope ls -R`
// command. Every command runs under GNU time for its peak RSS and CPU time (wall time lies on a loaded
// machine: the CPU ratios are printed too); rounds go round-robin (medians).
// Ratios < 1 mean Isotope is faster; the target is <= 1.0 for the in-process engine.
// Run: npm run build && npx tsx test/bench/disk-list/run.ts [--rounds 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { repoRoot } from '../../fixtures/fixture-cache.ts';

const fileCount = 20_000;
const filesPerFolder = 100;
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Math.max(1, Number(values.rounds));
const benchDir = join(repoRoot, 'test/.cache/bench/disk-list');
const cli = join(repoRoot, 'bin/isotope.js');
/** Walks per engine process: the first is cold (code not yet compiled), the rest warm. */
const walksPerProcess = 5;

function buildOnce(name: string, make: (path: string) => void): string {
  const path = join(benchDir, name);
  if (existsSync(path)) return path;
  rmSync(`${path}.part`, { recursive: true, force: true });
  make(`${path}.part`);
  renameSync(`${path}.part`, path);
  return path;
}

function writeTree(root: string): void {
  for (let folder = 0; folder < fileCount / filesPerFolder; folder += 1) {
    const dir = join(root, `folder-${String(folder).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let index = 0; index < filesPerFolder; index += 1) writeFileSync(join(dir, `file with a longer name ${index}.txt`), `${folder}/${index}\n`);
  }
}

const images = {
  // 4 KiB blocks, as every root file system over 512 MiB gets (mke2fs.conf gives smaller ones 1 KiB blocks).
  ext4: (tree: string) => buildOnce(`ext4-${fileCount}.img`, (path) => execFileSync('mkfs.ext4', ['-q', '-F', '-b', '4096', '-d', tree, path, '192M'])),
  fat32: (tree: string) =>
    buildOnce(`fat32-${fileCount}.img`, (path) => {
      execFileSync('mkfs.fat', ['-C', '-F', '32', path, String(256 * 1024)], { stdio: 'ignore' });
      execFileSync('sh', ['-c', `cd "${tree}" && mcopy -s -m -i "${path}" ./* ::/`], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    }),
} as const;

/** The reader alone as one script: open the file system, walk it `walksPerProcess` times, print the times. */
async function bundleLister(): Promise<string> {
  const bundle = join(benchDir, 'disk-list.mjs');
  await build({
    stdin: {
      contents: `import { openFileSource } from './src-main/io/file-source.ts';
import { openExtFilesystem } from './src-main/ext/ext-tree.ts';
import { openFatFilesystem } from './src-main/fat/fat-filesystem.ts';
const [kind, path] = process.argv.slice(2);
const open = kind === 'ext4' ? openExtFilesystem : openFatFilesystem;
const walkMs = [];
const cpuMs = [];
let entries = 0;
for (let walk = 0; walk < ${walksPerProcess}; walk += 1) {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const source = await openFileSource(path);
  const tree = await open(source);
  entries = 0;
  for await (const batch of tree.walkBatches()) entries += batch.length;
  walkMs.push(performance.now() - started);
  const cpu = process.cpuUsage(cpuStarted);
  cpuMs.push((cpu.user + cpu.system) / 1000);
  await source.close();
}
process.stdout.write(JSON.stringify({ walkMs, cpuMs, entries }));`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
  });
  return bundle;
}

interface Run {
  readonly ms: number;
  /** User + system CPU time: on a loaded machine a fairer measure than wall time. */
  readonly cpuMs: number;
  readonly peakRssKiB: number;
  readonly stdout: string;
}

function measure(command: string, args: readonly string[]): Run {
  const timeFile = join(benchDir, 'time.txt');
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, command, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  const report = readFileSync(timeFile, 'utf8');
  const seconds = (field: string): number => Number(new RegExp(`${field} \\(seconds\\): ([\\d.]+)`).exec(report)?.[1] ?? NaN);
  const peakRssKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1] ?? NaN);
  return { ms, cpuMs: (seconds('User time') + seconds('System time')) * 1000, peakRssKiB, stdout: run.stdout };
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function benchImage(kind: keyof typeof images, image: string, lister: string): void {
  const commands: Record<string, readonly [string, readonly string[]]> = {
    'isotope engine (process)': [process.execPath, [lister, kind, image]],
    'isotope ls -R (CLI)': [process.execPath, [cli, 'ls', '-R', image]],
    '7zz l': ['7zz', ['l', image]],
  };
  const runs = new Map<string, Run[]>(Object.keys(commands).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, [command, args]] of Object.entries(commands)) runs.get(name)!.push(measure(command, args));
  }
  const engine = runs.get('isotope engine (process)')!.map((run) => JSON.parse(run.stdout) as { walkMs: number[]; cpuMs: number[]; entries: number });
  const coldMs = median(engine.map((result) => result.walkMs[0] as number));
  const warmMs = median(engine.flatMap((result) => result.walkMs.slice(1)));
  const coldCpuMs = median(engine.map((result) => result.cpuMs[0] as number));
  const warmCpuMs = median(engine.flatMap((result) => result.cpuMs.slice(1)));
  const sevenZipMs = median(runs.get('7zz l')!.map((run) => run.ms));
  const sevenZipCpuMs = median(runs.get('7zz l')!.map((run) => run.cpuMs));
  const lines = (name: string): number => (runs.get(name)![0] as Run).stdout.split('\n').filter((line) => line.trim() !== '').length;
  console.log(`\n${kind}, ${fileCount} files in ${fileCount / filesPerFolder} folders (${image}): medians of ${rounds} rounds, round-robin`);
  console.log(
    `  isotope engine, open to last entry: cold ${coldMs.toFixed(0)} ms (CPU ${coldCpuMs.toFixed(0)} ms), warm ${warmMs.toFixed(0)} ms (CPU ${warmCpuMs.toFixed(0)} ms), ${engine[0]?.entries} entries`,
  );
  for (const [name, list] of runs) {
    const rssMiB = Math.max(...list.map((run) => run.peakRssKiB)) / 1024;
    const wallMs = median(list.map((run) => run.ms)).toFixed(0);
    const cpuMs = median(list.map((run) => run.cpuMs)).toFixed(0);
    console.log(
      `  ${name.padEnd(26)} ${wallMs.padStart(6)} ms whole process (CPU ${cpuMs} ms), peak RSS ${rssMiB.toFixed(1).padStart(6)} MiB, ${lines(name)} lines`,
    );
  }
  console.log(`  ratio engine cold / 7zz l     ${(coldMs / sevenZipMs).toFixed(3)} (<= 1.0 is the target)`);
  console.log(`  ratio engine warm / 7zz l     ${(warmMs / sevenZipMs).toFixed(3)}`);
  console.log(
    `  CPU ratios engine cold / 7zz l ${(coldCpuMs / sevenZipCpuMs).toFixed(3)}, warm ${(warmCpuMs / sevenZipCpuMs).toFixed(3)} (fairer when the machine is loaded)`,
  );
  console.log(
    `  ratio isotope ls -R / 7zz l   ${(median(runs.get('isotope ls -R (CLI)')!.map((run) => run.ms)) / sevenZipMs).toFixed(3)} (Node start-up included)`,
  );
}

if (!existsSync(join(repoRoot, 'dist/main/main.js'))) throw new Error('run `npm run build` first: the bench also times the built CLI');
mkdirSync(benchDir, { recursive: true });
const tree = buildOnce(`tree-${fileCount}`, writeTree);
const lister = await bundleLister();
for (const kind of Object.keys(images) as (keyof typeof images)[]) benchImage(kind, images[kind](tree), lister);
