// The folders of images opened through this engine, newest first: the in-app file dialog's "recent"
// places. Kept in memory for the engine's life (a restart starts empty); only folders that still
// exist are offered.
import { stat } from 'node:fs/promises';

/** As many as the renderer's recent images: more is clutter in a side list. */
export const maxRecentFolders = 8;

/** Folders remembered newest first, each once, at most `max` of them (the oldest dropped). */
export class RecentFolders {
  #folders: string[] = [];
  readonly #max: number;

  constructor({ max = maxRecentFolders }: { readonly max?: number } = {}) {
    this.#max = max;
  }

  remember(folder: string): void {
    this.#folders = [folder, ...this.#folders.filter((known) => known !== folder)].slice(0, this.#max);
  }

  /** Whether `folder` is one of the remembered ones (as remembered: no path is resolved here). */
  has(folder: string): boolean {
    return this.#folders.includes(folder);
  }

  /** The remembered folders that are still folders now. */
  async existing(): Promise<string[]> {
    const present = await Promise.all(this.#folders.map(async (folder) => ((await stat(folder).catch(() => null))?.isDirectory() ? folder : null)));
    return present.filter((folder): folder is string => folder !== null);
  }
}
