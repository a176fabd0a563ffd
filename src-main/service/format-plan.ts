// The two steps of restoring a drive to an empty stick, as a write's (flash-plan.ts): `drives:format-prepare`
// enumerates afresh, runs the safety rules, composes the new stick once (so the label shown is the
// label written, and a volume FAT32 cannot hold is refused now) and issues a confirmation bound to
// the drive's identity and these options; `drives:format-start` uses it up, refusing unless the same
// drive is in the slot, its name was typed where asked and the shell's own dialog was accepted.
import type { FormatPlan, FormatPrepareRequest, FormatStartRequest } from '../../shared/flash.ts';
import type { NewFileSystem } from '../../shared/stick.ts';
import { safetyContext, scanDrives } from '../drives/list-drives.ts';
import { checkDrive } from '../drives/safety-rules.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { CodedError } from '../jobs/errors.ts';
import { composeFormattedStick } from '../stick/compose-stick.ts';
import { exfatLabel } from '../fat/exfat-writer.ts';
import { fatVolumeLabel } from '../fat/fat-names.ts';
import { bindingDifference, type Confirmations, type ShellConfirm } from './confirmations.ts';
import { describeTarget, driveIdentityOf, findSameSlot, type DriveIdentity } from './flash-plan.ts';

/** FAT32 up to 32 GiB (every OS and firmware reads it; Windows formats no larger), exFAT above. */
export const fat32LimitBytes = 32 * 1024 ** 3;
export const defaultLabel = 'ISOTOPE';

export function defaultFileSystemFor(sizeBytes: number): NewFileSystem {
  return sizeBytes <= fat32LimitBytes ? 'fat32' : 'exfat';
}

/** The label as the file system's writer stores it: FAT upper-cases and maps to short-name characters ("" when none is left), exFAT keeps case. */
export function writtenLabel(fileSystem: NewFileSystem, label: string): string {
  return fileSystem === 'fat32' ? (fatVolumeLabel(label) ?? '') : exfatLabel(label);
}

type FormatPlanContent = Omit<FormatPlan, 'confirmationId' | 'expiresAtMs'>;

interface StoredFormatPlan {
  readonly target: DriveIdentity;
  /** The label as asked: the job composes the stick again from it, and gets the same bytes. */
  readonly requestedLabel: string;
  readonly plan: FormatPlanContent;
}

export interface FormatPlanOptions {
  readonly confirmations: Confirmations;
  readonly shellConfirm?: ShellConfirm | undefined;
}

export async function prepareFormat(request: FormatPrepareRequest, options: FormatPlanOptions): Promise<FormatPlan> {
  const includeAll = request.includeAll ?? false;
  const scan = await scanDrives();
  const drive = scan.drives.find((candidate) => candidate.id === request.driveId);
  if (!drive) throw new CodedError('not-found', `no drive with id ${request.driveId} is attached now`);
  const status = checkDrive(drive, safetyContext(scan, { includeAll, source: null, imageSizeBytes: null }));
  if (!status.eligible) throw new CodedError('forbidden', `${drive.device} cannot be formatted: ${status.refusals.map((issue) => issue.reason).join('; ')}`);
  const fileSystem = request.fileSystem ?? defaultFileSystemFor(drive.sizeBytes);
  const table = request.table ?? 'mbr';
  const requestedLabel = request.label ?? defaultLabel;
  // Composed now only for its refusals (volume-too-large, target-too-small); the job composes it again.
  composeFormattedStick({ deviceSizeBytes: drive.sizeBytes, fileSystem, label: requestedLabel, table });
  const label = writtenLabel(fileSystem, requestedLabel);
  const plan: FormatPlanContent = { targets: [describeTarget(status, options.shellConfirm !== undefined)], fileSystem, label, table, includeAll };
  const issued = options.confirmations.issue('format', { target: driveIdentityOf(drive), requestedLabel, plan } satisfies StoredFormatPlan);
  return { ...issued, ...plan };
}

/** Uses up the confirmation and checks what it was bound to; answers the job to run. */
export async function confirmFormat(
  request: FormatStartRequest,
  options: FormatPlanOptions,
): Promise<{ readonly work: FlashWork; readonly plan: FormatPlanContent }> {
  const { target, requestedLabel, plan } = options.confirmations.consume('format', request.confirmationId) as StoredFormatPlan;
  const refuse = (why: string): never => {
    throw new CodedError('confirmation-required', `confirmation ${request.confirmationId} no longer holds: ${why}; prepare the format again`);
  };
  const drive = findSameSlot(await scanDrives(), target);
  if (!drive) refuse(`${target.device} is no longer attached`);
  const change = bindingDifference(target, driveIdentityOf(drive!), 'target');
  if (change !== null) refuse(`a different drive is attached (${change})`);
  const typed = request.typedNames ?? {};
  for (const described of plan.targets) {
    if (described.nameToType !== null && typed[described.driveId]?.trim() !== described.nameToType) {
      refuse(`the name of ${described.device} was not typed (expected ${JSON.stringify(described.nameToType)})`);
    }
  }
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'format', plan }))) {
    throw new CodedError('cancelled', 'the format was not confirmed in the confirmation dialog');
  }
  const work: FlashWork = {
    kind: 'format',
    targets: [{ driveId: target.driveId }],
    includeAll: plan.includeAll,
    recipe: { kind: 'format', fileSystem: plan.fileSystem, label: requestedLabel, table: plan.table },
  };
  return { work, plan };
}
