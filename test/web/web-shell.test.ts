// The real web shell on a real loopback port, probed with real HTTP and WebSocket clients.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createService } from '../../src-main/service/service.ts';
import { startWebShell, webShellAnnouncement, type WebShell } from '../../src-main/web/web-shell.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';

let shell: WebShell;
let origin: string;

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'isotope-web-'));
  const rendererDir = join(parent, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Isotope</title>');
  writeFileSync(join(rendererDir, 'assets/app.js'), 'console.log(1)');
  writeFileSync(join(parent, 'secret.txt'), 'outside the renderer folder');
  shell = await startWebShell({ service: createService({ shell: 'web', version: '1', log: () => undefined }), rendererDir, port: 0 });
  origin = `http://127.0.0.1:${shell.port}`;
});

afterAll(() => shell.close());

/** A raw HTTP GET with exactly the headers given (fetch would not let us forge Host). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: shell.port, path, headers, method: 'GET', setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc${query}`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

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

describe('web shell over HTTP', () => {
  it('announces itself with a 127.0.0.1 URL carrying a 256-bit token', () => {
    expect(webShellAnnouncement(shell)).toMatch(/^Isotope is running at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('serves the renderer with the token, a strict CSP and a port-scoped HttpOnly cookie', async () => {
    const response = await get(`/?token=${shell.token}`, { Host: `127.0.0.1:${shell.port}` });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Isotope</title>');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain(`connect-src ws://127.0.0.1:${shell.port}`);
    expect(String(response.headers['set-cookie'])).toContain(`isotope_token_${shell.port}=${shell.token}; HttpOnly; SameSite=Strict`);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets to a page holding the cookie', async () => {
    const response = await get('/assets/app.js', { Host: `localhost:${shell.port}`, Cookie: `isotope_token_${shell.port}=${shell.token}` });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/javascript');
  });

  it.each([
    ['without the token', '/', {}],
    ['with a wrong token', `/?token=${'0'.repeat(64)}`, {}],
    ['for a DNS-rebinding host name', '/?token=TOKEN', { Host: 'attacker.example:PORT' }],
    ['from a foreign origin', '/?token=TOKEN', { Origin: 'http://attacker.example' }],
  ])('refuses a request %s', async (_case, path, headers) => {
    const fill = (text: string) => text.replace('TOKEN', shell.token).replace('PORT', String(shell.port));
    const response = await get(fill(path), {
      Host: `127.0.0.1:${shell.port}`,
      ...Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, fill(value)])),
    });
    expect(response.status).toBe(403);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/%E0%A4%A', '/assets'])(
    'never serves anything outside the renderer folder: %s',
    async (path) => {
      const response = await get(`${path}${path.includes('?') ? '&' : '?'}token=${shell.token}`, { Host: `127.0.0.1:${shell.port}` });
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('outside the renderer folder');
    },
  );
});

describe('web shell over WebSocket', () => {
  it('carries contract calls and events for a client with the token and our origin', async () => {
    const socket = await connect(`?token=${shell.token}`, { Origin: origin });
    try {
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
    ['without the token', '', { Origin: 'ORIGIN' }],
    ['without an origin', '?token=TOKEN', {}],
    ['from a foreign origin (cross-site WebSocket hijacking)', '?token=TOKEN', { Origin: 'http://attacker.example' }],
  ])('refuses an upgrade %s', async (_case, query, headers) => {
    const fill = (text: string) => text.replace('TOKEN', shell.token).replace('ORIGIN', origin);
    const filled = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, fill(value)]));
    await expect(connect(fill(query), filled)).rejects.toThrow(/refused with 403/);
  });

  it('closes the connection on a frame that is not a contract call', async () => {
    const socket = await connect(`?token=${shell.token}`, { Origin: origin });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ kind: 'call', id: 'one', method: 'app:describe', request: {}, extra: true }));
    expect(await closed).toBe(1008);
  });
});
