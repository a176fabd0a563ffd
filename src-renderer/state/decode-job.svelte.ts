// Unpacking a compressed image that cannot be read in place (.gz, .bz2, a single-block .xz, a deflated
// .zip entry) into its decoded cache file (`image:decode`), so its files can be listed: one job, its
// progress from the job store, cancel, and the cache entry it made or the engine's error.
import type { AppError } from '../../shared/errors.ts';
import type { DecodedCacheEntry } from '../../shared/image.ts';
import { FollowedJob } from './followed-job.svelte.ts';

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

export class DecodeJob extends FollowedJob<'decode'> {
  /** The compressed image being (or last) unpacked. */
  imagePath = $state<string | null>(null);

  /** True when the last unpacking of `imagePath` was cancelled (a neutral end, not a failure). */
  wasCancelled(imagePath: string): boolean {
    return this.imagePath === imagePath && this.error?.code === 'cancelled';
  }

  /** Unpacks the image; its cache entry when done, null when it failed or was cancelled (`error` says which). */
  async start(imagePath: string): Promise<DecodedCacheEntry | null> {
    if (this.running) return null;
    this.imagePath = imagePath;
    return this.run('decode', () => this.client.call('image:decode', { path: imagePath }));
  }
}
