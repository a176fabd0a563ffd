// Extracting files out of the open image: one job at a time, its progress from
// `job:progress`, and its result or error.
import type { AppError } from '../../shared/errors.ts';
import type { ImageExtractResult, ImageNamespaceChoice } from '../../shared/image.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';

export class Extraction {
  destination = $state('');
  running = $state<string | null>(null);
  progress = $state.raw<JobProgress | null>(null);
  result = $state.raw<ImageExtractResult | null>(null);
  error = $state.raw<AppError | null>(null);
  /** What the last job was asked to extract: the entries, or everything. */
  scope = $state.raw<readonly string[]>([]);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
    client.subscribe('job:progress', (progress) => {
      if (progress.jobId === this.running) this.progress = progress;
    });
  }

  get fraction(): number | null {
    const progress = this.progress;
    if (!progress) return null;
    if (progress.bytesTotal !== null && progress.bytesTotal > 0) return progress.bytesDone / progress.bytesTotal;
    return progress.files !== null && progress.files.total > 0 ? progress.files.done / progress.files.total : null;
  }

  reset(): void {
    this.progress = null;
    this.result = null;
    this.error = null;
  }

  async start(imagePath: string, entries: readonly string[], namespace: ImageNamespaceChoice): Promise<void> {
    const destination = this.destination.trim();
    if (this.running || destination === '') return;
    const extractionId = crypto.randomUUID();
    this.running = extractionId;
    this.scope = entries;
    this.reset();
    try {
      const result = await this.#client.call('image:extract', { path: imagePath, entries: [...entries], destination, extractionId, namespace });
      if (result.ok) this.result = result.value;
      else this.error = result.error;
    } finally {
      this.running = null;
    }
  }

  async cancel(): Promise<void> {
    if (this.running) await this.#client.call('job:cancel', { jobId: this.running });
  }
}
