// Where the contract's `image:extract` may write (issue 12 §2): inside the user's home folder, or
// inside a folder the user chose through a native folder picker. Any caller of the contract can name
// a destination - a compromised renderer, a holder of the web shell's token - so an absolute path in
// the request is not the user's choice; the CLI, whose user typed the path, is not limited.
// Checked on the real path (symlinks resolved), so a link in the home folder pointing at /etc or at
// an autostart folder elsewhere does not pass for "inside home".
import { lstat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isStrictlyInside } from '../io/extraction-paths.ts';

export class DestinationNotAllowedError extends Error {
  readonly destination: string;
  constructor(destination: string, why: string) {
    super(`refusing to extract into ${destination}: ${why}`);
    this.name = 'DestinationNotAllowedError';
    this.destination = destination;
  }
}

/** Folders below which extraction may write: the home folder, and the folders the user picked. */
export class ExtractionDestinations {
  private readonly chosen = new Set<string>();
  private readonly home: () => string;

  constructor(options: { readonly home?: () => string } = {}) {
    this.home = options.home ?? homedir;
  }

  /**
   * Records a folder the user chose in a native folder dialog (the shell's picker, never the
   * renderer's word): extraction may then write there and below.
   */
  async choose(folder: string): Promise<void> {
    this.chosen.add(await realpath(folder));
  }

  /** Resolves when `destination` (absolute; it may not exist yet) lies in the home folder or a chosen one. */
  async check(destination: string): Promise<void> {
    const real = await realDestination(destination);
    const roots = [await realpath(this.home()).catch(() => null), ...this.chosen].filter((root): root is string => root !== null);
    if (roots.some((root) => real === root || isStrictlyInside(root, real))) return;
    throw new DestinationNotAllowedError(
      destination,
      `${real} is outside the home folder${this.chosen.size > 0 ? ' and the chosen folders' : ''} (${roots.join(', ') || 'none known'})`,
    );
  }
}

/**
 * The real path `destination` would have: the deepest existing ancestor resolved by realpath, plus the
 * components still to be created. At most 4096 components climbed (a path has fewer).
 */
async function realDestination(destination: string): Promise<string> {
  const missing: string[] = [];
  let existing = destination;
  for (let depth = 0; depth < 4096; depth += 1) {
    const stats = await lstat(existing).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (stats !== null) return join(await realpath(existing), ...missing.reverse());
    missing.push(basename(existing));
    existing = dirname(existing);
  }
  throw new DestinationNotAllowedError(destination, 'the path is deeper than any real folder');
}
