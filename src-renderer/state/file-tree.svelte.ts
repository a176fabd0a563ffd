// The Contents tab's tree: folders listed lazily (`image:list` per folder, page by page, when first expanded),
// sorted by a column, and flattened into the rows the virtual list shows. Folders come first. A disk
// image's partitions are its top-level folders; one whose files cannot be listed never opens (its row
// says why), and the permission, owner and attribute columns show when the entries record them.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { AppError } from '../../shared/errors.ts';
import type { ImageEntry, ImageListing, ImageNamespace, ImageNamespaceChoice } from '../../shared/image.ts';
import type { Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';
import { TreeSearch } from './file-tree-search.svelte.ts';

export type SortKey = 'name' | 'size' | 'date';

const nameCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export interface TreeRow {
  readonly entry: ImageEntry;
  /** 1 for the root's children. */
  readonly depth: number;
  readonly expanded: boolean;
  readonly loading: boolean;
  /** Position among its siblings, 1-based, and their count (for aria-posinset / aria-setsize). */
  readonly position: number;
  readonly siblingCount: number;
  /** An open folder whose listing came back with no entries: its row says "(empty)". */
  readonly isEmpty: boolean;
}

/** The folders from the root down to `path`'s own folder: "/a/b/c.txt" gives "/", "/a", "/a/b". */
export function ancestorFolders(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '');
  return ['/', ...parts.slice(0, -1).map((_part, index) => `/${parts.slice(0, index + 1).join('/')}`)];
}

/** The columns beyond name, size and date: each shows when any listed entry records its field. */
export interface OptionalColumns {
  /** POSIX st_mode (Rock Ridge, UDF, ext). */
  readonly mode: boolean;
  /** uid and gid (Rock Ridge, UDF, ext). */
  readonly owner: boolean;
  /** FAT and exFAT attributes. */
  readonly attributes: boolean;
}

export function optionalColumnsOf(listings: Iterable<readonly ImageEntry[]>): OptionalColumns {
  let mode = false;
  let owner = false;
  let attributes = false;
  for (const entries of listings) {
    for (const entry of entries) {
      mode ||= entry.mode !== undefined;
      owner ||= entry.uid !== undefined;
      attributes ||= entry.attributes !== undefined;
      if (mode && owner && attributes) return { mode, owner, attributes };
    }
  }
  return { mode, owner, attributes };
}

/** False for a partition's folder whose file system Isotope cannot list (signature only, damaged, none known). */
export function isBrowsable(entry: ImageEntry): boolean {
  return entry.partition?.browsable !== false;
}

/** Siblings in display order: folders first, then by the key, ties by name. */
export function sortEntries(entries: readonly ImageEntry[], key: SortKey, ascending: boolean): ImageEntry[] {
  const direction = ascending ? 1 : -1;
  const byName = (a: ImageEntry, b: ImageEntry): number => nameCollator.compare(a.name, b.name);
  const compare = (a: ImageEntry, b: ImageEntry): number => {
    const aFolder = a.type === 'directory' ? 0 : 1;
    const bFolder = b.type === 'directory' ? 0 : 1;
    if (aFolder !== bFolder) return aFolder - bFolder;
    if (key === 'size' && a.sizeBytes !== b.sizeBytes) return (a.sizeBytes - b.sizeBytes) * direction;
    if (key === 'date' && (a.mtimeMs ?? 0) !== (b.mtimeMs ?? 0)) return ((a.mtimeMs ?? 0) - (b.mtimeMs ?? 0)) * direction;
    return key === 'name' ? byName(a, b) * direction : byName(a, b);
  };
  return [...entries].sort(compare);
}

export class FileTree {
  imagePath = $state<string | null>(null);
  /** The namespace the engine used for the listing shown. */
  namespace = $state<ImageNamespace | null>(null);
  /** What the user asked for: `auto` lets the engine pick Rock Ridge, else Joliet, else plain ISO 9660. */
  namespaceChoice = $state<ImageNamespaceChoice>('auto');
  error = $state.raw<AppError | null>(null);
  sortKey = $state<SortKey>('name');
  sortAscending = $state(true);
  readonly expanded = new SvelteSet<string>();
  /** The row with keyboard focus (aria-activedescendant) and whose details show. */
  active = $state<string | null>(null);
  /** Entries ticked for extraction. */
  readonly selected = new SvelteSet<string>();

  readonly #children = new SvelteMap<string, readonly ImageEntry[]>();
  readonly #loading = new SvelteSet<string>();
  /** Partition folders that cannot be listed: expanding them asks the engine nothing (it would answer an empty folder). */
  readonly #unbrowsable = new SvelteSet<string>();
  readonly #client: EngineClient;
  /** The search across the whole image, shown above the tree. */
  readonly search: TreeSearch;

  constructor(client: EngineClient) {
    this.#client = client;
    this.search = new TreeSearch(client);
  }

  /**
   * Each listing's sorted order, remembered per listing and sort: opening /docs must not sort the
   * 50,000 entries of /big again (a plain cache, not state: it only saves work).
   */
  readonly #sortCache = new WeakMap<readonly ImageEntry[], { key: string; sorted: ImageEntry[] }>();

  /** Sorted children per listed folder. */
  readonly #sorted = $derived.by(() => {
    // A fresh plain map per change: a derived value, never mutated after it is built.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const sorted = new Map<string, ImageEntry[]>();
    const key = `${this.sortKey}:${this.sortAscending}`;
    for (const [folder, entries] of this.#children) {
      let cached = this.#sortCache.get(entries);
      if (cached?.key !== key) {
        cached = { key, sorted: sortEntries(entries, this.sortKey, this.sortAscending) };
        this.#sortCache.set(entries, cached);
      }
      sorted.set(folder, cached.sorted);
    }
    return sorted;
  });

  /** Every visible row, depth-first, as the virtual list draws them. */
  readonly rows = $derived.by((): TreeRow[] => {
    const rows: TreeRow[] = [];
    const visit = (folder: string, depth: number): void => {
      const entries = this.#sorted.get(folder);
      if (!entries) return;
      entries.forEach((entry, index) => {
        const expanded = entry.type === 'directory' && this.expanded.has(entry.path);
        const isEmpty = expanded && this.#children.get(entry.path)?.length === 0;
        rows.push({ entry, depth, expanded, loading: this.#loading.has(entry.path), position: index + 1, siblingCount: entries.length, isEmpty });
        if (expanded) visit(entry.path, depth + 1);
      });
    };
    visit('/', 1);
    return rows;
  });

  readonly columns = $derived(optionalColumnsOf(this.#children.values()));

  get rootLoading(): boolean {
    return this.#loading.has('/');
  }

  get activeEntry(): ImageEntry | null {
    if (this.active === null) return null;
    return this.rows.find((row) => row.entry.path === this.active)?.entry ?? null;
  }

  /** The folder the active entry is in (the breadcrumb's last part); the root when none is active. */
  get currentFolder(): string {
    const active = this.active;
    if (active === null) return '/';
    return ancestorFolders(active).at(-1) ?? '/';
  }

  /** Opens every folder above `path` (listing each once) and makes it the active row. */
  async reveal(path: string): Promise<void> {
    const imagePath = this.imagePath;
    for (const folder of ancestorFolders(path).slice(1)) {
      await this.expand(folder);
      if (this.imagePath !== imagePath) return;
    }
    this.active = path;
  }

  /** Ctrl+A: ticks every row shown (the folders' contents come along when extracted). */
  selectAll(): void {
    for (const row of this.rows) this.selected.add(row.entry.path);
  }

  /** Starts over on another image, listing its root. */
  async reset(imagePath: string, namespaceChoice: ImageNamespaceChoice = 'auto'): Promise<void> {
    this.imagePath = imagePath;
    this.namespaceChoice = namespaceChoice;
    this.namespace = null;
    this.error = null;
    this.expanded.clear();
    this.selected.clear();
    this.active = null;
    this.#children.clear();
    this.#unbrowsable.clear();
    void this.search.clear();
    await this.#list('/');
  }

  setSort(key: SortKey): void {
    if (this.sortKey === key) this.sortAscending = !this.sortAscending;
    else {
      this.sortKey = key;
      this.sortAscending = true;
    }
  }

  async toggle(folder: string): Promise<void> {
    if (this.expanded.has(folder)) await this.collapse(folder);
    else await this.expand(folder);
  }

  async expand(folder: string): Promise<void> {
    if (this.expanded.has(folder) || this.#unbrowsable.has(folder)) return;
    this.expanded.add(folder);
    if (!this.#children.has(folder)) await this.#list(folder);
  }

  async collapse(folder: string): Promise<void> {
    this.expanded.delete(folder);
  }

  toggleSelected(path: string): void {
    if (this.selected.has(path)) this.selected.delete(path);
    else this.selected.add(path);
  }

  clearSelection(): void {
    this.selected.clear();
  }

  async #list(folder: string): Promise<void> {
    const imagePath = this.imagePath;
    if (imagePath === null) return;
    this.#loading.add(folder);
    try {
      // The engine answers in pages (shared/image.ts); the folder shows once all of them are here.
      const entries: ImageEntry[] = [];
      for (let offset: number | null = 0; offset !== null;) {
        const result: Result<ImageListing> = await this.#client.call('image:list', {
          path: imagePath,
          directory: folder,
          namespace: this.namespaceChoice,
          offset,
        });
        if (this.imagePath !== imagePath) return; // another image was opened meanwhile
        if (!result.ok) {
          this.error = result.error;
          this.expanded.delete(folder);
          return;
        }
        this.namespace = result.value.namespace;
        for (const entry of result.value.entries) entries.push(entry);
        offset = result.value.nextOffset;
      }
      for (const entry of entries) if (!isBrowsable(entry)) this.#unbrowsable.add(entry.path);
      this.#children.set(folder, entries);
    } finally {
      this.#loading.delete(folder);
    }
  }
}
