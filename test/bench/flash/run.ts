// Benchmark: write + verify of a 1 GiB image to a loop device over /dev/shm (memory speed: it
// measures software overhead) by Isotope, by `dd bs=4M oflag=direct conv=fsync` + `cmp`, and by
// etcher-sdk, in the same run on the same image and device; the SHA-256 of the image alone (the
// checksum engine's pass and `openssl dgst`, the faster of the two per round), which the write with
// SHA-256 in its pass is held to (issue 11 §1: hashing overlaps writing, so that write takes at most
// 1.15x max(dd's write, SHA-256 alone)); then
// .xz/.zst/.bz2 sources against the decoders' own speed. Isotope and etcher-sdk run as esbuild bundles
// under plain node, so the peak RSS is the product's, not tsx's. Prints medians and the ratios the
// targets are stated in. Every SHA-256 an Isotope row reports must be the image's (sha256sum's), or
// the bench fails: a row that skipped hashing would be a lie. Root only.
// Run: node scripts/build.js && npx tsx test/bench/flash/run.ts [--rounds N] [--no-compressed]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../../fixtures/fixture-cache.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const roundsFlag = process.argv.indexOf('--rounds');
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;
const withCompressed = !process.argv.includes('--no-compressed');

interface Run {
  readonly writeMs: number;
  readonly verifyMs: number;
  readonly totalMs: number;
  readonly peakRssKiB: number;
  /** User + system CPU time of the process(es): load on other processes changes the wall time, much less this. */
  readonly cpuMs: number;
}

function timed(command: string, args: readonly string[]): { elapsedMs: number; peakRssKiB: number; cpuMs: number; stdout: string } {
  // GNU time reports the child's peak RSS and CPU times; its own line is the last one on stderr.
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const [seconds, rss, user, system] = run.stderr.trim().split('\n').at(-1)!.split(' ');
  return { elapsedMs: Number(seconds) * 1000, peakRssKiB: Number(rss), cpuMs: (Number(user) + Number(system)) * 1000, stdout: run.stdout };
}

/** Each *-once.ts as one bundle (packages stay external, as in the product's build) in the repo, so node_modules resolves. */
async function bundle(script: string): Promise<string> {
  const outDir = join(repoRoot, 'test/.cache/bench/flash');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, script.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(here, script)], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  // The checksum engine's worker sits beside a bundle, as dist/main/hash-worker.js does in the product.
  await build({
    entryPoints: [join(repoRoot, 'src-main/checksum/hash-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: join(outDir, 'hash-worker.js'),
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * etcher-sdk is the bench's alone (test/bench/flash/package.json), so the product's `npm ci` never
 * installs it: installed here on first use. Its native parts build against the system's Node headers,
 * and its unbzip2-stream dependency points at a git tarball, which the folder's override replaces.
 */
function ensureEtcherSdk(): string {
  const manifest = join(here, 'package.json');
  if (!existsSync(join(here, 'node_modules/etcher-sdk/package.json'))) {
    console.log('installing etcher-sdk for the bench (test/bench/flash/node_modules) ...');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: '/usr' } });
  }
  return manifest;
}

const etcherSdkManifest = ensureEtcherSdk();
const bundles = {
  isotope: await bundle('isotope-once.ts'),
  hash: await bundle('hash-once.ts'),
  decode: await bundle('decode-once.ts'),
  etcher: await bundle('etcher-once.ts'),
};

function once(bundlePath: string, args: readonly string[]): { result: Record<string, unknown>; peakRssKiB: number; cpuMs: number } {
  const run = timed(process.execPath, [bundlePath, ...args]);
  return { result: JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, peakRssKiB: run.peakRssKiB, cpuMs: run.cpuMs };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mbps = (bytes: number, ms: number): string => `${(bytes / (ms / 1000) / 1e6).toFixed(0)} MB/s`;
const ratio = (value: number): string => `${value.toFixed(2)}x`;

function summarize(name: string, runs: readonly Run[], bytes: number): Run {
  const run = {
    writeMs: median(runs.map((r) => r.writeMs)),
    verifyMs: median(runs.map((r) => r.verifyMs)),
    totalMs: median(runs.map((r) => r.totalMs)),
    peakRssKiB: Math.max(...runs.map((r) => r.peakRssKiB)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
  };
  const write =
    run.writeMs > 0
      ? `write ${run.writeMs.toFixed(0).padStart(5)} ms (${mbps(bytes, run.writeMs).padStart(9)})`
      : `write ${'-'.padStart(5)}   ${''.padStart(9)} `;
  console.log(
    `${name.padEnd(40)} ${write}  verify ${run.verifyMs.toFixed(0).padStart(5)} ms  total ${run.totalMs.toFixed(0).padStart(5)} ms  peak RSS ${(run.peakRssKiB / 1024).toFixed(0).padStart(3)} MiB`,
  );
  return run;
}

/** One isotope run; with `sha256Hex`, the run must report exactly that digest (a row that skipped hashing would be a lie). */
function isotopeRun(args: readonly string[], sha256Hex?: string): Run {
  const run = once(bundles.isotope, args);
  if (run.result['outcome'] !== 'succeeded') throw new Error(`isotope ${args.join(' ')}: ${JSON.stringify(run.result)}`);
  if (sha256Hex !== undefined && run.result['sha256Hex'] !== sha256Hex)
    throw new Error(`isotope ${args.join(' ')} reported SHA-256 ${String(run.result['sha256Hex'])}, the image's is ${sha256Hex}`);
  return {
    writeMs: run.result['writeMs'] as number,
    verifyMs: run.result['verifyMs'] as number,
    totalMs: run.result['totalMs'] as number,
    peakRssKiB: run.peakRssKiB,
    cpuMs: run.cpuMs,
  };
}

/** SHA-256 of 1 GiB in memory by node:crypto (OpenSSL): the ceiling of any pass that computes it. */
function sha256BytesPerSecond(): number {
  const block = randomBytes(4 * MiB);
  const hash = createHash('sha256');
  const startedMs = performance.now();
  for (let index = 0; index < GiB / block.length; index += 1) hash.update(block);
  hash.digest();
  return GiB / ((performance.now() - startedMs) / 1000);
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
  // The oracle every reported SHA-256 is checked against.
  const imageSha256 = execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0]!;
  // One untimed write first: the backing file's pages are allocated once, not in the first timed round.
  execFileSync('dd', [`if=${image}`, `of=${loop}`, 'bs=4M', 'oflag=direct', 'conv=fsync', 'status=none']);
  console.log(
    `1 GiB random image -> ${loop} (loop over /dev/shm), ${rounds} rounds each, interleaved; medians. ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at the start.`,
  );
  console.log('');

  const results = {
    dd: [] as Run[],
    sha256Alone: [] as Run[],
    openssl: [] as Run[],
    inPass: [] as Run[],
    noSha256: [] as Run[],
    verifyOnly: [] as Run[],
    etcher: [] as Run[],
  };
  let etcherError: string | null = null;
  for (let round = 0; round < rounds; round += 1) {
    const dd = timed('dd', [`if=${image}`, `of=${loop}`, 'bs=4M', 'oflag=direct', 'conv=fsync', 'status=none']);
    const cmp = timed('cmp', [image, loop]);
    results.dd.push({
      writeMs: dd.elapsedMs,
      verifyMs: cmp.elapsedMs,
      totalMs: dd.elapsedMs + cmp.elapsedMs,
      peakRssKiB: Math.max(dd.peakRssKiB, cmp.peakRssKiB),
      cpuMs: dd.cpuMs + cmp.cpuMs,
    });
    const hashed = once(bundles.hash, [image]);
    if (hashed.result['sha256Hex'] !== imageSha256)
      throw new Error(`the hash pass reported SHA-256 ${String(hashed.result['sha256Hex'])}, the image's is ${imageSha256}`);
    results.sha256Alone.push({ writeMs: 0, verifyMs: 0, totalMs: hashed.result['hashMs'] as number, peakRssKiB: hashed.peakRssKiB, cpuMs: hashed.cpuMs });
    // OpenSSL's own command (SHA-NI, large reads) is faster than our separate pass: the stricter bound.
    const openssl = timed('openssl', ['dgst', '-sha256', '-r', image]);
    if (openssl.stdout.split(' ')[0] !== imageSha256) throw new Error(`openssl dgst reported ${openssl.stdout}, the image's SHA-256 is ${imageSha256}`);
    results.openssl.push({ writeMs: 0, verifyMs: 0, totalMs: openssl.elapsedMs, peakRssKiB: openssl.peakRssKiB, cpuMs: openssl.cpuMs });
    results.inPass.push(isotopeRun([image, loop], imageSha256));
    results.noSha256.push(isotopeRun([image, loop, '--no-sha256']));
    results.verifyOnly.push(isotopeRun([image, loop, '--verify-only']));
    try {
      const run = once(bundles.etcher, [image, loop, String(GiB), etcherSdkManifest]);
      if (run.result['outcome'] !== 'succeeded') throw new Error(String(run.result['outcome']));
      results.etcher.push({
        writeMs: run.result['writeMs'] as number,
        verifyMs: run.result['verifyMs'] as number,
        totalMs: run.result['totalMs'] as number,
        peakRssKiB: run.peakRssKiB,
        cpuMs: run.cpuMs,
      });
    } catch (error) {
      etcherError = (error as Error).message.split('\n')[0] ?? 'failed';
    }
  }
  const dd = summarize('dd + cmp', results.dd, GiB);
  summarize('SHA-256 of the image alone (hash pass)', results.sha256Alone, GiB);
  summarize('SHA-256 alone (openssl dgst)', results.openssl, GiB);
  // Per round, the faster of the two is "SHA-256 alone".
  const fastestSha256 = results.sha256Alone.map((run, index) => (run.totalMs <= results.openssl[index]!.totalMs ? run : results.openssl[index]!));
  const sha256Alone = summarize('SHA-256 alone (the faster, per round)', fastestSha256, GiB);
  const inPass = summarize('isotope, SHA-256 computed in the pass', results.inPass, GiB);
  const noSha256 = summarize('isotope, no SHA-256', results.noSha256, GiB);
  const verifyOnly = summarize('isotope verify (byte compare) only', results.verifyOnly, GiB);
  // etcher-sdk emits its first 'verifying' progress only near the end, so its split is not
  // measurable from outside: only its total counts (and it never fsyncs).
  const etcher = results.etcher.length > 0 ? summarize('etcher-sdk (split unreliable)', results.etcher, GiB) : null;
  const shaRate = sha256BytesPerSecond();
  console.log('Both isotope flashes verify by reading the device back (O_DIRECT) and comparing bytes with the image read again.');
  console.log('');
  console.log(`write vs dd, no SHA-256:            ${ratio(dd.writeMs / noSha256.writeMs)} (target >= 0.95x)`);
  console.log(`write vs dd, SHA-256 in the pass:   ${ratio(dd.writeMs / inPass.writeMs)}`);
  // Issue 11 §1: hashing on one core while the other writes, sharing the slots: the pass costs the
  // slower of the two, not their sum. Each round's ratio, then the medians'.
  const overlapRatios = results.inPass.map((run, index) => run.writeMs / Math.max(results.dd[index]!.writeMs, fastestSha256[index]!.totalMs));
  const overlap = inPass.writeMs / Math.max(dd.writeMs, sha256Alone.totalMs);
  console.log(
    `write with SHA-256 / max(dd write, SHA-256 alone): ${ratio(overlap)} (target <= 1.15x; rounds: ${overlapRatios.map(ratio).join(', ')}; the sum would be ${ratio((dd.writeMs + sha256Alone.totalMs) / Math.max(dd.writeMs, sha256Alone.totalMs))})`,
  );
  // Load-proof evidence of one read: SHA-256's extra CPU in the pass (with minus without) is below what
  // hashing the image alone costs, which includes reading it.
  console.log(
    `  CPU (user+sys): SHA-256 adds ${(inPass.cpuMs - noSha256.cpuMs).toFixed(0)} ms to a flash; alone, with its own read, it takes ${sha256Alone.cpuMs.toFixed(0)} ms`,
  );
  console.log(
    `  (node:crypto hashes 1 GiB in memory at ${mbps(GiB, (GiB / shaRate) * 1000)} here, i.e. >= ${((GiB / shaRate) * 1000).toFixed(0)} ms for this image; etcher-sdk computes no SHA-256)`,
  );
  console.log(
    `verify vs cmp:                      ${ratio(dd.verifyMs / verifyOnly.verifyMs)} (isotope verify alone), ${ratio(dd.verifyMs / inPass.verifyMs)} (verify phase of a flash)`,
  );
  console.log(
    `write+verify vs dd+cmp:             ${ratio(dd.totalMs / noSha256.totalMs)} no SHA-256, ${ratio(dd.totalMs / inPass.totalMs)} SHA-256 in the pass`,
  );
  if (etcher)
    console.log(
      `write+verify vs etcher-sdk:         ${ratio(etcher.totalMs / noSha256.totalMs)} no SHA-256, ${ratio(etcher.totalMs / inPass.totalMs)} SHA-256 in the pass (target > 1: faster)`,
    );
  else console.log(`etcher-sdk: not measured (${etcherError})`);
  const isotopePeakKiB = Math.max(noSha256.peakRssKiB, inPass.peakRssKiB, verifyOnly.peakRssKiB);
  console.log(
    `peak RSS:                           isotope ${(isotopePeakKiB / 1024).toFixed(0)} MiB (target < 150 MiB; plain node, no tsx), etcher-sdk ${etcher ? (etcher.peakRssKiB / 1024).toFixed(0) : '?'} MiB`,
  );

  // Compressed sources: 256 MiB, half random, a quarter text and a quarter zeros (a disk image's empty
  // space), so the decoders do real work and expand runs. The SHA-256 is of the decoded bytes.
  if (withCompressed) {
    console.log('\ncompressed sources (256 MiB image: half random, a quarter text, a quarter zeros), write without verify vs the decoder alone:');
    const plain = join(dir, 'mixed.img');
    execFileSync('sh', [
      '-c',
      'openssl enc -aes-128-ctr -nosalt -pass pass:mixed -in /dev/zero 2>/dev/null | head -c 134217728 > "$1"; yes "Isotope writes this line to USB sticks and reads it back." | head -c 67108864 >> "$1"; head -c 67108864 /dev/zero >> "$1"',
      'sh',
      plain,
    ]);
    for (const [extension, compress, decompress] of [
      ['xz', ['xz', '-1', '-T2', '-k', plain], ['xz', '-dc']],
      ['zst', ['zstd', '-3', '-T2', '-q', '-k', plain], ['zstd', '-dcq']],
      ['bz2', ['bzip2', '-1', '-k', plain], ['bzip2', '-dc']],
    ] as const) {
      execFileSync(compress[0], compress.slice(1));
      const plainSha256 = execFileSync('sha256sum', [plain], { encoding: 'utf8' }).split(' ')[0]!;
      const archive = `${plain}.${extension}`;
      const native = timed('sh', ['-c', `${decompress.join(' ')} "$1" > /dev/null`, 'sh', archive]);
      const decodes: number[] = [];
      const withSha: Run[] = [];
      const withoutSha: Run[] = [];
      for (let round = 0; round < rounds; round += 1) {
        decodes.push(once(bundles.decode, [archive]).result['decodeMs'] as number);
        withSha.push(isotopeRun([archive, loop, '--no-verify'], plainSha256));
        withoutSha.push(isotopeRun([archive, loop, '--no-verify', '--no-sha256']));
      }
      const decodeMs = median(decodes);
      const shaMs = median(withSha.map((run) => run.writeMs));
      const noShaMs = median(withoutSha.map((run) => run.writeMs));
      const peak = Math.max(...[...withSha, ...withoutSha].map((run) => run.peakRssKiB));
      console.log(
        `  .${extension}: ${decompress[0]} -dc ${native.elapsedMs.toFixed(0)} ms; our decoder alone ${decodeMs.toFixed(0)} ms; flash ${shaMs.toFixed(0)} ms with SHA-256 (${ratio(shaMs / decodeMs)} the decoder alone), ${noShaMs.toFixed(0)} ms without (${ratio(noShaMs / decodeMs)}); peak RSS ${(peak / 1024).toFixed(0)} MiB`,
      );
    }
  }
  console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end (anything else running on these ${cpus().length} CPUs skews every row).`);
} finally {
  if (loop !== null) execFileSync('losetup', ['-d', loop]);
  rmSync(dir, { recursive: true, force: true });
}
