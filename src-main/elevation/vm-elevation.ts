// A VM trial of a drive this user cannot open (issue 18): the elevated helper, started as for a flash
// (elevation.ts: fixed command line, private socket, one-time secret), opens the drive O_RDONLY and
// starts QEMU as this user with that descriptor (helper/vm-helper.ts). This side sends the work,
// learns QEMU's process id, asks the helper to kill QEMU (`cancel`), and hears how it exited. QEMU's
// files (serial console, QMP socket) are in the engine's own scratch folder, read here as usual.
// The work's shape is vm/'s (drive-launch.ts); this folder may not import vm/, so it passes it on as data.
import { createServer, type Socket } from 'node:net';
import { isErrorCode } from '../../shared/errors.ts';
import { CodedError } from '../jobs/errors.ts';
import { prepareHelperLaunch, promptExec, promptRefused, type ElevationOptions } from './elevation.ts';
import { onMessages, provesSecret, sendMessage } from './helper-channel.ts';

/** QEMU run by the helper; its shape is vm/drive-launch.ts's QemuProcess. */
export interface ElevatedQemu {
  readonly pid: number;
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>;
  kill(): void;
}

/** The helper's last words kept for an error message. */
const maxStderrChars = 4096;

/** Starts the helper for `work`; resolves once QEMU runs, rejects with the helper's refusal (or the prompt's). */
export async function startElevatedQemu(work: { readonly kind: 'vm-drive' }, options: ElevationOptions = {}): Promise<ElevatedQemu> {
  const launch = await prepareHelperLaunch(options);
  let helper: Socket | null = null;
  let started: (qemu: ElevatedQemu) => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  let exit: (end: { code: number | null; stderr: string }) => void = () => undefined;
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => (exit = resolve));
  const running = new Promise<ElevatedQemu>((resolve, reject) => ((started = resolve), (failed = reject)));
  const kill = (): void => void (helper !== null && !helper.destroyed && sendMessage(helper, { type: 'cancel' }));
  const server = createServer((socket) => {
    onMessages(socket, (message) => {
      if (helper === null) {
        // The first line must be the secret; any other connection is dropped without a word.
        if (message['type'] !== 'hello' || !provesSecret(message, launch.secret)) return void socket.destroy();
        helper = socket;
        return void sendMessage(socket, { type: 'job', jobId: 'vm', work });
      }
      if (socket !== helper) return;
      const { type, pid, code, stderr, error } = message;
      if (type === 'vm-started' && typeof pid === 'number' && Number.isSafeInteger(pid)) started({ pid, exited, kill });
      if (type === 'vm-exited') exit({ code: typeof code === 'number' ? code : null, stderr: String(stderr ?? '').slice(-maxStderrChars) });
      if (type === 'vm-failed') failed(helperError(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(launch.socketPath, resolve));
  (options.exec ?? promptExec)(launch.command, (error) => {
    server.close();
    void launch.remove();
    failed(
      error
        ? new CodedError(promptRefused(error) ? 'permission-denied' : 'internal', `elevated helper: ${error.message}`)
        : new CodedError('internal', 'the elevated helper exited before QEMU started'),
    );
    exit({ code: null, stderr: 'the elevated helper exited' }); // a QEMU it started is gone with it (--pdeathsig)
  });
  return running;
}

/** The helper's refusal as a CodedError keeping its code. */
function helperError(error: unknown): CodedError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = isErrorCode(fields['code']) ? fields['code'] : 'internal';
  return new CodedError(code, `elevated helper: ${String(fields['message'] ?? 'failed').slice(0, maxStderrChars)}`);
}
