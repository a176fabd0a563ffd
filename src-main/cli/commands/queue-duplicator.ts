// `isotope queue --duplicator --image IMAGE [--unsafe] [--no-verify] [--force] [--yes] [--json]`: the
// app's duplicator mode (service/duplicator.ts, through the contract's duplicator:* calls) from the
// command line. Every drive inserted after it starts that the safety rules allow and that holds the
// image is written as its own flash job with its own history record; drives attached at the start
// are never written. A running count is printed at each change. The first Ctrl-C stops watching and
// lets the writes under way finish; a second one cancels them. Exit 0 when no stick failed.
import type { DuplicatorPlan, DuplicatorState, DuplicatorStick } from '../../../shared/queue.ts';
import { unacknowledgedBlockingFindings } from '../../../shared/assessment.ts';
import { formatBytes } from '../../../shared/units.ts';
import type { Service } from '../../service/service.ts';
import { exitCodes } from '../exit-codes.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { confirmOnTerminal } from '../terminal-confirm.ts';
import { describeAssessment, findingHeadline } from './assessment-report.ts';
import { refusesBlocking } from './flash-command.ts';
import type { QueueOptions } from './queue-command.ts';

/** Said at the first Ctrl-C: what stops now, and what a second one does. */
const stopNotice = 'Stopped watching: no other drive will be written. The writes under way finish; Ctrl-C again cancels them (those drives are then unusable).';

export async function runDuplicator(context: CliContext, service: Service, imagePath: string, options: QueueOptions): Promise<void> {
  const json = options.json === true;
  const prepared = await service.call('duplicator:prepare', { imagePath, verify: options.verify, eject: false, includeAll: options.unsafe === true });
  if (!prepared.ok) return context.setExitCode(reportResult(context, prepared, json, () => ''));
  const { confirmationId, expiresAtMs: _expiresAtMs, ...plan } = prepared.value;
  if (json) context.stdout(`${JSON.stringify({ event: 'duplicator:planned', ...plan })}\n`);
  else context.stderr(`${describeAssessment(plan.assessment)}${describePlan(plan)}`);
  const blocking = unacknowledgedBlockingFindings(plan.assessment, []);
  if (refusesBlocking(context, imagePath, blocking, options)) return context.setExitCode(exitCodes.failed);
  if (options.yes !== true) {
    if (!process.stdin.isTTY) {
      context.stderr('isotope: duplicator mode erases every drive inserted; pass --yes when not on a terminal\n');
      return context.setExitCode(exitCodes.usage);
    }
    for (const finding of blocking) context.stderr(`  written anyway (--force): ${findingHeadline(finding)}\n`);
    if ((await confirmOnTerminal(context, 'Start duplicator mode?', false)) !== 'yes') {
      context.stderr('isotope: nothing written\n');
      return context.setExitCode(exitCodes.failed);
    }
  }
  // The phrase is how a page without a trusted dialog confirms (the image's name); this user confirmed at the terminal above, or with --yes.
  const started = await service.call('duplicator:start', {
    confirmationId,
    ...(plan.phraseToType === null ? {} : { typedPhrase: plan.phraseToType }),
    acknowledgedFindings: blocking.map((finding) => finding.code),
  });
  if (!started.ok) return context.setExitCode(reportResult(context, started, json, () => ''));
  const stopped = await followDuplicator(context, service, started.value, json);
  if (json) context.stdout(`${JSON.stringify({ event: 'duplicator:stopped', ...stopped })}\n`);
  else context.stdout(`Duplicator mode stopped${stopped.stoppedBecause === null ? '' : ` because ${stopped.stoppedBecause}`}: ${countOf(stopped)}\n`);
  context.setExitCode(stopped.failed === 0 && stopped.stoppedBecause === null ? exitCodes.ok : exitCodes.failed);
}

/** The rule the confirmation accepts: this image, to which drives, and the drives left alone. */
function describePlan(plan: Omit<DuplicatorPlan, 'confirmationId' | 'expiresAtMs'>): string {
  const which = plan.includeAll ? 'that the safety rules allow (--unsafe: loop and fixed drives too)' : 'that is a removable USB stick the safety rules allow';
  const size = `${formatBytes(plan.imageSizeBytes)}, ${plan.imageSizeBytes} bytes`;
  return [
    `Duplicator mode writes ${plan.imagePath} (${size}) to every drive inserted from now on ${which} and that holds it: it ERASES each one.`,
    `Left alone (attached now): ${plan.presentDevices.join(', ') || 'none'}`,
    '',
  ].join('\n');
}

const countOf = (state: DuplicatorState): string => `written ${state.written}, failed ${state.failed}, writing ${state.running}, skipped ${state.skipped}`;

/** The sticks in `state.sticks` (newest first) that `previous` did not count yet, oldest first. */
function newSticks(previous: DuplicatorState, state: DuplicatorState): DuplicatorStick[] {
  const counted = (of: DuplicatorState): number => of.written + of.failed + of.running + of.skipped;
  return state.sticks.slice(0, counted(state) - counted(previous)).reverse();
}

/**
 * Prints each change (a stick written, ended or skipped, then the count; or the state as a JSON line)
 * until duplicator mode has stopped and its last write ended. The first Ctrl-C stops it, a second
 * cancels the writes still running.
 */
async function followDuplicator(context: CliContext, service: Service, started: DuplicatorState, json: boolean): Promise<DuplicatorState> {
  const { duplicatorId } = started;
  const writing = new Set<string>();
  let latest = started;
  if (json) context.stdout(`${JSON.stringify({ event: 'duplicator:started', ...started })}\n`);
  else context.stderr(`Watching for new drives (Ctrl-C stops): ${countOf(started)}\n`);
  const report = (state: DuplicatorState): void => {
    if (json) return context.stdout(`${JSON.stringify({ event: 'duplicator:changed', ...state })}\n`);
    for (const stick of newSticks(latest, state)) {
      if (stick.jobId !== null && stick.outcome === null) writing.add(stick.jobId);
      context.stdout(`  ${stick.device} (${stick.description}): ${stick.outcome === 'skipped' ? `skipped: ${stick.skippedBecause}` : 'writing'}\n`);
    }
    for (const stick of state.sticks) {
      if (stick.jobId === null || stick.outcome === null || !writing.delete(stick.jobId)) continue;
      context.stdout(`  ${stick.device}: ${stick.outcome} (job ${stick.jobId})\n`);
    }
    context.stdout(`${countOf(state)}\n`);
  };
  let interrupts = 0;
  const interrupt = (): void => {
    interrupts += 1;
    context.stderr(`\n${interrupts === 1 ? stopNotice : 'Cancelling the writes under way.'}\n`);
    if (interrupts === 1) return void service.call('duplicator:stop', { duplicatorId });
    for (const stick of latest.sticks) if (stick.jobId !== null && stick.outcome === null) void service.call('job:cancel', { jobId: stick.jobId });
  };
  // Duplicator mode's own timer never keeps a process alive (it runs inside the app too): this command waits for Ctrl-C.
  const keepAlive = setInterval(() => undefined, 60_000);
  process.on('SIGINT', interrupt);
  try {
    // The first enumeration after the start is a poll interval away, so no change is missed by listening now.
    return await new Promise<DuplicatorState>((resolveStopped) => {
      const unsubscribe = service.on('duplicator:changed', (state) => {
        if (state.duplicatorId !== duplicatorId) return;
        report(state);
        latest = state;
        if (state.watching || state.running > 0) return;
        unsubscribe();
        resolveStopped(state);
      });
    });
  } finally {
    process.removeListener('SIGINT', interrupt);
    clearInterval(keepAlive);
  }
}
