// The app's VM trial (`vm:try`) over the one runner `isotope try` uses (try-in-vm.ts): the contract's
// request becomes a TryRequest (a drive looked up by id in a fresh enumeration, never a path the
// renderer sent), checked before the job starts so a refusal fails the call itself.
import type { VmTryRequest, VmTryResult } from '../../shared/vm.ts';
import { scanDrives } from '../drives/list-drives.ts';
import { CodedError } from '../jobs/errors.ts';
import type { LiveBatch } from './live-view.ts';
import { findOvmf, findQemu, hasDisplay } from './qemu-host.ts';
import { bootableDiskPath, tryInVm, type TryRequest } from './try-in-vm.ts';

/** The drive's device path and number for `driveId`, from an enumeration made now. */
async function trialDrive(driveId: string): Promise<{ device: string; deviceNumber: string }> {
  const { drives } = await scanDrives();
  const drive = drives.find((candidate) => candidate.id === driveId);
  if (drive === undefined) throw new CodedError('not-found', `drive id ${JSON.stringify(driveId)} is not attached now`);
  if (drive.deviceNumber === null) throw new CodedError('not-found', `${drive.device} has no device number: it cannot be opened safely`);
  return { device: drive.raw, deviceNumber: drive.deviceNumber };
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
  const source = request.source.kind === 'image' ? { imagePath: request.source.path } : await trialDrive(request.source.driveId);
  if ('imagePath' in source) await bootableDiskPath(source.imagePath);
  return {
    imagePath: 'imagePath' in source ? source.imagePath : source.device,
    ...('deviceNumber' in source ? { expectedDeviceNumber: source.deviceNumber } : {}),
    firmware: request.firmware,
    medium: request.medium,
    headless,
    seconds: request.seconds ?? null,
    serialPath: null,
    screenshotPath: null,
  };
}

export interface VmTrialControls {
  readonly signal: AbortSignal;
  readonly onScreen: (batch: LiveBatch) => void;
  readonly onTick: (elapsedMs: number) => void;
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
