// `flash:*` calls. `flash:prepare` answers with a plan and an engine-issued confirmation;
// `flash:start` runs that plan once, if nothing it is bound to changed (service/flash-plan.ts).
// `flash:start` and `flash:verify` answer at once with a job id; the job reports as `job:progress`
// (kind `flash`, with per-target sub-progress) and ends with one `job:finished` of kind `flash`. The engine
// re-enumerates and re-checks every target itself: ids from the caller are only names. Paths (device
// or regular-file targets) are not part of the contract: the CLI, whose user is at the terminal,
// starts those jobs below it.
import { randomUUID } from 'node:crypto';
import type { AssessmentFinding } from '../../../shared/assessment.ts';
import type { FlashProgress, FlashResult } from '../../../shared/flash.ts';
import { flashJobProgress } from '../../../shared/job.ts';
import { ok } from '../../../shared/result.ts';
import { runFlashWork } from '../../elevation/elevation.ts';
import type { FlashWork } from '../../flash/flash-work.ts';
import { confirmFlash, prepareFlash } from '../flash-plan.ts';
import { judgeInWorker } from './assess-handlers.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';

export const flashHandlers: HandlerTable<'flash:prepare' | 'flash:start' | 'flash:verify'> = {
  'flash:prepare': (request, { options, confirmations, parser }) =>
    prepareFlash(request, { confirmations, shellConfirm: options.confirmDestructive, judgeImage: judgeInWorker(parser) }),
  'flash:start': async (request, context) => {
    const { work, plan } = await confirmFlash(request, { confirmations: context.confirmations, shellConfirm: context.options.confirmDestructive });
    // confirmFlash refused unless every blocking finding was acknowledged; the summary names them.
    return startFlashJob(context, work, { acknowledgedFindings: plan.assessment.findings.filter((finding) => finding.severity === 'blocking') });
  },
  // Read-only: compares a drive (looked up afresh by id) with the image, so it needs no confirmation.
  'flash:verify': async ({ imagePath, driveId }, context) => startFlashJob(context, { kind: 'verify', imagePath, target: { driveId } }),
};

/**
 * Starts a flash or verify job reporting through this service's events. Handlers call it after their
 * checks; the CLI calls it directly (through `Service.startTerminalJob`) for targets it confirmed at
 * the terminal, which no transport can reach.
 */
export function startFlashJob(
  { events, options, jobs }: Pick<HandlerContext, 'events' | 'options' | 'jobs'>,
  work: FlashWork,
  { acknowledgedFindings = [] }: { readonly acknowledgedFindings?: readonly AssessmentFinding[] } = {},
): { jobId: string } {
  const jobId = randomUUID();
  const onProgress = (progress: FlashProgress): void => events.emit('job:progress', flashJobProgress({ ...progress, jobId }));
  // A flash reports its end as an event, so the job is registered (and cancellable) until that event.
  void jobs
    .run(jobId, (signal) => runFlashWork(work, { jobId, signal, onProgress }, options.elevatedHelper ?? {}))
    .catch((error: unknown): FlashResult => {
      (options.log ?? console.error)('flash job failed unexpectedly', error);
      return internalFailure(jobId, work.imagePath);
    })
    .then((result) => {
      events.emit('job:finished', { jobId, kind: 'flash', result: ok({ ...result, jobId, ...(acknowledgedFindings.length > 0 ? { acknowledgedFindings } : {}) }) });
    });
  return { jobId };
}

function internalFailure(jobId: string, imagePath: string): FlashResult {
  return {
    jobId,
    outcome: 'failed',
    source: { path: imagePath, compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets: [{ target: '', outcome: 'failed', bytesWritten: 0, error: { code: 'internal', message: 'internal error (see the engine log)', offsetBytes: null }, mismatch: null, refusals: [] }],
    elapsedMs: 0,
  };
}
