// The images opened lately, newest first, kept in localStorage (renderer-only state).
import type { FolderListing } from '../../shared/files.ts';
import type { Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';
import { lastPathPart } from './authoring-paths.ts';
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
   * Drops the entries whose file is gone or is no longer a file (a folder, a dangling link), asking
   * the engine for each folder once (files:list). A folder the engine cannot list (no permission, a
   * stick unplugged: not-found only when the folder itself is gone) keeps its entries where it cannot
   * tell: an unknown is not a "gone". Whether the file is still an image only opening it can say.
   */
  async dropMissing(): Promise<void> {
    const client = this.#client;
    if (client === null || this.items.length === 0) return;
    const folders = this.items.map((item) => folderOf(item.path)).filter((folder, index, all) => all.indexOf(folder) === index);
    const gone = (
      await Promise.all(folders.map(async (folder) => goneIn(folder, await client.call('files:list', { path: folder, show: 'all' }), this.items)))
    ).flat();
    if (gone.length > 0) this.#save(this.items.filter((item) => !gone.includes(item.path)));
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

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The recent paths in `folder` that its listing (or the failure to list it) says are gone. */
function goneIn(folder: string, answer: Result<FolderListing>, items: readonly RecentImage[]): string[] {
  const here = items.filter((item) => folderOf(item.path) === folder).map((item) => item.path);
  if (!answer.ok) return answer.error.code === 'not-found' || answer.error.code === 'not-a-file' ? here : [];
  const { entries, truncated } = answer.value;
  return here.filter((path) => {
    const entry = entries.find((candidate) => candidate.name === lastPathPart(path));
    // A truncated listing may leave the name out: only a name listed as something else, or absent from a whole listing, is gone.
    return entry === undefined ? !truncated : entry.kind !== 'file';
  });
}
