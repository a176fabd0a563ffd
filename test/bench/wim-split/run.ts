// Benchmark (run by hand: `npx tsx test/bench/wim-split/run.ts [--size-mib 1024] [--part-mib 256]`):
// splitting a WIM of about 1 GiB into .swm parts by Isotope's splitWim and by `wimlib-imagex split`,
// on the same WIM in the same run, one run each; prints time, CPU time and peak RSS and their ratios (> 1 =
// Isotope faster or smaller). Both write their parts to /dev/shm, so this measures the split, not a
// disk. The WIM (XPRESS over base64 text, so every resource is stored compressed and both copy it as
// it is, as they do an install.wim's LZX resources) is built once by wimlib-imagex capture and kept
// in test/.cache/bench/wim-split/. Isotope runs as it ships: split-once.ts bundled by esbuild, plain
// node. The parts of both must be the same bytes but the GUID (and any bytes wimlib leaves past the
// XML data: an attempt to compress a resource that stayed uncompressed), or the bench fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../../fixtures/fixture-cache.ts';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' }, 'part-mib': { type: 'string', default: '256' } } });
const MiB = 1024 * 1024;
const sizeMib = Number(values['size-mib']);
const partMib = Number(values['part-mib']);
const here = fileURLToPath(new URL('.', import.meta.url));
const cacheDir = join(repoRoot, 'test/.cache/bench/wim-split');

interface Timing {
  readonly elapsedMs: number;
  /** User + system CPU time: other processes' load changes the wall time, much less this. */
  readonly cpuMs: number;
  readonly peakRssKiB: number;
}

function timed(command: string, args: readonly string[]): Timing {
  // GNU time reports the child's peak RSS and CPU times; its own line is the last one on stderr.
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const [seconds, user, system, rss] = run.stderr.trim().split('\n').at(-1)!.split(' ');
  return { elapsedMs: Number(seconds) * 1000, cpuMs: (Number(user) + Number(system)) * 1000, peakRssKiB: Number(rss) };
}

/** A WIM of about `sizeMib` MiB: 16 MiB files of base64 text (XPRESS keeps ~76%), two images sharing half, captured once. */
function ensureBenchWim(): string {
  const path = join(cacheDir, `bench-${sizeMib}mib-base64.wim`);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync('/dev/shm/isotope-bench-wim-tree-');
  try {
    const fileCount = Math.ceil(sizeMib / 0.76 / 16);
    for (const folder of ['first', 'second']) mkdirSync(join(work, folder), { recursive: true });
    for (let index = 0; index < fileCount; index += 1) {
      const file = join(work, index < fileCount / 2 ? 'first' : 'second', `file-${index}.bin`);
      execFileSync('sh', [
        '-c',
        `openssl enc -aes-128-ctr -nosalt -pass pass:wim${index} -in /dev/zero 2>/dev/null | base64 -w 0 | head -c ${16 * MiB} > "$1"`,
        'sh',
        file,
      ]);
    }
    execFileSync('cp', ['-r', join(work, 'first'), join(work, 'second/shared')]); // the second image shares the first's files
    const temporary = `${path}.partial`;
    console.log(`capturing a ${sizeMib} MiB WIM (once; cached in ${cacheDir}) ...`);
    execFileSync('wimlib-imagex', ['capture', join(work, 'first'), temporary, 'First', '--compress=xpress'], { stdio: 'ignore' });
    execFileSync('wimlib-imagex', ['append', join(work, 'second'), temporary, 'Second'], { stdio: 'ignore' });
    renameSync(temporary, path);
    return path;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function bundleSplitOnce(): Promise<string> {
  const outfile = join(cacheDir, 'split-once.mjs');
  await build({
    entryPoints: [join(here, 'split-once.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** The parts in `dir` named `stem`.swm, `stem`2.swm, ... up to the end of their XML data, with their GUIDs (header bytes 24-40) zeroed. */
function partsWithoutGuid(dir: string, stem: string): Buffer[] {
  const count = readdirSync(dir).filter((name) => new RegExp(`^${stem}\\d*\\.swm$`).test(name)).length;
  return Array.from({ length: count }, (_, index) => {
    const bytes = readFileSync(join(dir, `${stem}${index === 0 ? '' : index + 1}.swm`));
    bytes.fill(0, 24, 40);
    return bytes.subarray(0, Number(bytes.readBigUInt64LE(72 + 8)) + bytes.readUIntLE(72, 6));
  });
}

const wimPath = ensureBenchWim();
const splitOnce = await bundleSplitOnce();
const outDir = mkdtempSync('/dev/shm/isotope-bench-wim-split-');
try {
  readFileSync(wimPath); // into the page cache: both contenders read it from memory
  const oursDir = join(outDir, 'ours');
  const theirsDir = join(outDir, 'theirs');
  for (const dir of [oursDir, theirsDir]) mkdirSync(dir);
  const ours = timed(process.execPath, [splitOnce, wimPath, oursDir, String(partMib * MiB)]);
  const theirs = timed('wimlib-imagex', ['split', wimPath, join(theirsDir, 'install.swm'), String(partMib)]);
  const [oursParts, theirsParts] = [partsWithoutGuid(oursDir, 'install'), partsWithoutGuid(theirsDir, 'install')];
  const identical = oursParts.length === theirsParts.length && oursParts.every((part, index) => part.equals(theirsParts[index]!));
  if (!identical)
    throw new Error(`the parts differ: ours ${oursParts.map((p) => p.length).join(', ')}, wimlib's ${theirsParts.map((p) => p.length).join(', ')}`);
  const wimMib = (readFileSync(wimPath).byteLength / MiB).toFixed(0);
  console.log(`split of a ${wimMib} MiB WIM into ${oursParts.length} parts of at most ${partMib} MiB (parts identical but the GUID); one run each`);
  console.log(`${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`);
  const row = (name: string, run: Timing): string =>
    `${name.padEnd(22)} ${run.elapsedMs.toFixed(0).padStart(6)} ms  CPU ${run.cpuMs.toFixed(0).padStart(6)} ms  peak RSS ${(run.peakRssKiB / 1024).toFixed(0).padStart(4)} MiB`;
  console.log(row('isotope splitWim', ours));
  console.log(row('wimlib-imagex split', theirs));
  const ratio = (theirsValue: number, oursValue: number): string => `${(theirsValue / oursValue).toFixed(2)}x`;
  console.log(
    `wimlib / isotope: time ${ratio(theirs.elapsedMs, ours.elapsedMs)}, CPU ${ratio(theirs.cpuMs, ours.cpuMs)}, peak RSS ${ratio(theirs.peakRssKiB, ours.peakRssKiB)}`,
  );
  writeFileSync(join(cacheDir, 'last-run.json'), JSON.stringify({ ours, theirs, parts: oursParts.length }, null, 2));
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
