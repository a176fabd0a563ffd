// One flash job in two steps: a plan the engine prepares (with the confirmation it issued), shown to
// the user, then the start of exactly that plan; progress per target from the job store (`job:progress`), the
// summary from its result, cancel.
import type { AssessmentFindingCode } from '../../shared/assessment.ts';
import type { AppError } from '../../shared/errors.ts';
import type { FlashPlan, FlashPrepareRequest, FlashResult } from '../../shared/flash.ts';
import type { JobProgress } from '../../shared/job.ts';
import { targetFraction } from '../../shared/flash-progress.ts';
import type { FlashPort } from './engine-ports.ts';
import type { JobStore } from './jobs.svelte.ts';

export class FlashJob {
  running = $state(false);
  jobId = $state<string | null>(null);
  result = $state.raw<FlashResult | null>(null);
  error = $state.raw<AppError | null>(null);
  startedMs = $state(0);
  /** True while the engine prepares a plan (it re-enumerates the drives and assesses the image). */
  preparing = $state(false);
  /** The plan waiting for the user's confirmation; null once started or dismissed. */
  plan = $state.raw<FlashPlan | null>(null);
  /** The plan the last job ran, for its summary and progress weighting. */
  lastPlan = $state.raw<FlashPlan | null>(null);
  readonly #port: FlashPort;
  readonly #onfinished: (result: FlashResult) => void;
  readonly #jobs: JobStore;

  constructor(port: FlashPort, jobs: JobStore, options: { onfinished?: (result: FlashResult) => void } = {}) {
    this.#port = port;
    this.#jobs = jobs;
    this.#onfinished = options.onfinished ?? (() => undefined);
  }

  /** The last job's progress per target (it stays after the job, for its last bars); null before a job. */
  get progress(): JobProgress | null {
    return this.#jobs.progressOf(this.jobId);
  }

  /** Overall progress over all targets and phases (writing and verifying weigh the same). */
  get overallFraction(): number | null {
    const targets = this.progress?.targets;
    if (!targets || targets.length === 0) return null;
    const verify = this.lastPlan?.verify ?? true;
    const sum = targets.reduce((total, target) => total + targetFraction(target, verify), 0);
    return sum / targets.length;
  }

  reset(): void {
    this.result = null;
    this.error = null;
    this.jobId = null;
  }

  /** Step one: the engine's plan for these drives and options; null (with `error` set) when it refuses. */
  async prepare(request: FlashPrepareRequest): Promise<FlashPlan | null> {
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

  /** Step two: starts the prepared plan with what the user typed and acknowledged in the dialog. */
  async start(confirmation: {
    readonly typedNames: Readonly<Record<string, string>>;
    readonly acknowledgedFindings: readonly AssessmentFindingCode[];
  }): Promise<void> {
    const plan = this.plan;
    if (this.running || plan === null) return;
    this.reset();
    this.plan = null;
    this.lastPlan = plan;
    this.running = true;
    this.startedMs = Date.now();
    try {
      const request = { confirmationId: plan.confirmationId, typedNames: confirmation.typedNames, acknowledgedFindings: confirmation.acknowledgedFindings };
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
