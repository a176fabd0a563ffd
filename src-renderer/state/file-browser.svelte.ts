// The in-app file dialog's state (issue 17): the engine's places, the folder showing, the filter, the
// highlighted row and type-ahead. The engine lists (files:places, files:list); this only keeps what
// the dialog shows and decides what a key press or a choice means.
import type { AppError } from '../../shared/errors.ts';
import type { FilePickPurpose, FilePlace, FilesListRequest, FolderEntry, FolderListing } from '../../shared/files.ts';
import type { Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';
import { lastPathPart } from './authoring-paths.ts';
import { pathFromTyped, type TypedPathProblem } from './drop-path.ts';
import { TypeAhead } from './type-ahead.ts';

/** What choosing the highlighted row (or a typed path) leads to. */
export type BrowserChoice = { readonly kind: 'chosen'; readonly path: string } | { readonly kind: 'stay' };

export class FileBrowser {
  places = $state.raw<readonly FilePlace[]>([]);
  listing = $state.raw<FolderListing | null>(null);
  error = $state.raw<AppError | null>(null);
  /** Why the path typed in the dialog could not be read (messages.ts says it in words). */
  typedProblem = $state<TypedPathProblem | null>(null);
  loading = $state(false);
  /** The filter toggle: false shows what the purpose asks for (images, key files), true every file. */
  showAll = $state(false);
  highlighted = $state(0);

  readonly purpose: FilePickPurpose;
  readonly #client: EngineClient;
  readonly #homeFolder: string;
  readonly #typeAhead = new TypeAhead();
  /** Counts listings asked for, so an answer to an older one (the user moved on) is dropped. */
  #generation = 0;

  constructor(client: EngineClient, purpose: FilePickPurpose, homeFolder: string) {
    this.#client = client;
    this.purpose = purpose;
    this.#homeFolder = homeFolder;
  }

  get entries(): readonly FolderEntry[] {
    return this.listing?.entries ?? [];
  }

  /** Whether the purpose has a narrower view to toggle away from (folders have none). */
  get hasFilter(): boolean {
    return this.purpose === 'image' || this.purpose === 'key-file';
  }

  async start(startPath?: string): Promise<void> {
    const generation = this.#generation;
    const answer = await this.#client.call('files:places', {});
    if (!answer.ok) {
      this.error = answer.error;
      return;
    }
    this.places = answer.value.places;
    if (generation !== this.#generation) return; // the user went to a folder meanwhile (typed a path)
    await this.open(startPath ?? answer.value.startPath);
    // A start folder that is gone (a remembered destination since removed) falls back to the engine's.
    if (this.listing === null && startPath !== undefined) await this.open(answer.value.startPath);
  }

  /** Lists a folder; the highlight goes to `highlightName` when it is there (the folder just left), else the first row. */
  async open(path: string, highlightName?: string): Promise<void> {
    const answer = await this.#list(path, highlightName);
    if (answer?.ok === false) this.error = answer.error;
  }

  async toggleFilter(): Promise<void> {
    this.showAll = !this.showAll;
    if (this.listing) await this.open(this.listing.path, this.entries[this.highlighted]?.name);
  }

  async goUp(): Promise<void> {
    const listing = this.listing;
    if (listing?.parent) await this.open(listing.parent, lastPathPart(listing.path));
  }

  /** Enter on a row: a folder opens; a file (for a file purpose) is the choice. */
  async activate(index = this.highlighted): Promise<BrowserChoice> {
    const entry = this.entries[index];
    const listing = this.listing;
    if (!entry || !listing) return { kind: 'stay' };
    const path = `${listing.path === '/' ? '' : listing.path}/${entry.name}`;
    if (entry.kind === 'folder') {
      await this.open(path);
      return { kind: 'stay' };
    }
    return this.purpose === 'folder' ? { kind: 'stay' } : { kind: 'chosen', path };
  }

  /** A path typed in the dialog's path box: a folder is listed; a file, for a file purpose, is the choice. */
  async goTo(input: string): Promise<BrowserChoice> {
    const typed = pathFromTyped(input, this.#homeFolder);
    this.typedProblem = 'problem' in typed ? typed.problem : null;
    if (!('path' in typed)) return { kind: 'stay' };
    const answer = await this.#list(typed.path);
    if (answer === null || answer.ok) return { kind: 'stay' };
    // 'not-a-file' from files:list means "not a folder": for a file purpose that is the file chosen.
    if (answer.error.code === 'not-a-file' && this.purpose !== 'folder') return { kind: 'chosen', path: typed.path };
    this.error = answer.error;
    return { kind: 'stay' };
  }

  move(delta: number): void {
    this.highlighted = Math.min(Math.max(0, this.highlighted + delta), Math.max(0, this.entries.length - 1));
  }

  moveTo(index: number): void {
    this.highlighted = Math.min(Math.max(0, index), Math.max(0, this.entries.length - 1));
  }

  /** Whether a key press types a type-ahead letter (state/type-ahead.ts); any other key ends the prefix. */
  acceptsTypeAhead(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
    if (this.#typeAhead.accepts(event)) return true;
    this.#typeAhead.reset();
    return false;
  }

  /** Type-ahead: letters typed in quick succession move to the next name starting with them (case and accents ignored). */
  typeAhead(letter: string, nowMs = Date.now()): void {
    const names = this.entries.map((entry) => entry.name);
    const index = this.#typeAhead.type(letter, nowMs, names, this.listing === null ? -1 : this.highlighted);
    if (index >= 0) this.highlighted = index;
  }

  /**
   * Lists `path` and shows it, the highlight on `highlightName` when it is there, else on the first row.
   * Answers the engine's answer (a failure is the caller's to judge), or null when a later listing was
   * asked meanwhile: that one shows, and ends the loading.
   */
  async #list(path: string, highlightName?: string): Promise<Result<FolderListing> | null> {
    const generation = ++this.#generation;
    this.loading = true;
    const answer = await this.#client.call('files:list', { path, show: this.#show() });
    if (generation !== this.#generation) return null;
    this.loading = false;
    if (!answer.ok) return answer;
    this.error = null;
    this.typedProblem = null;
    this.listing = answer.value;
    this.#typeAhead.reset(); // letters typed in the folder left do not continue into this one
    this.highlighted = Math.max(
      0,
      answer.value.entries.findIndex((entry) => entry.name === highlightName),
    );
    return answer;
  }

  #show(): FilesListRequest['show'] {
    if (this.purpose === 'folder') return 'folders';
    if (this.showAll || this.purpose === 'any-file') return 'all';
    return this.purpose === 'key-file' ? 'keys' : 'images';
  }
}
