// A cache folder the engine keeps, as Settings lists it: its files most recently used first, the space
// they take (and the limit, where the cache has one), and removing one or all of them. A file a running
// job reads is kept by the engine, which says why: those reasons are shown until the next removal.
// One class for every such cache (decoded images, downloads); each names its own two engine calls.
import type { AppError } from '../../shared/errors.ts';
import type { Result } from '../../shared/result.ts';

export interface CacheListingCalls<Entry, Kept> {
  list(): Promise<Result<{ entries: readonly Entry[]; diskBytes: number; limitBytes?: number }>>;
  /** Removes the files named, or all of them when `paths` is undefined. */
  clear(paths: readonly string[] | undefined): Promise<Result<{ removedBytes: number; kept: readonly Kept[] }>>;
}

export class CacheListing<Entry extends { readonly lastUsedMs: number }, Kept> {
  /** Most recently used first. */
  entries = $state.raw<readonly Entry[]>([]);
  /** Space all of them take on disk. */
  diskBytes = $state(0);
  /** The cache's size limit; null where it has none (or before a listing). */
  limitBytes = $state<number | null>(null);
  /** True once a listing has answered (so "none" is a fact, not a guess). */
  loaded = $state(false);
  /** A listing or a removal is under way. */
  busy = $state(false);
  error = $state.raw<AppError | null>(null);
  /** What the last removal freed; null before any. */
  removedBytes = $state<number | null>(null);
  /** Files the last removal had to keep, with the engine's reason. */
  kept = $state.raw<readonly Kept[]>([]);
  readonly #calls: CacheListingCalls<Entry, Kept>;

  constructor(calls: CacheListingCalls<Entry, Kept>) {
    this.#calls = calls;
  }

  async load(): Promise<void> {
    this.busy = true;
    try {
      const result = await this.#calls.list();
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      this.error = null;
      this.entries = [...result.value.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs);
      this.diskBytes = result.value.diskBytes;
      this.limitBytes = result.value.limitBytes ?? null;
      this.loaded = true;
    } finally {
      this.busy = false;
    }
  }

  /** Removes one file, then lists again. */
  remove(path: string): Promise<void> {
    return this.#clear([path]);
  }

  /** Removes every file no running job reads, then lists again. */
  clearAll(): Promise<void> {
    return this.#clear(undefined);
  }

  async #clear(paths: readonly string[] | undefined): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const result = await this.#calls.clear(paths).finally(() => (this.busy = false));
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
