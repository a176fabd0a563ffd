// A tiny forward proxy on 127.0.0.1 for the proxy tests: CONNECT host:port opens a tunnel (RFC 9110
// 9.3.6), a request in absolute form (RFC 9112 3.2.2) is forwarded to its host in origin form. Every
// request line is logged, so a test can prove the traffic went through it (or, with NO_PROXY, not).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`: the value of HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string;
  /** Request lines as received (`CONNECT 127.0.0.1:443 HTTP/1.1`, `GET http://… HTTP/1.1`). */
  readonly requestLines: string[];
  /** Proxy-Authorization headers received, in order. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

const maxHeadBytes = 64 * 1024;

export async function startConnectProxy(): Promise<ConnectProxy> {
  const requestLines: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > maxHeadBytes) client.destroy();
        return;
      }
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const rest = head.subarray(end + 4);
      const requestLine = lines[0] ?? '';
      requestLines.push(requestLine);
      const authorization = lines.find((line) => /^proxy-authorization:/i.test(line));
      if (authorization) authorizations.push(authorization.replace(/^proxy-authorization:\s*/i, ''));
      const [method = '', target = ''] = requestLine.split(' ');
      if (method === 'CONNECT') tunnel(client, target, rest, sockets);
      else forward(client, target, lines, rest, sockets);
    };
    client.on('data', onData);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    requestLines,
    authorizations,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tunnel(client: Socket, authority: string, rest: Buffer, sockets: Set<Socket>): void {
  const [host = '', port = '443'] = authority.split(':');
  const upstream = connect({ host, port: Number(port) }, () => {
    client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  track(upstream, client, sockets);
}

function forward(client: Socket, target: string, lines: string[], rest: Buffer, sockets: Set<Socket>): void {
  const url = new URL(target);
  const [method = 'GET', , version = 'HTTP/1.1'] = (lines[0] ?? '').split(' ');
  const headers = lines.slice(1).filter((line) => !/^proxy-/i.test(line));
  const upstream = connect({ host: url.hostname, port: Number(url.port || 80) }, () => {
    upstream.write(`${method} ${url.pathname}${url.search} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  track(upstream, client, sockets);
}

function track(upstream: Socket, client: Socket, sockets: Set<Socket>): void {
  sockets.add(upstream);
  upstream.on('close', () => {
    sockets.delete(upstream);
    client.destroy();
  });
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
}
