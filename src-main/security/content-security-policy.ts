// The renderer's Content-Security-Policy, the same for the Electron window and the web shell: only
// the app's own scripts and styles, no eval, no inline script, no plugins, no framing, and network
// access only to the engine's own WebSocket (web shell) or nothing at all (Electron, which uses IPC).

export interface CspOptions {
  /** WebSocket origins the page may connect to (the web shell's own address), if any. */
  readonly webSocketOrigins?: readonly string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = options.webSocketOrigins?.length ? options.webSocketOrigins.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: for the Contents tab's picture previews (issue 17): object URLs the page itself made from the engine's bytes; an <img> never runs an SVG's scripts.
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
