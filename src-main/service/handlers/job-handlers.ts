// `job:*` calls, and how a call starts a long job: what every job shares, whatever its kind (src-main/jobs/).
import { randomUUID } from 'node:crypto';
import type { FinishedJobKind, JobFinished, JobResults } from '../../../shared/job.ts';
import { fail, ok, type Result } from '../../../shared/result.ts';
import { toAppError } from '../../app-error/to-app-error.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';

export const jobHandlers: HandlerTable<'job:cancel'> = {
  'job:cancel': async ({ jobId }, { jobs }) => ({ cancelled: jobs.cancel(jobId) }),
};

/**
 * Starts `work` as a job of `kind` under a new id (so `job:cancel` can name it) and answers with the
 * id at once; the job ends with one `job:finished` carrying its result, or its error as the call
 * would have answered it. What must be refused before any work (a forbidden destination) the caller
 * checks before starting, so the call itself fails.
 */
export function startJob<K extends FinishedJobKind>(
  { events, jobs, log }: Pick<HandlerContext, 'events' | 'jobs' | 'log'>,
  kind: K,
  work: (jobId: string, signal: AbortSignal) => Promise<JobResults[K]>,
): { jobId: string } {
  const jobId = randomUUID();
  void jobs
    .run(jobId, (signal) => work(jobId, signal))
    .then(
      (value): Result<JobResults[K]> => ok(value),
      (error: unknown): Result<JobResults[K]> => fail(toAppError(error, log)),
    )
    .then((result) => {
      // K is one kind and result is that kind's; TypeScript does not correlate the two in a union.
      events.emit('job:finished', { jobId, kind, result } as JobFinished);
    });
  return { jobId };
}
