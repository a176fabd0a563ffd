// `flash:*` calls. `flash:prepare` answers with a plan and an engine-issued confirmation;
// `flash:start` runs that plan once, if nothing it is bound to changed (service/flash-plan.ts).
// `flash:start` and `flash:verify` answer at once with a job id; the job reports as `job:progress`
// (kind `flash`, with per-target sub-progress) and ends with one `job:finished` of kind `flash`. The engine
// re-enumerates and re-checks every target itself: ids from the caller are only names. Paths (device
// or regular-file targets) are not part of the contract: the CLI, whose user is at the terminal,
// starts those jobs below it.
import type { AssessmentFinding } from '../../../shared/assessment.ts';
import type { FlashProgress, FlashResult } from '../../../shared/flash.ts';
import { flashJobProgress } from '../../../shared/job.ts';
import { runFlashWork } from '../../elevation/elevation.ts';
import type { FlashWork } from '../../flash/flash-work.ts';
import { confirmFlash, prepareFlash } from '../flash-plan.ts';
import { judgeInWorker } from './assess-handlers.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { startJob } from './job-handlers.ts';
import { flashRecordEnd, flashRecordStart, recordJob } from '../job-history.ts';

export const flashHandlers: HandlerTable<'flash:prepare' | 'flash:start' | 'flash:verify'> = {
  'flash:prepare': (request, { options, confirmations, parser }) =>
    prepareFlash(request, { confirmations, shellConfirm: options.confirmDestructive, judgeImage: judgeInWorker(parser), parser }),
  'flash:start': async (request, context) => {
    const { work, plan } = await confirmFlash(request, {
      confirmations: context.confirmations,
      shellConfirm: context.options.confirmDestructive,
      parser: context.parser,
    });
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
  { events, options, jobs, log }: Pick<HandlerContext, 'events' | 'options' | 'jobs' | 'log'>,
  work: FlashWork,
  { acknowledgedFindings = [] }: { readonly acknowledgedFindings?: readonly AssessmentFinding[] } = {},
): { jobId: string } {
  // Even an unexpected failure ends as a FlashResult, so every target's outcome is stated.
  return startJob({ events, jobs, log }, 'flash', (jobId, signal) => {
    const onProgress = (progress: FlashProgress): void => events.emit('job:progress', flashJobProgress({ ...progress, jobId }));
    const run = (): Promise<FlashResult> =>
      runFlashWork(work, { jobId, signal, onProgress }, options.elevatedHelper ?? {})
        .catch((error: unknown): FlashResult => {
          log('flash job failed unexpectedly', error);
          return internalFailure(jobId, work.kind === 'format' ? '' : work.imagePath);
        })
        .then((result) => ({ ...result, jobId, ...(acknowledgedFindings.length > 0 ? { acknowledgedFindings } : {}) }));
    return recordJob({ events, log }, jobId, flashRecordStart(work), run, (result, started) =>
      flashRecordEnd(result, started, work.kind !== 'flash' || work.verify),
    );
  });
}

function internalFailure(jobId: string, imagePath: string): FlashResult {
  return {
    jobId,
    outcome: 'failed',
    source: { path: imagePath, compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets: [
      {
        target: '',
        outcome: 'failed',
        bytesWritten: 0,
        error: { code: 'internal', message: 'internal error (see the engine log)', offsetBytes: null },
        mismatch: null,
        refusals: [],
      },
    ],
    elapsedMs: 0,
  };
}
