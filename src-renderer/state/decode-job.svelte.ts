// Unpacking a compressed image that cannot be read in place (.gz, .bz2, a single-block .xz, a deflated
// .zip entry) into its decoded cache file (`image:decode`), so its files can be listed: one job, its
// progress from the job store, cancel, and the cache entry it made or the engine's error.
import type { AppError } from '../../shared/errors.ts';
import type { DecodedCacheEntry } from '../../shared/image.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import { cancelJob, followStartedJob } from './engine-ports.ts';
import type { JobStore } from './jobs.svelte.ts';

/** Where an unpacking found no room, and the sizes: from a `no-space` error's detail (null when it names none). */
export interface DecodeSpaceShortfall {
  readonly folder: string;
  /**
   * What the engine knew it needed: the decoded size when the format records it, else the bytes it had
   * written when it stopped (a lower bound); 0 when the disk filled up under it (ENOSPC).
   */
  readonly neededBytes: number;
  /** Free space beyond the reserve the engine leaves for the system; never below 0. */
  readonly availableBytes: number;
}

export function decodeSpaceShortfall(error: AppError | null): DecodeSpaceShortfall | null {
  if (error?.code !== 'no-space' || !error.detail) return null;
  const { path, neededBytes, availableBytes } = error.detail;
  if (typeof path !== 'string' || typeof neededBytes !== 'number' || typeof availableBytes !== 'number') return null;
  return { folder: path, neededBytes: Math.max(0, neededBytes), availableBytes: Math.max(0, availableBytes) };
}

export class DecodeJob {
  /** The compressed image being (or last) unpacked. */
  imagePath = $state<string | null>(null);
  running = $state(false);
  jobId = $state<string | null>(null);
  result = $state.raw<DecodedCacheEntry | null>(null);
  error = $state.raw<AppError | null>(null);
  readonly #client: EngineClient;
  readonly #jobs: JobStore;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.#jobs = jobs;
  }

  get progress(): JobProgress | null {
    return this.running ? this.#jobs.progressOf(this.jobId) : null;
  }

  /** Share of the compressed file read so far, 0-1; null before the first report. */
  get fraction(): number | null {
    return this.running ? this.#jobs.fractionOf(this.jobId) : null;
  }

  /** True when the last unpacking of `imagePath` was cancelled (a neutral end, not a failure). */
  wasCancelled(imagePath: string): boolean {
    return this.imagePath === imagePath && this.error?.code === 'cancelled';
  }

  /** Unpacks the image; its cache entry when done, null when it failed or was cancelled (`error` says which). */
  async start(imagePath: string): Promise<DecodedCacheEntry | null> {
    if (this.running) return null;
    this.running = true;
    this.imagePath = imagePath;
    this.jobId = null;
    this.result = null;
    this.error = null;
    try {
      const result = await followStartedJob(
        this.#client,
        'decode',
        () => this.#client.call('image:decode', { path: imagePath }),
        (jobId) => (this.jobId = jobId),
      );
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

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await cancelJob(this.#client, this.jobId);
  }
}
