// Benchmark: list every entry of the UDF tree of an image holding 50,000 files (a genisoimage -udf
// bridge, built once into test/.cache/bench/udf-list/), and compare with `7zz l -tudf` and pycdlib's
// UDF walk on the same image in the same run. Each tool runs as a process (start-up included);
// Isotope also runs in-process. Median of 5 runs; ratios < 1 mean Isotope is faster.
// Run: npx tsx test/bench/udf-list/run.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { openImageFile } from '../../../src-main/image/open-image-file.ts';
import { repoRoot } from '../../fixtures/fixture-cache.ts';

const fileCount = 50_000;
const filesPerFolder = 100;
const runs = 5;
const benchDir = join(repoRoot, 'test/.cache/bench/udf-list');
const imagePath = join(benchDir, `files-${fileCount}-udf.iso`);

function buildImage(): void {
  if (existsSync(imagePath)) return;
  const tree = join(benchDir, 'tree');
  rmSync(tree, { recursive: true, force: true });
  for (let folder = 0; folder < fileCount / filesPerFolder; folder += 1) {
    const dir = join(tree, `folder-${String(folder).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let index = 0; index < filesPerFolder; index += 1) writeFileSync(join(dir, `file with a longer name ${index}.txt`), `${folder}/${index}\n`);
  }
  execFileSync('genisoimage', ['-udf', '-quiet', '-o', `${imagePath}.part`, tree], { stdio: 'inherit' });
  execFileSync('mv', [`${imagePath}.part`, imagePath]);
  rmSync(tree, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timeProcess(command: string, args: string[]): { ms: number; lines: number } {
  const times: number[] = [];
  let lines = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    lines = result.stdout.split('\n').filter((line) => line.trim() !== '').length;
  }
  return { ms: median(times), lines };
}

async function timeInProcess(): Promise<{ ms: number; entries: number }> {
  const times: number[] = [];
  let entries = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const opened = await openImageFile(imagePath, { namespace: 'udf' });
    entries = 0;
    for await (const batch of opened.image.walkBatches()) entries += batch.length;
    await opened.close();
    times.push(performance.now() - started);
  }
  return { ms: median(times), entries };
}

async function main(): Promise<void> {
  mkdirSync(benchDir, { recursive: true });
  buildImage();
  const bundle = join(benchDir, 'isotope-list.mjs');
  await build({
    stdin: {
      contents: `import { openImageFile } from './src-main/image/open-image-file.ts';
const opened = await openImageFile(process.argv[2], { namespace: 'udf' });
let out = '';
for await (const batch of opened.image.walkBatches()) for (const entry of batch) out += entry.path + '\\n';
await opened.close();
process.stdout.write(out);`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
  });
  const pycdlibScript = join(benchDir, 'pycdlib-udf-list.py');
  writeFileSync(
    pycdlibScript,
    `import sys, pycdlib\niso = pycdlib.PyCdlib()\niso.open(sys.argv[1])\nfor path, dirs, files in iso.walk(udf_path='/'):\n    for name in dirs + files:\n        print(path.rstrip('/') + '/' + name)\niso.close()\n`,
  );

  const inProcess = await timeInProcess();
  const ours = timeProcess(process.execPath, [bundle, imagePath]);
  const references = {
    '7zz l -tudf': timeProcess('7zz', ['l', '-tudf', imagePath]),
    'pycdlib udf walk': timeProcess('/usr/bin/python3', [pycdlibScript, imagePath]),
  };
  const line = (name: string, ms: number, count: number): string => `${name.padEnd(22)} ${ms.toFixed(0).padStart(7)} ms  ${String(count).padStart(7)} lines`;
  console.log(`Listing the UDF tree of ${imagePath} (${fileCount} files in ${fileCount / filesPerFolder} folders), median of ${runs} runs`);
  console.log(line('isotope (in-process)', inProcess.ms, inProcess.entries));
  console.log(line('isotope (process)', ours.ms, ours.lines));
  for (const [name, result] of Object.entries(references)) console.log(line(name, result.ms, result.lines));
  console.log('\nRatio isotope (process) / reference (< 1 means isotope is faster):');
  for (const [name, result] of Object.entries(references)) console.log(`  vs ${name.padEnd(18)} ${(ours.ms / result.ms).toFixed(3)}`);
}

await main();
