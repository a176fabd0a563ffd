// Settings › Downloads: the files the engine keeps in its download cache (`downloads:list`), complete
// or resumable, the space they take and the cache's limit, and removing one or all (`downloads:clear`).
// A file a running job reads is kept by the engine, which says why: those reasons are shown until the
// next removal.
import type { DownloadCacheEntry } from '../../shared/download.ts';
import type { AppError } from '../../shared/errors.ts';
import type { EngineClient } from '../api.ts';

export interface KeptDownload {
  readonly path: string;
  readonly reason: string;
}

export class DownloadCache {
  /** Most recently used first. */
  entries = $state.raw<readonly DownloadCacheEntry[]>([]);
  diskBytes = $state(0);
  limitBytes = $state<number | null>(null);
  /** True once a listing has answered (so "none" is a fact, not a guess). */
  loaded = $state(false);
  busy = $state(false);
  error = $state.raw<AppError | null>(null);
  /** What the last removal freed; null before any. */
  removedBytes = $state<number | null>(null);
  kept = $state.raw<readonly KeptDownload[]>([]);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  async load(): Promise<void> {
    this.busy = true;
    try {
      const result = await this.#client.call('downloads:list', {});
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      this.error = null;
      this.entries = [...result.value.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs);
      this.diskBytes = result.value.diskBytes;
      this.limitBytes = result.value.limitBytes;
      this.loaded = true;
    } finally {
      this.busy = false;
    }
  }

  remove(path: string): Promise<void> {
    return this.#clear([path]);
  }

  clearAll(): Promise<void> {
    return this.#clear(undefined);
  }

  async #clear(paths: readonly string[] | undefined): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const result = await this.#client.call('downloads:clear', paths === undefined ? {} : { paths: [...paths] }).finally(() => (this.busy = false));
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.removedBytes = result.value.removedBytes;
    this.kept = result.value.kept;
    await this.load();
  }
}
