// Benchmark (run by hand: `npx tsx test/bench/hash/run.ts [--size-mib 2048]`): Isotope's hashing pass
// against the reference tools on the same file in the same run, printed as ratios (> 1 = Isotope faster).
//   1. SHA-256 alone vs `sha256sum` (target >= 0.95x) and vs `openssl dgst -sha256` (the real ceiling:
//      OpenSSL uses SHA-NI, coreutils does not).
//   2. MD5+SHA-1+SHA-256+SHA-512 in one pass vs the four coreutils tools one after another (target
//      >= 2.5x on 2 cores) and vs `sha512sum` alone (the pass cannot beat its slowest hash).
// The file is read once beforehand so every contender hashes from the page cache: this measures
// hashing, not the disk. Each contender runs `--runs` times (default 2); the best time counts.
// Isotope runs as it ships: the hashing pass and its worker bundled by esbuild (from the sources, each
// worker would first spend ~0.2 s registering tsx).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { HashAlgorithm } from '../../../shared/checksum.ts';
import type * as HashPass from '../../../src-main/checksum/hash-pass.ts';
import { engineBundleOptions } from '../../../scripts/engine-bundle.js';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '2048' }, runs: { type: 'string', default: '2' }, dir: { type: 'string' } } });
const sizeBytes = Number(values['size-mib']) * 1024 * 1024;
const runs = Math.max(1, Number(values.runs));
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'isotope-bench-hash-'));
const path = join(dir, 'bench.img');
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The hashing pass as scripts/build.js bundles it: hash-pass + hash-worker entries, side by side. */
async function loadBundledHashPass(): Promise<typeof HashPass> {
  const outdir = join(dir, 'bundle');
  await build({
    entryPoints: { 'hash-pass': join(repoRoot, 'src-main/checksum/hash-pass.ts'), 'hash-worker': join(repoRoot, 'src-main/checksum/hash-worker.ts') },
    outdir,
    ...engineBundleOptions,
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(join(outdir, 'hash-pass.js')).href)) as typeof HashPass;
}
const { hashFile } = await loadBundledHashPass();

function writeInput(): void {
  // Incompressible bytes: 64 MiB from the kernel's generator, repeated (hashes do not care about repeats).
  const block = execFileSync('head', ['-c', String(64 * 1024 * 1024), '/dev/urandom'], { maxBuffer: 65 * 1024 * 1024 });
  const fd = openSync(path, 'w');
  try {
    for (let offset = 0; offset < sizeBytes; offset += block.length) writeSync(fd, block, 0, Math.min(block.length, sizeBytes - offset));
  } finally {
    closeSync(fd);
  }
  execFileSync('cat', [path], { stdio: ['ignore', 'ignore', 'inherit'] }); // warm the page cache
}

function timeTool(command: string, args: readonly string[]): number {
  let bestMs = Infinity;
  for (let run = 0; run < runs; run += 1) {
    const startMs = performance.now();
    const result = spawnSync(command, [...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
    bestMs = Math.min(bestMs, performance.now() - startMs);
  }
  return bestMs;
}

async function timeIsotope(algorithms: readonly HashAlgorithm[]): Promise<number> {
  let bestMs = Infinity;
  for (let run = 0; run < runs; run += 1) {
    const startMs = performance.now();
    await hashFile(path, { algorithms });
    bestMs = Math.min(bestMs, performance.now() - startMs);
  }
  return bestMs;
}

const rate = (ms: number): string => `${(sizeBytes / 1024 / 1024 / (ms / 1000)).toFixed(0).padStart(6)} MiB/s`;
const line = (label: string, ms: number): void => console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(ms)}`);
const ratio = (label: string, referenceMs: number, isotopeMs: number, target?: number): void => {
  const value = referenceMs / isotopeMs;
  const verdict = target === undefined ? '' : value >= target ? `  (target >= ${target}x: met)` : `  (target >= ${target}x: NOT met)`;
  console.log(`${label.padEnd(44)} ${value.toFixed(2).padStart(7)}x${verdict}`);
};

try {
  console.log(`input: ${sizeBytes / 1024 / 1024} MiB in ${dir}; ${availableParallelism()} logical CPUs; best of ${runs}`);
  writeInput();

  const sha256sumMs = timeTool('sha256sum', [path]);
  const opensslMs = timeTool('openssl', ['dgst', '-sha256', path]);
  const isotopeSha256Ms = await timeIsotope(['sha256']);
  const toolNames = ['md5sum', 'sha1sum', 'sha256sum', 'sha512sum'] as const;
  const toolMs = Object.fromEntries(toolNames.map((tool) => [tool, tool === 'sha256sum' ? sha256sumMs : timeTool(tool, [path])])) as Record<
    (typeof toolNames)[number],
    number
  >;
  const fourToolsMs = toolNames.reduce((sum, tool) => sum + toolMs[tool], 0);
  const isotopeFourMs = await timeIsotope(['md5', 'sha1', 'sha256', 'sha512']);

  console.log('\n-- times');
  for (const tool of toolNames) line(tool, toolMs[tool]);
  line('openssl dgst -sha256', opensslMs);
  line('isotope sha256', isotopeSha256Ms);
  line('four coreutils tools one after another', fourToolsMs);
  line('isotope md5+sha1+sha256+sha512, one pass', isotopeFourMs);

  console.log('\n-- ratios (reference time / Isotope time; > 1 means Isotope is faster)');
  ratio('sha256: vs sha256sum', sha256sumMs, isotopeSha256Ms, 0.95);
  ratio('sha256: vs openssl dgst -sha256 (ceiling)', opensslMs, isotopeSha256Ms);
  ratio('all four: vs the four tools in sequence', fourToolsMs, isotopeFourMs, 2.5);
  ratio('all four: vs sha512sum alone', toolMs.sha512sum, isotopeFourMs);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
