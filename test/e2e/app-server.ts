// Starts the app the way `npm start` does on a machine without the Electron binary (or without a
// display): scripts/start.js falls back to the web shell and prints the URL line.
import { startUntilLine, urlLinePattern } from '../helpers/built-cli.ts';
import { withoutProxy } from '../helpers/no-proxy.ts';

export interface RunningApp {
  readonly url: string;
  stop(): void;
}

export interface StartOptions {
  /** Extra environment, e.g. ISOTOPE_HOME so a test's keyring never touches the user's. */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startAppLikeNpmStart(options: StartOptions = {}): Promise<RunningApp> {
  // Without a display, start.js takes the web shell even where an Electron binary exists, so the
  // suite is the same on every machine; Electron itself is covered by electron.spec.ts.
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...environment } = withoutProxy();
  const started = await startUntilLine(process.execPath, ['scripts/start.js', '--no-build'], urlLinePattern, { env: { ...environment, ...options.env } });
  return { url: urlLinePattern.exec(started.line)?.[1] ?? '', stop: started.stop };
}
