// Serves the built renderer on app://isotope/ with the strict CSP as a real response header
// (file:// would give every page access to the whole disk and no header to carry the policy).
import { readFile, realpath } from 'node:fs/promises';
import { extname } from 'node:path';
import { protocol } from 'electron';
import { contentSecurityPolicy } from '../security/content-security-policy.ts';
import { resolveFileInside } from '../security/resolve-inside.ts';
import { appHost, appScheme } from './guards.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Must run before the app is ready. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true } }]);
}

export async function serveRenderer(rendererDir: string): Promise<void> {
  const root = await realpath(rendererDir);
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === appHost ? await resolveFileInside(root, url.pathname) : null;
    if (file === null) return new Response('Not found', { status: 404 });
    return new Response(await readFile(file), {
      headers: {
        'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
