// The images opened lately, newest first, kept in localStorage (renderer-only state).
import type { EngineClient } from '../api.ts';
import { safeRead } from './settings.svelte.ts';

export interface RecentImage {
  readonly path: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly openedMs: number;
}

const storageKey = 'isotope.recent.v1';
/** Enough to find last week's downloads; more is clutter. */
export const maxRecentImages = 8;

export function parseRecent(stored: string | null): RecentImage[] {
  if (!stored) return [];
  try {
    const raw: unknown = JSON.parse(stored);
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((item): item is RecentImage => {
        if (typeof item !== 'object' || item === null) return false;
        const value = item as Record<string, unknown>;
        return (
          typeof value.path === 'string' && typeof value.fileName === 'string' && typeof value.sizeBytes === 'number' && typeof value.openedMs === 'number'
        );
      })
      .slice(0, maxRecentImages);
  } catch {
    return [];
  }
}

export class RecentImages {
  items = $state.raw<readonly RecentImage[]>([]);
  readonly #storage: Storage | null;
  readonly #client: EngineClient | null;

  constructor(storage: Storage | null, client: EngineClient | null = null) {
    this.#storage = storage;
    this.#client = client;
    this.items = parseRecent(safeRead(storage, storageKey));
  }

  /**
   * Drops the entries whose file is gone (or is no longer a file) or no longer holds an image, as the
   * engine finds them (files:check-recent: the opener's detection on the first sectors, as the user's
   * own account may read them). An entry the engine cannot judge (the user may not read it, damage, a
   * compressed file not decoded, the call failing) is kept: an unknown is not a "no", and opening it
   * says why it cannot open.
   */
  async dropStale(): Promise<void> {
    const client = this.#client;
    if (client === null || this.items.length === 0) return;
    const checked = this.items;
    const answer = await client.call('files:check-recent', { paths: checked.map((item) => item.path) });
    if (!answer.ok) return;
    const stale = answer.value.checks.filter((check) => check.verdict === 'gone' || check.verdict === 'not-an-image').map((check) => check.path);
    // Against the list as it is now: an image (re)opened while the engine was checking is a new entry, and stays.
    if (stale.length > 0) this.#save(this.items.filter((item) => !(checked.includes(item) && stale.includes(item.path))));
  }

  remember(image: RecentImage): void {
    this.#save([image, ...this.items.filter((item) => item.path !== image.path)].slice(0, maxRecentImages));
  }

  forget(path: string): void {
    this.#save(this.items.filter((item) => item.path !== path));
  }

  #save(items: readonly RecentImage[]): void {
    this.items = items;
    try {
      this.#storage?.setItem(storageKey, JSON.stringify(items));
    } catch {
      // Storage full or disabled: the list still holds for this session.
    }
  }
}
