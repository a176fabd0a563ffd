// Where the contract's `image:extract` may write (issue 12 §2): inside the user's home folder, or
// inside a folder the user chose through a native folder picker. Any caller of the contract can name
// a destination - a compromised renderer, a holder of the web shell's token - so an absolute path in
// the request is not the user's choice; the CLI, whose user typed the path, is not limited.
// Checked on the real path (symlinks resolved), so a link in the home folder pointing at /etc or at
// an autostart folder elsewhere does not pass for "inside home".
// The same rules hold for every path the contract writes (`image:extract`, a search's extraction,
// `iso:create`/`iso:remaster` outputs, `drives:backup`, `download:start`): inside an allowed folder,
// some places are never written, chosen or not, since a file there is run or trusted at the next
// login or start: the home folder itself (an extracted image's own `.bashrc` or `.config/` would land
// among the settings), any hidden file or folder below home (`.bashrc`, `.profile`, `.ssh/`,
// `.config/autostart/`, `.local/bin/`), the credential places (source-locations.ts), Isotope's own
// data folder (its keyring), `~/bin` (on PATH by Debian's /etc/skel/.profile) and the XDG autostart
// folders wherever $XDG_CONFIG_HOME / $XDG_CONFIG_DIRS put them (XDG Autostart spec).
import { lstat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { defaultDataDir } from '../io/data-dir.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { realPrivateHomePlaces } from './source-locations.ts';

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
  private readonly dataDir: () => string;
  private readonly env: () => NodeJS.ProcessEnv;

  constructor(options: { readonly home?: () => string; readonly dataDir?: () => string; readonly env?: () => NodeJS.ProcessEnv } = {}) {
    this.home = options.home ?? homedir;
    this.dataDir = options.dataDir ?? defaultDataDir;
    this.env = options.env ?? (() => process.env);
  }

  /**
   * Records a folder the user chose in a native folder dialog (the shell's picker, never the
   * renderer's word): extraction may then write there and below.
   */
  async choose(folder: string): Promise<void> {
    this.chosen.add(await realpath(folder));
  }

  /**
   * Resolves when `destination` (absolute; it may not exist yet) lies in the home folder or a chosen
   * one, and in none of the places never written (the file header).
   */
  async check(destination: string): Promise<void> {
    const real = await realDestination(destination);
    const home = await realpath(this.home()).catch(() => null);
    const roots = [home, ...this.chosen].filter((root): root is string => root !== null);
    if (!roots.some((root) => real === root || isStrictlyInside(root, real))) {
      throw new DestinationNotAllowedError(
        destination,
        `${real} is outside the home folder${this.chosen.size > 0 ? ' and the chosen folders' : ''} (${roots.join(', ') || 'none known'})`,
      );
    }
    const why = home === null ? null : await this.neverWrittenReason(real, home);
    if (why !== null) throw new DestinationNotAllowedError(destination, why);
  }

  /** Why the real path `real` is one of the places never written, or null when it is none. */
  private async neverWrittenReason(real: string, home: string): Promise<string | null> {
    if (real === home) return 'the home folder itself is never a destination (choose a folder inside it)';
    if (isStrictlyInside(home, real)) {
      const hidden = relative(home, real)
        .split(sep)
        .find((component) => component.startsWith('.'));
      if (hidden !== undefined) return `${real} goes through ${hidden} in the home folder, a hidden file or folder (settings, keys, programs run at login)`;
    }
    const places = await this.neverWrittenPlaces(home);
    const place = places.find((candidate) => real === candidate || isStrictlyInside(candidate, real));
    return place === undefined ? null : `${real} lies in ${place}, which holds keys, settings or programs run at login, or Isotope's own data`;
  }

  /** The places never written, as real paths where they exist (a link counts where it points). */
  private async neverWrittenPlaces(home: string): Promise<string[]> {
    const env = this.env();
    const configHome = env.XDG_CONFIG_HOME?.startsWith('/') === true ? env.XDG_CONFIG_HOME : join(home, '.config');
    const configDirs = (env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':').filter((dir) => dir.startsWith('/'));
    const named = [this.dataDir(), join(home, 'bin'), ...[configHome, ...configDirs].map((dir) => join(dir, 'autostart'))];
    const real = await Promise.all(named.map((place) => realpath(place).catch(() => place)));
    return [...(await realPrivateHomePlaces(home)), ...real];
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
    if (stats !== null) {
      // A link pointing at nothing (yet) would be followed by the write: where it would land is unknown here.
      const real = await realpath(existing).catch((error: NodeJS.ErrnoException) => {
        throw new DestinationNotAllowedError(destination, `${existing} is a link whose target cannot be resolved (${error.code ?? 'unknown'})`);
      });
      return join(real, ...missing.reverse());
    }
    missing.push(basename(existing));
    existing = dirname(existing);
  }
  throw new DestinationNotAllowedError(destination, 'the path is deeper than any real folder');
}
