// The app's VM trial (`vm:try`) over the one runner `isotope try` uses (try-in-vm.ts): the contract's
// request becomes a TryRequest (a drive looked up by id in a fresh enumeration, never a path the
// renderer sent), checked before the job starts so a refusal fails the call itself.
import { stat } from 'node:fs/promises';
import type { Drive } from '../../shared/drive.ts';
import type { VmTryRequest, VmTryResult } from '../../shared/vm.ts';
import { deviceNumberOf, scanDrives } from '../drives/list-drives.ts';
import { CodedError } from '../jobs/errors.ts';
import type { ElevatedQemuStarter } from './drive-launch.ts';
import type { LiveBatch } from './live-view.ts';
import { findOvmf, findQemu, hasDisplay } from './qemu-host.ts';
import { bootableDiskPath, tryInVm, type TryRequest } from './try-in-vm.ts';

/** An in-app trial without `seconds` ends after this long (the contract's own maximum for `seconds`). */
export const maxInAppTrialSeconds = 3600;

/** The error for trying the disk the running system lives on: a guest would read it while the host changes it. */
function systemDriveRefusal(drive: Drive): CodedError {
  return new CodedError(
    'refused',
    `${drive.device} holds the running operating system (${drive.mountpoints.join(', ') || 'in use'}): it is never booted in a VM`,
    {
      path: drive.device,
    },
  );
}

/** The device path and number of the drive `driveId` names in `drives` (an enumeration made now); the system disk is refused. */
export function trialDriveOf(drives: readonly Drive[], driveId: string): { device: string; deviceNumber: string } {
  const drive = drives.find((candidate) => candidate.id === driveId);
  if (drive === undefined) throw new CodedError('not-found', `drive id ${JSON.stringify(driveId)} is not attached now`);
  if (drive.isSystem) throw systemDriveRefusal(drive);
  if (drive.deviceNumber === null) throw new CodedError('not-found', `${drive.device} has no device number: it cannot be opened safely`);
  return { device: drive.raw, deviceNumber: drive.deviceNumber };
}

/**
 * `isotope try DEVICE` names a drive by the path the user typed: it is looked up by device number in
 * an enumeration made now, as the app's drive id is (trialDriveOf), and is never the system disk nor
 * one of its partitions. A whole drive answers its path and number, which the runner checks on the
 * opened descriptor and the elevated helper against its own enumeration; an image file, a partition
 * or a device the enumeration does not list answer null (opened as they are, never elevated).
 */
export async function trialDriveAtPath(path: string): Promise<{ device: string; deviceNumber: string } | null> {
  const stats = await stat(path, { bigint: true });
  if (!stats.isBlockDevice()) return null;
  const deviceNumber = deviceNumberOf(stats.rdev);
  const { drives } = await scanDrives();
  const drive = drives.find((candidate) => candidate.deviceNumber === deviceNumber || candidate.partitionDeviceNumbers.includes(deviceNumber));
  if (drive === undefined) return null;
  if (drive.deviceNumber === deviceNumber) return trialDriveOf(drives, drive.id);
  if (drive.isSystem) throw systemDriveRefusal(drive);
  return null;
}

/**
 * The contract's `image` source is a regular file, nothing else: a drive is tried only by its id
 * (trialDriveOf), so its device number is checked and the system disk refused; a device path sent
 * as an "image" would skip both.
 */
async function checkImageFile(path: string): Promise<void> {
  if (!(await stat(path)).isFile())
    throw new CodedError('not-a-file', `${path} is not a regular file: a drive is tried by its id from the drive list, never by its path`, { path });
}

/**
 * The runner's request for a contract request, checked as far as it can be before QEMU starts: a
 * window where there is no display, QEMU or OVMF missing, an image that is not there or still
 * compressed, a drive not attached now are refused here (the runner checks them again as it starts).
 */
export async function trialRequest(request: VmTryRequest): Promise<TryRequest> {
  const headless = request.view === 'in-app';
  if (!headless && !hasDisplay())
    throw new CodedError('unsupported', "QEMU's own window needs a display ($DISPLAY or $WAYLAND_DISPLAY): this engine has none; choose the in-app view");
  await findQemu();
  if (request.firmware === 'uefi') await findOvmf();
  const source = request.source.kind === 'image' ? { imagePath: request.source.path } : trialDriveOf((await scanDrives()).drives, request.source.driveId);
  if ('imagePath' in source) {
    await checkImageFile(source.imagePath);
    await bootableDiskPath(source.imagePath);
  }
  return {
    imagePath: 'imagePath' in source ? source.imagePath : source.device,
    ...('deviceNumber' in source ? { expectedDeviceNumber: source.deviceNumber } : {}),
    firmware: request.firmware,
    medium: request.medium,
    headless,
    // An in-app trial nobody stops would run on unseen (a closed tab, a lost connection): an hour at most.
    seconds: request.seconds ?? (headless ? maxInAppTrialSeconds : null),
    serialPath: null,
    screenshotPath: null,
  };
}

export interface VmTrialControls {
  readonly signal: AbortSignal;
  readonly onScreen: (batch: LiveBatch) => void;
  readonly onTick: (elapsedMs: number) => void;
  /** A drive this user cannot open is tried through the elevated helper (the service passes elevation/'s starter). */
  readonly elevate?: ElevatedQemuStarter;
  readonly onStarted?: (pid: number) => void;
}

/** Runs the trial until Stop, the time asked or the guest's end; Stop is a normal end (`stopped`), not a cancellation. */
export async function runVmTrial(tryRequest: TryRequest, controls: VmTrialControls): Promise<VmTryResult> {
  const outcome = await tryInVm(tryRequest, controls);
  return {
    accelerator: outcome.accelerator,
    firmware: tryRequest.firmware,
    medium: tryRequest.medium,
    memoryMiB: outcome.memoryMiB,
    endedBy: outcome.endedBy,
    ranMs: Math.round(outcome.ranMs),
  };
}
