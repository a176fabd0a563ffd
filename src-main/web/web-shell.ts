// The loopback web shell: serves the built renderer over HTTP and carries the contract over a
// WebSocket, bound to 127.0.0.1 only, guarded by Host and Origin checks and, for the contract, a
// per-run token offered in the WebSocket handshake (shared/web-shell-protocol.ts says why there).
// It lets the same renderer run in any browser (tests, offline machines without the Electron binary).
// One client can only ever close its own connection: a malformed frame, an answer too large to send
// or an idle socket costs that socket, never the process or the other clients.
import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage as HttpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JobFinished } from '../../shared/job.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { tokenFragmentKey, webShellProtocol } from '../../shared/web-shell-protocol.ts';
import { contentSecurityPolicy } from '../security/content-security-policy.ts';
import { contentTypeOf } from '../security/content-types.ts';
import { resolveFileInside } from '../security/resolve-inside.ts';
import type { Service } from '../service/service.ts';
import { allowedHosts, checkRequest, presentedTokenOf, type GuardVerdict } from './request-guard.ts';
import { maxIncomingFrameBytes, parseIncomingMessage, type OutgoingMessage } from './wire-messages.ts';

export interface WebShellLimits {
  /**
   * How long a connection may stay without becoming a WebSocket that presented the token. Plain
   * HTTP connections (the page and its assets, a few hundred milliseconds) also end then; a browser
   * simply opens a new one for its next request.
   */
  readonly handshakeTimeoutMs: number;
  /**
   * Most connections held at once that have not presented the token. A new one beyond it closes
   * the oldest: idle sockets can never lock a real client out, and they never use up the process's
   * file descriptors.
   */
  readonly maxPendingConnections: number;
  /** Largest frame the shell sends; a larger answer is replaced by an error answer. */
  readonly maxOutgoingFrameBytes: number;
}

export const defaultWebShellLimits: WebShellLimits = {
  handshakeTimeoutMs: 10_000,
  maxPendingConnections: 64,
  // Far above any answer the engine gives (image:list pages are bounded to a few MiB), far below
  // V8's largest string (2^29 characters), where JSON.stringify throws instead.
  maxOutgoingFrameBytes: 64 * 1024 * 1024,
};

export interface WebShellOptions {
  readonly service: Service;
  /** Folder holding the built renderer (index.html + assets). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Fixed token for tests; a fresh 256-bit random one otherwise. */
  readonly token?: string;
  /** Tests lower these to watch them act; defaultWebShellLimits otherwise. */
  readonly limits?: Partial<WebShellLimits>;
  /** Where the shell reports what went wrong with one client; console.error otherwise. */
  readonly log?: (message: string, error?: unknown) => void;
}

export interface WebShell {
  /** The page's address, with the token in the fragment (`http://127.0.0.1:PORT/#token=...`). */
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
  const limits: WebShellLimits = { ...defaultWebShellLimits, ...options.limits };
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[isotope] web shell: ${message}`, error ?? ''));
  const rendererRoot = await realpath(options.rendererDir);
  let port = 0;

  const guard = (request: HttpRequest, kind: 'api' | 'asset'): GuardVerdict =>
    checkRequest(
      { port, token },
      {
        host: request.headers.host,
        origin: request.headers.origin,
        kind,
        presentedToken: kind === 'api' ? presentedTokenOf(request.headers['sec-websocket-protocol']) : null,
      },
    );

  const server = createServer((request, response) => {
    void serveStatic(request, response, { verdict: guard(request, 'asset'), rendererRoot, port }).catch((error: unknown) => {
      log(`failed to serve ${request.url}`, error);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  const pendingConnections = trackPendingConnections(server, limits);

  const sockets = new WebSocketServer({
    noServer: true,
    // ws refuses a longer frame or message with close code 1009 before buffering it.
    maxPayload: maxIncomingFrameBytes,
    // Answer with our own subprotocol, never the one carrying the token; a client that does not
    // speak it is refused (the browser then fails the connection).
    handleProtocols: (offered) => (offered.has(webShellProtocol) ? webShellProtocol : false),
  });
  server.on('upgrade', (request: HttpRequest, socket: Socket, head: Buffer) => {
    const verdict = guard(request, 'api');
    const pathname = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (!verdict.allowed || pathname !== '/rpc') {
      const reason = verdict.allowed ? 'no such endpoint' : verdict.reason;
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nForbidden: ${reason}\n`);
      return;
    }
    pendingConnections.admit(socket);
    sockets.handleUpgrade(request, socket, head, (client) => attachClient(client, options.service, limits, log));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, never 0.0.0.0: the shell is for this machine's user.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/#${tokenFragmentKey}=${token}`;

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

/** Answers a request for one of the renderer's files (GET or HEAD only), with headers that keep the page to itself. */
async function serveStatic(
  request: HttpRequest,
  response: ServerResponse,
  site: { readonly verdict: GuardVerdict; readonly rendererRoot: string; readonly port: number },
): Promise<void> {
  const { verdict, rendererRoot, port } = site;
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
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * Every TCP connection starts pending: it gets `handshakeTimeoutMs` to become a WebSocket that
 * presented the token (`admit`), and at most `maxPendingConnections` are held at once (a new one
 * closes the oldest). Node's own headersTimeout would leave a silent socket open for a minute.
 */
function trackPendingConnections(server: ReturnType<typeof createServer>, limits: WebShellLimits): { admit(socket: Socket): void } {
  const pending = new Map<Socket, NodeJS.Timeout>();
  const forget = (socket: Socket): void => {
    clearTimeout(pending.get(socket));
    pending.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    while (pending.size >= limits.maxPendingConnections) {
      const oldest = pending.keys().next().value as Socket;
      forget(oldest);
      oldest.destroy();
    }
    pending.set(
      socket,
      setTimeout(() => {
        forget(socket);
        socket.destroy();
      }, limits.handshakeTimeoutMs).unref(),
    );
    socket.once('close', () => forget(socket));
  });
  return { admit: forget };
}

function attachClient(client: WebSocket, service: Service, limits: WebShellLimits, log: (message: string, error?: unknown) => void): void {
  // A malformed frame (bad UTF-8, unmasked, reserved opcode or bits, a payload over maxPayload, a bad
  // close code...) makes ws emit 'error' and then close this socket with the matching code. Without
  // a listener, that 'error' would be thrown and end the process for every client.
  client.on('error', (error) => log('closed a client after a malformed frame', error.message));
  const send = (message: OutgoingMessage): void => {
    if (client.readyState !== client.OPEN) return;
    const frame = encodeFrame(message, limits.maxOutgoingFrameBytes);
    if (!frame.ok) {
      log(frame.error.message);
      if (message.kind !== 'result') return; // an event too large to send is dropped, not a reason to close
      send({ kind: 'result', id: message.id, result: frame });
      return;
    }
    client.send(frame.value, (error) => {
      if (error) log('could not send to a client', error.message);
    });
  };
  // A VM trial lives in its viewer: the in-app view streams to this client only, so when the client
  // goes (a closed tab, a lost connection) its trials are stopped rather than run on unseen. A trial
  // that has finished leaves the set, so a long-lived client does not gather the ids of ended trials.
  const trialJobIds = new Set<string>();
  const unsubscribe = service.events.subscribe((name, payload) => {
    if (name === 'job:finished') trialJobIds.delete((payload as JobFinished).jobId);
    send({ kind: 'event', name, payload });
  });
  client.on('close', () => {
    unsubscribe();
    for (const jobId of trialJobIds) void service.invoke('job:cancel', { jobId }).catch(() => undefined);
  });
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
    // invoke answers every failure as a Result; a rejection would be a bug in the service, and must
    // still be an answer rather than an unhandled rejection that ends the process.
    void service
      .invoke(method, request)
      .catch((error: unknown) => fail({ code: 'internal', message: `${method} failed: ${String(error)}` }))
      .then((result) => {
        if (method === 'vm:try' && result.ok) trialJobIds.add((result.value as { jobId: string }).jobId);
        send({ kind: 'result', id, result });
      });
  });
}

/** The message as one JSON text frame, or an `internal` error when it cannot be one or is too large. */
export function encodeFrame(message: OutgoingMessage, maxFrameBytes: number): Result<string> {
  const what = message.kind === 'result' ? `the answer to call ${message.id}` : `the ${message.name} event`;
  let frame: string;
  try {
    frame = JSON.stringify(message);
  } catch (error) {
    // RangeError: Invalid string length, past V8's largest string; TypeError on a BigInt or a cycle.
    return fail({ code: 'internal', message: `${what} cannot be sent: ${String(error)}` });
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: count the bytes only when the frame might not fit.
  if (frame.length * 3 > maxFrameBytes) {
    const frameBytes = Buffer.byteLength(frame);
    if (frameBytes > maxFrameBytes) {
      return fail({ code: 'internal', message: `${what} is ${frameBytes} bytes, more than the ${maxFrameBytes} bytes a frame may carry` });
    }
  }
  return ok(frame);
}
