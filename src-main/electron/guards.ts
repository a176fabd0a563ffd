// The Electron window's security decisions, as pure functions so they are unit-tested without the
// Electron binary: which frames may call the engine, where the window may navigate (nowhere), which
// permissions a page may get (none).

/** The renderer is served from this privileged custom scheme, never from file:// (Electron security checklist). */
export const appScheme = 'app';
export const appHost = 'isotope';
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** The part of Electron's WebFrameMain the sender check reads; `parent` is null for a top-level frame. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** A frame may call the engine only if it is our own top-level document served from our origin. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === appOrigin;
  } catch {
    return false;
  }
}

/** The app is a single page: every navigation away (links, drops of files onto the window, redirects) is refused. */
export function isNavigationAllowed(targetUrl: string): boolean {
  void targetUrl;
  return false;
}

/**
 * Camera, microphone, geolocation, clipboard, ...: the renderer needs none. The one exception is
 * `notifications`, for our own page only: the "write finished" notification (its words live with the
 * renderer's other words in messages.ts).
 */
export function isPermissionGranted(permission: string, requestingUrl: string): boolean {
  if (permission !== 'notifications') return false;
  try {
    const url = new URL(requestingUrl);
    return `${url.protocol}//${url.host}` === appOrigin;
  } catch {
    return false;
  }
}

/** The BrowserWindow webPreferences every Isotope window uses. Tested so nobody weakens them quietly. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}
