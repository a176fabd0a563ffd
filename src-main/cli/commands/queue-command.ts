// `isotope queue IMAGE=TARGET... | --image IMAGE TARGET... [--sequential]` and `isotope queue --duplicator
// --image IMAGE` (issue 19, Queue): many drives written from the command line as the app's queue writes
// them. Each pair is its own flash job with its own history record, run by the app's own queue runner
// (service/queue-run.ts, through Service.startTerminalQueue) in parallel or one after another; one pair
// failing stops nothing else. Before anything is written each image is assessed and planned as
// `isotope flash` does (the same refusals, --force, --unsafe), and one question names every pair and
// every blocking finding written anyway; off a terminal only --yes goes on. Exit 0 only when every
// pair succeeded (written, and verified unless --no-verify), else flash's failure code.
// Duplicator mode (queue-duplicator.ts) keeps writing each newly inserted stick until Ctrl-C.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppError } from '../../../shared/errors.ts';
import type { FlashResult } from '../../../shared/flash.ts';
import type { QueueOrder, QueueRow, QueueState } from '../../../shared/queue.ts';
import type { Result } from '../../../shared/result.ts';
import type { ConfirmedPair } from '../../service/queue-run.ts';
import type { Service } from '../../service/service.ts';
import { exitCodes } from '../exit-codes.ts';
import type { CliContext } from '../cli-context.ts';
import { namesExistingPaths } from '../existing-paths.ts';
import { confirmOnTerminal } from '../terminal-confirm.ts';
import { findingHeadline } from './assessment-report.ts';
import {
  describeFlashResult,
  listErasedTargets,
  namesEachTargetOnce,
  planTerminalWrite,
  targetReadings,
  terminalFlashWork,
  type FlashOptions,
  type TerminalWritePlan,
} from './flash-command.ts';
import { ProgressDisplay, type ProgressReading } from './job-progress.ts';
import { addWriteModeOptions } from './write-mode-options.ts';

export interface QueueOptions extends Omit<FlashOptions, 'mirror' | 'insecure'> {
  image?: string;
  sequential?: boolean;
  duplicator?: boolean;
}

/** One image for one drive, both as absolute paths. */
interface QueueCliPair {
  readonly imagePath: string;
  readonly targetPath: string;
}

/** Ctrl-C while the queue runs: the drives being written hold part of an image; the pairs not started are left alone. */
const cancelledQueueNotice =
  'Cancelling: the drives being written are partly written and now unusable until written again or restored; drives not started yet are not touched.';

export function registerQueueCommand(program: Command, context: CliContext): void {
  addWriteModeOptions(program.command('queue'))
    .description('write many drives, each pair its own job and history record: IMAGE=TARGET pairs, or --image IMAGE to every TARGET')
    .argument('[pairs...]', 'IMAGE=TARGET pairs (each drive its own image), or with --image the targets')
    .option('--image <image>', 'one image for every target (with --duplicator: for every stick inserted)')
    .option('--sequential', 'write one pair after another (default: all at once)')
    .option('--duplicator', 'keep going: write --image to each drive inserted from now on, never one attached now, until Ctrl-C')
    .option('--yes', 'do not ask for confirmation')
    .option('--unsafe', 'allow virtual (loop) and fixed drives')
    .option('--no-verify', 'skip the read-back verification')
    .option('--force', 'write even an image that is cut short, damaged, not a disk image or failed its checksum check')
    .option('--json', 'one JSON object per line: the plans, progress events, then one result per pair')
    .action(async (args: string[], options: QueueOptions) => {
      const usage = (message: string): void => {
        context.stderr(`isotope: ${message}\n`);
        context.setExitCode(exitCodes.usage);
      };
      if (options.duplicator === true) {
        if (options.image === undefined || args.length > 0)
          return usage('--duplicator takes --image IMAGE and no targets: it writes the drives inserted after it starts');
        if (options.sequential === true || options.mode !== 'auto' || copyModeOptionGiven(options))
          return usage(
            "--duplicator writes the image byte for byte to each stick as it arrives: no --sequential or --mode, nor copy mode's --table, --wim-part-mib or --windows-* options",
          );
        return (await import('./queue-duplicator.ts')).runDuplicator(context, context.createService(), resolve(options.image), options);
      }
      const pairs = pairsOf(args, options.image);
      if (typeof pairs === 'string') return usage(pairs);
      const targetPaths = pairs.map((pair) => pair.targetPath);
      if (!(await namesExistingPaths(context, targetPaths, options.json === true))) return;
      if (!(await namesEachTargetOnce(context, targetPaths))) return context.setExitCode(exitCodes.usage);
      await runWriteQueue(context, context.createService(), pairs, options);
    });
}

/** Whether a copy-mode option was given (--table other than its default, --wim-part-mib, --windows-*): duplicator mode would ignore it. */
function copyModeOptionGiven(options: QueueOptions): boolean {
  const { table, wimPartMib, windowsSkipChecks, windowsLocalAccount, windowsRegionalFromHost } = options;
  return table !== 'mbr' || wimPartMib !== undefined || windowsSkipChecks === true || windowsLocalAccount !== undefined || windowsRegionalFromHost === true;
}

/** The pairs the arguments name, in their order, or why they name none (a usage error). */
function pairsOf(args: readonly string[], image: string | undefined): QueueCliPair[] | string {
  if (args.length === 0) return image === undefined ? 'name IMAGE=TARGET pairs, or --image IMAGE and its targets' : `--image ${image} names no target`;
  if (image !== undefined) return args.map((target) => ({ imagePath: resolve(image), targetPath: resolve(target) }));
  const pairs: QueueCliPair[] = [];
  for (const arg of args) {
    // A device path holds no "=", an image's name may: the last one divides them.
    const at = arg.lastIndexOf('=');
    if (at <= 0 || at === arg.length - 1) return `${arg} is not IMAGE=TARGET (or give --image IMAGE and then only targets)`;
    pairs.push({ imagePath: resolve(arg.slice(0, at)), targetPath: resolve(arg.slice(at + 1)) });
  }
  return pairs;
}

/** Plans each image once (for all its targets, as `isotope flash` would), asks once, then runs and reports the queue. */
async function runWriteQueue(context: CliContext, service: Service, pairs: readonly QueueCliPair[], options: QueueOptions): Promise<void> {
  const json = options.json === true;
  const order: QueueOrder = options.sequential === true ? 'sequential' : 'parallel';
  const plans = new Map<string, TerminalWritePlan>();
  for (const [imagePath, targetPaths] of targetsByImage(pairs)) {
    // Any refusal (a blocking finding without --force, no room for a copy-files stick) refuses the whole queue: nothing has started.
    const planned = await planTerminalWrite(context, service, imagePath, targetPaths, options, { imagePath, targets: targetPaths });
    if (planned === null) return;
    plans.set(imagePath, planned);
  }
  if (options.yes !== true) {
    if (!process.stdin.isTTY) {
      context.stderr('isotope: a queue erases its targets; pass --yes when not on a terminal\n');
      return context.setExitCode(exitCodes.usage);
    }
    if (!(await confirmQueue(context, service, plans, pairs, options))) {
      context.stderr('isotope: nothing written\n');
      return context.setExitCode(exitCodes.failed);
    }
  }
  const confirmed: ConfirmedPair[] = [];
  for (const { imagePath, targetPath } of pairs) {
    const { plan, blocking } = plans.get(imagePath)!;
    const work = await terminalFlashWork(imagePath, [targetPath], options, plan);
    confirmed.push({ imagePath, driveId: targetPath, device: targetPath, work, acknowledgedFindings: blocking });
  }
  const { rows, results } = await followQueue(context, service, order, confirmed, json);
  for (const row of rows) reportRow(context, row, row.jobId === null ? undefined : results.get(row.jobId), json);
  const succeeded = rows.filter((row) => row.outcome === 'succeeded').length;
  if (!json) context.stdout(`Queue: ${succeeded} of ${rows.length} pairs succeeded\n`);
  context.setExitCode(succeeded === rows.length ? exitCodes.ok : exitCodes.failed);
}

/** Each image with its targets, images in the order first named. */
function targetsByImage(pairs: readonly QueueCliPair[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { imagePath, targetPath } of pairs) groups.set(imagePath, [...(groups.get(imagePath) ?? []), targetPath]);
  return groups;
}

/** Names every pair's target (description, size, refusals) under its image and mode, and every blocking finding written anyway, then asks once. */
async function confirmQueue(
  context: CliContext,
  service: Service,
  plans: ReadonlyMap<string, TerminalWritePlan>,
  pairs: readonly QueueCliPair[],
  options: QueueOptions,
): Promise<boolean> {
  for (const [imagePath, targetPaths] of targetsByImage(pairs)) {
    const { plan, blocking } = plans.get(imagePath)!;
    context.stderr(`Writing ${imagePath} (${plan.mode.mode}) ERASES everything on:\n`);
    await listErasedTargets(context, service, { imagePath, mode: plan.mode.mode }, targetPaths, options.unsafe === true);
    for (const finding of blocking) context.stderr(`  written anyway (--force): ${findingHeadline(finding)}\n`);
  }
  const how = options.sequential === true ? 'one after another' : 'at once';
  return (await confirmOnTerminal(context, `Write these ${pairs.length} drives ${how}?`, false)) === 'yes';
}

/**
 * Starts the queue and follows it to its end: every running pair's progress on one terminal line (or
 * JSON lines), each job's result as its `job:finished` brings it. Ctrl-C cancels the running jobs and
 * keeps the waiting pairs from starting. Resolves with the rows as they ended and each job's result.
 */
async function followQueue(
  context: CliContext,
  service: Service,
  order: QueueOrder,
  pairs: readonly ConfirmedPair[],
  json: boolean,
): Promise<{ rows: readonly QueueRow[]; results: ReadonlyMap<string, Result<FlashResult>> }> {
  const display = new ProgressDisplay(context, { json, tty: process.stderr.isTTY === true });
  const readings = new Map<string, ProgressReading[]>();
  const results = new Map<string, Result<FlashResult>>();
  const states = new Map<string, QueueState>();
  let queueId: string | null = null;
  let ended: (state: QueueState) => void = () => undefined;
  const done = new Promise<QueueState>((resolveDone) => (ended = resolveDone));
  const endIfDone = (): void => {
    const state = queueId === null ? undefined : states.get(queueId);
    if (state?.done) ended(state);
  };
  // Listening before the start: this service runs this queue's jobs only. A job's `job:finished`
  // reaches this listener before the queue's own, so every result is here when the queue is done.
  const unsubscribers = [
    service.on('job:progress', (progress) => {
      readings.set(progress.jobId, targetReadings(progress));
      display.show('job:progress', progress, [...readings.values()].flat());
    }),
    service.on('job:finished', (finished) => {
      readings.delete(finished.jobId);
      if (finished.kind === 'flash') results.set(finished.jobId, finished.result as Result<FlashResult>);
    }),
    service.on('queue:changed', (state) => {
      states.set(state.queueId, state);
      endIfDone();
    }),
  ];
  const stop = new AbortController();
  const cancel = (): void => {
    context.stderr(`\n${cancelledQueueNotice}\n`);
    stop.abort();
    const running = queueId === null ? [] : (states.get(queueId)?.rows ?? []).filter((row) => row.state === 'running');
    for (const row of running) if (row.jobId !== null) void service.call('job:cancel', { jobId: row.jobId });
  };
  process.once('SIGINT', cancel);
  try {
    const first = await service.startTerminalQueue(order, pairs, stop.signal);
    queueId = first.queueId;
    if (!states.has(queueId)) states.set(queueId, first);
    endIfDone();
    return { rows: (await done).rows, results };
  } finally {
    process.removeListener('SIGINT', cancel);
    for (const unsubscribe of unsubscribers) unsubscribe();
    display.end({ keep: true });
  }
}

/** One pair's result: the flash report (or a JSON line with its job and history record id). */
function reportRow(context: CliContext, row: QueueRow, result: Result<FlashResult> | undefined, json: boolean): void {
  const error: AppError | null = result === undefined || result.ok ? null : result.error;
  if (json) {
    // Every job the queue starts is recorded in the history under its job id (service/job-history.ts).
    const { imagePath, device, jobId, outcome } = row;
    const value = result?.ok ? result.value : null;
    context.stdout(`${JSON.stringify({ event: 'queue:result', imagePath, target: device, jobId, historyId: jobId, outcome, result: value, error })}\n`);
    return;
  }
  if (result?.ok) return context.stdout(describeFlashResult(result.value));
  const why = error === null ? 'not started (the queue was cancelled)' : `${error.code}: ${error.message}`;
  context.stdout(`${(row.outcome ?? 'failed').toUpperCase()}: ${row.imagePath} to ${row.device}: ${why}\n`);
}
