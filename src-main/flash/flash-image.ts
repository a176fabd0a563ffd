// The destructive entry point: resolves each target against a fresh enumeration (never trusting the
// caller's view), re-runs the safety rules, unmounts what is mounted (by device number), then runs
// the write/verify pipeline. Refused targets are reported with their reasons and never opened.
// Also verify-only mode: compare an already written drive (or file) with an image.
import { realpath, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Drive, DriveIssue, PartitionFit } from '../../shared/drive.ts';
import type { FlashProgress, FlashResult, TargetEjection, TargetResult } from '../../shared/flash.ts';
import { deviceNumberOf, safetyContext, scanDrives, sourceFactsOf, type DriveScan } from '../drives/list-drives.ts';
import { checkDrive, deviceNumbersOf, type SourceFacts } from '../drives/safety-rules.ts';
import { allocateAlignedSlots } from './target/aligned-memory.ts';
import { FlashFailure } from './flash-error.ts';
import { compareWithImage, type TargetComparison } from './compare-pass.ts';
import { chunkBytes, overallOutcome, runFlashJob } from './flash-job.ts';
import { digestBlockBytes } from './hasher.ts';
import { openFlashSource, type FlashSource } from './source/image-source.ts';
import { openWriteInput, rawWriteInput, type WriteInput, type WriteRecipe } from './write-input.ts';
import { firstBytesOf, fitForRawWrite } from './partition-fit.ts';
import { TargetRateMeter } from './target-rate-meter.ts';
import { openReadBack, unmountDeviceNumbers, type ExpectedDevice } from './target/target-device.ts';
import { ejectDrive } from '../drives/eject-drive.ts';
import type { WriteModeRequest } from '../../shared/stick.ts';
import { verifyCopiedStick } from './copied-stick-verify.ts';

/** A target as the caller names it: a drive id from `drives:list`, or a path (device or existing regular file). */
export type TargetSelector = { readonly driveId: string } | { readonly path: string };

/**
 * How the elevated helper narrows a job (issue 12 §1: a root helper must not become a root `cp`).
 * The image, and the stat() that says which drive holds it, are opened with the invoking user's
 * rights; targets are whole block devices of this process's own enumeration only, checked again by
 * fstat() of the opened descriptor; never regular files, partitions or character devices.
 */
export interface HelperScope {
  /** Runs `open` with the invoking user's uid, gid and groups, and restores root's before it resolves. */
  readonly asInvokingUser: <T>(open: () => Promise<T>) => Promise<T>;
}

/** Outside the helper the process's own rights are the user's. */
const asThisProcess = <T>(open: () => Promise<T>): Promise<T> => open();

export interface FlashImageOptions {
  readonly imagePath: string;
  readonly targets: readonly TargetSelector[];
  readonly verify: boolean;
  /** "Show all drives" / --unsafe: virtual and fixed drives are real targets. */
  readonly includeAll: boolean;
  /** Eject USB drives after success. */
  readonly eject: boolean;
  /** SHA-256 of the bytes read and written, computed in the write pass itself; default true. */
  readonly sha256?: boolean;
  readonly jobId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FlashProgress) => void;
  /** Set by the elevated helper only. */
  readonly helperScope?: HelperScope;
  /** Raw (the image as it is; the default), its files on a new stick, or an empty new stick. */
  readonly recipe?: WriteRecipe;
  /**
   * Raw bytes from this open source instead of opening `imagePath`, which still names the file for
   * the safety rules: a download still arriving (write-arriving-image.ts), opened by the process that writes.
   */
  readonly source?: FlashSource;
  /** Each target's identity as opened for writing (write-arriving-image.ts marks only that medium). */
  readonly onTargetOpened?: (path: string, identity: ExpectedDevice) => void;
}

type Resolved =
  | { readonly kind: 'accepted'; readonly path: string; readonly drive: Drive | null }
  | { readonly kind: 'refused'; readonly label: string; readonly refusals: readonly DriveIssue[]; readonly message: string };

export async function flashImage(options: FlashImageOptions): Promise<FlashResult> {
  const jobId = options.jobId ?? randomUUID();
  const startedMs = Date.now();
  const asUser = options.helperScope?.asInvokingUser ?? asThisProcess;
  let input: WriteInput;
  try {
    input = options.source
      ? await rawWriteInput(options.imagePath, options.source)
      : await asUser(() => openWriteInput(options.imagePath, options.recipe ?? { kind: 'raw' }));
  } catch (error) {
    return failedBeforeStart(jobId, options, error, startedMs);
  }
  try {
    const scan = await scanDrives();
    const resolveAll = (fit: PartitionFit | null): Promise<Resolved[]> =>
      Promise.all(options.targets.map((target) => resolveTarget(target, scan, input.facts, { sizeBytes: input.rawSizeBytes, fit }, options)));
    let resolved = await resolveAll(null);
    // A drive smaller than a disk image may hold its partitions alone: the writer reads that from the image itself.
    const tooSmall = resolved.some((entry) => entry.kind === 'refused' && entry.refusals.some((issue) => issue.code === 'too-small'));
    const boundBytes = options.recipe?.kind === 'raw' ? options.recipe.lengthBytes : undefined;
    // A file still arriving has no partitions to judge yet: a drive too small for it stays refused.
    const fitNeeded = tooSmall && options.source === undefined;
    const fit = await asUser(() => fitForRawWrite(options.imagePath, { needed: fitNeeded, boundBytes }, options.signal));
    if (fit !== null) resolved = await resolveAll(fit);
    const accepted = resolved.filter((entry): entry is Accepted => entry.kind === 'accepted');
    const refusedResults = resolved.filter((entry): entry is Extract<Resolved, { kind: 'refused' }> => entry.kind === 'refused').map(refusedResult);
    // Two selectors naming the same device would race each other: refuse the repeat.
    const unique = accepted.filter((entry, index) => accepted.findIndex((other) => other.path === entry.path) === index);
    const unmountFailures = await unmountTargets(jobId, unique, options);
    const writable = unique.filter((entry) => !unmountFailures.has(entry.path));
    const writeBytes = writtenLengthOf(fit, input.rawSizeBytes, writable, boundBytes);
    const job = writable.length > 0 ? await writeTargets(jobId, input, writable, options, writeBytes) : null;
    const unmountResults: TargetResult[] = [...unmountFailures.entries()].map(([path, failure]) => failedTarget(path, failure));
    const written = [...(job?.targets ?? []), ...unmountResults, ...refusedResults];
    const targets = options.eject ? await ejectSucceeded(written, writable) : written;
    return {
      jobId,
      outcome: overallOutcome(targets, options.signal?.aborted === true),
      source: job?.source ?? { path: options.imagePath, compression: input.compression, sizeBytes: input.rawSizeBytes ?? 0, sha256Hex: null },
      targets,
      elapsedMs: Date.now() - startedMs,
    };
  } catch (error) {
    if (error instanceof FlashFailure) return failedBeforeStart(jobId, options, error, startedMs);
    throw error;
  } finally {
    await input.close();
  }
}

/**
 * How many bytes of a raw image are written: where its partitions end when a target is smaller than
 * the image and the fit allows it (or a confirmed plan bound it), else all of them (null).
 */
function writtenLengthOf(
  fit: PartitionFit | null,
  imageSizeBytes: number | null,
  writable: readonly Accepted[],
  boundBytes: number | undefined,
): number | null {
  if (boundBytes !== undefined) return boundBytes; // fitForRawWrite checked it against the bytes
  if (fit === null || fit.refusal !== null || fit.requiredTargetBytes === null || imageSizeBytes === null) return null;
  return writable.some((entry) => entry.drive !== null && entry.drive.sizeBytes < imageSizeBytes) ? fit.requiredTargetBytes : null;
}

type Accepted = Extract<Resolved, { kind: 'accepted' }>;

/** Unmounts what is mounted on the accepted targets (by device number); a target that will not unmount fails alone. */
async function unmountTargets(jobId: string, entries: readonly Accepted[], options: FlashImageOptions): Promise<Map<string, FlashFailure>> {
  const unmountFailures = new Map<string, FlashFailure>();
  const mounted = entries.filter((entry) => entry.drive !== null && entry.drive.mountpoints.length > 0);
  if (mounted.length === 0) return unmountFailures;
  options.onProgress?.({
    jobId,
    targets: mounted.map((entry) => ({
      target: entry.path,
      phase: 'unmounting',
      bytesDone: 0,
      bytesTotal: null,
      bytesPerSecond: 0,
      etaMs: null,
      failed: false,
    })),
  });
  for (const entry of mounted) {
    await unmountDeviceNumbers(deviceNumbersOf(entry.drive!)).catch((error: unknown) => {
      unmountFailures.set(entry.path, error instanceof FlashFailure ? error : new FlashFailure('target-busy', String(error)));
    });
  }
  return unmountFailures;
}

/**
 * Writes the input to the checked targets. A composed stick is composed here for the smallest of
 * them; when it cannot be (no room, a file FAT32 cannot hold), every target fails with that reason
 * and none is opened.
 */
async function writeTargets(
  jobId: string,
  input: WriteInput,
  writable: readonly Accepted[],
  options: FlashImageOptions,
  writeBytes: number | null,
): Promise<Pick<FlashResult, 'targets' | 'source'>> {
  const sizesBytes = await Promise.all(writable.map(async (entry) => entry.drive?.sizeBytes ?? (await stat(entry.path)).size));
  let prepared: Awaited<ReturnType<WriteInput['sourceFor']>>;
  try {
    prepared = await input.sourceFor(sizesBytes, options.signal);
  } catch (error) {
    const failure = error instanceof FlashFailure ? error : new FlashFailure('internal', String(error));
    const sizeBytes = input.rawSizeBytes ?? 0;
    return {
      targets: writable.map((entry) => failedTarget(entry.path, failure)),
      source: { path: options.imagePath, compression: input.compression, sizeBytes, sha256Hex: null },
    };
  }
  const job = await runFlashJob({
    jobId,
    source: writeBytes === null ? prepared.source : firstBytesOf(prepared.source, writeBytes),
    targets: writable.map((entry) => entry.path),
    ...(options.helperScope ? { deviceNumbers: deviceNumbersByPath(writable) } : {}),
    verify: options.verify,
    // The SHA-256 names the image's bytes: a composed stick's bytes are not the image's.
    sha256: prepared.stick === undefined && (options.sha256 ?? true),
    ...(prepared.stick ? { stick: prepared.stick } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onTargetOpened ? { onTargetOpened: options.onTargetOpened } : {}),
  });
  return writeBytes === null || input.rawSizeBytes === null ? job : { ...job, source: { ...job.source, imageSizeBytes: input.rawSizeBytes } };
}

function failedTarget(path: string, failure: FlashFailure): TargetResult {
  return { target: path, outcome: 'failed', bytesWritten: 0, error: failure.toFlashError(), mismatch: null, refusals: [] };
}

/** Each accepted whole drive's path and "major:minor", for the helper's fstat() check at open. */
function deviceNumbersByPath(entries: readonly Accepted[]): Map<string, string> {
  return new Map(entries.flatMap((entry) => (entry.drive?.deviceNumber ? [[entry.path, entry.drive.deviceNumber] as const] : [])));
}

async function resolveTarget(
  target: TargetSelector,
  scan: DriveScan,
  facts: SourceFacts | null,
  image: { readonly sizeBytes: number | null; readonly fit: PartitionFit | null },
  { includeAll, helperScope }: Pick<FlashImageOptions, 'includeAll' | 'helperScope'>,
): Promise<Resolved> {
  let drive: Drive | undefined;
  let label: string;
  if ('driveId' in target) {
    label = target.driveId;
    drive = scan.drives.find((candidate) => candidate.id === target.driveId);
    if (!drive) return { kind: 'refused', label, refusals: [], message: `no drive with id ${target.driveId} is attached now` };
  } else {
    label = target.path;
    let real: string;
    let stats;
    try {
      real = await realpath(target.path);
      stats = await stat(real, { bigint: true });
    } catch (error) {
      return { kind: 'refused', label, refusals: [], message: `${target.path}: ${(error as Error).message}` };
    }
    if (stats.isFile() && helperScope !== undefined) {
      return { kind: 'refused', label, refusals: [], message: `${target.path} is a regular file; the elevated helper writes only whole block devices` };
    }
    if (stats.isFile()) {
      // A regular file (tests, conversions): the only rule that applies is "not the image itself".
      if (facts !== null && deviceNumberOf(stats.dev) === facts.deviceNumber && Number(stats.ino) === facts.inode) {
        const issue: DriveIssue = { code: 'source-drive', severity: 'refusal', reason: `${target.path} is the image itself` };
        return { kind: 'refused', label, refusals: [issue], message: issue.reason };
      }
      return { kind: 'accepted', path: real, drive: null };
    }
    if (!stats.isBlockDevice()) return { kind: 'refused', label, refusals: [], message: `${target.path} is neither a block device nor a regular file` };
    const number = deviceNumberOf(stats.rdev);
    drive = scan.drives.find((candidate) => candidate.deviceNumber === number);
    if (!drive) {
      const partition = scan.drives.find((candidate) => candidate.partitionDeviceNumbers.includes(number));
      return {
        kind: 'refused',
        label,
        refusals: [],
        message: partition
          ? `${target.path} is a partition of ${partition.device}: write the whole drive`
          : `${target.path} (${number}) is not a drive the enumeration knows`,
      };
    }
  }
  if (helperScope !== undefined && drive.deviceNumber === null) {
    return {
      kind: 'refused',
      label: drive.device,
      refusals: [],
      message: `${drive.device} has no device number in the enumeration; the elevated helper writes only drives it can check by fstat()`,
    };
  }
  const status = checkDrive(drive, safetyContext(scan, { includeAll, source: facts, imageSizeBytes: image.sizeBytes, partitionFit: image.fit }));
  if (!status.eligible)
    return { kind: 'refused', label: drive.device, refusals: status.refusals, message: status.refusals.map((issue) => issue.reason).join('; ') };
  return { kind: 'accepted', path: drive.raw, drive };
}

function refusedResult(entry: Extract<Resolved, { kind: 'refused' }>): TargetResult {
  return {
    target: entry.label,
    outcome: 'failed',
    bytesWritten: 0,
    error: { code: 'refused', message: entry.message, offsetBytes: null },
    mismatch: null,
    refusals: entry.refusals,
  };
}

function failedBeforeStart(jobId: string, options: FlashImageOptions, error: unknown, startedMs: number): FlashResult {
  const failure = error instanceof FlashFailure ? error : new FlashFailure('source-unreadable', String(error));
  const targets: TargetResult[] = options.targets.map((target) => ({
    target: 'driveId' in target ? target.driveId : target.path,
    outcome: 'failed',
    bytesWritten: 0,
    error: failure.toFlashError(),
    mismatch: null,
    refusals: [],
  }));
  return {
    jobId,
    outcome: 'failed',
    source: { path: options.imagePath, compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets,
    elapsedMs: Date.now() - startedMs,
  };
}

/**
 * Best effort: a USB drive that was written (and verified) is ejected; a failure to eject is no failure
 * to flash, but its result says so and why, so the summary never says "safe to remove" unproven.
 */
async function ejectSucceeded(results: readonly TargetResult[], entries: readonly Accepted[]): Promise<TargetResult[]> {
  const ejectionOf = async (entry: Accepted): Promise<TargetEjection> => {
    if (!entry.drive?.isUsb) return { ejected: false, reason: 'not-usb', message: `${entry.path} is not a USB drive: Isotope ejects USB drives only` };
    try {
      await ejectDrive(entry.path);
      return { ejected: true };
    } catch (error) {
      return { ejected: false, reason: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  };
  const ejected: TargetResult[] = [];
  for (const result of results) {
    const entry = entries.find((candidate) => candidate.path === result.target);
    const succeeded = result.error === null && (result.outcome === 'verified' || result.outcome === 'written');
    ejected.push(entry && succeeded ? { ...result, ejection: await ejectionOf(entry) } : result);
  }
  return ejected;
}

/** Chunks read ahead by verify-only. */
const chunksInFlight = 2;

export interface VerifyDriveOptions {
  readonly imagePath: string;
  readonly target: TargetSelector;
  readonly includeAll: boolean;
  readonly jobId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FlashProgress) => void;
  /** Set by the elevated helper only: the target must then pass the same rules as a flash's. */
  readonly helperScope?: HelperScope;
  /** How the drive was written: raw (byte for byte), copy (file by file), auto (default: copy when the drive holds a copy-files stick). */
  readonly mode?: WriteModeRequest;
}

/**
 * Verify-only: reads the image (decoding it if compressed) and the target (O_DIRECT) side by side and
 * compares bytes. The mismatch range runs from the first differing byte to the last one in its 64 KiB block.
 * A copy-files stick holds the image's files, not its bytes: it is judged file by file (copied-stick-verify.ts).
 */
export async function verifyDriveAgainstImage(options: VerifyDriveOptions): Promise<FlashResult> {
  const jobId = options.jobId ?? randomUUID();
  const startedMs = Date.now();
  const asUser = options.helperScope?.asInvokingUser ?? asThisProcess;
  let source: FlashSource;
  try {
    source = await asUser(() => openFlashSource(options.imagePath));
  } catch (error) {
    return failedBeforeStart(jobId, { ...options, targets: [options.target], verify: true, eject: false }, error, startedMs);
  }
  const label = 'driveId' in options.target ? options.target.driveId : options.target.path;
  let path = label;
  let expected: ExpectedDevice;
  try {
    if (options.helperScope !== undefined) {
      // Read as root, any file or drive compared with an image of the user's choosing would leak its
      // bytes through the mismatch offset: the helper reads back only drives it would also write.
      const facts = await asUser(() => sourceFactsOf(options.imagePath));
      const resolved = await resolveTarget(options.target, await scanDrives(), facts, { sizeBytes: null, fit: null }, options);
      if (resolved.kind === 'refused') throw new FlashFailure('refused', resolved.message);
      path = resolved.path;
      expected = { deviceNumber: resolved.drive?.deviceNumber ?? '' };
    } else if ('driveId' in options.target) {
      const id = options.target.driveId;
      const drive = (await scanDrives()).drives.find((candidate) => candidate.id === id);
      if (!drive) throw new FlashFailure('target-removed', `no drive with id ${id} is attached now`);
      path = drive.raw;
    }
    const mode = options.mode ?? 'auto';
    const copied = await verifyCopiedStick({ ...options, compression: source.compression, targetPath: path, expected, mode, asUser });
    if (copied !== null) {
      const sourceSummary = { path: options.imagePath, compression: source.compression, sizeBytes: copied.imageBytes, sha256Hex: null };
      const outcome = overallOutcome([copied.target], options.signal?.aborted === true);
      return { jobId, outcome, source: sourceSummary, targets: [copied.target], elapsedMs: Date.now() - startedMs };
    }
    const { sizeBytes, comparison } = await compareWithTarget(source, path, options, expected);
    // A read failure (of the image or the target) fails the job as one that could not be compared.
    if (comparison.failure !== null && comparison.mismatch === null) throw comparison.failure;
    const cancelled = options.signal?.aborted === true;
    const target: TargetResult = {
      target: path,
      outcome: comparison.failure === null ? (cancelled ? 'cancelled' : 'verified') : 'failed',
      bytesWritten: 0,
      error: comparison.failure?.toFlashError() ?? (cancelled ? { code: 'cancelled', message: 'verification cancelled', offsetBytes: null } : null),
      mismatch: comparison.mismatch,
      refusals: [],
    };
    return {
      jobId,
      outcome: overallOutcome([target], cancelled),
      source: { path: options.imagePath, compression: source.compression, sizeBytes, sha256Hex: null },
      targets: [target],
      elapsedMs: Date.now() - startedMs,
    };
  } catch (error) {
    const failure = error instanceof FlashFailure ? error : new FlashFailure('internal', String(error));
    const target: TargetResult = { target: path, outcome: 'failed', bytesWritten: 0, error: failure.toFlashError(), mismatch: null, refusals: [] };
    return {
      jobId,
      outcome: 'failed',
      source: { path: options.imagePath, compression: source.compression, sizeBytes: source.sizeBytes ?? 0, sha256Hex: null },
      targets: [target],
      elapsedMs: Date.now() - startedMs,
    };
  } finally {
    await source.close();
  }
}

/** The shared read-and-compare loop for one target, the image read as a stream (its length may be unknown until its end). */
async function compareWithTarget(
  source: FlashSource,
  path: string,
  options: VerifyDriveOptions,
  expected: ExpectedDevice,
): Promise<{ sizeBytes: number; comparison: TargetComparison }> {
  // Two chunks in flight, each an image slot and a target slot: the image and the target are read
  // side by side, and the next chunk is read while this one is compared.
  const arena = allocateAlignedSlots(2 * chunksInFlight, chunkBytes);
  const readBack = await openReadBack(path, expected);
  // The flash's meter (sliding-window rate, ETA, at most ~8 reports a second) for this one target.
  const meter = new TargetRateMeter(options.jobId ?? '', [path], (progress) => options.onProgress?.(progress));
  meter.setPhase([path], 'verifying', source.sizeBytes);
  try {
    const compared = await compareWithImage({
      imagePath: options.imagePath,
      readImage: (into) => source.readNext(into),
      imageBytes: null,
      targets: [{ path, readBack }],
      slots: arena.slots,
      signal: options.signal,
      withinBlockBytes: digestBlockBytes,
      onMatched: (_, bytesDone) => meter.update(path, bytesDone),
      onFailed: () => undefined,
    });
    return { sizeBytes: compared.imageBytes, comparison: compared.targets[0]! };
  } finally {
    await readBack.close();
  }
}
