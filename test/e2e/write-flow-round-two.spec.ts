// The write flow, round two (issue 17), end to end in the web shell with real loop devices: the image
// named at every step, usable drives first and refused ones grouped below with their reason, "Show all
// drives" for the session unless pinned, write and verify speeds apart, what became of ejecting, the
// focus after the job, "Flash again" starting clean, and progress bars that show their own numbers.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { attachLoopDevice, goToScreen, openImage, watchConsole, type LoopDevice } from './ui-helpers.ts';

let app: RunningApp;
let scratch: string;
/** The loop devices this file attached: only these are detached. */
const attached: LoopDevice[] = [];

function attachLoop(sizeBytes: number): string {
  const loop = attachLoopDevice(sizeBytes);
  attached.push(loop);
  return loop.device;
}

let usable = '';
let tooSmall = '';

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-write2-');
  usable = attachLoop(8 * 1024 * 1024);
  tooSmall = attachLoop(64 * 1024);
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  for (const loop of attached) loop.detach();
  rmSync(scratch, { recursive: true, force: true });
});

const deviceName = (device: string): string => device.split('/').pop() ?? '';

async function openWriteScreen(page: Page, image: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  await openImage(page, image);
  await goToScreen(page, 'Write to drive');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  // The engine lists loop devices through lsblk: allow for a busy machine.
  await expect(page.getByTestId('drive-list').locator(`[data-device="${usable}"]`)).toHaveAttribute('data-eligible', 'true', { timeout: 15_000 });
}

test('names the image on the Write screen and in the confirm dialog; lists usable drives first and refused ones grouped below with their reason', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const image = helloIsoPath();
  await openWriteScreen(page, image);
  await expect(page.getByTestId('write-image-name')).toHaveText(`Image: ${basename(image)}`);

  const list = page.getByTestId('drive-list');
  const refusedGroup = page.getByTestId('drives-refused');
  const refusedRow = refusedGroup.locator(`[data-device="${tooSmall}"]`);
  await expect(refusedRow).toHaveAttribute('data-eligible', 'false');
  await expect(refusedRow.getByRole('checkbox')).toBeDisabled();
  await expect(refusedRow.locator('[data-code="too-small"]')).toBeVisible();
  await expect(refusedGroup.getByRole('heading')).toContainText('Cannot be written');
  // No usable drive inside the refused group, and every usable one above its heading.
  await expect(refusedGroup.locator('[data-eligible="true"]')).toHaveCount(0);
  const lastUsable = await list.locator('[data-eligible="true"]').last().boundingBox();
  const heading = await refusedGroup.getByRole('heading').boundingBox();
  expect(lastUsable && heading && lastUsable.y + lastUsable.height <= heading.y).toBe(true);

  await list.locator(`[data-device="${usable}"]`).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText(`Erase and write ${basename(image)}`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(problems).toEqual([]);
});

test('"Show all drives" lasts for the session; pinned in Settings it is on after a reload', async ({ page }) => {
  await openWriteScreen(page, helloIsoPath());
  await page.reload();
  await openImage(page, helloIsoPath());
  await goToScreen(page, 'Write to drive');
  await expect(page.getByRole('switch', { name: 'Show all drives' })).not.toBeChecked();
  await expect(page.getByTestId('drive-list').locator(`[data-device="${usable}"]`)).toHaveCount(0);

  await goToScreen(page, 'Settings');
  await page.getByRole('checkbox', { name: 'Always show all drives' }).check();
  await page.reload();
  await openImage(page, helloIsoPath());
  await goToScreen(page, 'Write to drive');
  await expect(page.getByRole('switch', { name: 'Show all drives' })).toBeChecked();
  await expect(page.getByTestId('drive-list').locator(`[data-device="${usable}"]`)).toBeVisible();
});

/** Ticks the usable loop device, confirms by its typed name, and waits for the summary. */
async function writeToUsable(page: Page): Promise<void> {
  await page.getByTestId('drive-list').locator(`[data-device="${usable}"]`).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.getByLabel(`Type “${deviceName(usable)}” to confirm`).fill(deviceName(usable));
  await dialog.getByRole('button', { name: 'Erase and write' }).click();
  await expect(page.getByTestId('flash-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
}

test('after a verified write: write and verify speeds apart, why the drive was not ejected, the focus on "Flash again", which starts with nothing ticked', async ({
  page,
}) => {
  const problems = watchConsole(page);
  await openWriteScreen(page, helloIsoPath());
  await writeToUsable(page);
  const row = page.getByTestId('flash-summary').locator(`[data-target="${usable}"]`);
  await expect(row).toHaveAttribute('data-outcome', 'verified');
  // Each phase's own average, from the engine's timing of that phase.
  await expect(row.getByTestId('write-speed')).toHaveText(/\d.*\/s$/);
  await expect(row.getByTestId('verify-speed')).toHaveText(/\d.*\/s$/);
  // A loop device is no USB drive: the engine did not eject it, and the summary says so and what to do.
  await expect(row.getByTestId('removal')).toHaveAttribute('data-ejected', 'false');
  await expect(row.getByTestId('removal')).toContainText('Isotope ejects USB drives only');
  await expect(row.getByTestId('removal')).not.toContainText('Safe to remove');

  const again = page.getByRole('button', { name: 'Flash again' });
  await expect(again).toBeFocused();
  await again.click();
  await expect(page.getByTestId('drive-list').locator(`[data-device="${usable}"]`).getByRole('checkbox')).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Write', exact: true })).toBeDisabled();
  expect(problems).toEqual([]);
});

test('a failed Eject says why and what to do, and that notice is gone once the next job starts', async ({ page }) => {
  await openWriteScreen(page, helloIsoPath());
  await page.getByRole('checkbox', { name: 'Eject after success' }).uncheck();
  await writeToUsable(page);
  const removal = page.getByTestId('flash-summary').locator(`[data-target="${usable}"]`).getByTestId('removal');
  await expect(removal).toContainText('Eject it before you unplug it.');
  // No eject tool can stop a loop device: the engine answers eject-failed, shown with what to do.
  await removal.getByRole('button', { name: `Eject ${usable}` }).click();
  const notice = page.getByRole('alert').filter({ hasText: 'could not be ejected' });
  await expect(notice).toBeVisible();
  await page.getByRole('button', { name: 'Flash again' }).click();
  await writeToUsable(page);
  await expect(page.getByRole('alert').filter({ hasText: 'could not be ejected' })).toHaveCount(0);
});

test('names the image in progress, and each progress bar is as wide as the percentage it shows', async ({ page }) => {
  test.setTimeout(150_000);
  // A 2 GiB image of zeros (sparse) onto a loop device of the same size: long enough to watch.
  const image = join(scratch, 'watched.img');
  writeFileSync(image, Buffer.alloc(0));
  truncateSync(image, 2 * 1024 * 1024 * 1024);
  const target = attachLoop(2 * 1024 * 1024 * 1024);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  await openImage(page, image);
  await goToScreen(page, 'Write to drive');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  await page.getByTestId('drive-list').locator(`[data-device="${target}"]`).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText('Erase and write watched.img');
  await dialog.getByLabel(`Type “${deviceName(target)}” to confirm`).fill(deviceName(target));
  await dialog.getByRole('checkbox', { name: 'Write anyway, although it is not a disk image' }).check();
  await dialog.getByRole('button', { name: 'Write anyway' }).click();

  const progress = page.getByTestId('flash-progress');
  await expect(progress.getByTestId('flash-heading')).toHaveText('Writing watched.img');
  const bar = progress.getByRole('progressbar').first();
  await expect(bar).toHaveAttribute('aria-valuenow', /^(?!0$)\d/);
  // Read in one frame: the fill's share of the track against the number the bar announces. With a
  // transition on the width, the fill trails each new number by the transition's length.
  // Sampled until the number has moved (at least 12 samples), however slowly a loaded machine writes.
  const samples: { shownPercent: number; drawnPercent: number }[] = [];
  const deadlineMs = Date.now() + 45_000;
  while (samples.length < 12 || (new Set(samples.map((sample) => sample.shownPercent)).size < 2 && Date.now() < deadlineMs)) {
    samples.push(
      await bar.evaluate((track) => {
        const fill = track.firstElementChild as HTMLElement;
        return { shownPercent: Number(track.getAttribute('aria-valuenow')), drawnPercent: (fill.getBoundingClientRect().width / track.clientWidth) * 100 };
      }),
    );
    await page.waitForTimeout(60);
  }
  for (const { shownPercent, drawnPercent } of samples) expect(Math.abs(drawnPercent - shownPercent)).toBeLessThan(0.75);
  expect(new Set(samples.map((sample) => sample.shownPercent)).size).toBeGreaterThan(1);
  await progress.getByRole('button', { name: 'Cancel writing' }).click();
  await progress.getByRole('button', { name: 'Stop writing' }).click();
  await expect(page.getByTestId('flash-summary')).toHaveAttribute('data-outcome', 'cancelled', { timeout: 30_000 });
});

test('a hashing pass shows in the sidebar with its progress on every screen, named after the image, until it ends', async ({ page }) => {
  test.setTimeout(90_000);
  // 2 GiB of zeros (sparse): no image format, so it opens at Checksums, whose pass reads all of it.
  const image = join(scratch, 'hashed.img');
  writeFileSync(image, Buffer.alloc(0));
  truncateSync(image, 2 * 1024 * 1024 * 1024);
  await page.goto(app.url);
  await openImage(page, image);
  await goToScreen(page, 'Settings');
  const running = page.getByTestId('running-jobs').getByRole('button', { name: /Checking hashed\.img/ });
  await expect(running).toBeVisible();
  await expect(running.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d/);
  await goToScreen(page, 'Start');
  await expect(running).toBeVisible();
  await running.click();
  await expect(page.getByRole('tab', { name: 'Checksums' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('button', { name: 'Cancel' }).first().click();
  await expect(page.getByTestId('running-jobs')).toHaveCount(0, { timeout: 30_000 });
});
