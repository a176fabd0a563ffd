// Benchmark: copy-files mode against a raw flash of the same bytes (issue 14: copy-files throughput to
// a loop device is at least 0.8x a raw flash). A non-hybrid El Torito disc of `--size-mib` of files
// (six large random files and `--small-files` small ones, 3000 unless given, so per-file work shows;
// 0 measures large files alone) is written to a loop device
// over /dev/shm (memory speed: this measures software overhead, DESIGN.md 7) by:
//   dd bs=4M oflag=direct conv=fsync     the disc's bytes, raw: the ceiling
//   flashImage, raw, no SHA-256          the disc's bytes through the engine (flash-once.ts)
//   flashImage, copy files               a fresh MBR + FAT32 holding the disc's files (computes no SHA-256)
//   isotope flash --mode raw|copy        the whole command as a user runs it, write + verify (the CLI's
//                                        raw flash computes SHA-256 in its pass; copy mode computes none)
// in the same run on the same disc, interleaved, `--rounds` times; medians. The 0.8x target compares the
// two flashImage rows (the same work but the layout). Throughput counts the disc's bytes for the raw
// rows and the files' bytes for the copy rows. Isotope runs as it ships: the engine rows as an esbuild
// bundle, the CLI rows as `npm run build`'s bin/isotope.js, both under plain node; GNU time gives the
// peak RSS. The CLI's phases are timed by when its --json progress lines arrive. Every copy-mode
// round's stick is checked by fsck.fat -n before it counts. Root only.
// Run: npm run build && npx tsx test/bench/copy-mode/run.ts [--size-mib 1024] [--rounds 3] [--small-files 3000]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../../fixtures/fixture-cache.ts';
import { bootBanner, writeBannerLoader } from '../../fixtures/qemu-boot-images.ts';

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: { 'size-mib': { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' }, 'small-files': { type: 'string', default: '3000' } },
});
const smallFileCount = Math.max(0, Number(values['small-files']));
const payloadBytesWanted = Number(values['size-mib']) * MiB;
const rounds = Math.max(1, Number(values.rounds));
const isotopeBin = join(repoRoot, 'bin/isotope.js');

const here = fileURLToPath(new URL('.', import.meta.url));

/** flash-once.ts as one bundle in the repo (packages external, as the product's build), with the hash worker beside it as in dist/main. */
async function bundleFlashOnce(): Promise<string> {
  const outDir = join(repoRoot, 'test/.cache/bench/copy-mode');
  mkdirSync(outDir, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' } as const;
  const outfile = join(outDir, 'flash-once.mjs');
  await build({ ...common, entryPoints: [join(here, 'flash-once.ts')], outfile });
  await build({ ...common, entryPoints: [join(repoRoot, 'src-main/checksum/hash-worker.ts')], outfile: join(outDir, 'hash-worker.js') });
  return outfile;
}

interface Timing {
  /** The write phase (writing + flushing); for dd its whole run. */
  readonly writeMs: number;
  /** The verify phase (the byte comparison, and for copy mode every file read back through our FAT reader); 0 without. */
  readonly verifyMs: number;
  /** The process from start to exit: assessment, planning, writing, verifying. */
  readonly totalMs: number;
  readonly peakRssKiB: number;
}

/** GNU time's report of a finished command (written to its own file, so the command's stderr stays the command's). */
function readTimeReport(path: string): { elapsedMs: number; peakRssKiB: number } {
  const [seconds, rss] = readFileSync(path, 'utf8').trim().split('\n').at(-1)!.split(' ');
  return { elapsedMs: Number(seconds) * 1000, peakRssKiB: Number(rss) };
}

function ddWrite(image: string, device: string, timeFile: string): Timing {
  const run = spawnSync('/usr/bin/time', [
    '-o',
    timeFile,
    '-f',
    '%e %M',
    'dd',
    `if=${image}`,
    `of=${device}`,
    'bs=4M',
    'oflag=direct',
    'conv=fsync',
    'status=none',
  ]);
  if (run.status !== 0) throw new Error(`dd failed: ${String(run.stderr)}`);
  const report = readTimeReport(timeFile);
  return { writeMs: report.elapsedMs, verifyMs: 0, totalMs: report.elapsedMs, peakRssKiB: report.peakRssKiB };
}

/** One `isotope flash --json` run; its write phase is timed by when its progress lines arrive. */
async function isotopeFlash(image: string, device: string, mode: 'raw' | 'copy', verify: boolean, timeFile: string): Promise<Timing> {
  const args = [isotopeBin, 'flash', image, device, '--mode', mode, '--yes', '--unsafe', '--json', ...(verify ? [] : ['--no-verify'])];
  const startedMs = performance.now();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', process.execPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const phaseAtMs = new Map<string, number>();
  let buffered = '';
  let lastLine = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const nowMs = performance.now();
    const lines = (buffered + chunk.toString()).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      lastLine = line;
      const event = JSON.parse(line) as { event?: string; phase?: string };
      if (event.event === 'job:progress' && event.phase !== undefined && !phaseAtMs.has(event.phase)) phaseAtMs.set(event.phase, nowMs);
    }
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const endedMs = performance.now();
  const result = JSON.parse(lastLine || '{}') as { event?: string; outcome?: string };
  if (status !== 0 || result.outcome !== 'succeeded') throw new Error(`isotope flash --mode ${mode} exited ${status}: ${lastLine}\n${stderr}`);
  const writingMs = phaseAtMs.get('writing');
  if (writingMs === undefined) throw new Error(`isotope flash --mode ${mode} reported no writing phase`);
  const verifyingMs = phaseAtMs.get('verifying');
  const doneMs = phaseAtMs.get('done') ?? endedMs;
  return {
    writeMs: (verifyingMs ?? doneMs) - writingMs,
    verifyMs: verifyingMs === undefined ? 0 : doneMs - verifyingMs,
    totalMs: endedMs - startedMs,
    peakRssKiB: readTimeReport(timeFile).peakRssKiB,
  };
}

/** One engine flash (flash-once.mjs), write only. */
function engineFlash(bundle: string, image: string, device: string, mode: 'raw' | 'copy', timeFile: string): Timing {
  const run = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', process.execPath, bundle, image, device, mode], { encoding: 'utf8' });
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { outcome?: string; writeMs?: number };
  if (run.status !== 0 || result.outcome !== 'succeeded') throw new Error(`flashImage ${mode}: ${run.stdout}\n${run.stderr}`);
  const report = readTimeReport(timeFile);
  return { writeMs: result.writeMs!, verifyMs: 0, totalMs: report.elapsedMs, peakRssKiB: report.peakRssKiB };
}

/** The disc: six large random files, smallFileCount small ones (4 KiB to 64 KiB, at most a tenth of the bytes), the GRUB loader in EFI/BOOT; genisoimage, no hybrid MBR. */
function buildDisc(dir: string): { image: string; payloadBytes: number; smallFiles: number } {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'EFI/BOOT'), { recursive: true });
  mkdirSync(join(tree, 'big'), { recursive: true });
  writeBannerLoader(join(tree, 'EFI/BOOT/BOOTX64.EFI'), 'x86_64-efi', bootBanner('bench'), dir);
  const smallBytesTotal = Math.min(Math.floor(payloadBytesWanted / 10), smallFileCount * 34 * 1024);
  const bigBytes = Math.floor((payloadBytesWanted - smallBytesTotal) / 6 / 2048) * 2048;
  for (let index = 0; index < 6; index += 1) {
    const path = join(tree, `big/part-${index}.bin`);
    const pass = `bench-${index}`;
    execFileSync('sh', [
      '-c',
      'openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -in /dev/zero 2>/dev/null | head -c "$2" > "$3"',
      'sh',
      pass,
      String(bigBytes),
      path,
    ]);
  }
  const random = readFileSync(join(tree, 'big/part-0.bin')).subarray(0, 64 * 1024);
  let smallBytes = 0;
  let smallFiles = 0;
  for (let index = 0; index < smallFileCount && smallBytes < smallBytesTotal; index += 1) {
    const folder = join(tree, `small/folder-${String(index % 30).padStart(2, '0')}`);
    mkdirSync(folder, { recursive: true });
    const sizeBytes = 4096 + ((index * 7919) % (60 * 1024));
    writeFileSync(join(folder, `file with a long name ${String(index).padStart(4, '0')}.dat`), random.subarray(0, sizeBytes));
    smallBytes += sizeBytes;
    smallFiles += 1;
  }
  const efiImage = join(tree, 'efi.img');
  execFileSync('mkfs.fat', ['-C', efiImage, '2880'], { stdio: 'ignore' });
  execFileSync('mmd', ['-i', efiImage, '::/EFI', '::/EFI/BOOT']);
  execFileSync('mcopy', ['-i', efiImage, join(tree, 'EFI/BOOT/BOOTX64.EFI'), '::/EFI/BOOT/BOOTX64.EFI']);
  const image = join(dir, 'disc.iso');
  execFileSync('genisoimage', [
    '-quiet',
    '-R',
    '-J',
    '-joliet-long',
    '-V',
    'ISOTOPE_BENCH',
    '-o',
    image,
    '-eltorito-alt-boot',
    '-efi-boot',
    'efi.img',
    '-no-emul-boot',
    tree,
  ]);
  const payloadBytes = 6 * bigBytes + smallBytes + statSync(join(tree, 'EFI/BOOT/BOOTX64.EFI')).size + statSync(efiImage).size;
  rmSync(tree, { recursive: true, force: true }); // only the disc is needed now: half the memory
  return { image, payloadBytes, smallFiles };
}

/** fsck.fat -n on the stick's first partition (where sfdisk reads it starts), read through a read-only loop device of its own. */
function fsckFat(device: string, backing: string): void {
  const table = JSON.parse(execFileSync('sfdisk', ['--json', device], { encoding: 'utf8' })) as { partitiontable: { partitions: { start: number }[] } };
  const startSector = table.partitiontable.partitions[0]?.start;
  if (startSector === undefined) throw new Error(`no partition on the copy-mode stick ${device}`);
  const partition = execFileSync('losetup', ['-f', '--show', '-r', '-o', String(startSector * 512), backing], { encoding: 'utf8' }).trim();
  try {
    execFileSync('fsck.fat', ['-n', partition], { stdio: 'pipe' });
  } finally {
    execFileSync('losetup', ['-d', partition]);
  }
}

const median = (numbers: readonly number[]): number => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
const mbps = (bytes: number, ms: number): string => `${(bytes / (ms / 1000) / 1e6).toFixed(0).padStart(6)} MB/s`;

function summarize(name: string, runs: readonly Timing[], bytes: number): Timing {
  const timing = {
    writeMs: median(runs.map((r) => r.writeMs)),
    verifyMs: median(runs.map((r) => r.verifyMs)),
    totalMs: median(runs.map((r) => r.totalMs)),
    peakRssKiB: Math.max(...runs.map((r) => r.peakRssKiB)),
  };
  console.log(
    `${name.padEnd(38)} write ${timing.writeMs.toFixed(0).padStart(6)} ms ${mbps(bytes, timing.writeMs)}   verify ${timing.verifyMs.toFixed(0).padStart(6)} ms   whole run ${timing.totalMs.toFixed(0).padStart(6)} ms   peak RSS ${(timing.peakRssKiB / 1024).toFixed(0).padStart(4)} MiB`,
  );
  return timing;
}

if (process.getuid?.() !== 0) {
  console.error('the copy-mode benchmark needs root (loop devices)');
  process.exit(2);
}
if (!statSync(join(repoRoot, 'dist/main/main.js'), { throwIfNoEntry: false })) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const help = spawnSync(process.execPath, [isotopeBin, 'flash', '--help'], { encoding: 'utf8' });
if (!help.stdout.includes('--mode')) {
  console.error('isotope flash has no --mode yet: copy-files mode is not built, nothing to measure');
  process.exit(2);
}

const dir = mkdtempSync('/dev/shm/isotope-bench-copy-');
const loops: string[] = [];
try {
  const { image, payloadBytes, smallFiles } = buildDisc(dir);
  const imageBytes = statSync(image).size;
  const attach = (name: string): { backing: string; device: string } => {
    const backing = join(dir, name);
    writeFileSync(backing, '');
    truncateSync(backing, imageBytes + 256 * MiB);
    const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
    loops.push(device);
    return { backing, device };
  };
  const rawTarget = attach('raw-target.img');
  const copyTarget = attach('copy-target.img');
  // One untimed write of each first: the backing files' pages are allocated once, not in the first timed round.
  ddWrite(image, rawTarget.device, join(dir, 'time'));
  ddWrite(image, copyTarget.device, join(dir, 'time'));
  console.log(
    `disc ${(imageBytes / MiB).toFixed(0)} MiB (files ${(payloadBytes / MiB).toFixed(0)} MiB: 6 large, ${smallFiles} small) -> loop devices over /dev/shm; ${rounds} rounds, interleaved; medians. ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at the start.\n`,
  );
  const flashOnce = await bundleFlashOnce();
  const runs = { dd: [] as Timing[], raw: [] as Timing[], copy: [] as Timing[], rawCli: [] as Timing[], copyCli: [] as Timing[] };
  const timeFile = join(dir, 'time');
  for (let round = 0; round < rounds; round += 1) {
    runs.dd.push(ddWrite(image, rawTarget.device, timeFile));
    runs.raw.push(engineFlash(flashOnce, image, rawTarget.device, 'raw', timeFile));
    runs.copy.push(engineFlash(flashOnce, image, copyTarget.device, 'copy', timeFile));
    fsckFat(copyTarget.device, copyTarget.backing);
    runs.rawCli.push(await isotopeFlash(image, rawTarget.device, 'raw', true, timeFile));
    runs.copyCli.push(await isotopeFlash(image, copyTarget.device, 'copy', true, timeFile));
  }
  const dd = summarize('dd (raw, write only)', runs.dd, imageBytes);
  const raw = summarize('flashImage raw, no SHA-256 (write)', runs.raw, imageBytes);
  const copy = summarize('flashImage copy files (write)', runs.copy, payloadBytes);
  const rawCli = summarize('isotope flash --mode raw (+ verify)', runs.rawCli, imageBytes);
  const copyCli = summarize('isotope flash --mode copy (+ verify)', runs.copyCli, payloadBytes);
  const throughput = (bytes: number, timing: Timing): number => bytes / timing.writeMs;
  console.log('');
  console.log(
    `copy-files throughput / raw:          ${(throughput(payloadBytes, copy) / throughput(imageBytes, raw)).toFixed(2)}x (flashImage both, target >= 0.80x)`,
  );
  console.log(`copy-files throughput / dd raw:       ${(throughput(payloadBytes, copy) / throughput(imageBytes, dd)).toFixed(2)}x`);
  console.log(
    `isotope flash with verify, copy / raw: ${(copyCli.totalMs / rawCli.totalMs).toFixed(2)}x the time (verify ${copyCli.verifyMs.toFixed(0)} ms against ${rawCli.verifyMs.toFixed(0)} ms: copy mode compares the bytes and reads every file back through the FAT reader)`,
  );
  const peak = (timings: readonly Timing[]): string => `${(Math.max(...timings.map((timing) => timing.peakRssKiB)) / 1024).toFixed(0)} MiB`;
  console.log(`peak RSS:                             copy ${peak([copy, copyCli])}, raw ${peak([raw, rawCli])} (plain node)`);
  console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end (anything else running on these ${cpus().length} CPUs skews every row).`);
} finally {
  for (const device of loops) execFileSync('losetup', ['-d', device]);
  rmSync(dir, { recursive: true, force: true });
}
