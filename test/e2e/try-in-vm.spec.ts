// "Try in a VM" end to end (issue 18), in Debian's Chromium against the web shell (no display, so
// the in-app view is the only one) and the real engine and QEMU (TCG): a GRUB disc opened on the
// Start screen is started from the Boot tab as a CD under BIOS; the panel shows the screen as a PNG
// (a data: URL the CSP allows, no console error), the loader's banner on the serial console and
// SeaBIOS's hand-off in the firmware's own log; Stop
// ends the trial as stopped. On the Drives screen, the same disc on a loop device (root) is tried
// by its drive id, read-only, and boots the same way.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { banners, waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { seaBiosWords } from '../helpers/firmware-words.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let dataDir = '';

test.beforeAll(async () => {
  dataDir = mkdtempSync('/tmp/isotope-e2e-vm-');
  // TCG: this CI's /dev/kvm opens but runs no guest (src-main/vm/qemu-host.ts kvmUsable).
  app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: dataDir, ISOTOPE_VM_ACCEL: 'tcg' } });
});

/** The loop devices this file attached: only these are detached. */
const attached: string[] = [];

test.afterAll(() => {
  app.stop();
  for (const device of attached) execFileSync('losetup', ['-d', device]);
  rmSync(dataDir, { recursive: true, force: true });
});

test('the Boot tab tries a GRUB disc in a VM in the page: a live screenshot, the banner on the serial console, then Stop', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const discPath = waitingGrubIsoPath();
  await page.goto(app.url);
  await openImage(page, discPath);
  await showTab(page, 'Boot');
  const panel = page.getByTestId('try-in-vm');
  await expect(panel.getByRole('heading', { name: 'Try in a virtual machine' })).toBeVisible();
  // No display here: the page is the only view offered; OVMF is installed, so UEFI is offered and chosen first.
  await expect(panel.getByRole('radio', { name: 'here, in this page' })).toBeChecked();
  await expect(panel.getByRole('radio', { name: 'in QEMU’s own window' })).toHaveCount(0);
  await expect(panel.getByRole('radio', { name: 'UEFI (OVMF)' })).toBeChecked();
  await panel.getByRole('radio', { name: 'BIOS (SeaBIOS)' }).check();
  await panel.getByRole('radio', { name: 'a CD or DVD' }).check();
  await panel.getByRole('button', { name: 'Start' }).click();

  await expect(panel.getByRole('button', { name: 'Stop' })).toBeFocused();
  await expect(panel.getByTestId('vm-serial')).toContainText(banners.waitingBios, { timeout: 60_000 });
  const screen = panel.getByTestId('vm-screen');
  await expect(screen).toHaveAttribute('src', /^data:image\/png;base64,/);
  // SeaBIOS and GRUB draw VGA text mode 3: 720×400 pixels in QEMU's std VGA.
  await expect.poll(() => screen.evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight])).toEqual([720, 400]);
  await expect(panel.getByTestId('vm-serial')).not.toContainText('\u001b['); // escape sequences removed
  // SeaBIOS's own log, in a disclosure under the serial console: it says it started the CD (its hand-off).
  await panel.getByText('Firmware’s own log').click();
  await expect(panel.getByTestId('vm-firmware-log')).toContainText(seaBiosWords.handOff.cdrom);
  await saveScreenshot(page, 'try-in-vm-running');
  await expectNoSeriousAxeViolations(page, 'Boot tab, VM running');

  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(panel.getByTestId('vm-ended')).toHaveAttribute('data-ended-by', 'stopped', { timeout: 10_000 });
  await expect(panel.getByTestId('vm-ended')).toContainText(/^Stopped after/);
  await expect(panel.getByRole('button', { name: 'Start' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('the Drives screen tries a drive in a VM: the disc on a loop device boots by its drive id, and Stop ends it', async ({ page }) => {
  test.skip(process.getuid?.() !== 0, 'loop devices need root');
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const backing = join(dataDir, 'waiting-stick.img');
  copyFileSync(waitingGrubIsoPath(), backing);
  const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  attached.push(device);
  await page.goto(app.url);
  await goToScreen(page, 'Drives');
  await page.getByRole('switch', { name: 'Show all drives' }).check();
  const row = page.getByTestId('all-drives').locator(`[data-device="${device}"]`);
  await row.getByRole('button', { name: 'Try in a VM' }).click();
  const panel = page.getByTestId('try-in-vm');
  await expect(panel.getByRole('heading', { name: `Try ${device} in a virtual machine` })).toBeVisible();
  await panel.getByRole('radio', { name: 'BIOS (SeaBIOS)' }).check();
  await panel.getByRole('radio', { name: 'a CD or DVD' }).check();
  await panel.getByRole('button', { name: 'Start' }).click();
  await expect(panel.getByTestId('vm-serial')).toContainText(banners.waitingBios, { timeout: 60_000 });
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(panel.getByTestId('vm-ended')).toHaveAttribute('data-ended-by', 'stopped', { timeout: 10_000 });
  expect(problems).toEqual([]);
});
