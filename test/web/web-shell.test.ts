// The real web shell on a real loopback port, probed with real HTTP and WebSocket clients, and with
// a hand-written WebSocket client for the frames no library sends.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { imageListPageMaxEntries, type ImageEntry, type ImageListing } from '../../shared/image.ts';
import { tokenProtocol, webShellProtocol } from '../../shared/web-shell-protocol.ts';
import { createService } from '../../src-main/service/service.ts';
import { startWebShell, webShellAnnouncement, type WebShell, type WebShellLimits } from '../../src-main/web/web-shell.ts';
import type { JobFinished } from '../../shared/job.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';
import { bigFolderFileCount, bigIsoPath } from '../fixtures/ui-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { encodeRawFrame, openRawWebSocket, type RawFrame } from './raw-websocket-client.ts';

let rendererDir: string;
let shell: WebShell;
let origin: string;

async function startShell(limits: Partial<WebShellLimits> = {}): Promise<WebShell> {
  return startWebShell({ service: createService({ shell: 'web', version: '1', log: () => undefined }), rendererDir, port: 0, limits, log: () => undefined });
}

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'isotope-web-'));
  rendererDir = join(parent, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Isotope</title>');
  writeFileSync(join(rendererDir, 'assets/app.js'), 'console.log(1)');
  writeFileSync(join(parent, 'secret.txt'), 'outside the renderer folder');
  shell = await startShell();
  origin = `http://127.0.0.1:${shell.port}`;
});

afterAll(() => shell.close());

/** A raw HTTP GET with exactly the headers given (fetch would not let us forge Host). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, method: 'GET', setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Our page's handshake: our origin, and the token among the offered subprotocols. */
function pageHandshake(target: WebShell): { protocols: string[]; headers: Record<string, string> } {
  return { protocols: [webShellProtocol, tokenProtocol(target.token)], headers: { Origin: `http://127.0.0.1:${target.port}` } };
}

function connect(target: WebShell, protocols: string[], headers: Record<string, string>, query = ''): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${target.port}/rpc${query}`, protocols, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

const connectAsPage = (target: WebShell = shell): Promise<WebSocket> => {
  const { protocols, headers } = pageHandshake(target);
  return connect(target, protocols, headers);
};

function call(socket: WebSocket, id: number, method: string, request: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { kind: string; id?: number; result?: unknown };
      if (message.kind === 'result' && message.id === id) {
        socket.off('message', onMessage);
        resolve(message.result);
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ kind: 'call', id, method, request }));
  });
}

/** A fresh client of `target` still gets its calls answered. */
async function expectShellAnswers(target: WebShell = shell): Promise<void> {
  const socket = await connectAsPage(target);
  try {
    expect(await call(socket, 1, 'app:describe', {})).toMatchObject({ ok: true, value: { name: 'Isotope' } });
  } finally {
    socket.close();
  }
}

describe('web shell over HTTP', () => {
  it('announces a 127.0.0.1 URL carrying a 256-bit token in the fragment, which browsers never send', () => {
    expect(webShellAnnouncement(shell)).toMatch(/^Isotope is running at http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/#token=${shell.token}`);
  });

  it('serves the renderer without a token, with a strict CSP and no cookie', async () => {
    const response = await get(shell.port, '/', { Host: `127.0.0.1:${shell.port}` });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Isotope</title>');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain(`connect-src ws://127.0.0.1:${shell.port}`);
    // Cookies go to every port of 127.0.0.1 (RFC 6265 8.5): the token must never ride in one.
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(response.headers)).not.toContain(shell.token);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets to our own host', async () => {
    const response = await get(shell.port, '/assets/app.js', { Host: `localhost:${shell.port}` });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/javascript');
  });

  it.each([
    ['for a DNS-rebinding host name', { Host: 'attacker.example:PORT' }],
    ['from a foreign origin', { Origin: 'http://attacker.example' }],
  ])('refuses a request %s', async (_case, headers) => {
    const fill = (text: string) => text.replace('PORT', String(shell.port));
    const response = await get(shell.port, '/', {
      Host: `127.0.0.1:${shell.port}`,
      ...Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, fill(value)])),
    });
    expect(response.status).toBe(403);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/%E0%A4%A', '/assets'])(
    'never serves anything outside the renderer folder: %s',
    async (path) => {
      const response = await get(shell.port, path, { Host: `127.0.0.1:${shell.port}` });
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('outside the renderer folder');
    },
  );
});

describe('web shell over WebSocket', () => {
  it('carries contract calls and events for a client offering the token, and answers with its own subprotocol only', async () => {
    const socket = await connectAsPage();
    try {
      expect(socket.protocol).toBe(webShellProtocol);
      expect(await call(socket, 1, 'app:describe', {})).toMatchObject({ ok: true, value: { name: 'Isotope', shell: 'web', canPickFiles: false } });
      const event = new Promise<unknown>((resolve) =>
        socket.on('message', (data: WebSocket.RawData) => {
          const message = JSON.parse(data.toString()) as { kind: string };
          if (message.kind === 'event') resolve(message);
        }),
      );
      const opened = await call(socket, 2, 'image:open', { path: helloIsoPath() });
      expect(opened).toMatchObject({ ok: true, value: { format: 'iso9660' } });
      expect(await event).toMatchObject({ kind: 'event', name: 'image:opened', payload: { fileName: 'hello.iso' } });
      expect(await call(socket, 3, 'image:open', { path: 'relative' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    } finally {
      socket.close();
    }
  });

  it.each([
    ['without the token', [webShellProtocol], { Origin: 'ORIGIN' }, ''],
    ['with a wrong token', [webShellProtocol, tokenProtocol('0'.repeat(64))], { Origin: 'ORIGIN' }, ''],
    ['with the token in the query string instead (it would end up in logs)', [webShellProtocol], { Origin: 'ORIGIN' }, '?token=TOKEN'],
    ['with the token in a cookie instead (cookies reach every port)', [webShellProtocol], { Origin: 'ORIGIN', Cookie: 'isotope_token_PORT=TOKEN' }, ''],
    ['without an origin', [webShellProtocol, 'TOKEN_PROTOCOL'], {}, ''],
    ['from a foreign origin (cross-site WebSocket hijacking)', [webShellProtocol, 'TOKEN_PROTOCOL'], { Origin: 'http://attacker.example' }, ''],
  ])('refuses an upgrade %s', async (_case, protocols, headers, query) => {
    const fill = (text: string) =>
      text.replace('TOKEN_PROTOCOL', tokenProtocol(shell.token)).replace('TOKEN', shell.token).replace('ORIGIN', origin).replace('PORT', String(shell.port));
    const filled = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, fill(value)]));
    await expect(connect(shell, protocols.map(fill), filled, fill(query))).rejects.toThrow(/refused with 403/);
  });

  it('closes the connection on a frame that is not a contract call', async () => {
    const socket = await connectAsPage();
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ kind: 'call', id: 'one', method: 'app:describe', request: {}, extra: true }));
    expect(await closed).toBe(1008);
  });
});

const mib = 1024 * 1024;
const text = (payload: Buffer | string): Buffer => Buffer.from(payload);

/** The ten malformed frames of the red-team review (issue 12 §3), with the close code RFC 6455 7.4.1 prescribes. */
const malformedFrames: readonly { name: string; frames: readonly RawFrame[]; closeCode: number }[] = [
  { name: 'a text frame over 1 MiB', frames: [{ opcode: 1, payload: Buffer.alloc(4096, 0x20), declaredLengthBytes: BigInt(mib + 1) }], closeCode: 1009 },
  { name: 'a frame declaring 2^63 bytes', frames: [{ opcode: 1, payload: Buffer.alloc(0), declaredLengthBytes: 2n ** 63n }], closeCode: 1009 },
  { name: 'a text frame of invalid UTF-8', frames: [{ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }], closeCode: 1007 },
  { name: 'an unmasked client frame', frames: [{ opcode: 1, payload: text('{}'), masked: false }], closeCode: 1002 },
  { name: 'reserved opcode 3', frames: [{ opcode: 3, payload: text('{}') }], closeCode: 1002 },
  { name: 'RSV1 set without an extension', frames: [{ opcode: 1, payload: text('{}'), rsv: 0b100 }], closeCode: 1002 },
  { name: 'a continuation frame with nothing to continue', frames: [{ opcode: 0, payload: text('{}') }], closeCode: 1002 },
  { name: 'a 126-byte ping (control frames carry at most 125)', frames: [{ opcode: 9, payload: Buffer.alloc(126) }], closeCode: 1002 },
  {
    name: 'fragments adding up to over 1 MiB',
    frames: [
      { opcode: 1, payload: Buffer.alloc(600 * 1024, 0x20), fin: false },
      { opcode: 0, payload: Buffer.alloc(600 * 1024, 0x20) },
    ],
    closeCode: 1009,
  },
  { name: 'a close frame with code 999', frames: [{ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }], closeCode: 1002 },
];

describe('a client cannot end the web shell', () => {
  it.each(malformedFrames)('closes only the socket that sent $name (code $closeCode), and keeps answering others', async ({ frames, closeCode }) => {
    const bystander = await connectAsPage();
    const { headers } = pageHandshake(shell);
    const raw = await openRawWebSocket(shell.port, {
      Host: `127.0.0.1:${shell.port}`,
      ...headers,
      'Sec-WebSocket-Protocol': `${webShellProtocol}, ${tokenProtocol(shell.token)}`,
    });
    for (const frame of frames) raw.socket.write(encodeRawFrame(frame));
    raw.socket.end(); // our side is done; the server must still say why it closes
    expect(await raw.closed).toBe(closeCode);
    try {
      expect(await call(bystander, 7, 'app:describe', {})).toMatchObject({ ok: true });
    } finally {
      bystander.close();
    }
    await expectShellAnswers();
  });

  it('answers a result too large to send with an error, and keeps answering', async () => {
    const small = await startShell({ maxOutgoingFrameBytes: 64 * 1024 });
    try {
      const socket = await connectAsPage(small);
      try {
        // One page of the 50,000-file image is about 1.5 MB of JSON, far over this shell's 64 KiB.
        const answer = await call(socket, 1, 'image:list', { path: bigIsoPath(), directory: '/', recursive: true });
        expect(answer).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/more than the 65536 bytes a frame may carry/) } });
        expect(await call(socket, 2, 'app:describe', {})).toMatchObject({ ok: true });
      } finally {
        socket.close();
      }
    } finally {
      await small.close();
    }
  });

  it('survives every malformed frame and an oversized answer in a row, then still answers', async () => {
    const small = await startShell({ maxOutgoingFrameBytes: 64 * 1024 });
    try {
      for (const { frames } of malformedFrames) {
        const raw = await openRawWebSocket(small.port, {
          Host: `127.0.0.1:${small.port}`,
          Origin: `http://127.0.0.1:${small.port}`,
          'Sec-WebSocket-Protocol': `${webShellProtocol}, ${tokenProtocol(small.token)}`,
        });
        for (const frame of frames) raw.socket.write(encodeRawFrame(frame));
        raw.socket.end();
        await raw.closed;
      }
      const socket = await connectAsPage(small);
      try {
        expect(await call(socket, 1, 'image:list', { path: bigIsoPath(), directory: '/', recursive: true })).toMatchObject({ ok: false });
      } finally {
        socket.close();
      }
      await expectShellAnswers(small);
    } finally {
      await small.close();
    }
  });

  it('answers a listing in pages that together are exactly the whole listing', async () => {
    const socket = await connectAsPage();
    try {
      const pages: ImageListing[] = [];
      for (let offset: number | null = 0, id = 1; offset !== null; id += 1) {
        const answer = (await call(socket, id, 'image:list', { path: bigIsoPath(), directory: '/', recursive: true, offset })) as {
          ok: true;
          value: ImageListing;
        };
        expect(answer.ok).toBe(true);
        expect(answer.value.nextOffset).not.toBeUndefined(); // an unpaged answer would loop here forever
        pages.push(answer.value);
        offset = answer.value.nextOffset;
      }
      const whole = JSON.parse((await isotope(['ls', '-R', '--json', bigIsoPath()])).stdout) as { path: string }[];
      expect(whole.length).toBeGreaterThan(bigFolderFileCount);
      expect(pages.length).toBe(Math.ceil(whole.length / imageListPageMaxEntries));
      for (const page of pages.slice(0, -1)) expect(page.entries).toHaveLength(imageListPageMaxEntries);
      expect(pages.flatMap((page) => page.entries.map((entry: ImageEntry) => entry.path))).toEqual(whole.map((entry) => entry.path));
    } finally {
      socket.close();
    }
  }, 60_000); // six walks of a 50,000-entry tree: about 10 s here, more on a loaded machine
});

describe('idle connections cannot lock real clients out', () => {
  const limits = { maxPendingConnections: 4, handshakeTimeoutMs: 400 };

  function openIdleSocket(port: number): { socket: Socket; closed: Promise<void> } {
    const socket = connectTcp(port, '127.0.0.1');
    socket.on('error', () => undefined);
    return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
  }

  it('closes connections that never present the token after the handshake timeout, keeping at most the cap open', async () => {
    const guarded = await startShell(limits);
    try {
      const idle = Array.from({ length: 12 }, () => openIdleSocket(guarded.port));
      // Beyond the cap, each new connection closes the oldest idle one at once.
      await Promise.all(idle.slice(0, 8).map((connection) => connection.closed));
      // A real client still gets in, and an authenticated socket outlives the handshake timeout.
      const socket = await connectAsPage(guarded);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2 * limits.handshakeTimeoutMs));
        expect(await call(socket, 1, 'app:describe', {})).toMatchObject({ ok: true });
      } finally {
        socket.close();
      }
      // The rest timed out, though they never sent a byte.
      await Promise.all(idle.map((connection) => connection.closed));
    } finally {
      await guarded.close();
    }
  });
});

describe.skipIf(!qemuAvailable())('a VM trial over the web shell', () => {
  it('is stopped when the client that started it disconnects, long before the seconds it asked for', async () => {
    vi.stubEnv('ISOTOPE_VM_ACCEL', 'tcg');
    const service = createService({ shell: 'web', version: '1', log: () => undefined });
    const own = await startWebShell({ service, rendererDir, port: 0, log: () => undefined });
    const finished: JobFinished[] = [];
    service.on('job:finished', (end) => finished.push(end));
    try {
      await withQemuLock(async () => {
        const socket = await connectAsPage(own);
        const started = (await call(socket, 1, 'vm:try', {
          source: { kind: 'image', path: waitingGrubIsoPath() },
          firmware: 'bios',
          medium: 'cd',
          view: 'in-app',
          seconds: 120,
        })) as { ok: boolean; value: { jobId: string } };
        expect(started.ok).toBe(true);
        const closedMs = performance.now();
        socket.close();
        await vi.waitFor(() => expect(finished.map((end) => end.jobId)).toContain(started.value.jobId), { timeout: 20_000, interval: 100 });
        expect(performance.now() - closedMs).toBeLessThan(20_000);
        expect(finished.find((end) => end.jobId === started.value.jobId)).toMatchObject({ kind: 'try', result: { ok: true, value: { endedBy: 'stopped' } } });
      });
    } finally {
      vi.unstubAllEnvs();
      await own.close();
    }
  }, 60_000);
});
