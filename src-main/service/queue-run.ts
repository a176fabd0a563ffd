// A queue of writes (issue 19): `queue:prepare` plans each (image, drive) pair exactly as
// flash:prepare plans one image for one drive, and issues ONE confirmation bound to every pair's
// plan; `queue:start` uses it up, checks every pair as flash:start would (image version, drive
// identity, typed name, acknowledged findings), asks the shell once, and only then starts anything.
// Each pair is then its own flash job (own id, own `job:finished`, own history record through
// startFlashJob), so one pair failing never stops or taints another.
import { randomUUID } from 'node:crypto';
import type { FlashResult } from '../../shared/flash.ts';
import type { JobFinished } from '../../shared/job.ts';
import type { QueuePlan, QueuePrepareRequest, QueueRow, QueueStartRequest, QueueState } from '../../shared/queue.ts';
import type { AssessmentFinding } from '../../shared/assessment.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { CodedError } from '../jobs/errors.ts';
import { confirmFlash, prepareFlash, type PlanContent, type PlanOptions } from './flash-plan.ts';
import type { HandlerContext } from './handler-types.ts';
import { startFlashJob } from './handlers/flash-handlers.ts';

/** What the queue's confirmation is bound to: each pair's own (unexposed) flash confirmation and plan. */
interface QueueBinding {
  readonly order: QueuePrepareRequest['order'];
  readonly pairs: readonly { readonly imagePath: string; readonly driveId: string; readonly flashConfirmationId: string; readonly plan: PlanContent }[];
}

export async function prepareQueue(request: QueuePrepareRequest, options: PlanOptions): Promise<QueuePlan> {
  const driveIds = request.pairs.map((pair) => pair.driveId);
  const repeated = driveIds.find((id, index) => driveIds.indexOf(id) !== index);
  if (repeated !== undefined) throw new CodedError('invalid-request', `queue:prepare names drive ${repeated} twice (each drive gets one image)`);
  const flashOptions = { verify: request.verify ?? true, eject: request.eject ?? true, includeAll: request.includeAll ?? false };
  const pairs: QueueBinding['pairs'][number][] = [];
  // One pair after another: each assessment reads its image, and two reads of one disk at once are slower than one after the other.
  for (const pair of request.pairs) {
    // The plan without its confirmation: the queue's answer carries the queue's own confirmation id and expiry.
    const {
      confirmationId,
      expiresAtMs: _expiresAtMs,
      ...plan
    } = await prepareFlash({ imagePath: pair.imagePath, driveIds: [pair.driveId], ...flashOptions }, options);
    pairs.push({ ...pair, flashConfirmationId: confirmationId, plan });
  }
  const issued = options.confirmations.issue('queue', { order: request.order, pairs } satisfies QueueBinding);
  return { ...issued, order: request.order, pairs: pairs.map(({ imagePath, driveId, plan }) => ({ imagePath, driveId, plan })) };
}

/** A pair ready to run: its job, and the findings its user acknowledged. The CLI, whose user confirmed at the terminal, names a drive by its path. */
export interface ConfirmedPair {
  readonly imagePath: string;
  readonly driveId: string;
  readonly device: string;
  readonly work: FlashWork;
  readonly acknowledgedFindings: readonly AssessmentFinding[];
}

/** Uses up the queue's confirmation and every pair's; refuses the whole queue (nothing started) if any pair no longer holds. */
export async function confirmQueue(request: QueueStartRequest, options: PlanOptions): Promise<{ order: QueueBinding['order']; pairs: ConfirmedPair[] }> {
  const binding = options.confirmations.consume('queue', request.confirmationId) as QueueBinding;
  const pairs: ConfirmedPair[] = [];
  for (const pair of binding.pairs) {
    const flashRequest = {
      confirmationId: pair.flashConfirmationId,
      ...(request.typedNames ? { typedNames: request.typedNames } : {}),
      ...(request.acknowledgedFindings ? { acknowledgedFindings: request.acknowledgedFindings } : {}),
    };
    // The shell is asked once, below, for the whole queue.
    const { work, plan } = await confirmFlash(flashRequest, { ...options, shellConfirm: undefined });
    const acknowledgedFindings = plan.assessment.findings.filter((finding) => finding.severity === 'blocking');
    pairs.push({ imagePath: pair.imagePath, driveId: pair.driveId, device: plan.targets[0]?.device ?? pair.driveId, work, acknowledgedFindings });
  }
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'queue', plans: binding.pairs.map((pair) => pair.plan) }))) {
    throw new CodedError('cancelled', 'the queue was not confirmed in the confirmation dialog');
  }
  return { order: binding.order, pairs };
}

/**
 * Runs the confirmed pairs: all at once, or each when the one before it has ended (whatever its
 * outcome). Answers the first state; every row's start and end is sent as `queue:changed`. Once
 * `stop` is aborted (the CLI's Ctrl-C), no waiting pair starts: each ends as cancelled, with no job.
 */
export function runQueue(
  context: Pick<HandlerContext, 'events' | 'options' | 'jobs' | 'log'>,
  order: QueueBinding['order'],
  pairs: readonly ConfirmedPair[],
  stop?: AbortSignal,
): QueueState {
  const queueId = randomUUID();
  const rows: QueueRow[] = pairs.map(({ imagePath, driveId, device }) => ({
    imagePath,
    driveId,
    device,
    state: 'waiting',
    jobId: null,
    outcome: null,
    startedMs: null,
    endedMs: null,
  }));
  const snapshot = (): QueueState => ({ queueId, order, rows: rows.map((row) => ({ ...row })), done: rows.every((row) => row.state === 'ended') });
  const unsubscribe = context.events.subscribe((name, payload) => {
    if (name !== 'job:finished') return;
    const finished = payload as JobFinished;
    const index = rows.findIndex((row) => row.jobId === finished.jobId);
    const row = rows[index];
    if (row === undefined || finished.kind !== 'flash') return;
    const outcome = finished.result.ok ? (finished.result.value as FlashResult).outcome : 'failed';
    rows[index] = { ...row, state: 'ended', outcome, endedMs: Date.now() };
    if (order === 'sequential' && index + 1 < rows.length) start(index + 1);
    if (rows.every((candidate) => candidate.state === 'ended')) unsubscribe();
    context.events.emit('queue:changed', snapshot());
  });
  const start = (index: number): void => {
    const pair = pairs[index];
    const row = rows[index];
    if (pair === undefined || row === undefined) return;
    if (stop?.aborted) {
      const endedMs = Date.now();
      for (const [at, waiting] of rows.entries()) if (waiting.state === 'waiting') rows[at] = { ...waiting, state: 'ended', outcome: 'cancelled', endedMs };
      return; // The job:finished listener that asked for this start sends the state (or, for the first pair, the answer below).
    }
    const { jobId } = startFlashJob(context, pair.work, { acknowledgedFindings: pair.acknowledgedFindings });
    rows[index] = { ...row, state: 'running', jobId, startedMs: Date.now() };
    context.events.emit('queue:changed', snapshot());
  };
  if (order === 'parallel') pairs.forEach((_, index) => start(index));
  else start(0);
  // Stopped before the first pair started: no job:finished will come to end the listening.
  if (rows.every((row) => row.state === 'ended')) unsubscribe();
  return snapshot();
}
