// Writing to a drive end to end: a real loop device over a file in /dev/shm, listed only with "show
// all drives", chosen, confirmed by typing its name, written and verified by the real engine; then
// the loop device's bytes are compared with the image's.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { formatBytesOfTotal } from '../../shared/units.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { chooseTheme, expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, showTab, watchConsole, type ThemeName } from './ui-helpers.ts';

let app: RunningApp;
let scratch: string;
let loopDevice = '';

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-write-');
  const backing = join(scratch, 'target.img');
  writeFileSync(backing, Buffer.alloc(0));
  truncateSync(backing, 8 * 1024 * 1024);
  loopDevice = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  // Detach only the loop device this test attached.
  if (loopDevice !== '') execFileSync('losetup', ['-d', loopDevice]);
  rmSync(scratch, { recursive: true, force: true });
});

/** The first `lengthBytes` of a block device, read directly. */
function readDevice(device: string, lengthBytes: number): Buffer {
  const buffer = Buffer.alloc(lengthBytes);
  const fd = openSync(device, 'r');
  try {
    let done = 0;
    while (done < lengthBytes) {
      const read = readSync(fd, buffer, done, lengthBytes - done, done);
      if (read === 0) break;
      done += read;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}

for (const theme of ['light', 'dark'] as const satisfies readonly ThemeName[]) {
  test(`writes an image to a loop device chosen with "show all drives" and a typed confirmation (${theme} theme)`, async ({ page }) => {
    const problems = watchConsole(page);
    const image = helloIsoPath();
    const imageBytes = readFileSync(image);
    const deviceName = loopDevice.split('/').pop() ?? '';
    expect(statSync(join(scratch, 'target.img')).size).toBeGreaterThan(imageBytes.length);
    // Start from zeros, so the comparison below proves this run wrote the bytes.
    execFileSync('dd', ['if=/dev/zero', `of=${loopDevice}`, 'bs=1M', 'count=1', 'conv=fsync'], { stdio: 'ignore' });

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await chooseTheme(page, theme);
    await openImage(page, image);
    await goToScreen(page, 'Write to drive');
    const list = page.getByTestId('drive-list');
    // Loop devices are virtual: hidden until the user asks for all drives.
    await expect(page.getByText('Looking for drives…')).toHaveCount(0);
    await expect(list.locator(`[data-device="${loopDevice}"]`)).toHaveCount(0);
    await page.getByRole('switch', { name: 'Show all drives' }).check();
    const row = list.locator(`[data-device="${loopDevice}"]`);
    await expect(row).toHaveAttribute('data-eligible', 'true');
    await row.getByRole('checkbox').check();
    // The dark run writes without verifying: the setting must reach the engine.
    const verify = theme === 'light';
    await page.getByRole('checkbox', { name: 'Verify after writing' }).setChecked(verify);
    await expectNoSeriousAxeViolations(page, `write-list/${theme}`);
    await saveScreenshot(page, `write-chosen-${theme}`);
    await page.getByRole('button', { name: 'Write', exact: true }).click();

    const dialog = page.getByTestId('confirm-dialog');
    await expect(dialog).toBeVisible();
    const confirm = dialog.getByRole('button', { name: 'Erase and write' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type “${deviceName}” to confirm`).fill('wrong');
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type “${deviceName}” to confirm`).fill(deviceName);
    await expectNoSeriousAxeViolations(page, `write-confirm/${theme}`);
    await saveScreenshot(page, `write-confirm-${theme}`);
    await confirm.click();

    const summary = page.getByTestId('flash-summary');
    await expect(summary).toBeVisible({ timeout: 30_000 });
    await expect(summary).toHaveAttribute('data-outcome', 'succeeded');
    await expect(summary.locator(`[data-target="${loopDevice}"]`)).toHaveAttribute('data-outcome', verify ? 'verified' : 'written');
    const sha256 = execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0];
    await expect(page.getByTestId('flash-digest')).toHaveText(sha256 ?? '');
    expect(readDevice(loopDevice, imageBytes.length).equals(imageBytes)).toBe(true);
    await expectNoSeriousAxeViolations(page, `flash-summary/${theme}`);
    await saveScreenshot(page, `flash-summary-${theme}`);

    await page.getByRole('button', { name: 'Flash again' }).click();
    await expect(page.getByTestId('drive-list')).toBeVisible();
    expect(problems).toEqual([]);
  });
}

test('shows a drive attached and removed while the list is open, without a reload', async ({ page }) => {
  test.setTimeout(90_000);
  const backing = join(scratch, 'hotplug.img');
  writeFileSync(backing, Buffer.alloc(0));
  truncateSync(backing, 4 * 1024 * 1024);
  await page.goto(app.url);
  await openImage(page, helloIsoPath());
  await goToScreen(page, 'Write to drive');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  await expect(page.getByTestId('drive-list').locator(`[data-device="${loopDevice}"]`)).toBeVisible();

  const attached = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  try {
    await expect(page.getByTestId('drive-list').locator(`[data-device="${attached}"]`)).toBeVisible({ timeout: 30_000 });
  } finally {
    execFileSync('losetup', ['-d', attached]);
  }
  await expect(page.getByTestId('drive-list').locator(`[data-device="${attached}"]`)).toHaveCount(0, { timeout: 30_000 });
});

test('shows per-target progress while writing; Cancel asks first, then says the drive is now unusable', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  // A 2 GiB raw image (sparse: zeros cost no memory until written) onto a loop device of the same size.
  const image = join(scratch, 'large.img');
  const backing = join(scratch, 'large-target.img');
  for (const path of [image, backing]) {
    writeFileSync(path, Buffer.alloc(0));
    truncateSync(path, 2 * 1024 * 1024 * 1024);
  }
  const target = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await openImage(page, image);
    await goToScreen(page, 'Write to drive');
    await page.getByRole('switch', { name: 'Show all drives' }).check();
    const row = page.getByTestId('drive-list').locator(`[data-device="${target}"]`);
    await expect(row).toHaveAttribute('data-eligible', 'true');
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Write', exact: true }).click();
    const name = target.split('/').pop() ?? '';
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.getByLabel(`Type “${name}” to confirm`).fill(name);
    // All zeros is no disk image: the write needs its own "Write anyway".
    await dialog.getByRole('checkbox', { name: 'Write anyway, although it is not a disk image' }).check();
    await dialog.getByRole('button', { name: 'Write anyway' }).click();

    const progress = page.getByTestId('flash-progress');
    await expect(progress.locator(`[data-target="${target}"]`)).toBeVisible();
    // The image being written is named in progress, and the running write stays in the sidebar on every screen.
    await expect(progress.getByTestId('flash-heading')).toHaveText('Writing large.img');
    await goToScreen(page, 'Settings');
    const running = page.getByTestId('running-jobs').locator('[data-job="flash"]');
    await expect(running).toContainText('Writing large.img');
    await running.click();
    await expect(progress.getByRole('progressbar').first()).toHaveAttribute('aria-valuenow', /.+/);
    await saveScreenshot(page, 'flash-progress-light');
    await progress.getByRole('button', { name: 'Cancel writing' }).click();
    // It asks first; "Keep writing" goes on.
    await expect(progress.getByTestId('cancel-ask')).toContainText('unusable until it is written again or restored');
    await progress.getByRole('button', { name: 'Keep writing' }).click();
    await expect(progress.getByTestId('cancel-ask')).toHaveCount(0);
    await expect(progress).toBeVisible();
    await progress.getByRole('button', { name: 'Cancel writing' }).click();
    await progress.getByRole('button', { name: 'Stop writing' }).click();
    const summary = page.getByTestId('flash-summary');
    await expect(summary).toHaveAttribute('data-outcome', 'cancelled', { timeout: 30_000 });
    await expect(summary.locator(`[data-target="${target}"]`)).toHaveAttribute('data-outcome', 'cancelled');
    await expect(summary.getByTestId('cancelled-unusable')).toHaveText('The drive is now unusable until it is written again or restored.');
    expect(problems).toEqual([]);
  } finally {
    execFileSync('losetup', ['-d', target]);
  }
});

/** Chooses a loop device on the Write screen, opens the confirm dialog and types the device's name. */
async function chooseLoopAndWrite(page: Page, device: string): Promise<Locator> {
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  const row = page.getByTestId('drive-list').locator(`[data-device="${device}"]`);
  await expect(row).toHaveAttribute('data-eligible', 'true');
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible();
  const name = device.split('/').pop() ?? '';
  await dialog.getByLabel(`Type “${name}” to confirm`).fill(name);
  return dialog;
}

test('blocks a hybrid ISO cut to 45%: "Write anyway" names the missing part, and the summary says the drive matches an incomplete file', async ({ page }) => {
  const problems = watchConsole(page);
  const whole = readFileSync(bootFixturePath('hybridGpt'));
  const cutBytes = Math.floor(whole.length * 0.45);
  const image = join(scratch, 'half-download.iso');
  writeFileSync(image, whole.subarray(0, cutBytes));
  const sizes = formatBytesOfTotal(cutBytes, whole.length);

  await page.goto(app.url);
  await openImage(page, image);
  await goToScreen(page, 'Write to drive');
  const assessment = page.getByTestId('write-assessment');
  await expect(assessment.locator('[data-code="truncated"]')).toContainText(`The image file is incomplete (${sizes})`);
  await expect(assessment.locator('[data-code="truncated"]')).toHaveAttribute('data-severity', 'blocking');

  const dialog = await chooseLoopAndWrite(page, loopDevice);
  await expect(dialog.getByTestId('image-assessment').locator('[data-code="truncated"]')).toBeVisible();
  const writeAnyway = dialog.getByRole('button', { name: 'Write anyway' });
  await expect(writeAnyway).toBeDisabled(); // the name is typed, the problem not yet acknowledged
  await dialog.getByRole('checkbox', { name: `Write anyway, although the image file is incomplete (${sizes})` }).check();
  await expectNoSeriousAxeViolations(page, 'write-anyway');
  await saveScreenshot(page, 'write-anyway-truncated');
  await writeAnyway.click();

  const summary = page.getByTestId('flash-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  await expect(summary.locator(`[data-target="${loopDevice}"]`)).toHaveAttribute('data-outcome', 'verified');
  await expect(summary.getByTestId('verified-against')).toHaveText(`The drive matches the image file, which is itself incomplete (${sizes}).`);
  expect(readDevice(loopDevice, cutBytes).equals(whole.subarray(0, cutBytes))).toBe(true);
  expect(problems).toEqual([]);
});

test('a checksum mismatch found in the Checksums tab blocks the write until "Write anyway" names it', async ({ page }) => {
  const folder = mkdtempSync(join(scratch, 'mismatch-'));
  const image = join(folder, 'hello.iso');
  writeFileSync(image, readFileSync(helloIsoPath()));
  writeFileSync(join(folder, 'SHA256SUMS'), `${'0'.repeat(64)}  hello.iso\n`);

  await page.goto(app.url);
  await openImage(page, image);
  await showTab(page, 'Checksums');
  await expect(page.getByTestId('verification-verdict')).toHaveAttribute('data-verdict', 'mismatch', { timeout: 30_000 });
  await goToScreen(page, 'Write to drive');
  const assessment = page.getByTestId('write-assessment');
  await expect(assessment.getByTestId('assessment-checksum')).toHaveAttribute('data-state', 'mismatch');
  await expect(assessment.locator('[data-code="checksum-mismatch"]')).toHaveAttribute('data-severity', 'blocking');

  const dialog = await chooseLoopAndWrite(page, loopDevice);
  await expect(dialog.getByTestId('assessment-checksum')).toContainText('Does not match');
  await expect(dialog.getByRole('button', { name: 'Write anyway' })).toBeDisabled();
  await dialog.getByRole('checkbox', { name: 'Write anyway, although it does not match its published checksum' }).check();
  await dialog.getByRole('button', { name: 'Write anyway' }).click();
  const summary = page.getByTestId('flash-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  await expect(summary.getByTestId('verified-against')).toHaveText('The drive matches the image file, which does not match its published checksum.');
});

test('a pasted digest that does not match blocks the write too: the engine judges it on the bytes its pass read', async ({ page }) => {
  const folder = mkdtempSync(join(scratch, 'pasted-'));
  const image = join(folder, 'hello.iso');
  writeFileSync(image, readFileSync(helloIsoPath()));

  await page.goto(app.url);
  await openImage(page, image);
  await showTab(page, 'Checksums');
  await expect(page.getByTestId('verification-verdict')).toHaveAttribute('data-verdict', 'nothing-to-compare', { timeout: 30_000 });
  await page.getByLabel('Compare with a checksum from the download page').fill('1'.repeat(64));
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'mismatch');
  await goToScreen(page, 'Write to drive');
  const assessment = page.getByTestId('write-assessment');
  await expect(assessment.getByTestId('assessment-checksum')).toHaveAttribute('data-state', 'mismatch');
  await expect(assessment.locator('[data-code="checksum-mismatch"]')).toHaveAttribute('data-severity', 'blocking');
});

test('the confirm dialog names the mounted file system on the target and that all of it will be erased', async ({ page }) => {
  const backing = join(scratch, 'mounted-target.img');
  writeFileSync(backing, Buffer.alloc(0));
  truncateSync(backing, 8 * 1024 * 1024);
  execFileSync('mkfs.ext2', ['-q', '-F', '-L', 'E2E_PHOTOS', backing]);
  const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  const mountpoint = mkdtempSync(join(scratch, 'mnt-'));
  execFileSync('mount', [device, mountpoint]);
  try {
    await page.goto(app.url);
    await openImage(page, helloIsoPath());
    await goToScreen(page, 'Write to drive');
    const dialog = await chooseLoopAndWrite(page, device);
    const partition = dialog.getByTestId('confirm-partition');
    // Label and type come from lsblk, which knows them only where udev has probed the device (not for
    // loop devices on this machine): the dialog shows them when the drive model has them.
    await expect(partition).toHaveAttribute('data-device', device);
    await expect(partition).toContainText(`mounted at ${mountpoint}`);
    await expect(dialog).toContainText('All of this will be erased.');
    await expect(dialog.getByRole('button', { name: 'Erase and write' })).toBeEnabled(); // nothing blocking in hello.iso
    await saveScreenshot(page, 'write-confirm-mounted');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  } finally {
    execFileSync('umount', [mountpoint]);
    execFileSync('losetup', ['-d', device]);
  }
});
