// Where Isotope keeps its own data (the keyring, the hash cache): $ISOTOPE_HOME if set, else the
// platform's per-user application data folder (XDG Base Directory spec on Linux).
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export interface DataDirEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly homeDir: string;
}

export function resolveDataDir({ env, platform, homeDir }: DataDirEnvironment): string {
  if (env.ISOTOPE_HOME) return env.ISOTOPE_HOME;
  // The target platform's separators, whatever this process runs on (so the rule is testable anywhere).
  const join = platform === 'win32' ? win32.join : posix.join;
  if (platform === 'darwin') return join(homeDir, 'Library', 'Application Support', 'Isotope');
  if (platform === 'win32') return join(env.APPDATA ?? join(homeDir, 'AppData', 'Roaming'), 'Isotope');
  // XDG Base Directory: an empty or relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg && xdg.startsWith('/') ? xdg : join(homeDir, '.local', 'share');
  return join(dataHome, 'isotope');
}

/** The data folder of this process (its environment, platform and home folder). */
export function defaultDataDir(): string {
  return resolveDataDir({ env: process.env, platform: process.platform, homeDir: homedir() });
}
