// The folders of images opened through this engine, newest first: the in-app file dialog's "recent"
// places. Kept in memory for the engine's life (a restart starts empty); only folders that still
// exist are offered.
import { stat } from 'node:fs/promises';

/** As many as the renderer's recent images: more is clutter in a side list. */
export const maxRecentFolders = 8;

export class RecentFolders {
  #folders: string[] = [];

  remember(folder: string): void {
    this.#folders = [folder, ...this.#folders.filter((known) => known !== folder)].slice(0, maxRecentFolders);
  }

  /** The remembered folders that are still folders now. */
  async existing(): Promise<string[]> {
    const present = await Promise.all(this.#folders.map(async (folder) => ((await stat(folder).catch(() => null))?.isDirectory() ? folder : null)));
    return present.filter((folder): folder is string => folder !== null);
  }
}
