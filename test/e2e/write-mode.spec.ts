// The Write screen says how an image goes onto a stick and why, from the engine's own reading of it:
// copy files for a non-hybrid El Torito EFI disc (genisoimage, no MBR), raw for xorriso's hybrid
// ISO, and for a Windows-like UDF installer the three Windows options, each off; an override is the
// user's, and the Windows options go with the copy mode.
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { expect, test } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { attachLoopDevice, expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, watchConsole, type LoopDevice } from './ui-helpers.ts';

const MiB = 1024 * 1024;
let app: RunningApp;
let stick: LoopDevice | undefined;
let loopDevice = '';

test.beforeAll(async () => {
  stick = attachLoopDevice(64 * MiB);
  loopDevice = stick.device;
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  stick?.detach();
});

test('shows copy files for a non-hybrid EFI disc and raw for a hybrid ISO, each with the reason, and the user can override it', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.url);
  await openImage(page, nonhybridGrubIsoPath());
  await goToScreen(page, 'Write to drive');
  const mode = page.getByTestId('write-mode');
  await expect(mode).toHaveAttribute('data-mode', 'copy');
  await expect(mode).toHaveAttribute('data-reason', 'el-torito-efi-not-hybrid');
  await expect(page.getByTestId('write-mode-sentence')).toHaveText(
    'Files will be copied onto a new FAT32 stick, because written as it is, this disc image starts from a USB stick only on some computers (it depends on the firmware).',
  );
  await expect(mode.getByRole('radio', { name: 'Automatic (recommended)' })).toBeChecked();
  // Not a Windows installer: no Windows options; the partition table is under Advanced, MBR by default.
  await expect(page.getByTestId('windows-options')).toHaveCount(0);
  await mode.getByText('Advanced').click();
  await expect(mode.getByRole('radio', { name: /^MBR/ })).toBeChecked();
  await expectNoSeriousAxeViolations(page, 'write-mode/copy');
  await saveScreenshot(page, 'write-mode-copy');

  // The raw-write USB verdict is moot while the files are copied; written raw, it is what counts.
  const rawBootFindings = page.getByTestId('write-assessment').locator('[data-code^="usb-boot"]');
  await expect(rawBootFindings).toHaveCount(0);
  // Beside the image's verdict, what the stick will do once its files are copied: UEFI only.
  const prediction = page.getByTestId('write-assessment').getByTestId('stick-prediction');
  await expect(prediction).toHaveAttribute('data-mode', 'copy');
  await expect(prediction.getByTestId('uefi-only')).toBeVisible();
  await mode.getByRole('radio', { name: 'Write the image as it is' }).check();
  await expect(mode).toHaveAttribute('data-mode', 'raw');
  await expect(page.getByTestId('write-mode-sentence')).toHaveText('The image will be written as it is, byte for byte, because you chose it.');
  await expect(rawBootFindings).toHaveCount(1);
  await expect(prediction).toHaveCount(0);

  // Another image starts from automatic again, and the engine's word for it.
  await openImage(page, bootFixturePath('hybridGpt'));
  await goToScreen(page, 'Write to drive');
  await expect(mode).toHaveAttribute('data-mode', 'raw');
  await expect(mode).toHaveAttribute('data-reason', 'hybrid-iso');
  await expect(page.getByTestId('write-mode-sentence')).toContainText(
    'The image will be written as it is, byte for byte, because it carries a partition table',
  );
  await expect(mode.getByRole('radio', { name: 'Automatic (recommended)' })).toBeChecked();
  expect(problems).toEqual([]);
});

test('offers the three Windows options for a Windows installer, each off, only while its files are copied', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.url);
  await openImage(page, windowsLikeUdfIsoPath());
  await goToScreen(page, 'Write to drive');
  const mode = page.getByTestId('write-mode');
  await expect(mode).toHaveAttribute('data-reason', 'windows-installer');
  await expect(page.getByTestId('write-mode-sentence')).toHaveText(
    'Files will be copied onto a new FAT32 stick, because this Windows installer cannot start from a raw copy.',
  );
  const windows = page.getByTestId('windows-options');
  const skipChecks = windows.getByRole('checkbox', { name: 'Skip the TPM, Secure Boot and memory checks of Windows 11' });
  const localAccount = windows.getByRole('checkbox', { name: 'Skip the Microsoft account: create a local account instead' });
  const regional = windows.getByRole('checkbox', { name: 'Use this computer’s language, keyboard and time zone' });
  for (const option of [skipChecks, localAccount, regional]) await expect(option).not.toBeChecked();

  // A local account needs a name Windows Setup accepts before anything can be written.
  await localAccount.check();
  const name = windows.getByLabel('Local account name');
  await name.fill('ada@home');
  await expect(windows.getByText('Windows does not allow any of')).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await name.fill('ada');
  await expect(name).toHaveAttribute('aria-invalid', 'false');
  await expectNoSeriousAxeViolations(page, 'write-mode/windows');
  await saveScreenshot(page, 'write-mode-windows');

  // Written raw, a Windows installer gets no answer file: the options go away.
  await mode.getByRole('radio', { name: 'Write the image as it is' }).check();
  await expect(windows).toHaveCount(0);
  await mode.getByRole('radio', { name: 'Copy its files onto a new FAT32 stick' }).check();
  await expect(windows).toBeVisible();
  expect(problems).toEqual([]);
});

test("writes a non-hybrid EFI disc by copying its files: the confirm dialog states the plan's mode and the stick's UEFI-only boot, and blkid reads a FAT32 volume", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  const image = nonhybridGrubIsoPath();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.url);
  await openImage(page, image);
  await goToScreen(page, 'Write to drive');
  await expect(page.getByTestId('write-mode')).toHaveAttribute('data-mode', 'copy');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  const row = page.getByTestId('drive-list').locator(`[data-device="${loopDevice}"]`);
  await expect(row).toHaveAttribute('data-eligible', 'true');
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();

  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible({ timeout: 30_000 });
  // The image is named in the dialog, and the plan's own mode, reason and predicted boot are shown.
  await expect(dialog.getByTestId('image-assessment')).toContainText(basename(image));
  const planned = dialog.getByTestId('confirm-mode');
  await expect(planned).toHaveAttribute('data-mode', 'copy');
  await expect(planned).toHaveAttribute('data-reason', 'el-torito-efi-not-hybrid');
  await expect(planned).toContainText('A new MBR partition table and a FAT32 volume');
  await expect(planned.getByTestId('stick-prediction')).toHaveAttribute('data-mode', 'copy');
  await expect(planned.getByTestId('uefi-only')).toHaveText('UEFI only: older PCs (BIOS) will not start from this stick.');
  await expect(planned.locator('[data-badge="usb-bios"]')).toHaveAttribute('data-state', 'no');
  await expect(planned.locator('[data-badge="usb-uefi-x64"]')).toHaveAttribute('data-state', 'yes');
  await expect(dialog.getByTestId('image-assessment').locator('[data-code^="usb-boot"]')).toHaveCount(0);
  const name = loopDevice.split('/').pop() ?? '';
  await dialog.getByLabel(`Type “${name}” to confirm`).fill(name);
  await expectNoSeriousAxeViolations(page, 'write-confirm/copy');
  await saveScreenshot(page, 'write-confirm-copy');
  await dialog.getByRole('button', { name: 'Erase and write' }).click();

  const summary = page.getByTestId('flash-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 60_000 });
  const probed = execFileSync('blkid', ['-p', '-O', String(MiB), '-o', 'export', loopDevice], { encoding: 'utf8' });
  expect(probed).toContain('TYPE=vfat');
  expect(probed).toContain('VERSION=FAT32');
  expect(problems).toEqual([]);
});

test('writes a Windows-like installer with the Windows options chosen: the plan names them and autounattend.xml on the stick carries them', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.url);
  await openImage(page, windowsLikeUdfIsoPath());
  await goToScreen(page, 'Write to drive');
  const windows = page.getByTestId('windows-options');
  await windows.getByRole('checkbox', { name: 'Skip the TPM, Secure Boot and memory checks of Windows 11' }).check();
  await windows.getByRole('checkbox', { name: 'Skip the Microsoft account: create a local account instead' }).check();
  await windows.getByLabel('Local account name').fill('ada');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  const row = page.getByTestId('drive-list').locator(`[data-device="${loopDevice}"]`);
  await expect(row).toHaveAttribute('data-eligible', 'true');
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Write', exact: true }).click();

  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByTestId('confirm-mode')).toHaveAttribute('data-reason', 'windows-installer');
  await expect(dialog.getByTestId('confirm-windows')).toHaveText(
    'Windows Setup: Skip the TPM, Secure Boot and memory checks of Windows 11; local account “ada”.',
  );
  const name = loopDevice.split('/').pop() ?? '';
  await dialog.getByLabel(`Type “${name}” to confirm`).fill(name);
  await dialog.getByRole('button', { name: 'Erase and write' }).click();
  await expect(page.getByTestId('flash-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 60_000 });

  // The answer file at the stick's root, read by mtools from the FAT32 partition at 1 MiB.
  const unattend = execFileSync('mtype', ['-i', `${loopDevice}@@${MiB}`, '::/autounattend.xml'], { encoding: 'utf8' });
  expect(unattend).toContain('BypassTPMCheck');
  expect(unattend).toContain('<Name>ada</Name>');
  expect(unattend).not.toContain('<UILanguage>');
  expect(problems).toEqual([]);
});
