// The images opened lately, newest first, kept in localStorage (renderer-only state).
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

  constructor(storage: Storage | null) {
    this.#storage = storage;
    this.items = parseRecent(safeRead(storage, storageKey));
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
