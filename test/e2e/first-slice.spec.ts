// The first vertical slice, end to end: Debian's Chromium, the app started as `npm start` starts
// it, a real ISO built by xorriso, and the real engine behind the web shell.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { isoinfoVolumeSizeBytes, xorrisoVolumeId } from '../helpers/iso-tools.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';

let app: RunningApp;
const screenshotsDir = join(repoRoot, 'test-results/screenshots');

test.beforeAll(async () => {
  mkdirSync(screenshotsDir, { recursive: true });
  app = await startAppLikeNpmStart();
});
test.afterAll(() => app.stop());

/** Fails the test on any console error, including CSP violations. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

test('opens an ISO by path and shows its size, label and format', async ({ page }) => {
  const problems = watchConsole(page);
  const imagePath = helloIsoPath();
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Isotope' })).toBeVisible();

  await page.getByLabel('Image path').fill(imagePath);
  await page.getByRole('button', { name: 'Open', exact: true }).click();

  const summary = page.getByTestId('image-summary');
  await expect(summary).toBeVisible();
  await expect(page.getByTestId('image-format')).toHaveText('ISO 9660 image');
  await expect(page.getByTestId('image-label')).toHaveText(xorrisoVolumeId(imagePath));
  await expect(page.getByTestId('image-path')).toHaveText(imagePath);
  const sizeText = await page.getByTestId('image-size').textContent();
  expect(sizeText?.replace(/[^\d(]/g, '')).toContain(`(${isoinfoVolumeSizeBytes(imagePath)}`);
  await page.screenshot({ path: join(screenshotsDir, 'first-slice.png'), fullPage: true });
  expect(problems).toEqual([]);
});

test('opens an image dropped onto the window', async ({ page }) => {
  const imagePath = helloIsoPath();
  await page.goto(app.url);
  // What a file manager's drag carries in a browser: a file:// URI (browsers hide real paths).
  const dataTransfer = await page.evaluateHandle((path) => {
    const data = new DataTransfer();
    data.setData('text/uri-list', `file://${path}`);
    return data;
  }, imagePath);
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(page.getByTestId('image-label')).toHaveText(xorrisoVolumeId(imagePath));
});

test('explains a missing file in words, with the path underneath', async ({ page }) => {
  await page.goto(app.url);
  await page.getByLabel('Image path').fill('/no/such/image.iso');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('There is no file at that path.');
  await expect(alert).toContainText('/no/such/image.iso');
  await expect(alert).toHaveAttribute('data-code', 'not-found');
});

test('gives the page no Node, no require and no engine objects', async ({ page }) => {
  await page.goto(app.url);
  const globals = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    bridge: typeof (globalThis as { isotope?: unknown }).isotope,
  }));
  expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: 'undefined' });
});
