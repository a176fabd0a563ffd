// Start › Open from URL (issue 19): one download job (`download:start`) into the engine's download
// cache, its progress from the job store, cancel, and the result with its checksum verdict (the sums
// files found next to the URL, and the SHA-256 the user pasted), all read by the engine in this run.
import type { VerificationVerdict } from '../../shared/checksum.ts';
import { downloadVerdict, type DownloadResult } from '../../shared/download.ts';
import type { AppError } from '../../shared/errors.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import { cancelJob, followStartedJob } from './engine-ports.ts';
import type { JobStore } from './jobs.svelte.ts';

/** Why the typed URL cannot be downloaded, or null: only http:// and https:// are fetched. */
export function urlProblem(url: string): 'empty' | 'not-http' | null {
  const trimmed = url.trim();
  if (trimmed === '') return 'empty';
  return /^https?:\/\//i.test(trimmed) && URL.canParse(trimmed) ? null : 'not-http';
}

/** A pasted SHA-256 as the engine takes it (lower-case hex), '' when none, or null when it is not one. */
export function normalisedSha256(pasted: string): string | null {
  const trimmed = pasted.trim().toLowerCase();
  if (trimmed === '') return '';
  return /^[0-9a-f]{64}$/.test(trimmed) ? trimmed : null;
}

export class UrlDownload {
  running = $state(false);
  jobId = $state<string | null>(null);
  /** The URL being (or last) downloaded. */
  url = $state<string | null>(null);
  result = $state.raw<DownloadResult | null>(null);
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

  /** Share downloaded, 0-1; null while the size is unknown. */
  get fraction(): number | null {
    return this.running ? this.#jobs.fractionOf(this.jobId) : null;
  }

  get verdict(): VerificationVerdict | null {
    return this.result ? downloadVerdict(this.result) : null;
  }

  /** Downloads `url` into the cache; the result when done, null when it failed or was cancelled (`error` says which). */
  async start(url: string, expectedSha256: string): Promise<DownloadResult | null> {
    if (this.running) return null;
    this.running = true;
    this.url = url;
    this.jobId = null;
    this.result = null;
    this.error = null;
    const request = { url, ...(expectedSha256 === '' ? {} : { expectedSha256 }) };
    try {
      const result = await followStartedJob(
        this.#client,
        'download',
        () => this.#client.call('download:start', request),
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
    if (this.jobId !== null) await cancelJob(this.#client, this.jobId);
  }
}
