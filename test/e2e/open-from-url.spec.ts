// Start › Open from URL end to end (issue 19): Debian's Chromium drives the web shell, whose engine
// downloads from the local HTTPS fault server (trusting the test CA through SSL_CERT_FILE, the system
// bundle's standard override). The image opens at its Checksums tab with the verdict the download's
// own digests gave against SHA256SUMS next to the URL; a wrong pasted SHA-256 says so; Settings ›
// Downloads lists the file and clears it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let server: FaultServer;
let home: string;
const image = readFileSync(helloIsoPath());
const sha256 = createHash('sha256').update(image).digest('hex');

test.beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'isotope-e2e-url-'));
  server = await startFaultServer({ files: { 'hello.iso': image, SHA256SUMS: Buffer.from(`${sha256}  hello.iso\n`), 'unlisted.iso': image } });
  writeFileSync(join(home, 'ca.pem'), server.caPem);
  app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: join(home, 'data'), HOME: home, SSL_CERT_FILE: join(home, 'ca.pem') } });
});

test.afterAll(async () => {
  app.stop();
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('downloads an image from a URL, opens it at its Checksums tab with the verdict of SHA256SUMS next to it, and lists it in Settings', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(app.url);
  const fromUrl = page.getByTestId('open-from-url');
  await fromUrl.getByLabel('Address of the image').fill(`${server.origin}/redirect/2/file/hello.iso`);
  await fromUrl.getByRole('button', { name: 'Download', exact: true }).click();

  await expect(page.getByRole('tab', { name: 'Checksums' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('verification-verdict')).toHaveAttribute('data-verdict', 'matches-unsigned');
  await expect(page.getByTestId('image-path')).toHaveText(/\/downloads\/[0-9a-f]{16}\/hello\.iso$/);
  const downloadedPath = (await page.getByTestId('image-path').textContent()) ?? '';
  expect(createHash('sha256').update(readFileSync(downloadedPath)).digest('hex')).toBe(sha256);

  await goToScreen(page, 'Start');
  await expect(fromUrl.getByTestId('download-verdict')).toHaveAttribute('data-verdict', 'matches-unsigned');
  await expect(fromUrl.getByTestId('download-sha256')).toHaveText(sha256);
  await expectNoSeriousAxeViolations(page, 'Start after a download');

  await goToScreen(page, 'Settings');
  const cache = page.getByTestId('download-cache');
  await expect(cache.locator(`tr[data-download-path="${downloadedPath}"]`)).toContainText('Complete');
  await expectNoSeriousAxeViolations(page, 'Settings with a download');
  await cache.getByRole('button', { name: 'Remove the download hello.iso' }).click();
  await expect(cache.getByTestId('downloads-none')).toBeVisible();
  expect(problems).toEqual([]);
});

test('says when the download does not match the SHA-256 pasted, and refuses a non-HTTP address', async ({ page }) => {
  await page.goto(app.url);
  const fromUrl = page.getByTestId('open-from-url');
  await fromUrl.getByLabel('Address of the image').fill('ftp://example.org/x.iso');
  await fromUrl.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(fromUrl.getByText('Only http:// and https:// addresses can be downloaded.')).toBeVisible();

  await fromUrl.getByLabel('Address of the image').fill(`${server.origin}/file/unlisted.iso`);
  await fromUrl.getByLabel('SHA-256 from the download page (optional)').fill('AB'.repeat(32));
  await fromUrl.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(page.getByTestId('image-path')).toHaveText(/unlisted\.iso$/);
  await goToScreen(page, 'Start');
  await expect(fromUrl.getByTestId('download-verdict')).toHaveAttribute('data-verdict', 'mismatch');
  await expect(fromUrl.getByText('It does NOT match the SHA-256 you pasted.')).toBeVisible();
  await expect(fromUrl.getByText('No SHA256SUMS or other sums file next to the address lists it.')).toBeVisible();
});
