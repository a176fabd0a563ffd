// The elevated helper's part of a backup: it reads one whole block device - found again in its own
// enumeration by path AND device number, checked once more by fstat of the opened descriptor - and
// streams the raw bytes to the engine over a second connection to the private socket. It never opens
// a user's file: compressing, hashing and writing the image happen in the engine, as the user.
// The system drive is refused: the prompt cannot name the drive, and a root-read copy of the system
// disk in a user's folder would hand that user every file on it (issue 12 §1: least privilege).
import { connect, type Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { openDeviceBytes } from '../backup/device-reader.ts';
import { scanDrives } from '../drives/list-drives.ts';
import { sendMessage } from '../elevation/helper-channel.ts';
import { CodedError } from '../jobs/errors.ts';

export interface BackupHelperWork {
  readonly kind: 'backup';
  readonly device: string;
  readonly deviceNumber: string;
}

/** The job as the helper accepts it: plain strings of bounded length, nothing else. */
export function parseBackupHelperWork(value: unknown): BackupHelperWork | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, device, deviceNumber } = value as Record<string, unknown>;
  if (kind !== 'backup' || typeof device !== 'string' || typeof deviceNumber !== 'string') return null;
  if (!device.startsWith('/dev/') || device.length > 256 || !/^\d{1,10}:\d{1,10}$/.test(deviceNumber)) return null;
  return { kind, device, deviceNumber };
}

/**
 * Serves one backup: `backup-opened` with the size on the control socket, the bytes on a data
 * connection that starts with the secret, then `backup-done`; or `backup-failed` with a code and message.
 * Resolves to the helper's exit code.
 */
export async function runBackupHelper(
  work: BackupHelperWork,
  channel: { readonly control: Socket; readonly socketPath: string; readonly secret: string; readonly signal: AbortSignal },
): Promise<number> {
  try {
    const drive = (await scanDrives()).drives.find((candidate) => candidate.device === work.device && candidate.deviceNumber === work.deviceNumber);
    if (drive === undefined) throw new CodedError('not-found', `${work.device} (${work.deviceNumber}) is not a whole drive of the helper's enumeration`);
    if (drive.isSystem) throw new CodedError('forbidden', `${work.device} holds the operating system: the elevated helper does not read it`);
    const bytes = await openDeviceBytes(work.device, { deviceNumber: work.deviceNumber, signal: channel.signal });
    sendMessage(channel.control, { type: 'backup-opened', sizeBytes: bytes.sizeBytes });
    const data = connect(channel.socketPath);
    await new Promise<void>((resolve, reject) => data.once('connect', resolve).once('error', reject));
    data.write(`${JSON.stringify({ type: 'data', secret: channel.secret })}\n`);
    await pipeline(bytes.chunks, data, { signal: channel.signal });
    sendMessage(channel.control, { type: 'backup-done' });
    return 0;
  } catch (error) {
    const code = error instanceof CodedError ? error.code : 'read-failed';
    sendMessage(channel.control, { type: 'backup-failed', error: { code, message: error instanceof Error ? error.message : String(error) } });
    return 1;
  }
}
