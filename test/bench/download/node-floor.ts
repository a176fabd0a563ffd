// The floor any Node client pays (the benchmark's "node: receive only" row): Node's own start, one
// GET written on a socket, and the answer read the cheapest way Node offers, the way Isotope's reader
// reads it (net/http-response-reader.ts): `onread` into one fixed 1 MiB buffer, dropped. No hash, no
// write, no parsing beyond the end of the head, no checks. What Isotope adds on top (the module
// loading, the hashing worker's start, SHA-256, the file's writes, the checks) is the rest of its row.
// Bundled and run with plain node like download-once.ts. Usage: node node-floor.js URL CA_PATH
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const [url = '', caPath = ''] = process.argv.slice(2);
const target = new URL(url);
const secure = target.protocol === 'https:';
const port = Number(target.port || (secure ? 443 : 80));
const buffer = Buffer.allocUnsafe(1024 * 1024);
let head = '';
let receivedBytes = 0;
const onread = {
  buffer,
  callback: (byteCount: number): boolean => {
    if (head.endsWith('\r\n\r\n')) receivedBytes += byteCount;
    else {
      // The head fits the first reads here (a few hundred bytes); what follows it is body.
      head += buffer.toString('latin1', 0, byteCount);
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) [head, receivedBytes] = [head.slice(0, end + 4), head.length - end - 4];
    }
    return true;
  },
};
const request = `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`;
await new Promise<void>((resolve, reject) => {
  // tls.connect honours onread as net.connect does; @types/node declares it for net only.
  const tlsOptions = { host: target.hostname, port, ca: readFileSync(caPath, 'utf8'), onread };
  const socket: Socket = secure
    ? tlsConnect(tlsOptions, () => socket.write(request))
    : tcpConnect({ host: target.hostname, port, onread }, () => socket.write(request));
  socket
    .on('end', resolve)
    .on('close', () => resolve())
    .on('error', reject);
});
process.stdout.write(`${JSON.stringify({ receivedBytes })}\n`);
