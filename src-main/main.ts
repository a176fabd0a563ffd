// The composition root: the only file that wires engines, shells and transports together. The
// Electron main process and the `isotope` command both start here; Electron code is loaded only
// inside Electron (a separate chunk), so the CLI and the web shell never touch it.
import { fileURLToPath } from 'node:url';
import packageJson from '../package.json' with { type: 'json' };
import { runCli } from './cli/cli.ts';
import { createService } from './service/service.ts';

const version = packageJson.version;
/** The built renderer, beside this bundle in dist/. */
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url));

async function main(): Promise<void> {
  // ELECTRON_RUN_AS_NODE: the Electron binary started as plain Node (the elevated flash helper).
  if (process.versions.electron && !process.env.ELECTRON_RUN_AS_NODE) {
    const { startDesktopApp } = await import('./electron/desktop-app.ts');
    const elevatedHelper = { interpreterPath: process.execPath, entryPath: fileURLToPath(import.meta.url) };
    startDesktopApp({
      rendererDir,
      preloadPath,
      createService: (ports) => createService({ ...ports, version, elevatedHelper }),
    });
    return;
  }
  // `isotope ls -R big.iso | head`: once the reader has gone, stop quietly, as tools killed by
  // SIGPIPE do, instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const exitCode = await runCli(process.argv.slice(2), {
    version,
    createService: (options) => createService({ shell: 'cli', version, ...options }),
    startWeb: async ({ port }) => {
      // The web shell (and its WebSocket library) loads only for `isotope web` / `npm start`.
      const { startWebShell, webShellAnnouncement } = await import('./web/web-shell.ts');
      // A server for as long as the user keeps it: a stray rejection is a bug to log, not a reason
      // to drop every client (Node's default ends the process).
      process.on('unhandledRejection', (reason) => console.error('[isotope] web shell: unhandled rejection:', reason));
      const service = createService({ shell: 'web', version });
      const shell = await startWebShell({ service, rendererDir, port });
      return { announcement: webShellAnnouncement(shell) };
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  if (exitCode !== null) process.exitCode = exitCode;
}

await main();
