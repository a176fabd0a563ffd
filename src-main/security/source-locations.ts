// What the contract's `iso:create` and a remaster's `add` edits may read (issue 15): a file or folder
// the user chose in the shell's own open dialog, or one inside the user's home folder. Any caller of the
// contract can name a source - a compromised renderer, a holder of the web shell's token - and a new
// image is a way to carry any readable file off the machine, so a path in the request is not the
// user's choice; the CLI, whose user typed the path, is not limited (as extraction-destinations.ts).
// Checked on the real path (symlinks resolved), so a link in the home folder pointing at /etc does not
// pass for "inside home". Some places are never sources through the contract, chosen or not: the home's
// credential folders (keys, tokens, browser profiles) and Isotope's own data folder (its keyring and
// caches). A source folder that holds one is walked without it (source-tree.ts `withheld`).
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from '../io/data-dir.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';

/**
 * Places below the home folder that hold secrets: SSH and GnuPG keys, pass(1)'s store, cloud,
 * container and package-registry credentials, developer tools' tokens, the desktop keyrings, shell
 * history, and browser and mail profiles (saved passwords, cookies), including snap and Flatpak ones.
 */
export const privateHomePlaces: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.password-store',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.pki',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.bash_history',
  '.zsh_history',
  '.python_history',
  '.local/share/fish/fish_history',
  '.local/share/keyrings',
  '.local/share/kwalletd',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/rclone',
  '.config/google-chrome',
  '.config/chromium',
  '.config/BraveSoftware',
  '.config/microsoft-edge',
  '.config/vivaldi',
  '.config/opera',
  '.mozilla',
  '.thunderbird',
  'snap/firefox',
  'snap/chromium',
  'snap/thunderbird',
  '.var/app',
];

export class SourceNotAllowedError extends Error {
  readonly source: string;
  constructor(source: string, why: string) {
    super(`refusing to read ${source} into an image: ${why}`);
    this.name = 'SourceNotAllowedError';
    this.source = source;
  }
}

/** Where the contract's sources may lie: the home folder and what the user picked, minus the private places. */
export class SourceLocations {
  private readonly chosen = new Set<string>();
  private readonly home: () => string;
  private readonly dataDir: () => string;

  constructor(options: { readonly home?: () => string; readonly dataDir?: () => string } = {}) {
    this.home = options.home ?? homedir;
    this.dataDir = options.dataDir ?? defaultDataDir;
  }

  /**
   * Records files and folders the user chose in a native open dialog (the shell's picker, never the
   * renderer's word): each may then be a source, a folder with everything below it.
   */
  async choose(paths: readonly string[]): Promise<void> {
    for (const path of paths) this.chosen.add(await realpath(path));
  }

  /**
   * Resolves when `source` may be read through the contract. A source that does not exist passes:
   * nothing is read, and the walk reports it as not found.
   */
  async check(source: string): Promise<void> {
    const real = await realSource(source);
    if (real === null) return;
    const privatePlaces = await this.privatePlaces();
    const privatePlace = privatePlaces.find((place) => real === place || isStrictlyInside(place, real));
    if (privatePlace !== undefined) {
      throw new SourceNotAllowedError(source, `${real} lies in ${privatePlace}, which holds keys or Isotope's own data and never goes into an image`);
    }
    const home = await realpath(this.home()).catch(() => null);
    const allowed = [...(home === null ? [] : [home]), ...this.chosen];
    if (allowed.some((root) => real === root || isStrictlyInside(root, real))) return;
    throw new SourceNotAllowedError(
      source,
      `${real} is outside the home folder${this.chosen.size > 0 ? ' and what was chosen in the dialog' : ''} (${allowed.join(', ') || 'none known'})`,
    );
  }

  /**
   * The private places as real paths (a link such as ~/.ssh -> /secure/ssh counts where it points;
   * missing ones as named): never a source, and left out of the walk of an allowed folder holding one.
   */
  async privatePlaces(): Promise<readonly string[]> {
    const [homePlaces, dataDir] = await Promise.all([realPrivateHomePlaces(this.home()), realpath(this.dataDir()).catch(() => this.dataDir())]);
    return [...homePlaces, dataDir];
  }
}

/** The home's credential places as real paths (a link such as ~/.ssh -> /secure/ssh counts where it points; missing ones as named). */
export async function realPrivateHomePlaces(home: string): Promise<string[]> {
  const realHome = await realpath(home).catch(() => home);
  return Promise.all(privateHomePlaces.map((place) => join(realHome, place)).map((place) => realpath(place).catch(() => place)));
}

/** The real path of `source`, or null when it does not exist; any other failure (EACCES, ELOOP) refuses it. */
async function realSource(source: string): Promise<string | null> {
  try {
    return await realpath(source);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown';
    if (code === 'ENOENT') return null;
    throw new SourceNotAllowedError(source, `its real path cannot be resolved (${code})`);
  }
}
