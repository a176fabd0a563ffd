// A local HTTPS (and plain HTTP) file server for the download tests, on 127.0.0.1 only, whose
// paths inject the faults real mirrors show (issue 19, Proof). A path is a chain of fault segments
// ending in `file/NAME`, read left to right, so faults compose:
//
//   /file/NAME              the file, with Range (RFC 9110 14.2) and If-Range (13.1.5) honoured
//   /redirect/N/...         a 302 to the same path with N-1 (odd N: a path-only Location, even N:
//                           an absolute URL; N = 1 drops the segment): N redirects in all
//   /to-http/...            a 302 from https to the same path on the plain HTTP origin (a downgrade)
//   /to-ftp/...             a 302 to ftp://127.0.0.1/... (a scheme no download may follow)
//   /no-answer/...          reads the request and never answers (the connection stays open)
//   /status/CODE/...        answers CODE (404, 410, 500, ...) with a short text body
//   /cut/N/...              the connection is destroyed once the file's byte N was sent (a request
//                           that starts at or past N is served whole: the fault has happened)
//   /stall/N/...            stops sending at byte N and keeps the connection open (same rule)
//   /nolength/...           a 200 with no Content-Length (chunked), to the end
//   /badrange/...           a 206 whose Content-Range names a start 1024 bytes past the asked one
//   /badtotal/...           a 206 whose Content-Range names a total one byte larger
//   /ignore-range/...       a 200 with the whole file to every Range request
//   /no-validators/...      no ETag and no Last-Modified
//   /etag-changes/...       every request sees a new version of the file (version k = each byte
//                           XOR k, version 0 = the file itself) with its own ETag, and If-Range is
//                           ignored: a 206 of another version, as a careless server sends it
//   /other-bytes/...        another file of the same length (each byte XOR 0x5A), its own ETag
//
// Every request is logged (method, path, Range, If-Range, all headers) so tests can assert what the
// client asked. `close()` destroys open connections, stalled ones included.
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { testTls } from './test-tls.ts';

export interface FaultServerOptions {
  /** The files served, by name (the NAME of `file/NAME`). */
  readonly files: Readonly<Record<string, Buffer>>;
}

export interface LoggedRequest {
  readonly scheme: 'https' | 'http';
  readonly method: string;
  /** The path as asked, faults included. */
  readonly path: string;
  readonly range: string | null;
  readonly ifRange: string | null;
  readonly headers: IncomingHttpHeaders;
}

export interface FaultServer {
  /** `https://127.0.0.1:PORT`. */
  readonly origin: string;
  /** `http://127.0.0.1:PORT`: the same paths over plain HTTP. */
  readonly httpOrigin: string;
  /** The CA that signed the server's certificate: the client's `extraCaPem`. */
  readonly caPem: string;
  /** Every request so far, in arrival order. */
  readonly requests: LoggedRequest[];
  /** The ETag `file/NAME` is served with (a strong one, from the bytes). */
  etagOf(name: string): string;
  close(): Promise<void>;
}

/** The Last-Modified every file is served with: fixed, and long before any Date, so a client may treat it as strong (RFC 9110 8.8.2.2). */
export const servedLastModified = 'Mon, 01 Jan 2024 00:00:00 GMT';

const chunkBytes = 256 * 1024;
const otherBytesKey = 0x5a;

interface Faults {
  cutAtBytes: number | null;
  stallAtBytes: number | null;
  noLength: boolean;
  badRange: boolean;
  badTotal: boolean;
  ignoreRange: boolean;
  noValidators: boolean;
  etagChanges: boolean;
  otherBytes: boolean;
}

type Route =
  { kind: 'file'; name: string; faults: Faults } | { kind: 'redirect'; location: string } | { kind: 'status'; status: number } | { kind: 'no-answer' };

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const tls = testTls();
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const versions = new Map<string, number>();
  const etags = new Map<string, string>(); // by `NAME:version`: a 256 MiB file is hashed once, not per request
  const origins = { https: '', http: '' };
  const handle = (scheme: 'https' | 'http') => (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    const header = (name: string): string | null => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : null;
    };
    requests.push({ scheme, method: request.method ?? '', path, range: header('range'), ifRange: header('if-range'), headers: request.headers });
    const route = parseRoute(path, origins, scheme);
    if (route === null) return answerStatus(response, 404);
    if (route.kind === 'status') return answerStatus(response, route.status);
    if (route.kind === 'no-answer') return; // the connection stays open, silent, until close()
    if (route.kind === 'redirect') {
      response.writeHead(302, { location: route.location, 'content-length': 0 });
      return response.end();
    }
    const source = options.files[route.name];
    if (source === undefined) return answerStatus(response, 404);
    const version = route.faults.etagChanges ? nextVersion(versions, route.name) : route.faults.otherBytes ? otherBytesKey : 0;
    const bytes = xorBytes(source, version);
    const etagKey = `${route.name}:${version}`;
    const etag = etags.get(etagKey) ?? etagFor(bytes, version);
    etags.set(etagKey, etag);
    void serveFile(request, response, { bytes, faults: route.faults, etag });
  };
  const https = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handle('https'));
  const http = createHttpServer(handle('http'));
  for (const server of [https, http]) trackSockets(server, sockets);
  origins.https = `https://127.0.0.1:${await listen(https)}`;
  origins.http = `http://127.0.0.1:${await listen(http)}`;
  return {
    origin: origins.https,
    httpOrigin: origins.http,
    caPem: tls.caPem,
    requests,
    etagOf: (name) => {
      const bytes = options.files[name];
      if (bytes === undefined) throw new Error(`no file ${name} is served`);
      return etagFor(bytes, 0);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([https, http].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function parseRoute(path: string, origins: { https: string; http: string }, scheme: 'https' | 'http'): Route | null {
  const segments = (path.split('?')[0] ?? '').split('/').slice(1);
  const faults: Faults = {
    cutAtBytes: null, stallAtBytes: null, noLength: false, badRange: false, badTotal: false,
    ignoreRange: false, noValidators: false, etagChanges: false, otherBytes: false,
  }; // prettier-ignore
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index] ?? '';
    const argument = Number(segments[index + 1]);
    switch (segment) {
      case 'file':
        return index + 2 === segments.length ? { kind: 'file', name: decodeURIComponent(segments[index + 1] ?? ''), faults } : null;
      case 'redirect': {
        if (argument === 0) {
          index += 1;
          break;
        }
        const remaining = argument === 1 ? [] : ['redirect', String(argument - 1)];
        const next = `/${[...segments.slice(0, index), ...remaining, ...segments.slice(index + 2)].join('/')}`;
        return { kind: 'redirect', location: argument % 2 === 1 ? next : `${scheme === 'https' ? origins.https : origins.http}${next}` };
      }
      case 'to-ftp':
        return { kind: 'redirect', location: `ftp://127.0.0.1/${segments.slice(index + 1).join('/')}` };
      case 'to-http':
        return { kind: 'redirect', location: `${origins.http}/${[...segments.slice(0, index), ...segments.slice(index + 1)].join('/')}` };
      case 'status':
        return { kind: 'status', status: argument };
      case 'no-answer':
        return { kind: 'no-answer' };
      case 'cut':
      case 'stall':
        faults[segment === 'cut' ? 'cutAtBytes' : 'stallAtBytes'] = argument;
        index += 1;
        break;
      default: {
        const flag = flagOf(segment);
        if (flag === null) return null;
        faults[flag] = true;
      }
    }
  }
  return null;
}

type FaultFlag = Exclude<keyof Faults, 'cutAtBytes' | 'stallAtBytes'>;

function flagOf(segment: string): FaultFlag | null {
  const flags: Record<string, FaultFlag> = {
    nolength: 'noLength',
    badrange: 'badRange',
    badtotal: 'badTotal',
    'ignore-range': 'ignoreRange',
    'no-validators': 'noValidators',
    'etag-changes': 'etagChanges',
    'other-bytes': 'otherBytes',
  };
  return Object.hasOwn(flags, segment) ? (flags[segment] ?? null) : null;
}

interface Served {
  readonly bytes: Buffer;
  readonly faults: Faults;
  readonly etag: string;
}

async function serveFile(request: IncomingMessage, response: ServerResponse, served: Served): Promise<void> {
  const { bytes, faults, etag } = served;
  const headers: Record<string, string | number> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  if (!faults.noValidators) Object.assign(headers, { etag, 'last-modified': servedLastModified });
  const range = parseRange(request.headers.range, bytes.length);
  const ifRange = request.headers['if-range'];
  // RFC 9110 13.1.5: a validator that does not match means "send the whole representation".
  const ifRangeHolds = ifRange === undefined || faults.etagChanges || ifRange === etag || ifRange === servedLastModified;
  let startBytes = 0;
  let status = 200;
  if (range === 'unsatisfiable' && ifRangeHolds && !faults.ignoreRange) {
    response.writeHead(416, { 'content-range': `bytes */${bytes.length}`, 'content-length': 0 });
    return void response.end();
  }
  if (range !== null && range !== 'unsatisfiable' && ifRangeHolds && !faults.ignoreRange) {
    status = 206;
    startBytes = range.startBytes;
    const claimedStart = faults.badRange ? range.startBytes + 1024 : range.startBytes;
    const claimedTotal = faults.badTotal ? bytes.length + 1 : bytes.length;
    headers['content-range'] = `bytes ${claimedStart}-${bytes.length - 1}/${claimedTotal}`;
  }
  if (!faults.noLength) headers['content-length'] = bytes.length - startBytes;
  response.writeHead(status, headers);
  if (request.method === 'HEAD') return void response.end();
  const faultAtBytes = faults.cutAtBytes ?? faults.stallAtBytes;
  const stopBytes = faultAtBytes !== null && startBytes < faultAtBytes ? faultAtBytes : bytes.length;
  if (faultAtBytes === null && !faults.noLength) return void response.end(bytes.subarray(startBytes));
  for (let offsetBytes = startBytes; offsetBytes < stopBytes && !response.destroyed; offsetBytes += chunkBytes) {
    await writeChunk(response, bytes.subarray(offsetBytes, Math.min(stopBytes, offsetBytes + chunkBytes)));
  }
  if (stopBytes === bytes.length) return void response.end();
  if (faults.cutAtBytes !== null) response.socket?.destroy(); // a stall keeps it open until close()
}

/** `bytes=START-` or `bytes=START-END` (the only forms a downloader sends); anything else: ignored, as RFC 9110 14.2 allows. */
function parseRange(header: string | undefined, sizeBytes: number): { startBytes: number } | 'unsatisfiable' | null {
  const match = header === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header);
  if (match === null) return null;
  const startBytes = Number(match[1]);
  return startBytes >= sizeBytes ? 'unsatisfiable' : { startBytes };
}

function writeChunk(response: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    response.write(chunk, () => resolve());
  });
}

function answerStatus(response: ServerResponse, status: number): void {
  const body = `status ${status}\n`;
  response.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function nextVersion(versions: Map<string, number>, name: string): number {
  const version = versions.get(name) ?? 0;
  versions.set(name, version + 1);
  return version;
}

function xorBytes(source: Buffer, key: number): Buffer {
  if (key === 0) return source;
  const changed = Buffer.allocUnsafe(source.length);
  for (let index = 0; index < source.length; index += 1) changed[index] = (source[index] ?? 0) ^ key;
  return changed;
}

function etagFor(bytes: Buffer, version: number): string {
  return `"v${version}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
}

function trackSockets(server: Server, sockets: Set<Socket>): void {
  // An https.Server hands its TLS sockets to 'secureConnection'; both kinds pass through 'connection' first.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
