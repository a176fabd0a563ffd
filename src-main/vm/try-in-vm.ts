// `isotope try`: boots an image file or a drive in QEMU without changing a byte of it (-snapshot,
// see qemu-args.ts), to see it start before a stick is written. Headless, it runs for the seconds
// asked with the serial console in a file, takes a screenshot through QMP's screendump at the end
// and stops the VM; with a display, QEMU opens its own window and the run ends when it is closed.
// A compressed image is booted from its decoded cache file: QEMU reads raw bytes only.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { compressionMagicBytes, detectCompression } from '../compression/detect-compression.ts';
import { findDecodedCache } from '../container/decoded-cache.ts';
import { CodedError } from '../jobs/errors.ts';
import { encodePng, parsePpm } from './ppm-to-png.ts';
import { QmpClient } from './qmp-client.ts';
import { qemuArgs, type QemuLaunch, type VmFirmware, type VmMedium } from './qemu-args.ts';
import { findOvmf, findQemu, guestMemoryMiB, kvmUsable } from './qemu-host.ts';

export interface TryRequest {
  readonly imagePath: string;
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  /** No window; requires `seconds`. */
  readonly headless: boolean;
  /** Stop the VM after this long; null runs until the window is closed or the guest powers off. */
  readonly seconds: number | null;
  readonly serialPath: string | null;
  /** A PNG of the screen when the time is up (headless or not). */
  readonly screenshotPath: string | null;
  /** False forces TCG even where KVM is usable (tests that must behave the same on every host). */
  readonly allowKvm?: boolean;
  /** Where to look for QEMU (tests); the platform's known paths by default. */
  readonly qemuCandidates?: readonly string[];
}

export interface TryOutcome {
  readonly qemuPath: string;
  /** What QEMU read: the image itself, or its decoded cache file. */
  readonly diskPath: string;
  readonly accelerator: 'kvm' | 'tcg';
  readonly memoryMiB: number;
  /** `time-up`: ran the seconds asked and was stopped; `guest-stopped`: the guest powered off (or the window was closed) first. */
  readonly endedBy: 'time-up' | 'guest-stopped';
  readonly ranMs: number;
  readonly screenshotWritten: boolean;
}

/** How long QEMU may take to open its QMP socket before the run is given up. */
const qmpConnectTimeoutMs = 15_000;
/** How long QEMU may take to exit after `quit` before it is killed. */
const quitTimeoutMs = 5_000;
/** QEMU's stderr kept for an error message: its last lines name what failed. */
const maxStderrChars = 4096;

/** The bytes QEMU should read for `imagePath`: the path itself, or a compressed image's decoded cache file. */
export async function bootableDiskPath(imagePath: string): Promise<string> {
  const stats = await stat(imagePath);
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return imagePath; // a drive is read as it is
  if (!stats.isFile()) throw new CodedError('not-a-file', `${imagePath} is neither an image file nor a drive`, { path: imagePath });
  const handle = await open(imagePath, 'r');
  const head = new Uint8Array(compressionMagicBytes);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const compression = detectCompression(head);
  if (compression === null) return imagePath;
  const cache = await findDecodedCache(imagePath);
  if (cache !== null) return cache.cachePath;
  throw new CodedError(
    'needs-decoding',
    `${imagePath} is ${compression}-compressed (${stats.size} bytes) and QEMU boots raw bytes only: decode it first (isotope boot or isotope info decode it into a cache file)`,
    { path: imagePath },
  );
}

function hasDisplay(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'freebsd') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function checkRequest(request: TryRequest): void {
  if (request.seconds !== null && !(Number.isFinite(request.seconds) && request.seconds > 0))
    throw new CodedError('invalid-request', `--seconds must be a positive number, not ${request.seconds}`);
  if (request.headless && request.seconds === null) throw new CodedError('invalid-request', 'a headless run needs --seconds N: nothing else would stop it');
  if (!request.headless && !hasDisplay())
    throw new CodedError('unsupported', 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset): run with --headless --seconds N');
}

/** Boots the image in QEMU as asked and reports how the run ended. */
export async function tryInVm(request: TryRequest): Promise<TryOutcome> {
  checkRequest(request);
  const qemuPath = await findQemu(process.platform, request.qemuCandidates);
  const diskPath = await bootableDiskPath(request.imagePath);
  const ovmfFiles = request.firmware === 'uefi' ? await findOvmf() : null;
  const useKvm = request.allowKvm !== false && (await kvmUsable());
  const scratch = await mkdtemp(join(tmpdir(), 'isotope-try-'));
  try {
    const varsPath = join(scratch, 'OVMF_VARS.fd');
    // The guest writes its boot entries into the variable store: a fresh copy per run, the packaged one untouched.
    if (ovmfFiles) await copyFile(ovmfFiles.varsTemplatePath, varsPath);
    const launch: QemuLaunch = {
      diskPath,
      firmware: request.firmware,
      medium: request.medium,
      memoryMiB: guestMemoryMiB(),
      useKvm,
      ...(ovmfFiles ? { ovmf: { files: ovmfFiles, varsPath } } : {}),
      headless: request.headless,
      serialPath: request.serialPath,
      qmpSocketPath: join(scratch, 'qmp.sock'),
    };
    const run = await runQemu(qemuPath, launch, request, scratch);
    return { qemuPath, diskPath, accelerator: useKvm ? 'kvm' : 'tcg', memoryMiB: launch.memoryMiB, ...run };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

type RunResult = Pick<TryOutcome, 'endedBy' | 'ranMs' | 'screenshotWritten'>;

async function runQemu(qemuPath: string, launch: QemuLaunch, request: TryRequest, scratch: string): Promise<RunResult> {
  const startedMs = performance.now();
  const child = spawn(qemuPath, qemuArgs(launch), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-maxStderrChars)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const failure = (code: number | null): CodedError =>
    new CodedError(
      'unsupported',
      `QEMU (${qemuPath}) exited with code ${String(code)} after ${Math.round(performance.now() - startedMs)} ms: ${stderr.trim()}`,
    );
  let qmp: QmpClient | null = null;
  try {
    qmp = await Promise.race([QmpClient.connect(launch.qmpSocketPath!, qmpConnectTimeoutMs), exited.then((code) => Promise.reject(failure(code)))]);
    const timeUp = request.seconds === null ? new Promise<never>(() => undefined) : sleep(request.seconds * 1000).then(() => 'time-up' as const);
    const ended = await Promise.race([timeUp, exited.then((code) => ({ code }))]);
    if (ended !== 'time-up') {
      if (ended.code !== 0) throw failure(ended.code);
      return { endedBy: 'guest-stopped', ranMs: performance.now() - startedMs, screenshotWritten: false };
    }
    const ranMs = performance.now() - startedMs;
    if (request.screenshotPath !== null) await takeScreenshot(qmp, join(scratch, 'screen.ppm'), request.screenshotPath);
    await qmp.execute('quit').catch(() => undefined); // QEMU may close the socket before its reply
    return { endedBy: 'time-up', ranMs, screenshotWritten: request.screenshotPath !== null };
  } finally {
    qmp?.close();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), quitTimeoutMs);
    if (child.exitCode === null && child.signalCode === null && qmp === null) child.kill('SIGKILL');
    await exited;
    clearTimeout(killTimer);
  }
}

/** QMP screendump (a PPM, QEMU's only format before 7.1) converted to a PNG at `pngPath`. */
async function takeScreenshot(qmp: QmpClient, ppmPath: string, pngPath: string): Promise<void> {
  await qmp.execute('screendump', { filename: ppmPath });
  await writeFile(pngPath, encodePng(parsePpm(await readFile(ppmPath))));
}
