// Benchmark (run by hand: `npx tsx test/bench/download/run.ts [--size-mib 256] [--runs 3] [--dir D]`):
// Isotope's download (net/downloadToFile: TLS, SHA-256 while streaming, batched writes, fsync)
// against `curl -o` of the same URL from the same local server, over HTTPS and plain HTTP, as the
// ratio curl time / Isotope time (issue 19: target >= 0.9x), with Isotope's peak RSS. curl neither
// hashes nor fsyncs; "curl + sync" adds `sync -d FILE` after it, the same durability as ours.
// The server runs in its own process (serve.ts); Isotope runs bundled by esbuild under plain node.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, runs: { type: 'string', default: '3' }, dir: { type: 'string' } } });
const sizeMib = Number(values['size-mib']);
const runs = Math.max(1, Number(values.runs));
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'isotope-bench-download-'));
const here = fileURLToPath(new URL('.', import.meta.url));
const outputPath = join(dir, 'out.img');

await build({
  entryPoints: { 'download-once': join(here, 'download-once.ts') },
  outdir: dir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

const server = spawn('npx', ['tsx', join(here, 'serve.ts'), String(sizeMib), join(dir, 'ca.pem')], { stdio: ['pipe', 'pipe', 'inherit'] });
const firstLine = await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once('line', resolve));
const served = JSON.parse(firstLine) as { origin: string; httpOrigin: string; caPath: string; sha256: string };

function sha256Of(path: string): string {
  return spawnSync('openssl', ['dgst', '-sha256', '-r', path], { encoding: 'utf8' }).stdout.split(' ')[0] ?? '';
}

function timeCurl(url: string, sync: boolean): number {
  let bestMs = Infinity;
  for (let run = 0; run < runs; run += 1) {
    rmSync(outputPath, { force: true });
    const startedMs = performance.now();
    const curl = spawnSync('curl', ['-sS', '--cacert', served.caPath, '-o', outputPath, url], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (curl.status !== 0) throw new Error(`curl exited with ${curl.status}`);
    if (sync) spawnSync('sync', ['-d', outputPath]);
    bestMs = Math.min(bestMs, performance.now() - startedMs);
  }
  if (sha256Of(outputPath) !== served.sha256) throw new Error('curl wrote other bytes than served');
  return bestMs;
}

function timeIsotope(url: string): { ms: number; peakRssBytes: number } {
  let best = { ms: Infinity, peakRssBytes: 0 };
  for (let run = 0; run < runs; run += 1) {
    rmSync(outputPath, { force: true });
    const startedMs = performance.now();
    const child = spawnSync(process.execPath, [join(dir, 'download-once.mjs'), url, outputPath, served.caPath], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ms = performance.now() - startedMs;
    const result = JSON.parse(child.stdout) as { sha256: string; peakRssBytes: number };
    if (result.sha256 !== served.sha256) throw new Error(`Isotope's SHA-256 ${result.sha256} is not the served ${served.sha256}`);
    if (ms < best.ms) best = { ms, peakRssBytes: result.peakRssBytes };
  }
  return best;
}

const rate = (ms: number): string => `${((sizeMib / ms) * 1000).toFixed(0).padStart(6)} MiB/s`;
const line = (label: string, ms: number): void => console.log(`${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(ms)}`);

try {
  console.log(`input: ${sizeMib} MiB to ${dir}; ${availableParallelism()} logical CPUs; best of ${runs}; whole processes timed (start-up included for both)`);
  for (const [scheme, origin] of [
    ['https', served.origin],
    ['http', served.httpOrigin],
  ] as const) {
    const url = `${origin}/file/bench.img`;
    const curlMs = timeCurl(url, false);
    const curlSyncMs = timeCurl(url, true);
    const isotope = timeIsotope(url);
    console.log(`\n-- ${scheme}`);
    line('curl -o', curlMs);
    line('curl -o, then sync -d', curlSyncMs);
    line('isotope (SHA-256 + fsync)', isotope.ms);
    console.log(`${'ratio vs curl -o (target >= 0.9x)'.padEnd(34)} ${(curlMs / isotope.ms).toFixed(2).padStart(7)}x`);
    console.log(`${'ratio vs curl -o + sync'.padEnd(34)} ${(curlSyncMs / isotope.ms).toFixed(2).padStart(7)}x`);
    console.log(`${'isotope peak RSS'.padEnd(34)} ${(isotope.peakRssBytes / 1024 / 1024).toFixed(0).padStart(7)} MiB`);
  }
} finally {
  server.stdin?.end();
  rmSync(dir, { recursive: true, force: true });
}
