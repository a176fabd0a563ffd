// A destructive job in two steps, as the engine runs every one (a write, a restore): a plan the
// engine prepares with the single-use confirmation it issued, shown to the user, then the start of
// exactly that plan with what the user typed; progress from the job store (`job:progress`), the
// result from its one `job:finished`, and cancel.
import type { AppError } from '../../shared/errors.ts';
import { targetFraction } from '../../shared/flash-progress.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import type { JobStore } from './jobs.svelte.ts';

/** The engine calls of one kind of planned job (engine-ports.ts builds them over the client). */
export interface PlannedJobPort<Request, Plan, Start, Outcome> {
  /** Asks the engine what the job would do; its answer carries the confirmation `start` needs. */
  prepare(request: Request): Promise<Result<Plan>>;
  /** Runs the whole job: `onstarted` gets its id at once (its progress is in the job store under it). */
  start(request: Start, onstarted: (jobId: string) => void): Promise<Result<Outcome>>;
  cancel(jobId: string): Promise<void>;
}

export class PlannedJob<Request, Plan extends { readonly confirmationId: string }, Start extends { readonly confirmationId: string }, Outcome> {
  running = $state(false);
  jobId = $state<string | null>(null);
  result = $state.raw<Outcome | null>(null);
  error = $state.raw<AppError | null>(null);
  startedMs = $state(0);
  /** True while the engine prepares a plan (it re-enumerates the drives and checks what it needs). */
  preparing = $state(false);
  /** The plan waiting for the user's confirmation; null once started or dismissed. */
  plan = $state.raw<Plan | null>(null);
  /** The plan the last job ran, for its progress and summary. */
  lastPlan = $state.raw<Plan | null>(null);
  readonly #port: PlannedJobPort<Request, Plan, Start, Outcome>;
  readonly #onfinished: (result: Outcome) => void;
  readonly #jobs: JobStore;

  constructor(port: PlannedJobPort<Request, Plan, Start, Outcome>, jobs: JobStore, options: { onfinished?: (result: Outcome) => void } = {}) {
    this.#port = port;
    this.#jobs = jobs;
    this.#onfinished = options.onfinished ?? (() => undefined);
  }

  /** The last job's progress (it stays after the job, for its last bars); null before a job. */
  get progress(): JobProgress | null {
    return this.#jobs.progressOf(this.jobId);
  }

  /** Overall progress over all targets and phases (writing and, when `verify`, verifying weigh the same); null before any report. */
  protected overallOver(verify: boolean): number | null {
    const targets = this.progress?.targets;
    if (!targets || targets.length === 0) return null;
    return targets.reduce((total, target) => total + targetFraction(target, verify), 0) / targets.length;
  }

  reset(): void {
    this.result = null;
    this.error = null;
    this.jobId = null;
  }

  /** Step one: the engine's plan; null (with `error` set) when it refuses. */
  async prepare(request: Request): Promise<Plan | null> {
    if (this.running || this.preparing) return null;
    this.reset();
    this.preparing = true;
    try {
      const prepared = await this.#port.prepare(request);
      if (!prepared.ok) {
        this.error = prepared.error;
        return null;
      }
      this.plan = prepared.value;
      return prepared.value;
    } finally {
      this.preparing = false;
    }
  }

  /** The user closed the confirmation: the engine's confirmation simply expires unused. */
  dismissPlan(): void {
    this.plan = null;
  }

  /** Step two: starts the prepared plan with what the user typed (and acknowledged) in the dialog. */
  async start(confirmation: Omit<Start, 'confirmationId'>): Promise<void> {
    const plan = this.plan;
    if (this.running || plan === null) return;
    this.reset();
    this.plan = null;
    this.lastPlan = plan;
    this.running = true;
    this.startedMs = Date.now();
    try {
      // The confirmation is the plan's: the user's part cannot name another.
      const request = { ...confirmation, confirmationId: plan.confirmationId } as Start;
      const result = await this.#port.start(request, (jobId) => (this.jobId = jobId));
      if (result.ok) {
        this.result = result.value;
        this.#onfinished(result.value);
      } else this.error = result.error;
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId) await this.#port.cancel(this.jobId);
  }
}
