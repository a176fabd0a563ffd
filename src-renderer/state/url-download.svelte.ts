// Start › Open from URL (issue 19): one download job (`download:start`) into the engine's download
// cache, its progress from the job store, cancel, and the result with its checksum verdict (the sums
// files found next to the URL, and the SHA-256 the user pasted), all read by the engine in this run.
import type { DownloadResult } from '../../shared/download.ts';
import { FollowedJob } from './followed-job.svelte.ts';

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

export class UrlDownload extends FollowedJob<'download'> {
  /** The URL being (or last) downloaded. */
  url = $state<string | null>(null);

  /** Downloads `url` into the cache; the result when done, null when it failed or was cancelled (`error` says which). */
  async start(url: string, expectedSha256: string): Promise<DownloadResult | null> {
    if (this.running) return null;
    this.url = url;
    const request = { url, ...(expectedSha256 === '' ? {} : { expectedSha256 }) };
    return this.run('download', () => this.client.call('download:start', request));
  }
}
