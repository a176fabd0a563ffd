// Extracting files out of the open image: one job at a time, its progress from
// the job store (`job:progress`), and its result or error.
import type { AppError } from '../../shared/errors.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { ImageExtractResult, ImageNamespaceChoice } from '../../shared/image.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import type { JobStore } from './jobs.svelte.ts';

export class Extraction {
  destination = $state('');
  running = $state(false);
  /** The running extraction's id, once the engine answered the start with it. */
  jobId = $state<string | null>(null);
  result = $state.raw<ImageExtractResult | null>(null);
  error = $state.raw<AppError | null>(null);
  /** What the last job was asked to extract: the entries, or everything. */
  scope = $state.raw<readonly string[]>([]);
  readonly #client: EngineClient;
  readonly #jobs: JobStore;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.#jobs = jobs;
  }

  /** The running extraction's progress; null when none runs. */
  get progress(): JobProgress | null {
    return this.running ? this.#jobs.progressOf(this.jobId) : null;
  }

  get fraction(): number | null {
    const progress = this.progress;
    if (!progress) return null;
    if (progress.bytesTotal !== null && progress.bytesTotal > 0) return progress.bytesDone / progress.bytesTotal;
    return progress.files !== null && progress.files.total > 0 ? progress.files.done / progress.files.total : null;
  }

  reset(): void {
    this.result = null;
    this.error = null;
  }

  async start(imagePath: string, entries: readonly string[], namespace: ImageNamespaceChoice): Promise<void> {
    const destination = this.destination.trim();
    if (this.running || destination === '') return;
    this.running = true;
    this.jobId = null;
    this.scope = entries;
    this.reset();
    try {
      const result = await followJob(
        { onFinished: (listener) => this.#client.subscribe('job:finished', listener) },
        'extract',
        () => this.#client.call('image:extract', { path: imagePath, entries: [...entries], destination, namespace }),
        { started: (jobId) => (this.jobId = jobId) },
      );
      if (result.ok) this.result = result.value;
      else this.error = result.error;
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await this.#client.call('job:cancel', { jobId: this.jobId });
  }
}
