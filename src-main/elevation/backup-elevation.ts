// Where a backup's device is read: here when this process may open it (root, or a user in the `disk`
// group), else by the elevated helper, which reads only that whole device and streams its bytes to
// this process; compressing and writing the file always happen here, with the user's own rights.
// The helper is started as for a flash (elevation.ts: fixed command line, private socket, one-time
// secret); it then opens a second connection for the bytes, whose first line proves the secret too.
import { createServer, type Server, type Socket } from 'node:net';
import type { BackupResult } from '../../shared/backup.ts';
import { isErrorCode } from '../../shared/errors.ts';
import type { BackupControls } from '../backup/backup-drive.ts';
import { openDeviceHere, runBackupWork, type BackupWork } from '../backup/backup-work.ts';
import type { DeviceBytes } from '../backup/device-reader.ts';
import { CodedError } from '../jobs/errors.ts';
import { prepareHelperLaunch, promptExec, promptRefused, type ElevationOptions } from './elevation.ts';
import { onMessages, provesSecret, sendMessage } from './helper-channel.ts';

/** The first line of a connection (hello or data) is short; a longer one is not our helper. */
const maxFirstLineBytes = 512;

export async function runBackup(
  work: BackupWork,
  controls: BackupControls & { readonly jobId: string },
  elevation: ElevationOptions = {},
): Promise<BackupResult> {
  return runBackupWork(work, controls, async (job, signal) => {
    try {
      return await openDeviceHere(job, signal);
    } catch (error) {
      if (!(error instanceof CodedError) || error.code !== 'permission-denied' || process.getuid?.() === 0) throw error;
      return openDeviceElevated(job, signal, elevation);
    }
  });
}

/** The device's bytes as the elevated helper streams them; the helper exits when they end or on cancel. */
export async function openDeviceElevated(work: BackupWork, signal: AbortSignal, options: ElevationOptions = {}): Promise<DeviceBytes> {
  const launch = await prepareHelperLaunch(options);
  const server = createServer();
  const cleanUp = (): void => {
    server.close();
    void launch.remove();
  };
  try {
    const opened = serveBackupHelper(server, launch.secret, work, signal);
    await new Promise<void>((resolve) => server.listen(launch.socketPath, resolve));
    (options.exec ?? promptExec)(launch.command, (error) => {
      cleanUp();
      opened.helperExited(error);
    });
    return await opened.bytes;
  } catch (error) {
    cleanUp();
    throw error;
  }
}

/** The helper's two connections: control (job, size, outcome) and data (the bytes). */
function serveBackupHelper(
  server: Server,
  secret: Buffer,
  work: BackupWork,
  signal: AbortSignal,
): { bytes: Promise<DeviceBytes>; helperExited: (error: Error | null) => void } {
  let failOpen: (error: Error) => void = () => undefined;
  let data: Socket | null = null;
  let sizeBytes: number | null = null;
  const bytes = new Promise<DeviceBytes>((resolve, reject) => {
    failOpen = reject;
    const deliver = (): void => {
      if (data === null || sizeBytes === null) return;
      const stream = data;
      resolve({ sizeBytes, chunks: stream, close: async () => void stream.destroy() });
    };
    // The helper said it failed: before the bytes flow the open fails; after, the stream ends with its error.
    const helperFailed = (error: Error): void => {
      reject(error);
      if (data !== null && !data.readableEnded && !data.destroyed) data.destroy(error);
    };
    server.on('connection', (socket) => {
      void firstLine(socket).then((message) => {
        if (message === null || !provesSecret(message, secret)) return void socket.destroy();
        if (message['type'] === 'hello') {
          return controlHelper(socket, work, signal, { opened: (size) => ((sizeBytes = size), deliver()), helperFailed, channelFailed: reject });
        }
        if (message['type'] === 'data' && data === null) return void ((data = socket), deliver());
        socket.destroy();
      });
    });
  });
  return {
    bytes,
    // Its exit fails only an open still waiting: bytes already flowing end with the stream (a short one is
    // a read-failed of its own), and a helper that sent them all may exit before they are all consumed.
    helperExited: (error) => {
      const reason = error ? `elevated helper: ${error.message}` : 'the elevated helper exited before it opened the device';
      const code = error && promptRefused(error) ? 'permission-denied' : 'read-failed';
      failOpen(new CodedError(code, reason));
    },
  };
}

function controlHelper(
  socket: Socket,
  work: BackupWork,
  signal: AbortSignal,
  events: { opened: (sizeBytes: number) => void; helperFailed: (error: Error) => void; channelFailed: (error: Error) => void },
): void {
  sendMessage(socket, { type: 'job', jobId: 'backup', work: { kind: 'backup', device: work.device, deviceNumber: work.deviceNumber } });
  const cancel = (): void => sendMessage(socket, { type: 'cancel' });
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  socket.on('error', (error) => events.channelFailed(new CodedError('read-failed', `elevated helper's channel: ${error.message}`)));
  onMessages(socket, (message) => {
    const size = message['sizeBytes'];
    if (message['type'] === 'backup-opened' && typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) events.opened(size);
    if (message['type'] === 'backup-failed') {
      const error = (message['error'] ?? {}) as Record<string, unknown>;
      const code = isErrorCode(error['code']) ? error['code'] : 'read-failed';
      events.helperFailed(new CodedError(code, `elevated helper: ${String(error['message'] ?? 'failed')}`));
    }
  });
}

/** Reads a connection's first line (JSON) and puts back whatever followed it; null when it is not one. */
function firstLine(socket: Socket): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(0x0a);
      if (end === -1 && buffered.length <= maxFirstLineBytes) return;
      socket.off('data', onData);
      socket.pause();
      if (end === -1) return resolve(null);
      if (end + 1 < buffered.length) socket.unshift(buffered.subarray(end + 1));
      try {
        const parsed: unknown = JSON.parse(buffered.subarray(0, end).toString('utf8'));
        resolve(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null);
      } catch {
        resolve(null);
      }
    };
    socket.on('data', onData);
    socket.once('error', () => resolve(null));
  });
}
