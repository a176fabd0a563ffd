// Hostile and odd HTTP/1.1 answers from a raw TCP server on 127.0.0.1 (no HTTP library between the
// bytes and the client): each must end the fetch with a clear coded error naming the problem, or,
// for the legal odd ones (an interim 100, a chunked body with extensions and trailers), be read right.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSmall } from '../../src-main/net/http-download.ts';
import { codedErrorOf } from './net-test-helpers.ts';

/** What the server sends for a path: the bytes, then it closes (or cuts, when `cut`). */
interface Answer {
  readonly bytes: string;
  /** Destroy the connection after the bytes instead of ending it cleanly. */
  readonly cut?: boolean;
}

const okHead = 'HTTP/1.1 200 OK\r\n';
const chunkedHead = `${okHead}Transfer-Encoding: chunked\r\n\r\n`;

const answers: Record<string, Answer> = {
  '/head-too-big': { bytes: `${okHead}${`X-Pad: ${'a'.repeat(1016)}\r\n`.repeat(70)}Content-Length: 2\r\n\r\nok` },
  '/too-many-fields': { bytes: `${okHead}${'X-A: b\r\n'.repeat(201)}Content-Length: 2\r\n\r\nok` },
  '/obs-fold': { bytes: `${okHead}X-A: one\r\n two\r\nContent-Length: 2\r\n\r\nok` },
  '/bad-status-line': { bytes: 'HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok' },
  '/conflicting-length': { bytes: `${okHead}Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!` },
  '/te-and-cl': { bytes: `${okHead}Transfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\nok\r\n0\r\n\r\n` },
  '/te-gzip': { bytes: `${okHead}Transfer-Encoding: gzip\r\n\r\nnot really gzip` },
  '/chunk-size-17-digits': { bytes: `${chunkedHead}00000000000000002\r\nok\r\n0\r\n\r\n` },
  '/chunk-without-crlf': { bytes: `${chunkedHead}2\r\nokXX2\r\nok\r\n0\r\n\r\n` },
  '/trailers-too-big': { bytes: `${chunkedHead}2\r\nok\r\n0\r\n${`X-T: ${'t'.repeat(1016)}\r\n`.repeat(17)}\r\n` },
  '/continue-then-200': { bytes: `HTTP/1.1 100 Continue\r\n\r\n${okHead}Content-Length: 2\r\n\r\nok` },
  '/chunked-with-extensions': { bytes: `${chunkedHead}2;a=b\r\nok\r\n1\r\n!\r\n0\r\nX-Sum: 1\r\n\r\n` },
  '/cut-mid-chunk': { bytes: `${chunkedHead}a\r\nabcd`, cut: true },
};

let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((socket: Socket) => {
    let request = '';
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      const path = /^GET (\S+) HTTP\/1\.1\r\n/.exec(request)?.[1] ?? '';
      const answer = answers[path] ?? { bytes: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' };
      socket.write(Buffer.from(answer.bytes, 'latin1'), () => (answer.cut ? socket.destroy() : socket.end()));
    });
    socket.on('error', () => undefined); // the client closing early is no failure of the test
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fetchOptions = { env: {}, stallTimeoutMs: 5000 };

describe('hostile HTTP answers', () => {
  it.each([
    ['a head over 64 KiB', '/head-too-big', 'the head is larger than 65536 bytes'],
    ['more than 200 header fields', '/too-many-fields', 'the head has 202 fields, more than 200'],
    ['a folded header line', '/obs-fold', 'a folded header line (obs-fold, RFC 9112 5.2), at byte 27 of the answer'],
    ['a status line that is not one', '/bad-status-line', 'not an HTTP/1.x status line: "HTTP/1.1 2OO OK", at byte 0'],
    ['two Content-Lengths that differ', '/conflicting-length', 'Content-Length "2, 3" is not one decimal byte count'],
    ['Transfer-Encoding beside Content-Length', '/te-and-cl', 'both Transfer-Encoding and Content-Length'],
    ['Transfer-Encoding: gzip', '/te-gzip', 'Transfer-Encoding "gzip": only chunked alone is read'],
    ['a chunk size of 17 hex digits', '/chunk-size-17-digits', 'a chunk size of more than 16 hex digits, at byte 63 of the answer'],
    ['a chunk whose data lacks its CRLF', '/chunk-without-crlf', 'a chunk whose data is not followed by CRLF, at byte 52 of the answer'],
    ['a trailer section over 16 KiB', '/trailers-too-big', 'a trailer section longer than 16384 bytes'],
  ])('refuses %s with http-framing naming the URL and the problem', async (_what, path, words) => {
    const error = await codedErrorOf(fetchSmall(`${origin}${path}`, 1024 * 1024, fetchOptions));
    expect(error.code).toBe('http-framing');
    expect(error.message).toContain(`${origin}${path}: `);
    expect(error.message).toContain(words);
  });

  it('skips a 100 Continue before the 200 and reads the 200', async () => {
    const fetched = await fetchSmall(`${origin}/continue-then-200`, 1024, fetchOptions);
    expect(Buffer.from(fetched?.bytes ?? []).toString()).toBe('ok');
  });

  it('reads a chunked body with chunk extensions and a trailer field', async () => {
    const fetched = await fetchSmall(`${origin}/chunked-with-extensions`, 1024, fetchOptions);
    expect(Buffer.from(fetched?.bytes ?? []).toString()).toBe('ok!');
  });

  it('fails with length-mismatch when the connection is cut mid-chunk, naming the bytes received', async () => {
    const error = await codedErrorOf(fetchSmall(`${origin}/cut-mid-chunk`, 1024, fetchOptions));
    expect(error.code).toBe('length-mismatch');
    expect(error.message).toContain(`${origin}/cut-mid-chunk: the connection ended after 4 bytes before the end of its chunked body`);
  });
});
