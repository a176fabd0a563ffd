// The web shell's token in Debian's Chromium (issue 12 §4): it reaches the page in the URL fragment,
// leaves the address bar at once, lives in the tab's sessionStorage, rides in the WebSocket handshake
// and nowhere else: never a cookie, which Chromium sent to any other server on 127.0.0.1.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { xorrisoVolumeId } from '../helpers/iso-tools.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { openImage } from './ui-helpers.ts';

let app: RunningApp;
let token: string;
let otherServer: Server;
let otherUrl: string;
const seenByOtherServer: { url: string; headers: IncomingHttpHeaders }[] = [];

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
  token = new URLSearchParams(new URL(app.url).hash.slice(1)).get('token') ?? '';
  otherServer = createServer((request, response) => {
    seenByOtherServer.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another local server</title>');
  });
  await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  app.stop();
  await new Promise<void>((resolve) => otherServer.close(() => resolve()));
});

test('takes the token out of the address bar and sets no cookie', async ({ page, context }) => {
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  expect(page.url()).toBe(app.url.replace(/#.*$/, ''));
  expect(await context.cookies()).toEqual([]);
});

test('sends no token to another server on this machine, in the same tab or another', async ({ page, context }) => {
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  seenByOtherServer.length = 0;
  await page.goto(otherUrl);
  await (await context.newPage()).goto(`${otherUrl}second-tab`);
  expect(seenByOtherServer.map((request) => request.url)).toEqual(expect.arrayContaining(['/', '/second-tab']));
  for (const request of seenByOtherServer) {
    expect(request.headers.cookie).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain(token);
  }
});

test('keeps working after a reload in the same tab', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Isotope' })).toBeVisible();
  await page.reload();
  await openImage(page, helloIsoPath());
  await expect(page.getByTestId('image-label')).toHaveText(xorrisoVolumeId(helloIsoPath()));
});

test('serves the page without its token, but its engine only to a WebSocket offering it', async ({ page }) => {
  const withoutToken = app.url.replace(/#.*$/, '');
  const response = await page.goto(withoutToken);
  expect(response?.status()).toBe(200);
  const outcome = (protocols: string[]) =>
    page.evaluate(
      (offered) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(`ws://${location.host}/rpc`, offered);
          socket.onopen = () => {
            resolve('open');
            socket.close();
          };
          socket.onclose = () => resolve('refused');
        }),
      protocols,
    );
  expect(await outcome(['isotope.v1'])).toBe('refused');
  expect(await outcome(['isotope.v1', `isotope.token.${'0'.repeat(64)}`])).toBe('refused');
  expect(await outcome(['isotope.v1', `isotope.token.${token}`])).toBe('open');
  // The app itself, opened without the token, reaches no engine.
  await page.getByLabel('Image path').fill(helloIsoPath());
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'internal');
});
