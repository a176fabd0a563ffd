// The Drives screen end to end on real loop devices: "Restore to a normal stick" (FAT32 and exFAT,
// with a label, confirmed by typing the device's name through the engine's plan) leaves a volume
// blkid reads with that label; "Back up to an image" (a path in the home folder, as the web shell
// offers it) writes a file equal to the device's bytes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { seededBytes } from '../fixtures/iso-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, saveScreenshot, watchConsole } from './ui-helpers.ts';

const MiB = 1024 * 1024;
let app: RunningApp;
let scratch = '';
let home = '';
/** The loop devices this file attached: only these are detached. */
const attached: string[] = [];

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-drives-');
  // The app's home folder: where the web shell lets a backup go.
  home = mkdtempSync('/dev/shm/isotope-e2e-home-');
  app = await startAppLikeNpmStart({ env: { HOME: home } });
});

test.afterAll(() => {
  app.stop();
  for (const device of attached) execFileSync('losetup', ['-d', device]);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

function loopOver(name: string, sizeBytes: number, content: Uint8Array = new Uint8Array()): { backing: string; device: string } {
  const backing = join(scratch, name);
  writeFileSync(backing, content);
  truncateSync(backing, sizeBytes);
  const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  attached.push(device);
  return { backing, device };
}

/** The Drives screen with every drive listed, and the row of `device`. */
async function driveRow(page: Page, device: string) {
  await page.goto(app.url);
  await goToScreen(page, 'Drives');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  const row = page.getByTestId('all-drives').locator(`[data-device="${device}"]`);
  await expect(row).toBeVisible();
  return row;
}

for (const fileSystem of ['FAT32', 'exFAT'] as const) {
  test(`restores a loop device to a normal ${fileSystem} stick that blkid reads with the label asked for`, async ({ page }) => {
    const problems = watchConsole(page);
    const { device } = loopOver(`restore-${fileSystem}.img`, 64 * MiB, seededBytes(`old image ${fileSystem}`, MiB));
    await page.setViewportSize({ width: 1280, height: 900 });
    const row = await driveRow(page, device);
    await row.getByRole('button', { name: 'Restore to a normal stick' }).click();
    const panel = page.getByTestId('restore-panel');
    await panel.getByRole('radio', { name: new RegExp(`^${fileSystem}:`) }).check();
    await panel.getByLabel('Name of the stick (volume label)').fill('CLEAN');
    await expectNoSeriousAxeViolations(page, `restore-panel/${fileSystem}`);
    await panel.getByRole('button', { name: 'Restore…' }).click();

    const dialog = page.getByTestId('restore-confirm-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('restore-confirm-what')).toContainText(`one ${fileSystem} partition`);
    const confirm = dialog.getByRole('button', { name: 'Erase and restore' });
    const name = device.split('/').pop() ?? '';
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type “${name}” to confirm`).fill(name);
    await saveScreenshot(page, `restore-confirm-${fileSystem}`);
    await confirm.click();

    const summary = page.getByTestId('restore-summary');
    await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
    await expect(summary.locator(`[data-target="${device}"]`)).toBeVisible();
    const probed = execFileSync('blkid', ['-p', '-O', String(MiB), '-o', 'export', device], { encoding: 'utf8' });
    expect(probed).toContain(`TYPE=${fileSystem === 'FAT32' ? 'vfat' : 'exfat'}`);
    expect(probed).toContain('LABEL=CLEAN');
    expect(problems).toEqual([]);
  });
}

test('backs a loop device up into an image file in the home folder that equals the device', async ({ page }) => {
  const problems = watchConsole(page);
  const { backing, device } = loopOver('backup.img', 8 * MiB, seededBytes('backup source', 5 * MiB));
  await page.setViewportSize({ width: 1280, height: 900 });
  const row = await driveRow(page, device);
  await row.getByRole('button', { name: 'Back up to an image' }).click();
  const panel = page.getByTestId('backup-panel');
  const output = panel.getByLabel('Image file');
  // The web shell has no save dialog: the path starts in the home folder, named after the drive.
  await expect(output).toHaveValue(new RegExp(`^${home}/${device.split('/').pop()}-\\d{4}-\\d{2}-\\d{2}\\.img\\.zst$`));
  await panel.getByRole('radio', { name: /^\.img:/ }).check();
  await expect(output).toHaveValue(/\.img$/);
  const outputPath = join(home, 'drive-backup.img');
  await output.fill(outputPath);
  await expectNoSeriousAxeViolations(page, 'backup-panel');
  await panel.getByRole('button', { name: 'Back up', exact: true }).click();

  const result = panel.getByTestId('backup-result');
  await expect(result).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByTestId('backup-result-path')).toHaveText(outputPath);
  const sha256 = execFileSync('sha256sum', [backing], { encoding: 'utf8' }).split(' ')[0] ?? '';
  await expect(panel.getByTestId('backup-result-sha256')).toHaveText(sha256);
  await saveScreenshot(page, 'backup-result');
  expect(readFileSync(outputPath).equals(readFileSync(backing))).toBe(true);
  expect(problems).toEqual([]);
});

test('keeps a running backup in the sidebar on every screen, and its cancel removes the partial file', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  // 2 GiB of zeros (sparse) into .xz: long enough to be seen running and cancelled.
  const { device } = loopOver('backup-cancel.img', 2048 * MiB);
  const row = await driveRow(page, device);
  await row.getByRole('button', { name: 'Back up to an image' }).click();
  const panel = page.getByTestId('backup-panel');
  await panel.getByRole('radio', { name: /^\.xz:/ }).check();
  const outputPath = join(home, 'cancelled.img.xz');
  await panel.getByLabel('Image file').fill(outputPath);
  await panel.getByRole('button', { name: 'Back up', exact: true }).click();
  await expect(panel.getByTestId('backup-progress').getByRole('progressbar')).toHaveAttribute('aria-valuenow', /.+/, { timeout: 30_000 });

  await goToScreen(page, 'Settings');
  const running = page.getByTestId('running-jobs').locator('[data-job="backup"]');
  await expect(running).toContainText(`Backing up ${device}`);
  await running.click();
  // Back on the Drives screen, the running backup's panel is there again, with its cancel.
  await panel.getByRole('button', { name: 'Cancel backup' }).click();
  await expect(panel.getByRole('status')).toHaveText('Cancelled.', { timeout: 30_000 });
  await expect(page.getByTestId('running-jobs')).toHaveCount(0);
  expect(existsSync(outputPath)).toBe(false);
  expect(readdirSync(home).filter((name) => name.startsWith('cancelled'))).toEqual([]);
  expect(problems).toEqual([]);
});

test('says a drive is too small for FAT32 before anything is written, and writes nothing', async ({ page }) => {
  const problems = watchConsole(page);
  const old = seededBytes('too small for FAT32', MiB);
  const { backing, device } = loopOver('too-small.img', 16 * MiB, old);
  const row = await driveRow(page, device);
  await row.getByRole('button', { name: 'Restore to a normal stick' }).click();
  const panel = page.getByTestId('restore-panel');
  await panel.getByRole('radio', { name: /^FAT32:/ }).check();
  await panel.getByRole('button', { name: 'Restore…' }).click();
  const error = page.getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'target-too-small');
  await expect(error).toContainText('The drive is too small for what would be written to it.');
  await expect(page.getByTestId('restore-confirm-dialog')).toHaveCount(0);
  expect(readFileSync(backing).subarray(0, MiB).equals(old)).toBe(true);
  expect(problems).toEqual([]);
});
