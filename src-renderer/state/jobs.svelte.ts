// The renderer's one job store: the latest `job:progress` of every engine job, by job id, from one
// subscription. The classes that start jobs (a flash, an extraction, a hashing pass) read their own
// job's progress here by its id. A job may report before its start call has answered with the id
// (a job that fails at once): its progress is already here when the id becomes known.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';

/** Jobs whose last progress is kept: other windows and clients of the engine report here too, so the store is bounded. */
const keptJobCount = 16;

export class JobStore {
  readonly #latest = new SvelteMap<string, JobProgress>();
  /** Jobs of the kept ones that ended (`job:finished`): their last progress stays for their summaries. */
  readonly #finished = new SvelteSet<string>();

  constructor(client: Pick<EngineClient, 'subscribe'>) {
    client.subscribe('job:finished', (finished) => {
      if (this.#latest.has(finished.jobId)) this.#finished.add(finished.jobId);
    });
    client.subscribe('job:progress', (progress) => {
      // Re-inserting moves the job to the newest end, so the oldest reported job is dropped first.
      this.#latest.delete(progress.jobId);
      this.#latest.set(progress.jobId, progress);
      while (this.#latest.size > keptJobCount) {
        const oldest = this.#latest.keys().next().value;
        if (oldest === undefined) break;
        this.#latest.delete(oldest);
        this.#finished.delete(oldest);
      }
    });
  }

  /** Every job (of this window or another client) that reported and has not finished, oldest first: the sidebar keeps each in sight. */
  get running(): JobProgress[] {
    return [...this.#latest.values()].filter((progress) => !this.#finished.has(progress.jobId));
  }

  /** The job's latest progress; null before its first report, or without an id. */
  progressOf(jobId: string | null): JobProgress | null {
    return jobId === null ? null : (this.#latest.get(jobId) ?? null);
  }

  /** The share of the job's bytes done (of its current phase), 0 to 1; null before its first report or while its size is unknown. */
  fractionOf(jobId: string | null): number | null {
    const progress = this.progressOf(jobId);
    if (!progress || progress.bytesTotal === null || progress.bytesTotal === 0) return null;
    return progress.bytesDone / progress.bytesTotal;
  }
}
