// Making an image file, new (`iso:create`) or an edited copy (`iso:remaster`), in two steps: the
// engine's layout plan of a request (nothing written: what the image will hold and where), then one
// job writing that same request, its progress from the job store, cancel, and the result (size,
// SHA-256 computed while writing). The Create screen and the Contents tab's "Edit a copy" hold one each.
import type { IsoLayoutSummary, IsoWriteResult } from '../../shared/authoring.ts';
import type { AppError } from '../../shared/errors.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import type { JobStore } from './jobs.svelte.ts';

/** The engine calls of one kind of image write (engine-ports.ts builds them over the client). */
export interface IsoWritePort<Request> {
  plan(request: Request): Promise<Result<IsoLayoutSummary>>;
  /** Runs the whole job: `onstarted` gets its id at once (its progress is in the job store under it). */
  start(request: Request, onstarted: (jobId: string) => void): Promise<Result<IsoWriteResult>>;
  cancel(jobId: string): Promise<void>;
}

export class IsoWriteJob<Request> {
  planning = $state(false);
  /** The engine's plan of the request last previewed; cleared when the request changes (it would describe another image). */
  summary = $state.raw<IsoLayoutSummary | null>(null);
  running = $state(false);
  jobId = $state<string | null>(null);
  result = $state.raw<IsoWriteResult | null>(null);
  error = $state.raw<AppError | null>(null);
  readonly #port: IsoWritePort<Request>;
  readonly #jobs: JobStore;
  /** Counts previews, so an answer to an older one (the form changed meanwhile) is dropped. */
  #previewCount = 0;

  constructor(port: IsoWritePort<Request>, jobs: JobStore) {
    this.#port = port;
    this.#jobs = jobs;
  }

  /** The running (or last) job's latest report; null before its first. */
  get progress(): JobProgress | null {
    return this.#jobs.progressOf(this.jobId);
  }

  /** Of the current phase (scanning the sources, then writing the image); null while its size is unknown. */
  get fraction(): number | null {
    return this.#jobs.fractionOf(this.jobId);
  }

  /** The request changed: its old plan, result and error no longer describe it. */
  forget(): void {
    if (this.running) return;
    this.#previewCount += 1;
    this.summary = null;
    this.result = null;
    this.error = null;
    this.planning = false;
  }

  /** The engine's plan of `request` (`summary`), or its refusal (`error`). */
  async preview(request: Request): Promise<void> {
    if (this.running) return;
    const preview = ++this.#previewCount;
    this.planning = true;
    this.summary = null;
    this.result = null;
    this.error = null;
    try {
      const planned = await this.#port.plan(request);
      if (preview !== this.#previewCount) return;
      if (planned.ok) this.summary = planned.value;
      else this.error = planned.error;
    } finally {
      if (preview === this.#previewCount) this.planning = false;
    }
  }

  /** Writes the image `request` describes; the plan shown stays beside the progress. */
  async start(request: Request): Promise<IsoWriteResult | null> {
    if (this.running) return null;
    this.#previewCount += 1;
    this.planning = false;
    this.running = true;
    this.jobId = null;
    this.result = null;
    this.error = null;
    try {
      const written = await this.#port.start(request, (jobId) => (this.jobId = jobId));
      if (written.ok) this.result = written.value;
      else this.error = written.error;
      return written.ok ? written.value : null;
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await this.#port.cancel(this.jobId);
  }
}
