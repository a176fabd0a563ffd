// Serves the built renderer on app://isotope/ with the strict CSP as a real response header
// (file:// would give every page access to the whole disk and no header to carry the policy).
import { readFile, realpath } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentSecurityPolicy } from '../security/content-security-policy.ts';
import { contentTypeOf } from '../security/content-types.ts';
import { resolveFileInside } from '../security/resolve-inside.ts';
import { appHost, appScheme } from './guards.ts';

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
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
