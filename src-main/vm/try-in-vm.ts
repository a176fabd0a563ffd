// `isotope try` and the app's `vm:try`: boots an image file or a drive in QEMU without changing a
// byte of it (-snapshot, see qemu-args.ts), to see it start before a stick is written. Headless, the
// serial console goes to a file; the CLI runs for the seconds asked and takes one screenshot through
// QMP's screendump at the end, the app streams the serial text and changed screenshots as it runs
// (live-view.ts) until Stop (the signal). With a display QEMU opens its own window and the run ends
// when it is closed. A compressed image is booted from its decoded cache file: QEMU reads raw bytes
// only. A drive is opened here O_RDONLY and handed to QEMU as an inherited descriptor; a drive this
// user cannot open is opened by the elevated helper instead, which starts QEMU as this user with that
// descriptor (drive-launch.ts), when the caller offers that path (`controls.elevate`: the app's vm:try
// and `isotope try DEVICE`).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { compressionMagicBytes, detectCompression } from '../compression/detect-compression.ts';
import { findDecodedCache } from '../container/decoded-cache.ts';
import { deviceNumberOf } from '../drives/list-drives.ts';
import type { InvokingUser } from '../files/invoking-user-view.ts';
import { CodedError } from '../jobs/errors.ts';
import { driveLaunch, inheritedDiskFd, scratchFiles, type ElevatedQemuStarter, type QemuProcess, type VmDriveWork } from './drive-launch.ts';
import { LiveView, screendump, type LiveBatch } from './live-view.ts';
import { ppmToPng } from './ppm-to-png.ts';
import { QmpClient } from './qmp-client.ts';
import { prepareForQemuUser, qemuUser, setprivPath, setprivUserArgs } from './qemu-user.ts';
import { qemuArgs, type QemuLaunch, type VmFirmware, type VmMedium } from './qemu-args.ts';
import { findOvmf, findQemu, guestMemoryMiB, hasDisplay, kvmUsable } from './qemu-host.ts';

export interface TryRequest {
  readonly imagePath: string;
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  /** No window; requires `seconds` or a signal to stop it. */
  readonly headless: boolean;
  /** Stop the VM after this long; null runs until the window is closed or the guest powers off. */
  readonly seconds: number | null;
  readonly serialPath: string | null;
  /** The firmware's own log (SeaBIOS's debug console, qemu-args.ts): its "No bootable device." is the evidence that nothing booted. */
  readonly firmwareLogPath?: string | null;
  /** A PNG of the screen when the time is up (headless or not). */
  readonly screenshotPath: string | null;
  /** False forces TCG even where KVM is usable (tests that must behave the same on every host). */
  readonly allowKvm?: boolean;
  /** The guest's memory; sized to the host by default (tests give a small guest, as the boot harness does). */
  readonly memoryMiB?: number;
  /** Where to look for QEMU (tests); the platform's known paths by default. */
  readonly qemuCandidates?: readonly string[];
  /** A drive named by the app: "major:minor" from the enumeration, checked on the opened descriptor (the path may have been reused since). */
  readonly expectedDeviceNumber?: string;
}

/** What a caller adds: Stop and the live view of a headless run (the app), the elevated helper (the app and the CLI). */
export interface TryControls {
  /** Aborting it stops the VM (QMP quit, then a kill): the run ends as `stopped`. */
  readonly signal?: AbortSignal;
  /** Headless only: each tick's new serial and firmware log text and changed screenshot. */
  readonly onScreen?: (batch: LiveBatch) => void;
  /** How often the live view and `onTick` run (default 1 500 ms). */
  readonly tickMs?: number;
  /** Called every tick with the time run so far (the job's progress). */
  readonly onTick?: (elapsedMs: number) => void;
  /** The live view's serial file size that ends the run with `too-large` (live-view.ts; tests give a small one). */
  readonly maxSerialFileBytes?: number;
  /** A drive this user cannot open goes through the elevated helper (headless only); without it, `needs-elevation`. */
  readonly elevate?: ElevatedQemuStarter;
  /** Called once QEMU runs, with its process id. */
  readonly onStarted?: (pid: number) => void;
}

export interface TryOutcome {
  readonly qemuPath: string;
  /** What QEMU read: the image itself, or its decoded cache file. */
  readonly diskPath: string;
  readonly accelerator: 'kvm' | 'tcg';
  readonly memoryMiB: number;
  /** `time-up`: ran the seconds asked and was stopped; `guest-stopped`: the guest powered off (or the window was closed) first; `stopped`: the signal stopped it. */
  readonly endedBy: 'time-up' | 'guest-stopped' | 'stopped';
  readonly ranMs: number;
  readonly screenshotWritten: boolean;
}

/** How long QEMU may take to open its QMP socket before the run is given up. */
const qmpConnectTimeoutMs = 15_000;
/** How long QEMU may take to exit after `quit` before it is killed. */
const quitTimeoutMs = 5_000;
/** QEMU's stderr kept for an error message: its last lines name what failed. */
const maxStderrChars = 4096;
const defaultTickMs = 1_500;

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

function checkRequest(request: TryRequest, controls: TryControls): void {
  if (request.seconds !== null && !(Number.isFinite(request.seconds) && request.seconds > 0))
    throw new CodedError('invalid-request', `--seconds must be a positive number, not ${request.seconds}`);
  if (request.headless && request.seconds === null && controls.signal === undefined)
    throw new CodedError('invalid-request', 'a headless run needs --seconds N: nothing else would stop it');
  if (!request.headless && !hasDisplay())
    throw new CodedError('unsupported', 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset): run with --headless --seconds N');
}

/**
 * Opens a drive for QEMU: O_RDONLY here, so QEMU inherits a descriptor that cannot write it; null for
 * an image file; `elevated` when this user cannot open it and the helper may (a drive named with its
 * device number, by the app's id or `isotope try DEVICE`'s lookup, tried headless: the helper's QEMU
 * has no display to open a window on).
 */
async function openDriveReadOnly(request: TryRequest, diskPath: string, controls: TryControls): Promise<FileHandle | 'elevated' | null> {
  try {
    return await openDriveHere(diskPath, request.expectedDeviceNumber);
  } catch (error) {
    if (!(error instanceof CodedError) || error.code !== 'needs-elevation') throw error;
    if (controls.elevate === undefined || request.expectedDeviceNumber === undefined || process.getuid?.() === 0) throw error;
    if (!request.headless)
      throw new CodedError(
        'needs-elevation',
        `${error.message}: the elevated helper runs such a drive only headless (its QEMU opens no window): try it headless (the app's in-app view, isotope try --headless --seconds N), or run isotope with sudo`,
        { path: diskPath },
      );
    return 'elevated';
  }
}

async function openDriveHere(diskPath: string, expectedDeviceNumber: string | undefined): Promise<FileHandle | null> {
  const stats = await stat(diskPath);
  if (!stats.isBlockDevice() && !stats.isCharacterDevice()) return null;
  let handle: FileHandle;
  try {
    handle = await open(diskPath, constants.O_RDONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      throw new CodedError('needs-elevation', `${diskPath} cannot be opened for reading by this user (${code}); QEMU is never run as root for another user`, {
        path: diskPath,
      });
    throw error;
  }
  const deviceNumber = deviceNumberOf((await handle.stat({ bigint: true })).rdev);
  if (expectedDeviceNumber !== undefined && deviceNumber !== expectedDeviceNumber) {
    await handle.close();
    throw new CodedError('not-found', `${diskPath} is now device ${deviceNumber}, not the drive ${expectedDeviceNumber} that was named`, { path: diskPath });
  }
  return handle;
}

/** Boots the image in QEMU as asked and reports how the run ended. */
export async function tryInVm(request: TryRequest, controls: TryControls = {}): Promise<TryOutcome> {
  checkRequest(request, controls);
  const qemuPath = await findQemu(process.platform, request.qemuCandidates);
  const diskPath = await bootableDiskPath(request.imagePath);
  const ovmfFiles = request.firmware === 'uefi' ? await findOvmf() : null;
  const useKvm = request.allowKvm !== false && (await kvmUsable());
  const drive = await openDriveReadOnly(request, diskPath, controls);
  // 0700 and this user's: the elevated helper checks both before its QEMU (run as this user) writes here.
  const scratch = await mkdtemp(join(tmpdir(), 'isotope-try-'));
  try {
    const varsPath = join(scratch, scratchFiles.ovmfVars);
    // The guest writes its boot entries into the variable store: a fresh copy per run, the packaged one untouched.
    if (ovmfFiles) await copyFile(ovmfFiles.varsTemplatePath, varsPath);
    // The live view tails both consoles: the caller's files, else the scratch folder's.
    const live = controls.onScreen !== undefined && request.headless;
    const memoryMiB = request.memoryMiB ?? guestMemoryMiB();
    const serialPath = request.serialPath ?? (live ? join(scratch, scratchFiles.serial) : null);
    // The live view keeps SeaBIOS's debug console (its "No bootable device." is only there), not OVMF's:
    // Debian's release OVMF writes nothing to it, and a debug build writes megabytes, which would end
    // the trial at the view's cap. A firmware log the caller names is kept whatever the firmware.
    const liveFirmwareLog = live && request.firmware === 'bios';
    const firmwareLogPath = request.firmwareLogPath ?? (liveFirmwareLog ? join(scratch, scratchFiles.firmwareLog) : null);
    let launch: QemuLaunch;
    let start: () => Promise<QemuProcess>;
    if (drive === 'elevated') {
      const { firmware, medium } = request;
      const deviceNumber = request.expectedDeviceNumber!; // elevatable only with it (openDriveReadOnly)
      const work: VmDriveWork = {
        kind: 'vm-drive',
        device: diskPath,
        deviceNumber,
        scratchDir: scratch,
        firmware,
        medium,
        memoryMiB,
        useKvm,
        serial: serialPath !== null,
        firmwareLog: firmwareLogPath !== null,
      };
      launch = driveLaunch(work, ovmfFiles);
      start = () => controls.elevate!(work);
    } else {
      launch = {
        diskPath,
        ...(drive === null ? {} : { inheritedDiskFd }),
        firmware: request.firmware,
        medium: request.medium,
        memoryMiB,
        useKvm,
        ...(ovmfFiles ? { ovmf: { files: ovmfFiles, varsPath } } : {}),
        headless: request.headless,
        serialPath,
        firmwareLogPath,
        qmpSocketPath: join(scratch, scratchFiles.qmpSocket),
      };
      start = () => startQemuHere(qemuPath, launch, drive?.fd ?? null, scratch);
    }
    let run: RunResult;
    try {
      run = await runQemu({ qemuPath, launch, request, controls, scratch, start });
    } catch (error) {
      // The logs say why the run failed, but a log that cannot be kept must not hide the run's own error.
      if (drive === 'elevated') await keepScratchLogs(launch, request).catch(() => undefined);
      throw error;
    }
    if (drive === 'elevated') await keepScratchLogs(launch, request);
    return { qemuPath, diskPath, accelerator: useKvm ? 'kvm' : 'tcg', memoryMiB, ...run };
  } finally {
    if (drive !== 'elevated') await drive?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The elevated helper's QEMU writes only into the run's scratch folder (drive-launch.ts): the serial
 * console and firmware log the caller asked for are copied from there once QEMU has exited, also
 * when the run failed (they say why). A log QEMU never created is no error.
 */
async function keepScratchLogs(launch: QemuLaunch, request: TryRequest): Promise<void> {
  const copies = [
    [launch.serialPath, request.serialPath],
    [launch.firmwareLogPath, request.firmwareLogPath ?? null],
  ] as const;
  for (const [from, to] of copies) if (from !== null && to !== null && existsSync(from)) await copyFile(from, to);
}

type RunResult = Pick<TryOutcome, 'endedBy' | 'ranMs' | 'screenshotWritten'>;

interface QemuRun {
  readonly qemuPath: string;
  readonly launch: QemuLaunch;
  readonly request: TryRequest;
  readonly controls: TryControls;
  readonly scratch: string;
  /** Starts QEMU: here, or through the elevated helper for a drive this user cannot open. */
  readonly start: () => Promise<QemuProcess>;
}

/**
 * On Linux QEMU is started through `setpriv --pdeathsig KILL`, which sets PR_SET_PDEATHSIG and execs
 * QEMU in the same process: if the engine dies (killed, crashed), the kernel kills its VMs too, so a
 * headless guest never runs on unseen. Under sudo setpriv also makes it the invoking user (qemu-user.ts).
 * Without setpriv, QEMU is started as it is.
 */
function withParentDeathSignal(qemuPath: string, args: string[], user: InvokingUser | null): [string, string[]] {
  if (process.platform !== 'linux' || !existsSync(setprivPath)) return [qemuPath, args];
  return [setprivPath, [...(user === null ? [] : setprivUserArgs(user)), '--pdeathsig', 'KILL', '--', qemuPath, ...args]];
}

/**
 * QEMU as a child of this process; `driveFd`, the drive's O_RDONLY descriptor here, becomes its
 * `inheritedDiskFd`. TMPDIR is the run's scratch folder: `-snapshot` puts its overlay, which holds
 * every byte the guest writes, in $TMPDIR (/var/tmp by default, QEMU's get_tmp_filename), so it
 * stays in this run's 0700 folder and goes with it.
 */
async function startQemuHere(qemuPath: string, launch: QemuLaunch, driveFd: number | null, scratchDir: string): Promise<QemuProcess> {
  const user = process.platform === 'linux' ? qemuUser() : null;
  if (user !== null) await prepareForQemuUser(user, driveFd === null ? launch.diskPath : null, scratchDir);
  const stdio = driveFd === null ? (['ignore', 'ignore', 'pipe'] as const) : (['ignore', 'ignore', 'pipe', driveFd] as const);
  const [command, args] = withParentDeathSignal(qemuPath, qemuArgs(launch), user);
  const child = spawn(command, args, { stdio: [...stdio], env: { ...process.env, TMPDIR: scratchDir } });
  return { pid: child.pid, exited: childExit(child), kill: () => void child.kill('SIGKILL') };
}

/** A child's exit code (null when it could not start or a signal ended it) and the last words of its stderr. */
export function childExit(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr = (stderr + text).slice(-maxStderrChars)));
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ code, stderr }));
    child.once('error', () => resolve({ code: null, stderr }));
  });
}

/** QEMU started (here or by the helper): its exit code alone, and the error naming how it failed. */
async function startQemu({ qemuPath, start, controls }: QemuRun) {
  const startedMs = performance.now();
  const qemu = await start();
  if (qemu.pid !== undefined) controls.onStarted?.(qemu.pid);
  let stderr = '';
  const exited = qemu.exited.then((end) => ((stderr = end.stderr), end.code));
  const failure = (code: number | null): CodedError =>
    new CodedError(
      'unsupported',
      `QEMU (${qemuPath}) exited with code ${String(code)} after ${Math.round(performance.now() - startedMs)} ms: ${stderr.trim()}`,
    );
  return { qemu, exited, failure, startedMs };
}

/** Resolves when the run should end: the time asked is up, or the signal was aborted; never otherwise. */
function endRequested(request: TryRequest, signal: AbortSignal | undefined): Promise<'time-up' | 'stopped'> {
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal?.aborted) resolve('stopped');
    signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  const timeUp = request.seconds === null ? new Promise<never>(() => undefined) : sleep(request.seconds * 1000).then(() => 'time-up' as const);
  return Promise.race([timeUp, stopped]);
}

async function runQemu(run: QemuRun): Promise<RunResult> {
  const { request, controls, launch, scratch } = run;
  const { qemu, exited, failure, startedMs } = await startQemu(run);
  let qmp: QmpClient | null = null;
  const live =
    controls.onScreen && launch.serialPath !== null
      ? new LiveView({
          serialPath: launch.serialPath,
          firmwareLogPath: launch.firmwareLogPath,
          ppmPath: join(scratch, 'live.ppm'),
          startedMs,
          onBatch: controls.onScreen,
          ...(controls.maxSerialFileBytes === undefined ? {} : { maxSerialFileBytes: controls.maxSerialFileBytes }),
        })
      : null;
  let ticker: NodeJS.Timeout | undefined;
  try {
    qmp = await Promise.race([QmpClient.connect(launch.qmpSocketPath!, qmpConnectTimeoutMs), exited.then((code) => Promise.reject(failure(code)))]);
    ticker = startTicker(qmp, live, controls, startedMs);
    const flooded = live?.flooded ?? new Promise<never>(() => undefined);
    const ended = await Promise.race([endRequested(request, controls.signal), exited.then((code) => ({ code })), flooded]);
    clearInterval(ticker);
    if (ended instanceof CodedError) {
      await qmp.execute('quit').catch(() => undefined); // a guest flooding its serial console: stopped, and the run fails saying so
      throw ended;
    }
    if (typeof ended !== 'string') {
      if (ended.code !== 0) throw failure(ended.code);
      return { endedBy: 'guest-stopped', ranMs: performance.now() - startedMs, screenshotWritten: false };
    }
    const ranMs = performance.now() - startedMs;
    const screenshot = ended === 'time-up' && request.screenshotPath !== null;
    if (screenshot) await takeScreenshot(qmp, join(scratch, 'screen.ppm'), request.screenshotPath!);
    await qmp.execute('quit').catch(() => undefined); // QEMU may close the socket before its reply
    return { endedBy: ended, ranMs, screenshotWritten: screenshot };
  } finally {
    clearInterval(ticker);
    qmp?.close();
    const killTimer = setTimeout(() => qemu.kill(), quitTimeoutMs);
    if (qmp === null) qemu.kill(); // never connected (or failed): nothing to ask to quit
    await exited;
    clearTimeout(killTimer);
    await live?.finish();
  }
}

/** Every tick: the live view's batch (one at a time: a slow screendump skips ticks, never piles them up) and the progress. */
function startTicker(qmp: QmpClient, live: LiveView | null, controls: TryControls, startedMs: number): NodeJS.Timeout {
  let busy = false;
  return setInterval(() => {
    controls.onTick?.(Math.round(performance.now() - startedMs));
    if (live === null || busy) return;
    busy = true;
    void live
      .tick(qmp)
      .catch(() => undefined) // a screendump refused while QEMU quits: the next tick or the final batch shows the rest
      .finally(() => (busy = false));
  }, controls.tickMs ?? defaultTickMs);
}

/** QMP screendump converted to a PNG at `pngPath`. */
async function takeScreenshot(qmp: QmpClient, ppmPath: string, pngPath: string): Promise<void> {
  await writeFile(pngPath, ppmToPng(await screendump(qmp, ppmPath)));
}
