// Keyboard and focus (issue 17), in the web shell with real images: the skip link, the focus after
// opening an image, Esc on a dialog giving the focus back to what opened it, and the Checksums tab,
// which a full read of the image waits behind: arrowing onto it starts nothing until it is activated.
import { expect, test, type Page } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { attachLoopDevice, goToScreen, openImage, watchConsole, type LoopDevice } from './ui-helpers.ts';

let app: RunningApp;
let target: LoopDevice | undefined;
let loopDevice = '';

test.beforeAll(async () => {
  target = attachLoopDevice(8 * 1024 * 1024);
  loopDevice = target.device;
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  target?.detach();
});

/** The engine calls this page sends over its WebSocket that would read the whole image for digests. */
function watchHashCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => {
      const payload = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8');
      const call = /"(checksum:(?:hash|verify))"/.exec(payload)?.[1];
      if (call) calls.push(call);
    }),
  );
  return calls;
}

const focusedId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');

test('the first Tab reaches a skip link that moves the focus to the screen, past the sidebar', async ({ page }) => {
  await page.goto(app.url);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  expect(await focusedId(page)).toBe('main-content');
});

test('opening an image moves the focus to its heading, the start of the new content', async ({ page }) => {
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  expect(await focusedId(page)).toBe('summary-heading');
});

test('arrowing onto the Checksums tab starts no hash; Enter shows it and starts one', async ({ page }) => {
  const calls = watchHashCalls(page);
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  const contents = page.getByRole('tab', { name: 'Contents' });
  await expect(contents).toHaveAttribute('aria-selected', 'true');
  await contents.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const checksums = page.getByRole('tab', { name: 'Checksums' });
  await expect(checksums).toBeFocused();
  await expect(checksums).toHaveAttribute('aria-selected', 'false');
  await page.waitForTimeout(500);
  expect(calls).toEqual([]);
  await page.keyboard.press('Enter');
  await expect(checksums).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('verification-verdict')).toBeVisible({ timeout: 30_000 });
  expect(calls).toEqual(['checksum:verify']);
});

test('with the automatic hash off in Settings, the Checksums tab waits for "Compute checksums"', async ({ page }) => {
  const calls = watchHashCalls(page);
  await page.goto(app.url);
  await goToScreen(page, 'Settings');
  const autoHash = page.getByRole('checkbox', { name: 'Compute checksums when the Checksums tab opens' });
  await expect(autoHash).toBeChecked();
  await autoHash.uncheck();
  await openImage(page, helloIsoPath());
  await page.getByRole('tab', { name: 'Checksums' }).click();
  await expect(page.getByRole('tab', { name: 'Checksums' })).toHaveAttribute('aria-selected', 'true');
  await page.waitForTimeout(500);
  expect(calls).toEqual([]);
  await page.getByRole('button', { name: 'Compute checksums' }).click();
  await expect(page.getByTestId('verification-verdict')).toBeVisible({ timeout: 30_000 });
  expect(calls).toEqual(['checksum:verify']);
});

test('Esc on the confirm dialog gives the focus back to the Write button that opened it', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  await goToScreen(page, 'Write to drive');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  await page.getByTestId('drive-list').locator(`[data-device="${loopDevice}"]`).getByRole('checkbox').check();
  const write = page.getByRole('button', { name: 'Write', exact: true });
  await write.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(write).toBeFocused();
  expect(problems).toEqual([]);
});
