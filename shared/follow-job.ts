// Following a job that answers its start with an id at once and reports as events: its progress, then
// one end event. The one follower for every caller (the renderer's write screen, the CLI): events
// may arrive before the start call returns the id (a job that fails at once ends first), so they are
// kept until the id is known, then delivered in order.
import type { FinishedJobKind, JobFinished, JobProgress, JobResults } from './job.ts';
import { fail, type Result } from './result.ts';

export interface JobEvents {
  /** Subscribes to every job's `job:progress`; returns the unsubscribe function. Absent when unwatched. */
  readonly onProgress?: (listener: (progress: JobProgress) => void) => () => void;
  /** Subscribes to every job's `job:finished`; returns the unsubscribe function. */
  readonly onFinished: (listener: (finished: JobFinished) => void) => () => void;
}

export interface JobFollower {
  /** Called once with the job's id, before any of its events. */
  readonly started?: (jobId: string) => void;
  readonly progressed?: (progress: JobProgress) => void;
}

/**
 * Starts a job of kind `kind` with `start` and resolves with the result its `job:finished` carries,
 * or with the start's failure.
 */
export async function followJob<K extends FinishedJobKind>(
  events: JobEvents,
  kind: K,
  start: () => Promise<Result<{ jobId: string }>>,
  follower: JobFollower = {},
): Promise<Result<JobResults[K]>> {
  let jobId: string | null = null;
  const early: (() => void)[] = [];
  const whenKnown = (deliver: () => void): void => (jobId === null ? void early.push(deliver) : deliver());
  let finish: (finished: JobFinished) => void = () => undefined;
  const finished = new Promise<JobFinished>((resolve) => (finish = resolve));
  // Listen before starting, so no event of this job can be missed.
  const stopProgress = events.onProgress?.((progress) =>
    whenKnown(() => {
      if (progress.jobId === jobId) follower.progressed?.(progress);
    }),
  );
  const stopFinished = events.onFinished((ended) =>
    whenKnown(() => {
      if (ended.jobId === jobId) finish(ended);
    }),
  );
  try {
    const started = await start();
    if (!started.ok) return started;
    jobId = started.value.jobId;
    follower.started?.(jobId);
    for (const deliver of early.splice(0)) deliver();
    const ended = await finished;
    if (ended.kind !== kind) return fail({ code: 'internal', message: `job ${ended.jobId} ended as kind ${ended.kind}, not ${kind} as started` });
    // The kind matched, so the result is that kind's (TypeScript does not correlate the two).
    return ended.result as Result<JobResults[K]>;
  } finally {
    stopProgress?.();
    stopFinished();
  }
}
