// Benchmark (run by hand, as root for the loop device:
// `npx tsx test/bench/download/run.ts [--size-mib 256] [--runs 3] [--dir D]`), issue 19's target:
// a download is >= 0.9x `curl -o` of the same URL from the same local server, and a write while
// downloading to a loop device is >= 0.9x curl alone. Each run interleaves every client (so a load
// change on this shared machine hits all of them alike); the medians are reported, with each
// client's peak RSS and CPU time (GNU time's %M and %U + %S: the whole process, start-up included).
//   - HTTPS: `openssl s_server -WWW` serves the file (C, far faster than any Node server here, so the
//     server does not set the pace; curl to /dev/null is reported to show its ceiling). It sends no
//     Content-Length (HTTP/1.0, the end is the connection's close).
//   - HTTP: the fault server (test/net/https-fault-server.ts) in its own process: Content-Length,
//     ETag, and 404 for the sums files the flash looks for next to the URL.
// Clients: curl -o; curl -o then `sync -d` (what a durable download costs: Isotope no longer
// fsyncs); Node's own floor (node-floor.ts: the body received and dropped); Isotope's download engine
// (net/downloadToFile: SHA-256 while streaming, batched writes, no fsync); `isotope download URL -o
// FILE` as users run it (the built CLI: its start, the search for sums files next to the URL, the
// download, the verdict); two floors no download that hashes can beat here, Node's start alone and
// openssl's SHA-256 of the same bytes from memory (its fastest code on this CPU; one chain, each block
// needs the state after the one before, so it cannot be split); and over HTTP the flash
// from a URL (flash/flashFromDownload, as `isotope flash URL /dev/loopN`) with and without its
// read-back verify (the built CLI), to a loop device over a file in /dev/shm (createBacking says
// why). The download runs bundled by esbuild under plain node (the product's code, not tsx's).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { engineBundleOptions } from '../../../scripts/engine-bundle.js';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, runs: { type: 'string', default: '3' }, dir: { type: 'string' } } });
const sizeMib = Number(values['size-mib']);
const runs = Math.max(1, Number(values.runs));
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'isotope-bench-download-'));
const here = fileURLToPath(new URL('.', import.meta.url));
const outputPath = join(dir, 'out.img');
// The bundles sit under node_modules so their external packages resolve from the repository's.
const bundleDir = join(here, '../../../node_modules/.cache/isotope-bench-download');
const servedPath = join(dir, 'bench.img');
const isotopeBin = join(here, '../../../bin/isotope.js');

// Bundled as scripts/build.js bundles the engine, the download's hashing worker beside it (as dist/main/hash-worker.js).
await build({
  entryPoints: {
    'download-once': join(here, 'download-once.ts'),
    'node-floor': join(here, 'node-floor.ts'),
    'hash-worker': join(here, '../../../src-main/checksum/hash-worker.ts'),
  },
  outdir: bundleDir,
  ...engineBundleOptions,
  logLevel: 'warning',
});

execFileSync('sh', ['-c', `head -c ${sizeMib * 1024 * 1024} /dev/urandom > '${servedPath}'`]);
const servedSha256 = sha256Of(servedPath);
const certPath = join(dir, 'cert.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    certPath,
  ],
  { stdio: 'ignore' },
);
const httpsPort = await freePort();
const httpsServer = spawn('openssl', ['s_server', '-quiet', '-WWW', '-accept', `127.0.0.1:${httpsPort}`, '-cert', certPath, '-key', join(dir, 'key.pem')], {
  cwd: dir,
  stdio: ['ignore', 'ignore', 'ignore'],
});
const httpServer = spawn('npx', ['tsx', join(here, 'serve.ts'), servedPath], { stdio: ['pipe', 'pipe', 'inherit'] });
const firstLine = await new Promise<string>((resolve) => createInterface({ input: httpServer.stdout }).once('line', resolve));
const { httpOrigin } = JSON.parse(firstLine) as { httpOrigin: string };
await new Promise((resolve) => setTimeout(resolve, 500)); // s_server listening
const stickDir = mkdtempSync('/dev/shm/isotope-bench-stick-');
const stick = execFileSync('losetup', ['-f', '--show', createBacking()], { encoding: 'utf8' }).trim();

/**
 * The stick's backing file, in memory (/dev/shm, as the loop tests do): the flash must make the stick
 * durable (its fdatasync) and curl -o need not, so on a disk-backed loop device the flash's floor is
 * "curl -o, then sync -d" (this VM's disk, not Isotope); in memory it shows Isotope's own cost.
 */
function createBacking(): string {
  const backing = join(stickDir, 'stick.img');
  writeFileSync(backing, '');
  execFileSync('truncate', ['-s', `${sizeMib + 16}M`, backing]);
  return backing;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sha256Of(path: string): string {
  return spawnSync('openssl', ['dgst', '-sha256', '-r', path], { encoding: 'utf8' }).stdout.split(' ')[0] ?? '';
}

interface Sample {
  readonly ms: number;
  readonly peakRssBytes: number;
  /** User + system CPU time of the whole process (its threads and children): on this shared 2-core machine, steadier than wall time. */
  readonly cpuMs: number;
}

/** Runs `command` under GNU time: wall time, peak RSS and CPU time, its stdout. */
function timed(command: readonly string[], env: NodeJS.ProcessEnv = process.env): Sample & { stdout: string } {
  const rssPath = join(dir, 'rss.txt');
  const startedMs = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssPath, ...command], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  const ms = performance.now() - startedMs;
  if (child.status !== 0) throw new Error(`${command.join(' ')} exited with ${child.status}`);
  const [peakRssKib = NaN, userSeconds = NaN, systemSeconds = NaN] = (readFileSync(rssPath, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { ms, peakRssBytes: peakRssKib * 1024, cpuMs: (userSeconds + systemSeconds) * 1000, stdout: child.stdout };
}

const clients: Record<string, (url: string) => Sample> = {
  'curl -o /dev/null (server ceiling)': (url) => timed(['curl', '-sS', '--cacert', certPath, '-o', '/dev/null', url]),
  'curl -o': (url) => {
    rmSync(outputPath, { force: true });
    const sample = timed(['curl', '-sS', '--cacert', certPath, '-o', outputPath, url]);
    if (sha256Of(outputPath) !== servedSha256) throw new Error('curl wrote other bytes than served');
    return sample;
  },
  'curl -o, then sync -d': (url) => {
    rmSync(outputPath, { force: true });
    const sample = timed(['sh', '-c', `curl -sS --cacert '${certPath}' -o '${outputPath}' '${url}' && sync -d '${outputPath}'`]);
    return sample;
  },
  'node: receive only (no hash, no write)': (url) => timed([process.execPath, join(bundleDir, 'node-floor.js'), url, certPath]),
  'isotope download, engine (SHA-256)': (url) => {
    rmSync(outputPath, { force: true });
    const sample = timed([process.execPath, join(bundleDir, 'download-once.js'), url, outputPath, certPath]);
    const result = JSON.parse(sample.stdout) as { sha256: string };
    if (result.sha256 !== servedSha256) throw new Error(`Isotope's SHA-256 ${result.sha256} is not the served ${servedSha256}`);
    return sample;
  },
  'isotope download URL -o FILE (the CLI)': (url) => {
    rmSync(outputPath, { force: true });
    const home = freshHome();
    const sample = timed([process.execPath, isotopeBin, 'download', url, '-o', outputPath, '--json'], {
      ...process.env,
      ISOTOPE_HOME: home,
      SSL_CERT_FILE: certPath,
    });
    if (!sample.stdout.includes(servedSha256)) throw new Error(`the download did not report the served SHA-256: ${sample.stdout.slice(-400)}`);
    return sample;
  },
  'floor: node -e 0 (Node starting, nothing else)': () => timed([process.execPath, '-e', '0']),
  'floor: openssl dgst -sha256 of the file in memory': () => {
    const sample = timed(['openssl', 'dgst', '-sha256', '-r', servedPath]);
    if (!sample.stdout.startsWith(servedSha256)) throw new Error('openssl hashed other bytes than served');
    return sample;
  },
  'isotope flash URL, --no-verify': (url) => flashOnce(url, 'no'),
  'isotope flash URL, verified': (url) => flashOnce(url, 'yes'),
};

/** `isotope flash URL /dev/loopN` (the built CLI, dist/: `npm run build` first), with a fresh data folder (no cache to start from). */
function flashOnce(url: string, verify: 'yes' | 'no'): Sample {
  const verifyFlags = verify === 'yes' ? [] : ['--no-verify'];
  const command = [process.execPath, isotopeBin, 'flash', url, stick, '--yes', '--unsafe', ...verifyFlags, '--json'];
  const sample = timed(command, { ...process.env, ISOTOPE_HOME: freshHome() });
  if (!sample.stdout.includes(servedSha256)) throw new Error(`the flash did not report the served SHA-256: ${sample.stdout.slice(-400)}`);
  return sample;
}

/** An empty data folder: no cache, history or keyring from an earlier run. */
function freshHome(): string {
  const home = join(dir, 'home');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home);
  return home;
}

const median = (numbers: readonly number[]): number => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? NaN;
const rate = (ms: number): string => `${((sizeMib / ms) * 1000).toFixed(0).padStart(6)} MiB/s`;

function measure(scheme: string, url: string, names: readonly string[]): void {
  const samples = new Map<string, Sample[]>(names.map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) for (const name of names) samples.get(name)?.push(clients[name]!(url));
  console.log(`\n-- ${scheme} ${url}  (load before: ${loadavg()[0]?.toFixed(1)})`);
  const curlMs = median(samples.get('curl -o')!.map((sample) => sample.ms));
  for (const [name, list] of samples) {
    const ms = median(list.map((sample) => sample.ms));
    const rssMib = Math.max(...list.map((sample) => sample.peakRssBytes)) / 1024 / 1024;
    const cpuSeconds = median(list.map((sample) => sample.cpuMs)) / 1000;
    const all = list.map((sample) => (sample.ms / 1000).toFixed(2)).join(' ');
    console.log(
      `${name.padEnd(50)} ${(ms / 1000).toFixed(2).padStart(6)} s ${rate(ms)}  ${(curlMs / ms).toFixed(2)}x curl  CPU ${cpuSeconds.toFixed(2)} s  RSS ${rssMib.toFixed(0).padStart(4)} MiB  [${all}]`,
    );
  }
}

try {
  console.log(
    `input: ${sizeMib} MiB in ${dir}; ${availableParallelism()} logical CPUs; load ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}; median of ${runs}, interleaved`,
  );
  const downloads = [
    'curl -o /dev/null (server ceiling)',
    'curl -o',
    'curl -o, then sync -d',
    'node: receive only (no hash, no write)',
    'isotope download, engine (SHA-256)',
    'isotope download URL -o FILE (the CLI)',
    'floor: node -e 0 (Node starting, nothing else)',
    'floor: openssl dgst -sha256 of the file in memory',
  ];
  measure('https', `https://127.0.0.1:${httpsPort}/bench.img`, downloads);
  measure('http', `${httpOrigin}/file/bench.img`, [...downloads, 'isotope flash URL, --no-verify', 'isotope flash URL, verified']);
  console.log(
    `\nload after: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
} finally {
  execFileSync('losetup', ['-d', stick]);
  httpServer.stdin?.end();
  httpsServer.kill();
  rmSync(dir, { recursive: true, force: true });
  rmSync(stickDir, { recursive: true, force: true });
}
