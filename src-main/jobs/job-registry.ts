// The engine's one registry of running jobs (flash, verify, extraction, hashing), per service: a job
// is registered under its id while it runs, and `job:cancel` aborts it by that id whatever its kind.
import { CodedError } from './errors.ts';

export class JobRegistry {
  readonly #running = new Map<string, AbortController>();

  /**
   * Runs `work` registered under `jobId` with a signal that `cancel(jobId)` aborts; the id is free
   * again once the work settles. A second job under a running id is refused (`invalid-request`).
   */
  async run<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#running.has(jobId)) throw new CodedError('invalid-request', `job ${jobId} is already running`);
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    try {
      return await work(controller.signal);
    } finally {
      this.#running.delete(jobId);
    }
  }

  /** Aborts the job running under `jobId`; false when none runs with that id. */
  cancel(jobId: string): boolean {
    const controller = this.#running.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }
}
