// The elevated helper's part of a VM trial of a drive (issue 18: "reading it needs the same elevation
// path as verify, and the drive is opened read-only"). It finds the drive again in its own enumeration
// by path AND device number (a system drive is refused, as for a backup: through QMP the user could
// copy every byte QEMU can read), opens it O_RDONLY, checks the descriptor is that block device, and
// starts QEMU AS THE INVOKING USER - never as root for another user - with that descriptor as fd 3,
// argv rebuilt here from the checked work (vm/drive-launch.ts), a clean environment, no supplementary
// groups, and `--pdeathsig KILL` set after the ids change (a helper that dies takes QEMU with it).
// It relays QEMU's start and exit, and kills QEMU on `cancel` or when the engine's channel closes.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, open, type FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { deviceNumberOf, scanDrives } from '../drives/list-drives.ts';
import { sendMessage } from '../elevation/helper-channel.ts';
import { CodedError } from '../jobs/errors.ts';
import { driveLaunch, inheritedDiskFd, type VmDriveWork } from '../vm/drive-launch.ts';
import { qemuArgs } from '../vm/qemu-args.ts';
import { findOvmf, findQemu } from '../vm/qemu-host.ts';
import { childExit } from '../vm/try-in-vm.ts';
import type { InvokingUser } from './invoking-user.ts';

/** util-linux's setpriv at its fixed path: it drops the ids and groups, then sets the parent-death signal. */
const setprivPath = '/usr/bin/setpriv';

/** Runs one trial; resolves to the helper's exit code once QEMU has exited (or was refused). */
export async function runVmHelper(
  work: VmDriveWork,
  channel: { readonly control: Socket; readonly signal: AbortSignal; readonly user: InvokingUser },
): Promise<number> {
  let drive: FileHandle | null = null;
  try {
    await checkScratchDir(work.scratchDir, channel.user.uid);
    await access(setprivPath, constants.X_OK).catch(() => {
      throw new CodedError('unsupported', `${setprivPath} (util-linux) is missing: the helper cannot start QEMU as uid ${channel.user.uid}`);
    });
    drive = await openCheckedDrive(work);
    const qemuPath = await findQemu('linux');
    const launch = driveLaunch(work, work.firmware === 'uefi' ? await findOvmf() : null);
    const { uid, gid } = channel.user;
    const idArgs = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--pdeathsig', 'KILL', '--'];
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'ignore', 'pipe'];
    stdio[inheritedDiskFd] = drive.fd; // the only descriptor QEMU gets beyond its standard three
    const child = spawn(setprivPath, [...idArgs, qemuPath, ...qemuArgs(launch)], {
      stdio,
      env: { PATH: '/usr/bin:/bin', TMPDIR: work.scratchDir }, // -snapshot's overlay goes to the user's scratch folder, not /var/tmp
      cwd: '/',
    });
    const exited = childExit(child);
    await drive.close(); // QEMU holds its own copy of the descriptor
    drive = null;
    const kill = (): void => void child.kill('SIGKILL');
    channel.signal.addEventListener('abort', kill, { once: true });
    channel.control.once('close', kill); // the engine gone: nobody watches or stops this VM
    if (child.pid !== undefined) sendMessage(channel.control, { type: 'vm-started', pid: child.pid });
    const end = await exited;
    sendMessage(channel.control, { type: 'vm-exited', code: end.code, stderr: end.stderr });
    return end.code === 0 ? 0 : 1;
  } catch (error) {
    await drive?.close();
    const code = error instanceof CodedError ? error.code : 'internal';
    sendMessage(channel.control, { type: 'vm-failed', error: { code, message: error instanceof Error ? error.message : String(error) } });
    return 1;
  }
}

/** The engine's scratch folder: a real directory (not a link), the invoking user's, private to them. */
async function checkScratchDir(path: string, uid: number): Promise<void> {
  const stats = await lstat(path).catch(() => null);
  if (stats === null || !stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o077) !== 0)
    throw new CodedError('refused', `${path} is not a private folder of uid ${uid}: QEMU's files go only there`);
}

/** The drive O_RDONLY, once the helper's own enumeration lists it as a whole drive and not the system's, and its descriptor is that device. */
async function openCheckedDrive(work: VmDriveWork): Promise<FileHandle> {
  const { drives } = await scanDrives();
  const drive = drives.find((candidate) => candidate.raw === work.device && candidate.deviceNumber === work.deviceNumber);
  if (drive === undefined) throw new CodedError('not-found', `${work.device} (${work.deviceNumber}) is not a whole drive of the helper's enumeration`);
  if (drive.isSystem) throw new CodedError('forbidden', `${work.device} holds the operating system: the elevated helper does not hand it to a VM`);
  const handle = await open(work.device, constants.O_RDONLY | constants.O_NOFOLLOW);
  const stats = await handle.stat({ bigint: true });
  const deviceNumber = stats.isBlockDevice() ? deviceNumberOf(stats.rdev) : null;
  if (deviceNumber !== work.deviceNumber) {
    await handle.close();
    throw new CodedError(
      'not-found',
      `${work.device} is now ${deviceNumber === null ? 'not a block device' : `device ${deviceNumber}`}, not the drive ${work.deviceNumber} that was named`,
    );
  }
  return handle;
}
