// The Queue screen end to end in the web shell with real loop devices (issue 19): two drives, each
// its own image, reviewed and confirmed once with their names typed and each image's blocking finding
// ticked "Write anyway", then both rows written and checked, byte for byte the images; and duplicator
// mode's count for a loop device attached later.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { attachLoopDevice, goToScreen, watchConsole, type LoopDevice } from './ui-helpers.ts';

let app: RunningApp;
let scratch: string;
/** The loop devices this file attached: only these are detached. */
const attached: LoopDevice[] = [];
const MiB = 1024 * 1024;

function attachLoop(sizeBytes: number): string {
  const loop = attachLoopDevice(sizeBytes);
  attached.push(loop);
  return loop.device;
}

const sameBytes = (a: string, b: string, lengthBytes: number): boolean => {
  try {
    execFileSync('cmp', ['-n', String(lengthBytes), a, b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

let first = '';
let second = '';
const images: string[] = [];

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-queue-');
  for (const [index, sizeBytes] of [3 * MiB, 5 * MiB].entries()) {
    images.push(join(scratch, `queue-image-${index}.img`));
    writeFileSync(images[index]!, randomBytes(sizeBytes));
  }
  first = attachLoop(8 * MiB);
  second = attachLoop(8 * MiB);
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  for (const loop of attached) loop.detach();
  rmSync(scratch, { recursive: true, force: true });
});

const deviceName = (device: string): string => device.split('/').pop() ?? '';

test('writes two drives, each its own image, under one confirmation, and shows each row written and checked', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  await goToScreen(page, 'Queue');
  await page.getByLabel('Image for every drive').fill(images[0]!);
  await page.getByLabel('Show all drives (virtual and fixed too)').check();
  for (const device of [first, second]) {
    await page.locator(`.drive[data-device="${device}"]`).getByRole('checkbox').check({ timeout: 15_000 });
  }
  await page.getByLabel(`Image for ${second} (empty: the image above)`).fill(images[1]!);
  await page.getByLabel('One after another').check();
  await page.getByRole('button', { name: 'Review the queue' }).click();
  const plan = page.getByRole('dialog', { name: 'Erase and write these drives?' });
  for (const device of [first, second]) await plan.getByLabel(`Type “${deviceName(device)}” to confirm`).fill(deviceName(device));
  // Random bytes are no image: each pair shows its blocking finding, and the start waits for its "Write anyway".
  const start = plan.getByRole('button', { name: 'Erase and write all' });
  for (const device of [first, second]) {
    await expect(plan.locator(`[data-testid="queue-pair"][data-device="${device}"]`).getByTestId('write-anyway')).toContainText('Write anyway, although');
  }
  await expect(start).toBeDisabled();
  for (const tick of await plan.getByTestId('write-anyway').getByRole('checkbox').all()) await tick.check();
  await start.click();

  const rows = page.getByTestId('queue-rows');
  await expect(rows.locator(`tr[data-device="${first}"]`)).toContainText('Written and checked', { timeout: 60_000 });
  await expect(rows.locator(`tr[data-device="${second}"]`)).toContainText('Written and checked', { timeout: 60_000 });
  expect(sameBytes(images[0]!, first, 3 * MiB)).toBe(true);
  expect(sameBytes(images[1]!, second, 5 * MiB)).toBe(true);
  expect(problems).toEqual([]);
});

test('duplicator mode counts a drive attached after it started, and stops', async ({ page }) => {
  await page.goto(app.url);
  await goToScreen(page, 'Queue');
  await page.getByLabel('Image for every drive').fill(images[0]!);
  await page.getByLabel('Show all drives (virtual and fixed too)').check();
  await page.getByRole('button', { name: 'Start duplicator mode…' }).click();
  await page.getByLabel('Type queue-image-0.img to write every new stick with it').fill('queue-image-0.img');
  const duplicator = page.getByRole('region', { name: 'Duplicator mode' });
  const start = duplicator.getByRole('button', { name: 'Start writing new sticks' });
  await expect(duplicator.getByTestId('write-anyway')).toContainText('Write anyway, although');
  await expect(start).toBeDisabled();
  for (const tick of await duplicator.getByTestId('write-anyway').getByRole('checkbox').all()) await tick.check();
  await start.click();
  const count = page.getByTestId('duplicator-count');
  await expect(count).toContainText('Watching for new sticks: 0 written');
  const later = attachLoop(8 * MiB);
  // Its own row, not the totals alone: another process on this machine may attach a loop device meanwhile.
  await expect(page.getByRole('region', { name: 'Duplicator mode' }).locator(`li[data-device="${later}"]`)).toContainText('Written and checked', {
    timeout: 60_000,
  });
  await expect(count).toContainText(/[1-9]\d* written/);
  expect(sameBytes(images[0]!, later, 3 * MiB)).toBe(true);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(count).toContainText('Stopped:');
});
