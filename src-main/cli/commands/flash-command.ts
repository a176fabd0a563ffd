// `isotope flash IMAGE TARGET... [--yes] [--unsafe] [--no-verify] [--force] [--json]`: writes an image to
// one or more drives (or existing regular files) in one read of the image. It first prints the image's
// pre-flight assessment and refuses (exit 1) an image that is cut short, damaged, not a disk image or
// failed its checksum check, unless --force. Without --yes it asks on a
// terminal, naming each drive's description and size. Exit 0 only when every target was written
// (and verified, unless --no-verify). Also the hidden `flash-helper TOKEN`, the elevated helper, and
// what `isotope verify` shares with it: following a flash:* job (progress bar or JSON lines) and the report.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { unacknowledgedBlockingFindings, type AssessmentFinding } from '../../../shared/assessment.ts';
import type { FlashResult, TargetResult } from '../../../shared/flash.ts';
import type { WriteModeChoice } from '../../../shared/stick.ts';
import type { JobProgress, JobResults } from '../../../shared/job.ts';
import { followJob } from '../../../shared/follow-job.ts';
import { ok, type Result } from '../../../shared/result.ts';
import { formatBytes } from '../../../shared/units.ts';
import type { FlashWork } from '../../flash/flash-work.ts';
import type { WriteModePlan } from '../../flash/stick-plan.ts';
import type { Service } from '../../service/service.ts';
import { exitCodes } from '../exit-codes.ts';
import { describeAssessment, describeVerifiedAgainst, findingHeadline } from './assessment-report.ts';
import { collect, reportFailure, reportResult, type CliContext } from '../cli-context.ts';
import { namesExistingPaths } from '../existing-paths.ts';
import { confirmOnTerminal } from '../terminal-confirm.ts';
import { ProgressDisplay, type ProgressOutput, type ProgressReading } from './job-progress.ts';
import { addWriteModeOptions, describeWriteMode, planCliWrite, type WriteModeCliOptions } from './write-mode-options.ts';

/** Ctrl-C during a write: the drive holds part of the image, so nothing can use it any more. */
const cancelledWriteNotice = 'Cancelling: the drive is partly written and now unusable until it is written again or restored.';

export interface FlashOptions extends WriteModeCliOptions {
  yes?: boolean;
  unsafe?: boolean;
  verify: boolean;
  force?: boolean;
  json?: boolean;
  /** An image given by URL: more URLs of the same file, tried in turn. */
  mirror: string[];
  /** An image given by URL: TLS certificates not checked (loud; CLI only). */
  insecure?: boolean;
}

/** `isotope flash URL TARGET...` writes while downloading (flash-url-command.ts). */
const urlPattern = /^https?:\/\//i;

export function registerFlashCommand(program: Command, context: CliContext): void {
  addWriteModeOptions(program.command('flash'))
    .description('write an image (raw, .gz, .xz, .bz2, .zst, .zip) to drives, then verify it')
    .argument('<image>', 'the image, or a block device to clone')
    .argument('<targets...>', 'device paths (or existing regular files)')
    .option('--yes', 'do not ask for confirmation')
    .option('--unsafe', 'allow virtual (loop) and fixed drives')
    .option('--no-verify', 'skip the read-back verification')
    .option('--force', 'write even an image that is cut short, damaged, not a disk image or failed its checksum check')
    .option('--json', 'one JSON object per line: progress events, then the result')
    .option('--mirror <url>', 'an image given by URL: another URL of the same file, tried in turn (repeatable)', collect, [])
    .option('--insecure', 'an image given by URL: do not check TLS certificates (anyone on the network can then change the bytes)')
    .action(async (image: string, targets: string[], options: FlashOptions) => {
      const service = context.createService();
      const json = options.json === true;
      const targetPaths = targets.map((target) => resolve(target));
      if (!(await namesExistingPaths(context, targetPaths, json))) return;
      if (!(await namesEachTargetOnce(context, targetPaths))) return context.setExitCode(exitCodes.usage);
      if (urlPattern.test(image)) return (await import('./flash-url-command.ts')).flashFromUrl(context, service, image, targetPaths, options);
      const imagePath = resolve(image);
      const planned = await planTerminalWrite(context, service, imagePath, targetPaths, options);
      if (planned === null) return;
      const { blocking, plan } = planned;
      if (options.yes !== true) {
        if (!process.stdin.isTTY) {
          context.stderr('isotope: flashing erases the targets; pass --yes when not on a terminal\n');
          return context.setExitCode(exitCodes.usage);
        }
        if (!(await confirm(context, service, { imagePath, mode: plan.mode.mode }, targetPaths, options.unsafe === true))) {
          context.stderr('isotope: nothing written\n');
          return context.setExitCode(exitCodes.failed);
        }
      }
      const work = await terminalFlashWork(imagePath, targetPaths, options, plan);
      const result = await followFlashJob(context, service, { json, tty: process.stderr.isTTY === true, interruptNotice: cancelledWriteNotice }, async () =>
        ok(await service.startTerminalJob(work)),
      );
      if (!result.ok) return context.setExitCode(reportResult(context, result, json, () => ''));
      // With --force, the summary says what the write proves about an image known to be blocked.
      const finished: FlashResult = blocking.length > 0 ? { ...result.value, acknowledgedFindings: blocking } : result.value;
      if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'flash', ...finished })}\n`);
      else context.stdout(describeFlashResult(finished));
      context.setExitCode(finished.outcome === 'succeeded' ? exitCodes.ok : exitCodes.failed);
    });

  program
    .command('flash-helper', { hidden: true })
    .argument('<token>')
    .action(async (token: string) => context.setExitCode(await (await import('../../helper/flash-helper.ts')).runFlashHelper(token)));
}

/** What `isotope flash` and `isotope queue` decided for an image before asking: the findings written anyway (--force) and the write's mode. */
export interface TerminalWritePlan {
  readonly blocking: readonly AssessmentFinding[];
  readonly plan: WriteModePlan;
}

/**
 * The steps before the question, shared with `isotope queue`: the image's assessment (printed), a
 * blocking finding refused unless --force, and the write's mode planned for the smallest of
 * `targetPaths` (printed). Null once a refusal was reported and the exit code set. With --json, each
 * event line also carries `tag` (the queue names its pair).
 */
export async function planTerminalWrite(
  context: CliContext,
  service: Service,
  imagePath: string,
  targetPaths: readonly string[],
  options: Pick<FlashOptions, keyof WriteModeCliOptions | 'force' | 'json'>,
  tag: object = {},
): Promise<TerminalWritePlan | null> {
  const json = options.json === true;
  const refuse = (exitCode: number): null => {
    context.setExitCode(exitCode);
    return null;
  };
  const assessed = await service.call('image:assess', { path: imagePath });
  if (!assessed.ok) return refuse(reportResult(context, assessed, json, () => ''));
  if (json) context.stdout(`${JSON.stringify({ event: 'image:assessed', ...tag, ...assessed.value })}\n`);
  else context.stderr(describeAssessment(assessed.value));
  const blocking = unacknowledgedBlockingFindings(assessed.value, []);
  if (refusesBlocking(context, imagePath, blocking, options)) return refuse(exitCodes.failed);
  // The mode and, for copy mode, the stick composed for the smallest target: a refusal (no room, a file FAT32 cannot hold) ends here.
  const plan = await planCliWrite(imagePath, targetPaths, options).catch((error: unknown) => error as Error);
  if (plan instanceof Error) return refuse(reportFailure(context, plan, json));
  if (json) context.stdout(`${JSON.stringify({ event: 'write:planned', ...tag, ...plan })}\n`);
  else context.stderr(describeWriteMode(plan));
  return { blocking, plan };
}

/** True (said on stderr) when the image has blocking findings and --force was not given: nothing is written then. */
export function refusesBlocking(context: CliContext, imagePath: string, blocking: readonly AssessmentFinding[], options: Pick<FlashOptions, 'force'>): boolean {
  if (blocking.length === 0 || options.force === true) return false;
  context.stderr(`isotope: not writing ${imagePath}: ${blocking.map(findingHeadline).join('; ')}; pass --force to write it anyway\n`);
  return true;
}

/**
 * The job of a write its user confirmed at the terminal. Paths (devices, regular files) are the
 * CLI's own: the job starts below the contract, which takes only drive ids with an engine-issued confirmation.
 */
export async function terminalFlashWork(
  imagePath: string,
  targetPaths: readonly string[],
  options: Pick<FlashOptions, 'verify' | 'unsafe'>,
  plan: WriteModePlan,
): Promise<FlashWork> {
  return {
    kind: 'flash',
    imagePath,
    targets: targetPaths.map((path) => ({ path })),
    verify: options.verify,
    includeAll: options.unsafe === true,
    eject: false,
    // The flash engine loads only when this command runs (see cli.ts).
    recipe: (await import('../../flash/stick-plan.ts')).recipeOf(plan),
  };
}

/**
 * Two names for one target (a path twice, or a symlink beside what it points at) would race each
 * other: say so, never drop the repeat silently. False when a target is named twice.
 */
export async function namesEachTargetOnce(context: CliContext, targetPaths: readonly string[]): Promise<boolean> {
  const realPaths = await Promise.all(targetPaths.map((path) => realpath(path).catch(() => path)));
  const repeatedAt = realPaths.findIndex((path, index) => realPaths.indexOf(path) !== index);
  if (repeatedAt === -1) return true;
  context.stderr(`isotope: ${targetPaths[repeatedAt]} names ${realPaths[repeatedAt]}, which is named twice\n`);
  return false;
}

/** Names each target (description and size) and asks at the terminal; `imagePath` is a file, or a URL still to download (no size rule then). */
export async function confirm(
  context: CliContext,
  service: ReturnType<CliContext['createService']>,
  image: ImageToWrite,
  targetPaths: readonly string[],
  includeAll: boolean,
): Promise<boolean> {
  context.stderr(`This ERASES everything on:\n`);
  await listErasedTargets(context, service, image, targetPaths, includeAll);
  return (await confirmOnTerminal(context, `Write ${image.imagePath} to ${targetPaths.length === 1 ? 'it' : 'them'}?`, false)) === 'yes';
}

interface ImageToWrite {
  readonly imagePath: string;
  readonly mode: WriteModeChoice['mode'];
}

/** One line per target on stderr: its description and size, why the rules refuse it (without --unsafe), and a note when it is smaller than the image. */
export async function listErasedTargets(
  context: CliContext,
  service: ReturnType<CliContext['createService']>,
  image: ImageToWrite,
  targetPaths: readonly string[],
  includeAll: boolean,
): Promise<void> {
  // The mode planned above: the list's size rule is then the raw write's, or none for copied files.
  const listed = await service.call('drives:list', urlPattern.test(image.imagePath) ? { includeAll: true } : { includeAll: true, ...image });
  const drives = listed.ok ? listed.value.drives : [];
  for (const path of targetPaths) {
    const status = drives.find((candidate) => candidate.drive.device === path || candidate.drive.raw === path);
    const line = status
      ? `${path}  ${status.drive.description}  ${formatBytes(status.drive.sizeBytes)} (${status.drive.sizeBytes} bytes)`
      : `${path}  (a file)`;
    context.stderr(`  ${line}\n`);
    if (status && !includeAll && !status.eligible) context.stderr(`    refused: ${status.refusals.map((issue) => issue.reason).join('; ')}\n`);
    for (const issue of status?.warnings ?? []) if (issue.code === 'smaller-than-image') context.stderr(`    note: ${issue.reason}\n`);
  }
}

// Following a flash:* job (or a format, which is one), shared with `isotope verify` and `isotope format`.

export interface JobOutput extends ProgressOutput {
  /** Said on Ctrl-C before cancelling (a cancelled write leaves the drive unusable; a cancelled verify does not). */
  readonly interruptNotice?: string;
}

/** Starts the job with `start` and resolves with the result its `job:finished` carries (or the start error). */
export async function followFlashJob<K extends 'flash' | 'format' = 'flash'>(
  context: CliContext,
  service: Service,
  output: JobOutput,
  start: () => Promise<Result<{ jobId: string }>>,
  kind: K = 'flash' as K,
): Promise<Result<JobResults[K]>> {
  // Ctrl-C cancels the job cleanly (the result then says "cancelled") instead of killing the process mid-write.
  let cancel: (() => void) | null = null;
  const display = new ProgressDisplay(context, output);
  try {
    const result = await followJob(
      { onProgress: (listener) => service.on('job:progress', listener), onFinished: (listener) => service.on('job:finished', listener) },
      kind,
      start,
      {
        started: (jobId) => {
          cancel = () => {
            if (output.interruptNotice) context.stderr(`\n${output.interruptNotice}\n`);
            void service.call('job:cancel', { jobId });
          };
          process.once('SIGINT', cancel);
        },
        progressed: (progress) => display.show('job:progress', progress, targetReadings(progress)),
      },
    );
    return result;
  } finally {
    display.end({ keep: true });
    if (cancel) process.removeListener('SIGINT', cancel);
  }
}

/** A flash or verify's targets as the display's readings: "/dev/sdb: writing 42% (…)". */
export function targetReadings(progress: JobProgress): ProgressReading[] {
  return progress.targets.map((target) => ({
    label: `${target.target}: ${target.phase}`,
    bytesDone: target.bytesDone,
    bytesTotal: target.bytesTotal,
    bytesPerSecond: target.bytesPerSecond,
    etaMs: target.etaMs,
    failed: target.failed,
  }));
}

/** The final report for people: one line per target with its outcome, code, and mismatch range. */
export function describeFlashResult(result: FlashResult): string {
  const lines = [
    `${result.outcome.toUpperCase()}: ${result.source.path} (${result.source.compression}, ${result.source.sizeBytes} bytes) in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  ];
  const { imageSizeBytes, sizeBytes } = result.source;
  if (imageSizeBytes !== undefined) {
    lines.push(
      `Wrote the first ${sizeBytes} of the image's ${imageSizeBytes} bytes: every partition; the ${imageSizeBytes - sizeBytes} bytes past them are all zero`,
    );
  }
  if (result.source.sha256Hex) lines.push(`SHA256 ${result.source.sha256Hex}`);
  const verifiedAgainst = describeVerifiedAgainst(result.acknowledgedFindings ?? []);
  for (const target of result.targets) lines.push(describeTarget(target, verifiedAgainst));
  return `${lines.join('\n')}\n`;
}

/** A copy-files stick verified file by file, and the files a write's options added that verify cannot judge. */
function describeCopiedFiles(copied: NonNullable<TargetResult['copiedFiles']>): string {
  const judged = `file by file: the stick holds the image's ${copied.fileCount} files, read back through its FAT32`;
  const extras = copied.extraPaths.map((path) => `; it also holds ${path}, which the image lacks (written with Windows options), not compared`);
  return judged + extras.join('');
}

/** `verifiedAgainst`: what a verified target matches when the image itself was blocked (written with --force). */
export function describeTarget(target: TargetResult, verifiedAgainst: string | null): string {
  const head = `  ${target.target}: ${target.outcome}`;
  if (target.outcome === 'verified' && verifiedAgainst !== null) return `${head} (${target.bytesWritten} bytes written): ${verifiedAgainst}`;
  if (target.outcome === 'cancelled' && target.bytesWritten > 0) {
    return `${head} after ${target.bytesWritten} bytes: the drive is now unusable until it is written again or restored`;
  }
  if (target.error === null && target.copiedFiles) return `${head} ${describeCopiedFiles(target.copiedFiles)}`;
  if (target.error === null) return `${head} (${target.bytesWritten} bytes written)`;
  const range = target.mismatch ? ` [bytes ${target.mismatch.offsetBytes}..${target.mismatch.offsetBytes + target.mismatch.lengthBytes - 1}]` : '';
  const reasons = target.refusals.map((issue) => `\n      ${issue.code}: ${issue.reason}`).join('');
  return `${head} - ${target.error.code}${range}: ${target.error.message}${reasons}`;
}
