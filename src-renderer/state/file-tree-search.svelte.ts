// The Contents tab's search across the whole image (`image:search`): one search at a time, run by the
// engine as a job whose matches stream in as `image:search-found` batches. A new search, or closing
// it, cancels the one running. Matches can be ticked for extraction like the tree's rows.
import type { AppError } from '../../shared/errors.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { ImageNamespaceChoice, ImageSearchFound, ImageSearchMatch } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';
import { cancelJob } from './engine-ports.ts';

export class TreeSearch {
  pattern = $state('');
  /** The matches so far, in the order the engine found them (a fresh array per batch). */
  matches = $state.raw<readonly ImageSearchMatch[]>([]);
  running = $state(false);
  /** Set once a search ended: how many entries it read, and whether it stopped at its limit. */
  finished = $state.raw<{ readonly entriesSearched: number; readonly truncated: boolean } | null>(null);
  error = $state.raw<AppError | null>(null);
  #jobId: string | null = null;
  /** Bumped by every start and clear: a search's late answers are dropped once another began. */
  #generation = 0;
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  /** True when a search was asked (its results, even none, are what the tab shows instead of the tree). */
  get active(): boolean {
    return this.running || this.finished !== null || this.error !== null;
  }

  async start(imagePath: string, namespace: ImageNamespaceChoice, pattern: string): Promise<void> {
    const cleared = this.clear();
    // Taken before the await: a start made while this one awaits its clear replaces this one.
    const generation = this.#generation;
    await cleared;
    if (generation !== this.#generation) return;
    const trimmed = pattern.trim();
    this.pattern = pattern;
    if (trimmed === '') return;
    this.running = true;
    // Batches may come before the start call answers with the job's id: keep them until it does.
    const early: ImageSearchFound[] = [];
    const take = (found: ImageSearchFound): void => {
      if (generation !== this.#generation) return;
      if (this.#jobId === null) early.push(found);
      else if (found.jobId === this.#jobId) this.matches = [...this.matches, ...found.matches];
    };
    const unsubscribe = this.#client.subscribe('image:search-found', take);
    try {
      const result = await followJob(
        { onFinished: (listener) => this.#client.subscribe('job:finished', listener) },
        'search',
        () => this.#client.call('image:search', { path: imagePath, namespace, pattern: trimmed }),
        {
          started: (jobId) => {
            if (generation !== this.#generation) {
              // Replaced before its id came: the clear that replaced it had nothing to cancel yet.
              void cancelJob(this.#client, jobId);
              return;
            }
            this.#jobId = jobId;
            for (const found of early.splice(0)) take(found);
          },
        },
      );
      if (generation !== this.#generation) return;
      if (result.ok) this.finished = { entriesSearched: result.value.entriesSearched, truncated: result.value.truncated };
      else if (result.error.code !== 'cancelled') this.error = result.error;
    } finally {
      unsubscribe();
      if (generation === this.#generation) {
        this.running = false;
        this.#jobId = null;
      }
    }
  }

  /** Cancels a running search and forgets its results. */
  async clear(): Promise<void> {
    this.#generation += 1;
    const running = this.#jobId;
    this.#jobId = null;
    this.running = false;
    this.matches = [];
    this.finished = null;
    this.error = null;
    if (running !== null) await cancelJob(this.#client, running);
  }
}
