// Following a job that answers its start with an id at once and reports as events: its progress, then
// one end event. The one follower for every caller (the renderer's write screen, the CLI): events
// may arrive before the start call returns the id (a job that fails at once ends first), so they are
// kept until the id is known, then delivered in order.
import { ok, type Result } from './result.ts';

export interface JobEvents<P extends { readonly jobId: string }, R extends { readonly jobId: string }> {
  /** Subscribes to every job's progress; returns the unsubscribe function. Absent when unwatched. */
  readonly onProgress?: (listener: (progress: P) => void) => () => void;
  /** Subscribes to every job's end; returns the unsubscribe function. */
  readonly onFinished: (listener: (result: R) => void) => () => void;
}

export interface JobFollower<P> {
  /** Called once with the job's id, before any of its events. */
  readonly started?: (jobId: string) => void;
  readonly progressed?: (progress: P) => void;
}

/** Starts a job with `start` and resolves with its end event's payload, or with the start's failure. */
export async function followJob<P extends { readonly jobId: string }, R extends { readonly jobId: string }>(
  events: JobEvents<P, R>,
  start: () => Promise<Result<{ jobId: string }>>,
  follower: JobFollower<P> = {},
): Promise<Result<R>> {
  let jobId: string | null = null;
  const early: (() => void)[] = [];
  const whenKnown = (deliver: () => void): void => (jobId === null ? void early.push(deliver) : deliver());
  let finish: (result: R) => void = () => undefined;
  const finished = new Promise<R>((resolve) => (finish = resolve));
  // Listen before starting, so no event of this job can be missed.
  const stopProgress = events.onProgress?.((progress) =>
    whenKnown(() => {
      if (progress.jobId === jobId) follower.progressed?.(progress);
    }),
  );
  const stopFinished = events.onFinished((result) =>
    whenKnown(() => {
      if (result.jobId === jobId) finish(result);
    }),
  );
  try {
    const started = await start();
    if (!started.ok) return started;
    jobId = started.value.jobId;
    follower.started?.(jobId);
    for (const deliver of early.splice(0)) deliver();
    return ok(await finished);
  } finally {
    stopProgress?.();
    stopFinished();
  }
}
