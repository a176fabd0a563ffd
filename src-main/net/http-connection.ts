// One HTTP/1.1 GET over a connection this module opens itself: straight to the host, or through the
// environment's proxy (proxy-env.ts: a CONNECT tunnel for https, the absolute-form request of RFC
// 9112 3.2.2 for http), with TLS verified against trust-store.ts. Redirects (RFC 9110 15.4: 301,
// 302, 303, 307, 308) are followed up to a limit, relative Locations resolved against the URL asked,
// and never from https to http.
//
// Why Node's own net/tls modules and not undici or fetch: they are what Electron's main process
// already carries (undici is only a transitive dev dependency here), fetch decodes Content-Encoding
// behind the caller's back (an image served as `.gz` with `Content-Encoding: gzip` would be
// inflated and then fail its hash) and hides the byte counts this module checks, and opening the
// socket ourselves gives one place for the proxy tunnel, the TLS trust, the error codes (`network`
// before the TCP handshake completes, `tls` during the TLS one) and the stall timer. The answer is
// read by http-response-reader.ts, not node:http: Node's HTTP client hands a body out only as
// 'data' events (a Buffer allocated per read), while our reader puts it straight into the memory
// its consumer hashes and writes (issue 19's benchmark). node:http still makes the proxy's CONNECT.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as tcpConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { ResponseHead } from './http-response-parser.ts';
import { ResponseReader, type ResponseBody } from './http-response-reader.ts';
import { bareHost, proxyFor, type ProxyChoice } from './proxy-env.ts';
import { trustedContext } from './trust-store.ts';

export interface HttpFetchOptions {
  /** Extra CA certificates (PEM) trusted beside the system store (tests hand their own CA here). */
  readonly extraCaPem?: string;
  /** CLI-only `--insecure`: TLS certificates not checked. Never reachable through the contract. */
  readonly insecureTls?: boolean;
  /** Redirects followed per URL before `too-many-redirects` (default 10). */
  readonly maxRedirects?: number;
  /** No byte for this long is a stall: the next mirror is tried (default 30 000 ms). */
  readonly stallTimeoutMs?: number;
  /** Proxy settings; default: read HTTPS_PROXY/HTTP_PROXY/NO_PROXY (and lower-case) from process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

export const defaultMaxRedirects = 10;
export const defaultStallTimeoutMs = 30_000;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** `url` as a URL, when it is an absolute http:// or https:// one; else `unsupported-url`. */
export function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CodedError('unsupported-url', `not a URL: ${JSON.stringify(url.slice(0, 200))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CodedError('unsupported-url', `${parsed.protocol} URLs cannot be downloaded (only http: and https:): ${parsed.href.slice(0, 200)}`);
  }
  // A password in a URL would be echoed in every error, the history and its exports: refused, and
  // this message names only the host (RFC 3986 3.2.1 deprecates user:password in a URL anyway).
  if (parsed.username !== '' || parsed.password !== '') {
    throw new CodedError(
      'unsupported-url',
      `a URL of ${parsed.host} carries a user name or password (before @): such URLs are refused, so no password lands in messages or the history`,
    );
  }
  return parsed;
}

export interface OpenedResponse {
  readonly head: ResponseHead;
  /** The body, unread: read it into a sink, or close it. */
  readonly body: ResponseBody;
  /** The URL that answered (after redirects). */
  readonly finalUrl: URL;
}

/**
 * GETs `url` with `headers`, following redirects; resolves with the first answer that is not a
 * redirect, whatever its status (the caller judges it). The socket's idle timer stays armed for the
 * body: no byte for stallTimeoutMs ends it with `stalled`.
 */
export async function openFollowingRedirects(url: string, headers: Readonly<Record<string, string>>, options: HttpFetchOptions): Promise<OpenedResponse> {
  const maxRedirects = options.maxRedirects ?? defaultMaxRedirects;
  let current = parseHttpUrl(url);
  for (let redirects = 0; ; redirects += 1) {
    const { head, body } = await requestOnce(current, headers, options);
    if (!redirectStatuses.has(head.statusCode)) return { head, body, finalUrl: current };
    body.close();
    const location = head.headers.get('location');
    if (location === undefined) throw new CodedError('http-status', `${current.href} answered ${head.statusCode} (a redirect) without a Location`);
    if (redirects >= maxRedirects) {
      throw new CodedError('too-many-redirects', `${url} was redirected more than ${maxRedirects} times (the last to ${current.href})`);
    }
    current = nextLocation(current, location);
  }
}

function nextLocation(from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new CodedError('unsupported-url', `${from.href} redirected to ${JSON.stringify(location.slice(0, 200))}, which is not a URL`);
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new CodedError('insecure-redirect', `${from.href} redirected to ${next.href}: a redirect from https to http is refused`);
  }
  return parseHttpUrl(next.href);
}

/** One GET on a connection of its own; the head read, the body left for the caller. */
async function requestOnce(
  target: URL,
  headers: Readonly<Record<string, string>>,
  options: HttpFetchOptions,
): Promise<{ head: ResponseHead; body: ResponseBody }> {
  const proxy = proxyFor(target, options.env ?? process.env);
  const host = bareHost(target.hostname);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const request = requestText(target, proxy, headers);
  const reader = new ResponseReader(target.href, proxy ? `the proxy ${proxy.host}:${proxy.port}` : target.host);
  let socket: Socket;
  if (target.protocol === 'http:') socket = await connectTcp(proxy?.host ?? host, proxy?.port ?? port, options, reader.onread);
  else if (proxy) socket = await startTls({ tunnel: await openTunnel(proxy, target.host, options) }, host, options);
  else socket = await startTls({ port, onread: reader.onread }, host, options);
  // The socket's idle timer, armed for the answer and the body (its reader turns it off while its
  // sink holds the reading back: then the silence is ours, not the server's).
  armIdleTimer(socket, options, () => socket.destroy(new CodedError('stalled', `${target.href}: no byte arrived for ${stallSeconds(options)} s`)));
  const head = reader.readHead(socket, options.signal, proxy !== null && target.protocol === 'https:');
  socket.write(request);
  return { head: await head, body: reader };
}

/** The request (RFC 9112 3): a GET, one per connection (`Connection: close`), asking for the bytes as stored (no Content-Encoding). */
function requestText(target: URL, proxy: ProxyChoice | null, headers: Readonly<Record<string, string>>): string {
  const viaHttpProxy = proxy !== null && target.protocol === 'http:';
  // RFC 9112 3.2.2: a request to a proxy names the whole URL (without user info or fragment).
  const path = `${viaHttpProxy ? `${target.protocol}//${target.host}` : ''}${target.pathname}${target.search}`;
  const fields: Record<string, string> = {
    host: target.host,
    'user-agent': 'Isotope',
    'accept-encoding': 'identity',
    connection: 'close',
    ...(viaHttpProxy && proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}),
    ...headers,
  };
  const lines = Object.entries(fields).map(([name, value]) => {
    // Values come from this module's callers (Range, an If-Range the server's head gave, which the
    // parser kept free of control characters); a CR or LF here would split the request.
    if (/[\r\n\0]/.test(name + value)) throw new Error(`a request field ${JSON.stringify(name)} holds a CR, LF or NUL`);
    return `${name}: ${value}\r\n`;
  });
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** CONNECT host:port through the proxy (RFC 9110 9.3.6); the tunnel's socket once the proxy answers 2xx. */
async function openTunnel(proxy: ProxyChoice, authority: string, options: HttpFetchOptions): Promise<Socket> {
  const raw = await connectTcp(proxy.host, proxy.port, options);
  const request = httpRequest({
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
    setHost: false,
    createConnection: () => raw,
  });
  request.end();
  armIdleTimer(raw, options, () =>
    request.destroy(new CodedError('network', `the proxy ${proxy.host}:${proxy.port}: no answer to CONNECT within ${stallSeconds(options)} s`)),
  );
  const [response, socket] = await new Promise<[IncomingMessage, Socket]>((resolve, reject) => {
    request.once('connect', (answer: IncomingMessage, tunnel: Socket, head: Buffer) => {
      if (head.length > 0) tunnel.unshift(head);
      resolve([answer, tunnel]);
    });
    request.once('response', (answer: IncomingMessage) => resolve([answer, raw]));
    request.once('error', (error) => reject(asNetworkError(error, `the proxy ${proxy.host}:${proxy.port}`)));
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    socket.destroy();
    throw new CodedError('network', `the proxy ${proxy.host}:${proxy.port} answered ${status} to CONNECT ${authority}`);
  }
  socket.setTimeout(0);
  return socket;
}

/** A TCP connection to host:port; its reads land where `onread` says, when given (the socket an answer is read from). */
function connectTcp(host: string, port: number, options: HttpFetchOptions, onread?: OnReadOpts): Promise<Socket> {
  const socket = tcpConnect({ host, port, ...(onread ? { onread } : {}) });
  armIdleTimer(socket, options, () => socket.destroy(new CodedError('network', `${host}:${port}: no connection within ${stallSeconds(options)} s`)));
  return settle<void>(socket, 'connect', options.signal, `${host}:${port}`, (error) => asNetworkError(error, `${host}:${port}`)).then(() => {
    socket.setTimeout(0); // the next stage (tunnel, TLS, request) arms its own
    return socket;
  });
}

const idleHandlers = new WeakMap<Socket, () => void>();

/** Arms the socket's one idle timer (stallTimeoutMs) with `onIdle`, replacing the handler an earlier stage set. */
function armIdleTimer(socket: Socket, options: HttpFetchOptions, onIdle: () => void): void {
  const previous = idleHandlers.get(socket);
  if (previous) socket.off('timeout', previous);
  idleHandlers.set(socket, onIdle);
  socket.on('timeout', onIdle);
  socket.setTimeout(options.stallTimeoutMs ?? defaultStallTimeoutMs);
}

function stallSeconds(options: HttpFetchOptions): number {
  return (options.stallTimeoutMs ?? defaultStallTimeoutMs) / 1000;
}

/**
 * TLS to `host`: over the proxy's tunnel, or over a TCP connection of its own to host:port whose
 * reads land where `onread` says (Node 20's tls.connect honours onread only for a connection it
 * makes itself). A failure before the TCP handshake completes is `network`, during the TLS one `tls`.
 */
function startTls(over: { tunnel: Socket } | { port: number; onread: OnReadOpts }, host: string, options: HttpFetchOptions): Promise<TLSSocket> {
  const socket = tlsConnect({
    ...('tunnel' in over ? { socket: over.tunnel } : { host, port: over.port, onread: over.onread }),
    // RFC 6066 3: no SNI for an IP literal; the certificate is still checked against it (its IP SAN).
    ...(isIP(host) === 0 ? { servername: host } : {}),
    secureContext: trustedContext(options.extraCaPem),
    rejectUnauthorized: options.insecureTls !== true,
    ALPNProtocols: ['http/1.1'],
  } as ConnectionOptions);
  const peer = 'tunnel' in over ? host : `${host}:${over.port}`;
  let isTcpConnected = 'tunnel' in over;
  const armHandshakeTimer = (): void =>
    armIdleTimer(socket, options, () => socket.destroy(new CodedError('tls', `${host}: no TLS handshake within ${stallSeconds(options)} s`)));
  if (isTcpConnected) armHandshakeTimer();
  else {
    armIdleTimer(socket, options, () => socket.destroy(new CodedError('network', `${peer}: no connection within ${stallSeconds(options)} s`)));
    socket.once('connect', () => {
      isTcpConnected = true;
      armHandshakeTimer();
    });
  }
  return settle<void>(socket, 'secureConnect', options.signal, host, (error) => {
    if (error instanceof CodedError) return error;
    if (!isTcpConnected) return asNetworkError(error, peer);
    const code = (error as NodeJS.ErrnoException).code;
    return new CodedError('tls', `${host}: the TLS handshake failed: ${error.message}${code ? ` (${code})` : ''}`);
  }).then(() => socket);
}

/** Resolves when `emitter` emits `event`, rejects with `mapError(error)` on 'error', or with CancelledError when the signal aborts. */
function settle<T>(
  emitter: NodeJS.EventEmitter & { destroy(error?: Error): unknown },
  event: string,
  signal: AbortSignal | undefined,
  what: string,
  mapError: (error: Error) => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      emitter.destroy();
      reject(new CancelledError(`the request to ${what}`));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    emitter.once(event, (value: T) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    });
    emitter.once('error', (error: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(mapError(error));
    });
  });
}

/** A socket error as `network`, naming the peer and the system's code (ECONNREFUSED, ENOTFOUND, ...). */
export function asNetworkError(error: Error, peer: string): CodedError {
  if (error instanceof CodedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new CodedError('network', `${peer}: ${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`);
}
