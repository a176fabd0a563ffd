// One engine job started and followed to its end (`job:finished`): whether it runs, its id, its
// progress from the job store, cancel, and the result or the engine's error. The download, decode,
// backup and VM-trial states are each one of these plus their own fields.
import type { AppError } from '../../shared/errors.ts';
import type { FinishedJobKind, JobProgress, JobResults } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';
import { cancelJob, followStartedJob } from './engine-ports.ts';
import type { JobStore } from './jobs.svelte.ts';

export class FollowedJob<Kind extends FinishedJobKind> {
  running = $state(false);
  jobId = $state<string | null>(null);
  result = $state.raw<JobResults[Kind] | null>(null);
  error = $state.raw<AppError | null>(null);
  protected readonly client: EngineClient;
  protected readonly jobs: JobStore;

  constructor(client: EngineClient, jobs: JobStore) {
    this.client = client;
    this.jobs = jobs;
  }

  /** The latest progress while the job runs; null otherwise. */
  get progress(): JobProgress | null {
    return this.running ? this.jobs.progressOf(this.jobId) : null;
  }

  /** Share done, 0-1, while the job runs; null otherwise and while the size is unknown. */
  get fraction(): number | null {
    return this.running ? this.jobs.fractionOf(this.jobId) : null;
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await cancelJob(this.client, this.jobId);
  }

  /**
   * Starts the job with `call` and waits for its end: the result when done, null when it failed or was
   * cancelled (`error` says which), or when one is already running. Callers that set fields of their
   * own check `running` first, so a refused start leaves them as they were.
   */
  protected async run(kind: Kind, call: () => Promise<Result<{ jobId: string }>>): Promise<JobResults[Kind] | null> {
    if (this.running) return null;
    this.running = true;
    this.jobId = null;
    this.result = null;
    this.error = null;
    try {
      const result = await followStartedJob(this.client, kind, call, (jobId) => (this.jobId = jobId));
      if (!result.ok) {
        this.error = result.error;
        return null;
      }
      this.result = result.value;
      return result.value;
    } finally {
      this.running = false;
    }
  }
}
