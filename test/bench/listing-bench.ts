// The harness the listing benchmarks share (iso-list, udf-list): build a 50,000-file image once into
// test/.cache/bench/<name>/, list it with Isotope in-process, as a minimal bundle run by node, and as
// the real `isotope ls -R` command, then with the reference tools; medians of 5 runs, printed with
// ratios (< 1 means Isotope is faster).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { ImageNamespace } from '../../shared/image.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export const benchFileCount = 50_000;
const filesPerFolder = 100;
const runs = 9;

export interface ListingBench {
  /** Folder under test/.cache/bench/. */
  readonly name: string;
  readonly imageFileName: string;
  /** Writes the image of `tree` to `outputPath`. */
  readonly makeImage: (tree: string, outputPath: string) => void;
  readonly namespace: ImageNamespace;
  readonly title: (imagePath: string) => string;
  /** Reference tools: a name and the command line, given the image path and the bench folder. */
  readonly references: (imagePath: string, benchDir: string) => Record<string, readonly [string, readonly string[]]>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs every command `runs` times, round-robin (so a noisy moment hits all alike); medians. */
function timeProcesses(commands: Record<string, readonly [string, readonly string[]]>): Record<string, { ms: number; lines: number }> {
  const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
  const lines = new Map<string, number>();
  for (let run = 0; run < runs; run += 1) {
    for (const [name, [command, args]] of Object.entries(commands)) {
      const started = performance.now();
      const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
      times.get(name)!.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
      lines.set(name, result.stdout.split('\n').filter((line) => line.trim() !== '').length);
    }
  }
  return Object.fromEntries(Object.keys(commands).map((name) => [name, { ms: median(times.get(name)!), lines: lines.get(name) ?? 0 }]));
}

async function timeInProcess(imagePath: string, namespace: ImageNamespace): Promise<{ ms: number; lines: number }> {
  const times: number[] = [];
  let lines = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const opened = await openImageFile(imagePath, { namespace });
    lines = 0;
    for await (const batch of opened.image.walkBatches()) lines += batch.length;
    await opened.close();
    times.push(performance.now() - started);
  }
  return { ms: median(times), lines };
}

function buildImageOnce(bench: ListingBench, benchDir: string, imagePath: string): void {
  if (existsSync(imagePath)) return;
  const tree = join(benchDir, 'tree');
  rmSync(tree, { recursive: true, force: true });
  for (let folder = 0; folder < benchFileCount / filesPerFolder; folder += 1) {
    const dir = join(tree, `folder-${String(folder).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let index = 0; index < filesPerFolder; index += 1) writeFileSync(join(dir, `file with a longer name ${index}.txt`), `${folder}/${index}\n`);
  }
  bench.makeImage(tree, `${imagePath}.part`);
  renameSync(`${imagePath}.part`, imagePath);
  rmSync(tree, { recursive: true, force: true });
}

/** The listing code alone, bundled to one file and run by node: Isotope's parser as a process. */
async function bundleLister(benchDir: string, namespace: ImageNamespace): Promise<string> {
  const bundle = join(benchDir, 'isotope-list.mjs');
  await build({
    stdin: {
      contents: `import { openImageFile } from './src-main/image/open-image-file.ts';
const opened = await openImageFile(process.argv[2], { namespace: ${JSON.stringify(namespace)} });
// One string per directory, joined once: the way any lister prints (not a string grown per line).
const chunks = [];
for await (const batch of opened.image.walkBatches()) if (batch.length > 0) chunks.push(batch.map((entry) => entry.path).join('\\n'));
await opened.close();
process.stdout.write(chunks.join('\\n') + '\\n');`,
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

export async function runListingBench(bench: ListingBench): Promise<void> {
  const benchDir = join(repoRoot, 'test/.cache/bench', bench.name);
  const imagePath = join(benchDir, bench.imageFileName);
  mkdirSync(benchDir, { recursive: true });
  buildImageOnce(bench, benchDir, imagePath);
  const bundle = await bundleLister(benchDir, bench.namespace);
  const cli = join(repoRoot, 'bin/isotope.js');
  if (!existsSync(join(repoRoot, 'dist/main/main.js'))) throw new Error('run `npm run build` first: the bench also times the built CLI');

  const inProcess = await timeInProcess(imagePath, bench.namespace);
  const timed = timeProcesses({
    'isotope (process)': [process.execPath, [bundle, imagePath]],
    'isotope ls -R (CLI)': [process.execPath, [cli, 'ls', '-R', '--namespace', bench.namespace, imagePath]],
    // The floor under any Node process: starting Node with an empty script.
    'node -e "" (floor)': [process.execPath, ['-e', '']],
    ...bench.references(imagePath, benchDir),
  });
  const ours = { 'isotope (in-process)': inProcess, 'isotope (process)': timed['isotope (process)']!, 'isotope ls -R (CLI)': timed['isotope ls -R (CLI)']! };
  const floor = timed['node -e "" (floor)']!;
  const references = Object.fromEntries(Object.keys(bench.references(imagePath, benchDir)).map((name) => [name, timed[name]!]));
  const line = (name: string, result: { ms: number; lines: number }): string =>
    `${name.padEnd(22)} ${result.ms.toFixed(0).padStart(7)} ms  ${String(result.lines).padStart(7)} lines`;
  console.log(`${bench.title(imagePath)} (${benchFileCount} files in ${benchFileCount / filesPerFolder} folders), median of ${runs} runs, round-robin`);
  for (const [name, result] of [...Object.entries(ours), ['node -e "" (floor)', floor] as const, ...Object.entries(references)])
    console.log(line(name, result));
  const ratios: readonly [string, string][] = [
    ['isotope (in-process)', 'the engine resident, as in the app and the web shell'],
    ['isotope (process)', 'the parser bundle started as a process, Node start-up included'],
    ['isotope ls -R (CLI)', 'the real command, long format'],
  ];
  for (const [ourName, what] of ratios) {
    console.log(`\nRatio ${ourName} / reference (< 1 means isotope is faster); ${what}:`);
    for (const [name, result] of Object.entries(references))
      console.log(`  vs ${name.padEnd(18)} ${(ours[ourName as keyof typeof ours].ms / result.ms).toFixed(3)}`);
  }
  console.log(`\nA Node process needs ${floor.ms.toFixed(0)} ms to run an empty script: no Node program, whatever it does, can end before that.`);
}
