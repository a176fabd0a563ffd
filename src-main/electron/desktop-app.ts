// The desktop shell: one hardened window showing the renderer, the contract over IPC.
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import type { Service, ShellPorts } from '../service/service.ts';
import { confirmInMainProcess, pickBackupOutput, pickOpenPath, pickIsoOutput, pickIsoSources } from './dialogs.ts';
import { appEntryUrl, isNavigationAllowed, isPermissionGranted, secureWebPreferences } from './guards.ts';
import { forwardEvents, registerIpcHandlers } from './ipc.ts';
import { registerRendererScheme, serveRenderer } from './renderer-protocol.ts';
import { taskbarProgress } from './taskbar-progress.ts';

export interface DesktopOptions {
  readonly rendererDir: string;
  readonly preloadPath: string;
  readonly createService: (ports: ShellPorts) => Service;
}

export function startDesktopApp(options: DesktopOptions): void {
  registerRendererScheme();
  let mainWindow: BrowserWindow | null = null;

  // Deny every new webContents' attempts to navigate or open windows, whatever created it.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isNavigationAllowed(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isNavigationAllowed(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(isPermissionGranted(permission, contents.getURL())));
    session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
    await serveRenderer(options.rendererDir);

    const service = options.createService({
      shell: 'electron',
      pickOpenPath: (request) => (mainWindow ? pickOpenPath(mainWindow, request) : Promise.resolve(null)),
      pickBackupOutput: (suggestedName) => (mainWindow ? pickBackupOutput(mainWindow, suggestedName) : Promise.resolve(null)),
      pickIsoOutput: (suggestedName) => (mainWindow ? pickIsoOutput(mainWindow, suggestedName) : Promise.resolve(null)),
      pickIsoSources: (kind) => (mainWindow ? pickIsoSources(mainWindow, kind) : Promise.resolve([])),
      // Reveals the folder, selected, in its parent; never opens or runs a file.
      showInFolder: (path) => Promise.resolve(shell.showItemInFolder(path)),
      // Writes and keyring changes are confirmed here, in the main process, never by the renderer.
      confirmDestructive: (request) => (mainWindow ? confirmInMainProcess(mainWindow, request) : Promise.resolve(false)),
    });
    registerIpcHandlers(ipcMain, service);

    mainWindow = new BrowserWindow({
      width: 1100,
      height: 760,
      minWidth: 800,
      minHeight: 600,
      title: 'Isotope',
      show: false,
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    const stopForwarding = forwardEvents(service, mainWindow.webContents);
    const stopTaskbar = showFlashProgressInTaskbar(service, mainWindow);
    mainWindow.on('closed', () => {
      stopForwarding();
      stopTaskbar();
      mainWindow = null;
    });
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    await mainWindow.loadURL(appEntryUrl);
  });
}

/** Mirrors a running flash in the taskbar (Windows, Linux launchers) or dock (macOS); returns the unsubscribe. */
function showFlashProgressInTaskbar(service: Service, window: BrowserWindow): () => void {
  return service.events.subscribe((name, payload) => {
    if (window.isDestroyed()) return;
    if (name === 'job:progress' && (payload as JobProgress).kind === 'flash') {
      const progress = taskbarProgress(payload as JobProgress);
      if (progress === 'indeterminate') window.setProgressBar(2, { mode: 'indeterminate' });
      else window.setProgressBar(progress ?? -1);
    } else if (name === 'job:finished' && (payload as JobFinished).kind === 'flash') {
      window.setProgressBar(-1);
    }
  });
}
