// "Edit a copy" in the Contents tab (issue 15): pending changes to the open image (files and folders
// added from this computer, entries removed or renamed), kept in order as the engine applies them,
// then "Save as…" a new file: the engine's plan of the copy (its boot kept), then one `iso:remaster`
// job. The open image itself is never written.
import type { IsoRemasterRequest, RemasterEdit } from '../../shared/authoring.ts';
import type { AppError } from '../../shared/errors.ts';
import type { EngineClient } from '../api.ts';
import { imagePathIn, lastPathPart, renamedPath, suggestedCopyName, trimmedPath } from './authoring-paths.ts';
import { createIsoRemasterPort } from './engine-ports.ts';
import { IsoWriteJob } from './iso-write-job.svelte.ts';
import type { JobStore } from './jobs.svelte.ts';

/** The edits with `edit` appended, unless the very same edit is already pending. */
export function withEdit(edits: readonly RemasterEdit[], edit: RemasterEdit): RemasterEdit[] {
  const key = JSON.stringify(edit);
  return edits.some((pending) => JSON.stringify(pending) === key) ? [...edits] : [...edits, edit];
}

export class EditCopy {
  /** The image being edited (the open one when editing began); null when not editing. */
  imagePath = $state<string | null>(null);
  edits = $state.raw<readonly RemasterEdit[]>([]);
  outputPath = $state('');
  overwrite = $state(false);
  /** The copy's volume label; empty keeps the original's. */
  label = $state('');
  /** Byte-identical output for the same original and changes (fixed times, stable ids). */
  reproducible = $state(false);
  /** The "Save as…" step is open: the output path, the plan, the write. */
  saving = $state(false);
  dialogError = $state.raw<AppError | null>(null);
  readonly job: IsoWriteJob<IsoRemasterRequest>;
  readonly #client: EngineClient;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.job = new IsoWriteJob(createIsoRemasterPort(client), jobs);
  }

  get editing(): boolean {
    return this.imagePath !== null;
  }

  get request(): IsoRemasterRequest | null {
    if (this.imagePath === null) return null;
    const label = this.label.trim();
    return {
      imagePath: this.imagePath,
      outputPath: this.outputPath.trim(),
      edits: [...this.edits],
      ...(label === '' ? {} : { label }),
      ...(this.reproducible ? { reproducible: true } : {}),
      ...(this.overwrite ? { overwrite: true } : {}),
    };
  }

  /** Starts editing a copy of `imagePath`; the copy is suggested beside the home folder's other outputs. */
  begin(imagePath: string, homeFolder: string): void {
    if (this.job.running) return;
    this.imagePath = imagePath;
    this.edits = [];
    this.saving = false;
    this.overwrite = false;
    this.label = '';
    this.reproducible = false;
    this.dialogError = null;
    this.outputPath = homeFolder === '' ? '' : `${homeFolder}/${suggestedCopyName(imagePath)}`;
    this.job.forget();
  }

  /** Leaves edit mode, dropping the pending edits (a running save goes on to its end). */
  end(): void {
    if (this.job.running) return;
    this.imagePath = null;
    this.edits = [];
    this.saving = false;
  }

  /** Adds a file or folder of this computer into `folder` of the copy; false unless its path is absolute. */
  add(sourcePath: string, folder: string): boolean {
    const source = trimmedPath(sourcePath);
    const name = lastPathPart(source);
    if (!source.startsWith('/') || name === '') return false;
    this.#change(withEdit(this.edits, { kind: 'add', sourcePath: source, imagePath: imagePathIn(folder, name) }));
    return true;
  }

  /** Electron's native dialog for files or a folder, each added into `folder` of the copy. */
  async pickAndAdd(kind: 'folder' | 'files', folder: string): Promise<void> {
    this.dialogError = null;
    const picked = await this.#client.call('iso:pick-sources', { kind });
    if (!picked.ok) this.dialogError = picked.error;
    else for (const path of picked.value.paths) this.add(path, folder);
  }

  remove(paths: Iterable<string>): void {
    let edits = [...this.edits];
    for (const imagePath of paths) edits = withEdit(edits, { kind: 'remove', imagePath });
    this.#change(edits);
  }

  /** False when the typed name is unusable (empty, a name with '/', or the same path). */
  rename(imagePath: string, typed: string): boolean {
    const newImagePath = renamedPath(imagePath, typed);
    if (newImagePath === null) return false;
    this.#change(withEdit(this.edits, { kind: 'rename', imagePath, newImagePath }));
    return true;
  }

  discard(index: number): void {
    this.#change(this.edits.filter((_, at) => at !== index));
  }

  /** Any change to the copy's request: a plan or result shown no longer describes it. */
  edited(): void {
    this.job.forget();
  }

  /** Sets one field of the "Save as…" step. */
  change<Key extends 'outputPath' | 'overwrite' | 'label' | 'reproducible'>(key: Key, value: EditCopy[Key]): void {
    (this as EditCopy)[key] = value;
    this.edited();
  }

  /**
   * "Save as…": Electron asks where with its native dialog (that folder becomes an allowed
   * destination); the web shell takes the typed path. Then the engine's plan of the copy.
   */
  async saveAs(canPickOutput: boolean): Promise<void> {
    if (this.imagePath === null || this.job.running) return;
    this.saving = true;
    this.dialogError = null;
    if (canPickOutput) {
      const picked = await this.#client.call('iso:pick-output', { suggestedName: suggestedCopyName(this.imagePath) });
      if (!picked.ok) this.dialogError = picked.error;
      else if (picked.value.path !== null) this.outputPath = picked.value.path;
      else return;
    }
    await this.preview();
  }

  async preview(): Promise<void> {
    const request = this.request;
    if (request !== null && request.outputPath !== '') await this.job.preview(request);
  }

  /** Writes the copy; its result (path, size, SHA-256), or null when it failed or was cancelled. */
  async save(): Promise<string | null> {
    const request = this.request;
    if (request === null || request.outputPath === '') return null;
    const written = await this.job.start(request);
    return written?.outputPath ?? null;
  }

  #change(edits: readonly RemasterEdit[]): void {
    this.edits = edits;
    this.edited();
  }
}
