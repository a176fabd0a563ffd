// The Write screen says how an image goes onto a stick and why, from the engine's own reading of it:
// copy files for a non-hybrid El Torito EFI disc (genisoimage, no MBR), raw for xorriso's hybrid
// ISO, and for a Windows-like UDF installer the three Windows options, each off; an override is the
// user's, and the Windows options go with the copy mode.
import { expect, test } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, watchConsole } from './ui-helpers.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
});

test.afterAll(() => app.stop());

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
    'Files will be copied onto a new FAT32 stick, because this image, written as it is, starts only from a DVD or CD.',
  );
  await expect(mode.getByRole('radio', { name: 'Automatic (recommended)' })).toBeChecked();
  // Not a Windows installer: no Windows options; the partition table is under Advanced, MBR by default.
  await expect(page.getByTestId('windows-options')).toHaveCount(0);
  await mode.getByText('Advanced').click();
  await expect(mode.getByRole('radio', { name: /^MBR/ })).toBeChecked();
  await expectNoSeriousAxeViolations(page, 'write-mode/copy');
  await saveScreenshot(page, 'write-mode-copy');

  await mode.getByRole('radio', { name: 'Write the image as it is' }).check();
  await expect(mode).toHaveAttribute('data-mode', 'raw');
  await expect(page.getByTestId('write-mode-sentence')).toHaveText('The image will be written as it is, byte for byte, because you chose it.');

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
