// The two steps of a write through the contract. `flash:prepare` enumerates the drives afresh, runs
// the safety rules, assesses the image and issues a confirmation bound to exactly those drive
// identities (device number, size, model, serial, WWN), that version of the image (path, size, mtime,
// ctime, device, inode) and those options. `flash:start` uses it up and refuses unless every one of
// them is unchanged, every name the plan asked for was typed, every blocking finding acknowledged and
// (in Electron) the main process's own dialog was accepted.
import { realpath, stat } from 'node:fs/promises';
import type { Drive, DriveStatus, PartitionFit } from '../../shared/drive.ts';
import type { FlashPlan, FlashPrepareRequest, FlashStartRequest, FlashTargetDescription } from '../../shared/flash.ts';
import { unacknowledgedBlockingFindings } from '../../shared/assessment.ts';
import { assessImage, type AssessImageOptions } from '../assess/assess-image.ts';
import { fileIdentityOf } from '../checksum/hash-cache.ts';
import { deviceNumberOf, safetyContext, scanDrives, sourceFactsOf, type DriveScan } from '../drives/list-drives.ts';
import { checkDrive, nameToTypeOf, needsTypedName } from '../drives/safety-rules.ts';
import { openFlashSource } from '../flash/source/image-source.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { CodedError } from '../jobs/errors.ts';
import { bindingDifference, type Confirmations, type ShellConfirm } from './confirmations.ts';
import { planWriteMode } from './write-mode-plan.ts';
import { recipeOf } from '../flash/stick-plan.ts';
import type { ImageParser } from '../isolation/image-parser.ts';

/** Which version of the image the plan described. A block device (cloning a drive) is named by its number and size. */
export interface ImageVersion {
  readonly path: string;
  readonly realPath: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number | null;
  readonly changedMs: number | null;
  readonly device: number | null;
  readonly inode: number | null;
  readonly blockDeviceNumber: string | null;
}

/** What makes a drive this drive: a different stick in the same slot differs in serial or WWN (or size). */
export interface DriveIdentity {
  readonly driveId: string;
  readonly device: string;
  readonly deviceNumber: string | null;
  readonly sizeBytes: number;
  readonly model: string | null;
  readonly serial: string | null;
  readonly wwn: string | null;
}

/** Everything a flash confirmation is bound to; compared field by field at `flash:start`. */
export interface FlashBinding {
  readonly image: ImageVersion;
  readonly targets: readonly DriveIdentity[];
  readonly verify: boolean;
  readonly eject: boolean;
  readonly includeAll: boolean;
  /** A raw write's shorter length (to a drive smaller than the image holding every partition); undefined: the whole image. */
  readonly rawWriteBytes: number | undefined;
}

/** A plan as shown, without the confirmation that names it. */
export type PlanContent = Omit<FlashPlan, 'confirmationId' | 'expiresAtMs'>;

interface StoredPlan {
  readonly binding: FlashBinding;
  readonly plan: PlanContent;
}

export interface PlanOptions {
  readonly confirmations: Confirmations;
  /** The shell shows its own trusted confirmation (Electron's main process); absent: the page is the only interface. */
  readonly shellConfirm?: ShellConfirm | undefined;
  readonly signal?: AbortSignal;
  /** Reads the image for its assessment: the service's parse worker (untrusted bytes); this thread when absent. */
  readonly judgeImage?: AssessImageOptions['judge'];
  /** Plans the write's mode and stick from the image (untrusted bytes): the service's parser. */
  readonly parser: ImageParser;
}

export async function prepareFlash(request: FlashPrepareRequest, options: PlanOptions): Promise<FlashPlan> {
  const repeated = request.driveIds.find((id, index) => request.driveIds.indexOf(id) !== index);
  if (repeated !== undefined) throw new CodedError('invalid-request', `flash:prepare names drive ${repeated} twice`);
  if (request.driveIds.length === 0) throw new CodedError('invalid-request', 'flash:prepare names no drive');
  const verify = request.verify ?? true;
  const eject = request.eject ?? true;
  const includeAll = request.includeAll ?? false;

  const image = await imageVersionOf(request.imagePath);
  const [scan, facts, imageSizeBytes] = await Promise.all([scanDrives(), sourceFactsOf(request.imagePath), flashedSizeOf(request.imagePath)]);
  // The image's size is a rule for a raw write only: a copy-files stick's room is checked by composing it (target-too-small).
  const checkTargets = (sizeBytes: number | null, partitionFit: PartitionFit | null = null): DriveStatus[] =>
    request.driveIds.map((driveId) => {
      const drive = scan.drives.find((candidate) => candidate.id === driveId);
      if (!drive) throw new CodedError('not-found', `no drive with id ${driveId} is attached now`);
      const status = checkDrive(drive, safetyContext(scan, { includeAll, source: facts, imageSizeBytes: sizeBytes, partitionFit }));
      if (!status.eligible) throw new CodedError('forbidden', `${drive.device} cannot be written: ${status.refusals.map((issue) => issue.reason).join('; ')}`);
      return status;
    });
  let statuses = checkTargets(null);
  const assessment = await assessImage(request.imagePath, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.judgeImage ? { judge: options.judgeImage } : {}),
  });
  // Composed for the smallest target, as the write will be: a refusal (no room, a file FAT32 cannot hold) comes now, before anything is written.
  const smallestTargetBytes = Math.min(...statuses.map((status) => status.drive.sizeBytes));
  const writeMode = await planWriteMode(request.imagePath, request, smallestTargetBytes, {
    parser: options.parser,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let rawWriteBytes: number | undefined;
  if (writeMode.mode.mode === 'raw') {
    // A drive smaller than a disk image may hold its partitions alone: only then are the image's bytes past them read.
    // Unreadable past its partitions (or over the parser's budget): no smaller fit, the safe verdict.
    const fit =
      imageSizeBytes !== null && smallestTargetBytes < imageSizeBytes
        ? await options.parser.run('flash:fit', { path: request.imagePath }).catch(() => null)
        : null;
    statuses = checkTargets(imageSizeBytes, fit);
    const holdsPartitionsOnly = statuses.some((status) => status.warnings.some((issue) => issue.code === 'smaller-than-image'));
    if (fit !== null && fit.requiredTargetBytes !== null && holdsPartitionsOnly) rawWriteBytes = fit.requiredTargetBytes;
  }
  const targets = statuses.map((status) => describeTarget(status, options.shellConfirm !== undefined));
  const binding: FlashBinding = { image, targets: statuses.map((status) => driveIdentityOf(status.drive)), verify, eject, includeAll, rawWriteBytes };
  const plan: PlanContent = { assessment, targets, verify, eject, includeAll, ...writeMode, ...(rawWriteBytes === undefined ? {} : { rawWriteBytes }) };
  // Stored with its binding, so `flash:start` checks against what was shown, never against what it is sent.
  const issued = options.confirmations.issue('flash', { binding, plan } satisfies StoredPlan);
  return { ...issued, ...plan };
}

/**
 * Uses up the plan's confirmation and checks everything it was bound to; answers the job to run.
 * Every refusal is `confirmation-required` naming what changed or what is missing.
 */
export async function confirmFlash(request: FlashStartRequest, options: PlanOptions): Promise<{ readonly work: FlashWork; readonly plan: PlanContent }> {
  const { binding, plan } = options.confirmations.consume('flash', request.confirmationId) as StoredPlan;
  const refuse = (why: string): never => {
    throw new CodedError('confirmation-required', `confirmation ${request.confirmationId} no longer holds: ${why}; prepare the write again`);
  };
  const imageNow = await imageVersionOf(binding.image.path).catch((error: unknown) => refuse(`the image cannot be read now (${(error as Error).message})`));
  const imageChange = bindingDifference(binding.image, imageNow, 'image');
  if (imageChange !== null) refuse(`the image changed (${imageChange})`);
  const scan = await scanDrives();
  const targetsNow = binding.targets.map((bound) => {
    const drive = findSameSlot(scan, bound);
    return drive ? driveIdentityOf(drive) : refuse(`${bound.device} is no longer attached`);
  });
  const targetChange = bindingDifference(binding.targets, targetsNow, 'targets');
  if (targetChange !== null) refuse(`a different drive is attached (${targetChange})`);

  const typed = request.typedNames ?? {};
  for (const target of plan.targets) {
    if (target.nameToType !== null && typed[target.driveId]?.trim() !== target.nameToType) {
      refuse(`the name of ${target.device} was not typed (expected ${JSON.stringify(target.nameToType)})`);
    }
  }
  const unacknowledged = unacknowledgedBlockingFindings(plan.assessment, request.acknowledgedFindings ?? []);
  if (unacknowledged.length > 0) refuse(`the image has blocking findings not acknowledged: ${unacknowledged.map((finding) => finding.code).join(', ')}`);
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'flash', plan }))) {
    throw new CodedError('cancelled', 'the write was not confirmed in the confirmation dialog');
  }
  const work: FlashWork = {
    kind: 'flash',
    imagePath: binding.image.path,
    targets: binding.targets.map((target) => ({ driveId: target.driveId })),
    verify: binding.verify,
    includeAll: binding.includeAll,
    eject: binding.eject,
    // The mode and options shown, never re-sent: the stick is composed again from them, for the same targets.
    // A shorter raw write as confirmed: the writer checks the image's bytes still allow exactly it.
    recipe: withRawWriteBytes(recipeOf(plan), binding.rawWriteBytes),
  };
  return { work, plan };
}

function withRawWriteBytes(recipe: FlashRecipe, rawWriteBytes: number | undefined): FlashRecipe {
  return recipe.kind === 'raw' && rawWriteBytes !== undefined ? { kind: 'raw', lengthBytes: rawWriteBytes } : recipe;
}

type FlashRecipe = ReturnType<typeof recipeOf>;

export async function imageVersionOf(imagePath: string): Promise<ImageVersion> {
  const realPath = await realpath(imagePath);
  const stats = await stat(realPath);
  const file = fileIdentityOf(realPath, stats);
  if (file !== null) {
    return {
      path: imagePath,
      realPath,
      sizeBytes: file.sizeBytes,
      modifiedMs: file.modifiedMs,
      changedMs: file.changedMs,
      device: file.device,
      inode: file.inode,
      blockDeviceNumber: null,
    };
  }
  if (!stats.isBlockDevice()) throw new CodedError('not-a-file', `${imagePath} is neither a regular file nor a block device`);
  // A device's content changes without stat noticing: its number and size are all that name it.
  const bigStats = await stat(realPath, { bigint: true });
  const sizeBytes = await flashedSizeOf(realPath);
  return {
    path: imagePath,
    realPath,
    sizeBytes: sizeBytes ?? 0,
    modifiedMs: null,
    changedMs: null,
    device: null,
    inode: null,
    blockDeviceNumber: deviceNumberOf(bigStats.rdev),
  };
}

export function driveIdentityOf(drive: Drive): DriveIdentity {
  return {
    driveId: drive.id,
    device: drive.device,
    deviceNumber: drive.deviceNumber,
    sizeBytes: drive.sizeBytes,
    model: drive.model,
    serial: drive.serial,
    wwn: drive.wwn,
  };
}

/** The bytes the image will write, when known without decoding it all (raw images, zip entries). */
export async function flashedSizeOf(imagePath: string): Promise<number | null> {
  const source = await openFlashSource(imagePath).catch(() => null);
  if (source === null) return null;
  await source.close();
  return source.sizeBytes;
}

/** The drive now in the slot the plan named (same device number, or the same path when there is none). */
export function findSameSlot(scan: DriveScan, bound: DriveIdentity): Drive | undefined {
  return scan.drives.find((drive) => (bound.deviceNumber !== null ? drive.deviceNumber === bound.deviceNumber : drive.device === bound.device));
}

/**
 * Where the page is the only interface (the web shell), every target's name is typed; where the
 * shell shows its own dialog (Electron), only drives that do not look like a USB stick need it.
 */
export function describeTarget(status: DriveStatus, shellConfirms: boolean): FlashTargetDescription {
  const { drive } = status;
  return {
    driveId: drive.id,
    device: drive.device,
    description: drive.description,
    serial: drive.serial,
    sizeBytes: drive.sizeBytes,
    partitions: drive.partitions,
    warnings: status.warnings,
    nameToType: !shellConfirms || needsTypedName(status) ? nameToTypeOf(drive.device) : null,
  };
}
