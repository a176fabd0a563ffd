// Benchmark: write + verify of a 1 GiB image to a loop device over /dev/shm (memory speed: it
// measures software overhead) by Isotope, by `dd bs=4M oflag=direct conv=fsync` + `cmp`, and by
// etcher-sdk, in the same run on the same image and device; then .xz/.zst sources against the
// decoders' own speed. Prints medians and the ratios the targets are stated in. Root only.
// Run: npx tsx test/bench/flash/run.ts [--rounds N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const roundsFlag = process.argv.indexOf('--rounds');
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;

interface Run {
  readonly writeMs: number;
  readonly verifyMs: number;
  readonly totalMs: number;
  readonly peakRssKiB: number;
}

function timed(command: string, args: readonly string[]): { elapsedMs: number; peakRssKiB: number; stdout: string } {
  // GNU time reports the child's peak RSS; its own line is the last one on stderr.
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const [seconds, rss] = run.stderr.trim().split('\n').at(-1)!.split(' ');
  return { elapsedMs: Number(seconds) * 1000, peakRssKiB: Number(rss), stdout: run.stdout };
}

function tsx(script: string, args: readonly string[]): { result: Record<string, unknown>; peakRssKiB: number } {
  const run = timed(process.execPath, ['--import', 'tsx', join(here, script), ...args]);
  return { result: JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, peakRssKiB: run.peakRssKiB };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mbps = (bytes: number, ms: number): string => `${((bytes / (ms / 1000)) / 1e6).toFixed(0)} MB/s`;

function summarize(name: string, runs: readonly Run[], bytes: number): Run {
  const run = { writeMs: median(runs.map((r) => r.writeMs)), verifyMs: median(runs.map((r) => r.verifyMs)), totalMs: median(runs.map((r) => r.totalMs)), peakRssKiB: Math.max(...runs.map((r) => r.peakRssKiB)) };
  console.log(`${name.padEnd(28)} write ${run.writeMs.toFixed(0).padStart(6)} ms (${mbps(bytes, run.writeMs)})  verify ${run.verifyMs.toFixed(0).padStart(6)} ms  total ${run.totalMs.toFixed(0).padStart(6)} ms  peak RSS ${(run.peakRssKiB / 1024).toFixed(0)} MiB`);
  return run;
}

if (process.getuid?.() !== 0) {
  console.error('the flash benchmark needs root (loop devices)');
  process.exit(2);
}

const dir = mkdtempSync('/dev/shm/isotope-bench-');
let loop: string | null = null;
try {
  const image = join(dir, 'image.img');
  execFileSync('sh', ['-c', 'openssl enc -aes-128-ctr -nosalt -pass pass:bench -in /dev/zero 2>/dev/null | head -c "$1" > "$2"', 'sh', String(GiB), image]);
  const backing = join(dir, 'target.img');
  execFileSync('truncate', ['-s', String(GiB), backing]);
  loop = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  console.log(`1 GiB random image -> ${loop} (loop over /dev/shm), ${rounds} rounds each, interleaved; medians:`);

  const results = { dd: [] as Run[], isotope: [] as Run[], isotopeNoSha: [] as Run[], etcher: [] as Run[] };
  let etcherError: string | null = null;
  for (let round = 0; round < rounds; round += 1) {
    const dd = timed('dd', [`if=${image}`, `of=${loop}`, 'bs=4M', 'oflag=direct', 'conv=fsync', 'status=none']);
    const cmp = timed('cmp', [image, loop]);
    results.dd.push({ writeMs: dd.elapsedMs, verifyMs: cmp.elapsedMs, totalMs: dd.elapsedMs + cmp.elapsedMs, peakRssKiB: Math.max(dd.peakRssKiB, cmp.peakRssKiB) });
    for (const [key, flags] of [['isotope', []], ['isotopeNoSha', ['--no-sha256']]] as const) {
      const run = tsx('isotope-once.ts', [image, loop, ...flags]);
      if (run.result['outcome'] !== 'succeeded') throw new Error(`isotope: ${JSON.stringify(run.result)}`);
      results[key].push({ writeMs: run.result['writeMs'] as number, verifyMs: run.result['verifyMs'] as number, totalMs: run.result['totalMs'] as number, peakRssKiB: run.peakRssKiB });
    }
    try {
      const run = tsx('etcher-once.ts', [image, loop, String(GiB)]);
      if (run.result['outcome'] !== 'succeeded') throw new Error(String(run.result['outcome']));
      results.etcher.push({ writeMs: run.result['writeMs'] as number, verifyMs: run.result['verifyMs'] as number, totalMs: run.result['totalMs'] as number, peakRssKiB: run.peakRssKiB });
    } catch (error) {
      etcherError = (error as Error).message.split('\n')[0] ?? 'failed';
    }
  }
  const dd = summarize('dd + cmp', results.dd, GiB);
  const isotope = summarize('isotope (SHA-256 + XXH64)', results.isotope, GiB);
  const noSha = summarize('isotope (XXH64 only)', results.isotopeNoSha, GiB);
  // etcher-sdk emits its first 'verifying' progress only near the end, so its split is not
  // measurable from outside: only its total counts (and it never fsyncs).
  const etcher = results.etcher.length > 0 ? summarize('etcher-sdk (split unreliable)', results.etcher, GiB) : null;
  console.log('');
  console.log(`write throughput vs dd:        ${(dd.writeMs / isotope.writeMs).toFixed(2)}x (target >= 0.95x); without SHA-256 ${(dd.writeMs / noSha.writeMs).toFixed(2)}x`);
  console.log(`write+verify vs dd+cmp:        ${(dd.totalMs / isotope.totalMs).toFixed(2)}x`);
  if (etcher) console.log(`write+verify vs etcher-sdk:    ${(etcher.totalMs / isotope.totalMs).toFixed(2)}x faster (target > 1)`);
  else console.log(`etcher-sdk: not measured (${etcherError})`);
  console.log(`peak RSS:                      isotope ${(isotope.peakRssKiB / 1024).toFixed(0)} MiB (target < 150 MiB, includes tsx), etcher-sdk ${etcher ? (etcher.peakRssKiB / 1024).toFixed(0) : '?'} MiB`);

  // Compressed sources: 256 MiB, half random and half text, so xz and zstd do real work.
  console.log('\ncompressed sources (256 MiB image, half random, half text), write without verify vs the decoder alone:');
  const plain = join(dir, 'mixed.img');
  execFileSync('sh', ['-c', 'openssl enc -aes-128-ctr -nosalt -pass pass:mixed -in /dev/zero 2>/dev/null | head -c 134217728 > "$1"; yes "Isotope writes this line to USB sticks and reads it back." | head -c 134217728 >> "$1"', 'sh', plain]);
  for (const [extension, compress, decompress] of [
    ['xz', ['xz', '-1', '-T2', '-k', plain], ['xz', '-dc']],
    ['zst', ['zstd', '-3', '-T2', '-q', '-k', plain], ['zstd', '-dcq']],
  ] as const) {
    execFileSync(compress[0], compress.slice(1));
    const archive = `${plain}.${extension}`;
    const native = timed('sh', ['-c', `${decompress.join(' ')} "$1" > /dev/null`, 'sh', archive]);
    const decodes = Array.from({ length: rounds }, () => tsx('decode-once.ts', [archive]).result['decodeMs'] as number);
    const flashes = Array.from({ length: rounds }, () => tsx('isotope-once.ts', [archive, loop!, '--no-verify']));
    const decodeMs = median(decodes);
    const writeMs = median(flashes.map((run) => run.result['writeMs'] as number));
    const peak = Math.max(...flashes.map((run) => run.peakRssKiB));
    console.log(`  .${extension}: ${decompress[0]} -dc ${native.elapsedMs.toFixed(0)} ms; our decoder alone ${decodeMs.toFixed(0)} ms; flash ${writeMs.toFixed(0)} ms (${(writeMs / decodeMs).toFixed(2)}x the decoder alone); peak RSS ${(peak / 1024).toFixed(0)} MiB`);
  }
} finally {
  if (loop !== null) execFileSync('losetup', ['-d', loop]);
  rmSync(dir, { recursive: true, force: true });
}
