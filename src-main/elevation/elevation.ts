// Where a flash job runs: here when the engine is privileged or no target is a block device, else in
// the elevated helper (so elevation/ imports flash/, never the reverse). The helper is started
// through the OS prompt (@vscode/sudo-prompt: pkexec on Linux) with a FIXED command line - the
// interpreter, the entry script, `flash-helper` and a random hex token - so no file name or device
// path ever reaches a shell. The job goes over the private channel (helper-channel.ts); the helper
// re-enumerates and re-checks the targets itself, and streams progress and the result back. A write
// while downloading (issue 19) also sends the download's reports down the channel as they come: the
// helper reads the file only as far as they say it landed (flash/source/growing-feed-log.ts).
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import sudo from '@vscode/sudo-prompt';
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { helperDirFor, onMessages, provesSecret, sendMessage } from './helper-channel.ts';
import { runFlashWorkHere, targetsBlockDevice, type FlashWork, type WorkControls } from '../flash/flash-work.ts';
import type { TargetSelector } from '../flash/flash-image.ts';
import { writeHere, type StartArrivingWrite } from '../flash/flash-from-download.ts';
import { GrowingFeedLog } from '../flash/source/growing-feed-log.ts';
import { failedBeforeWriting } from '../flash/write-arriving-image.ts';

export interface ElevationOptions {
  /**
   * The interpreter and script that start the helper; default: this process's own (the `isotope`
   * command). Electron must pass its bundle's main.js: the interpreter is then the Electron binary,
   * run as Node.
   */
  readonly interpreterPath?: string;
  readonly entryPath?: string;
  /** How to run the elevated command; default sudo-prompt's exec. Tests pass their own prompt. */
  readonly exec?: (command: string, done: (error: Error | null) => void) => void;
}

/** Characters allowed in the interpreter and entry paths, which do go into the shell string. */
const safePathPattern = /^[A-Za-z0-9_@%+=:,./ -]+$/;

export function helperCommand(interpreterPath: string, entryPath: string, token: string, options: { electron?: boolean } = {}): string {
  for (const path of [interpreterPath, entryPath]) {
    // These are installation paths, not user input; still, refuse any that a shell would interpret.
    if (!safePathPattern.test(path)) throw new Error(`refusing to elevate: ${JSON.stringify(path)} holds shell metacharacters`);
  }
  helperDirFor(token); // validates the token
  // pkexec starts the program with a clean environment, so Electron's "run as Node" switch has to be
  // part of the command itself (sudo-prompt's `env` option is exported before pkexec, and lost).
  const prefix = options.electron ? 'ELECTRON_RUN_AS_NODE=1 ' : '';
  return `${prefix}'${interpreterPath}' '${entryPath}' flash-helper ${token}`;
}

/** Root, and jobs with no block-device target (the user's own rights decide), run here; others elevate. */
export async function runFlashWork(work: FlashWork, controls: WorkControls, elevation: ElevationOptions = {}): Promise<FlashResult> {
  if (process.getuid?.() === 0 || !(await targetsBlockDevice(work.kind === 'verify' ? [work.target] : work.targets))) return runFlashWorkHere(work, controls);
  return runElevated(work, controls, elevation);
}

/** `arriving`: a write while downloading, whose download's reports are forwarded to the helper once it connects. */
export async function runElevated(work: FlashWork, controls: WorkControls, options: ElevationOptions = {}, arriving?: GrowingFeedLog): Promise<FlashResult> {
  const launch = await prepareHelperLaunch(options);
  try {
    return await serveHelper(launch.socketPath, launch.secret, { work, arriving }, controls, (done) => (options.exec ?? promptExec)(launch.command, done));
  } finally {
    await launch.remove();
  }
}

/**
 * Where a write while downloading writes (issue 19): here when this process is root or no target is a
 * block device, else in the elevated helper. The helper starts once the download's file exists (it
 * opens it with the user's rights), reads only what the download has reported over its channel, and
 * marks the sticks unusable itself when the download fails or its checksums disagree.
 */
export async function chooseArrivingWrite(targets: readonly TargetSelector[], elevation: ElevationOptions = {}): Promise<StartArrivingWrite> {
  if (process.getuid?.() === 0 || !(await targetsBlockDevice(targets))) return writeHere;
  return (options) => {
    const feed = new GrowingFeedLog();
    const controls: WorkControls = {
      jobId: options.jobId ?? randomBytes(8).toString('hex'),
      signal: options.signal ?? new AbortController().signal,
      onProgress: options.onProgress ?? (() => undefined),
    };
    const done = feed.mirror.whenOpened().then(
      (imagePath) =>
        runElevated(
          { kind: 'flash', imagePath, targets, verify: options.verify, includeAll: options.includeAll, eject: false, arriving: true },
          controls,
          elevation,
          feed,
        ),
      (error: unknown) => failedBeforeWriting(options, error),
    );
    return { feed, done };
  };
}

/** What starting one helper takes: its private directory, the socket to listen on there, its one-time secret, and its fixed command line. */
export interface HelperLaunch {
  readonly socketPath: string;
  readonly secret: Buffer;
  readonly command: string;
  /** Removes the directory with the socket and the secret. */
  remove(): Promise<void>;
}

/** Makes a fresh 0700 directory named by a random token and writes the secret there (helper-channel.ts); the helper gets only the token. */
export async function prepareHelperLaunch(options: ElevationOptions): Promise<HelperLaunch> {
  const token = randomBytes(16).toString('hex');
  const secret = randomBytes(32);
  const dir = helperDirFor(token);
  await mkdir(dir, { mode: 0o700 }); // fails if it exists: nobody can pre-plant the directory
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await writeFile(join(dir, 'secret'), secret.toString('hex'), { mode: 0o600, flag: 'wx' });
    const command = helperCommand(options.interpreterPath ?? process.execPath, options.entryPath ?? process.argv[1] ?? '', token, {
      electron: process.versions.electron !== undefined,
    });
    return { socketPath: join(dir, 'socket'), secret, command, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The prompt's error when the user refused or dismissed it (pkexec exits 126), not when the helper failed. */
export function promptRefused(error: Error): boolean {
  return /did not grant permission|dismissed|126/i.test(error.message);
}

/**
 * sudo-prompt writes `cd "<working directory>"` into its shell string, escaping only double quotes,
 * so a directory named `\`...\`` would run as a command (found by elevation.integration.test.ts). It
 * reads the directory asynchronously, so the engine stays in `/` until the prompt has returned.
 */
let promptsRunning = 0;
let restoreDir = '/';
export function promptExec(command: string, done: (error: Error | null) => void): void {
  if (promptsRunning === 0) restoreDir = process.cwd();
  promptsRunning += 1;
  process.chdir('/');
  sudo.exec(command, { name: 'Isotope' }, (error) => {
    promptsRunning -= 1;
    if (promptsRunning === 0) process.chdir(restoreDir);
    done(error ?? null);
  });
}

function serveHelper(
  socketPath: string,
  secret: Buffer,
  { work, arriving }: { readonly work: FlashWork; readonly arriving: GrowingFeedLog | undefined },
  controls: WorkControls,
  start: (done: (error: Error | null) => void) => void,
): Promise<FlashResult> {
  return new Promise((resolve) => {
    let settled = false;
    let helper: Socket | null = null;
    const server = createServer((socket) => {
      onMessages(socket, (message) => {
        if (helper === null) {
          // The first line must be the secret; any other connection is dropped without a word.
          if (message['type'] !== 'hello' || !provesSecret(message, secret)) return void socket.destroy();
          helper = socket;
          sendMessage(socket, { type: 'job', jobId: controls.jobId, work });
          arriving?.listen((event) => sendMessage(socket, { type: 'arriving', event }));
          if (controls.signal.aborted) sendMessage(socket, { type: 'cancel' });
          controls.signal.addEventListener('abort', () => sendMessage(socket, { type: 'cancel' }), { once: true });
          return;
        }
        if (socket !== helper) return;
        if (message['type'] === 'progress') controls.onProgress(message['progress'] as FlashProgress);
        if (message['type'] === 'result') received = message['result'] as FlashResult;
      });
    });
    // Resolve once the helper has exited (the prompt's callback), with its result if it sent one.
    let received: FlashResult | null = null;
    const finish = (result: FlashResult): void => {
      if (settled) return;
      settled = true;
      server.close();
      resolve(result);
    };
    const failWith = (code: 'permission-denied' | 'internal', message: string): void =>
      finish({
        jobId: controls.jobId,
        outcome: 'failed',
        source: { path: work.kind === 'format' ? '' : work.imagePath, compression: 'none', sizeBytes: 0, sha256Hex: null },
        targets: (work.kind === 'verify' ? [work.target] : work.targets).map((target) => ({
          target: 'driveId' in target ? target.driveId : target.path,
          outcome: 'failed' as const,
          bytesWritten: 0,
          error: { code, message, offsetBytes: null },
          mismatch: null,
          refusals: [],
        })),
        elapsedMs: 0,
      });
    server.listen(socketPath, () => {
      start((error) => {
        if (received !== null) return finish(received);
        if (error) failWith(promptRefused(error) ? 'permission-denied' : 'internal', `elevated helper: ${error.message}`);
        else failWith('internal', 'the elevated helper exited without a result');
      });
    });
  });
}
