// Settings › Decoded images: the cache files compressed images were unpacked into (`cache:list`), the
// space they take, and removing one or all of them (`cache:clear`). A file a running job reads is kept
// by the engine, which says why: those reasons are shown until the next removal.
import type { AppError } from '../../shared/errors.ts';
import type { DecodedCacheEntry } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';

export interface KeptCache {
  readonly cachePath: string;
  readonly reason: string;
}

export class DecodedCaches {
  /** Most recently used first. */
  entries = $state.raw<readonly DecodedCacheEntry[]>([]);
  /** Space all of them take on disk. */
  diskBytes = $state(0);
  /** True once a listing has answered (so "none" is a fact, not a guess). */
  loaded = $state(false);
  /** A listing or a removal is under way. */
  busy = $state(false);
  error = $state.raw<AppError | null>(null);
  /** What the last removal freed; null before any. */
  removedBytes = $state<number | null>(null);
  /** Files the last removal had to keep, with the engine's reason. */
  kept = $state.raw<readonly KeptCache[]>([]);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  async load(): Promise<void> {
    this.busy = true;
    try {
      const result = await this.#client.call('cache:list', {});
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      this.error = null;
      this.entries = [...result.value.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs);
      this.diskBytes = result.value.diskBytes;
      this.loaded = true;
    } finally {
      this.busy = false;
    }
  }

  /** Removes one cache file, then lists again. */
  remove(cachePath: string): Promise<void> {
    return this.#clear([cachePath]);
  }

  /** Removes every cache file no running job reads, then lists again. */
  clearAll(): Promise<void> {
    return this.#clear(undefined);
  }

  async #clear(cachePaths: readonly string[] | undefined): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const result = await this.#client.call('cache:clear', cachePaths === undefined ? {} : { cachePaths: [...cachePaths] }).finally(() => (this.busy = false));
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
