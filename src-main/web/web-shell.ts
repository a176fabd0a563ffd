// The loopback web shell: serves the built renderer over HTTP and carries the contract over a
// WebSocket, bound to 127.0.0.1 only, guarded by a per-run token, Host and Origin checks. It lets
// the same renderer run in any browser (tests, offline machines without the Electron binary).
import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage as HttpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../security/content-security-policy.ts';
import { contentTypeOf } from '../security/content-types.ts';
import { resolveFileInside } from '../security/resolve-inside.ts';
import type { Service } from '../service/service.ts';
import { allowedHosts, checkRequest, readCookie, tokenCookieName, type GuardVerdict } from './request-guard.ts';
import { maxIncomingFrameBytes, parseIncomingMessage, type OutgoingMessage } from './wire-messages.ts';

export interface WebShellOptions {
  readonly service: Service;
  /** Folder holding the built renderer (index.html + assets). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Fixed token for tests; a fresh 256-bit random one otherwise. */
  readonly token?: string;
}

export interface WebShell {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}


/** The one line `npm start` and `isotope web` print. */
export function webShellAnnouncement(shell: WebShell): string {
  return `Isotope is running at ${shell.url}`;
}

export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const rendererRoot = await realpath(options.rendererDir);
  let port = 0;

  const guard = (request: HttpRequest, requireOrigin: boolean): GuardVerdict => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    return checkRequest(
      { port, token },
      {
        host: request.headers.host,
        origin: request.headers.origin,
        queryToken: url.searchParams.get('token'),
        cookieToken: readCookie(request.headers.cookie, tokenCookieName(port)),
        requireOrigin,
      },
    );
  };

  const server = createServer((request, response) => {
    void serveStatic(request, response).catch((error: unknown) => {
      console.error('[isotope] web shell failed to serve', request.url, error);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function serveStatic(request: HttpRequest, response: ServerResponse): Promise<void> {
    const verdict = guard(request, false);
    if (!verdict.allowed) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Forbidden: ${verdict.reason}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = await resolveFileInside(rendererRoot, new URL(request.url ?? '/', 'http://placeholder').pathname);
    if (file === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const body = await readFile(file);
    response.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Security-Policy': contentSecurityPolicy({
        webSocketOrigins: allowedHosts(port).map((host) => `ws://${host}`),
      }),
      'Set-Cookie': `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxIncomingFrameBytes });
  server.on('upgrade', (request, socket, head) => {
    const verdict = guard(request, true);
    const pathname = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (!verdict.allowed || pathname !== '/rpc') {
      const reason = verdict.allowed ? 'no such endpoint' : verdict.reason;
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nForbidden: ${reason}\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => attachClient(client, options.service));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, never 0.0.0.0: the shell is for this machine's user.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;

  return {
    url,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function attachClient(client: WebSocket, service: Service): void {
  const send = (message: OutgoingMessage): void => {
    if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
  };
  const unsubscribe = service.events.subscribe((name, payload) => send({ kind: 'event', name, payload }));
  client.on('close', unsubscribe);
  client.on('message', (data, isBinary) => {
    if (isBinary) {
      client.close(1003, 'text frames only');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      client.close(1007, 'frame is not JSON');
      return;
    }
    const message = parseIncomingMessage(parsed);
    if (message === null) {
      client.close(1008, 'frame is not a contract call');
      return;
    }
    const { id, method, request } = message;
    void service.invoke(method, request).then((result) => send({ kind: 'result', id, result }));
  });
}
