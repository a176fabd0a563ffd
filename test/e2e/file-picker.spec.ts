// Opening things in the web shell (issue 17): the in-app file dialog served by the engine (keyboard
// only, type-ahead, the filter toggle, Esc giving the focus back), the Start screen's three starts,
// the path box's ~/… and file:// forms, and an honest answer to a browser drop.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { signedSumsDir } from '../fixtures/ui-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let home = '';
let dataDir = '';

test.beforeAll(async () => {
  // The app's home folder, with a Downloads folder (where the dialog starts) holding a real ISO in a
  // subfolder, a text file the image filter hides, and an ISO whose name needs percent-encoding.
  home = mkdtempSync('/dev/shm/isotope-e2e-picker-home-');
  dataDir = mkdtempSync('/dev/shm/isotope-e2e-picker-data-');
  mkdirSync(join(home, 'Downloads', 'images'), { recursive: true });
  copyFileSync(helloIsoPath(), join(home, 'Downloads', 'images', 'hello.iso'));
  copyFileSync(helloIsoPath(), join(home, 'Downloads', 'my image #1.iso'));
  writeFileSync(join(home, 'Downloads', 'notes.txt'), 'not an image');
  app = await startAppLikeNpmStart({ env: { HOME: home, ISOTOPE_HOME: dataDir } });
});

test.afterAll(() => {
  app.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function picker(page: Page) {
  return page.getByRole('dialog', { name: 'Open an image' });
}

test('opens an image through the in-app dialog with the keyboard alone: type-ahead, Enter, Backspace', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Open an image' }).focus();
  await page.keyboard.press('Enter');
  const dialog = picker(page);
  await expect(dialog).toBeVisible();
  // It starts in Downloads, showing the folder and the images, not the text file.
  await expect(dialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads'));
  const entries = dialog.getByRole('listbox');
  await expect(entries).toBeFocused();
  await expect(entries.getByRole('option')).toHaveText([/images/, /my image #1\.iso/]);
  await expect(dialog.getByRole('button', { name: 'Open', exact: true })).toBeInViewport();
  await saveScreenshot(page, 'file-picker-800x600');
  await expectNoSeriousAxeViolations(page, 'file-picker-800x600');
  // Type-ahead jumps to "my image #1.iso"; Backspace from inside images comes back with it highlighted.
  await page.keyboard.type('my');
  await expect(entries.getByRole('option', { selected: true })).toContainText('my image #1.iso');
  await page.keyboard.press('Home');
  await expect(entries.getByRole('option', { selected: true })).toContainText('images');
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads', 'images'));
  await page.keyboard.press('Backspace');
  await expect(dialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads'));
  await expect(entries.getByRole('option', { selected: true })).toContainText('images');
  await page.keyboard.press('Enter');
  await page.keyboard.type('he');
  await expect(entries.getByRole('option', { selected: true })).toContainText('hello.iso');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('image-path')).toHaveText(join(home, 'Downloads', 'images', 'hello.iso'));
  expect(problems).toEqual([]);
});

test('the filter toggle shows every file, and says how many the image filter hides', async ({ page }) => {
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = picker(page);
  const entries = dialog.getByRole('listbox');
  await expect(entries.getByRole('option')).toHaveCount(2);
  await expect(dialog).toContainText('1 other item is not shown.');
  await dialog.getByLabel('Show').selectOption({ label: 'All files' });
  await expect(entries.getByRole('option')).toHaveText([/images/, /my image #1\.iso/, /notes\.txt/]);
  await dialog.getByLabel('Show').selectOption({ label: 'Image files' });
  await expect(entries.getByRole('option')).toHaveCount(2);
});

test('Esc closes the dialog and gives the focus back to the button that opened it', async ({ page }) => {
  await page.goto(app.url);
  const browse = page.getByRole('button', { name: 'Browse…' });
  await browse.focus();
  await page.keyboard.press('Enter');
  await expect(picker(page)).toBeVisible();
  await expect(picker(page).getByRole('listbox')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(picker(page)).toHaveCount(0);
  await expect(browse).toBeFocused();
  await expect(page.getByTestId('image-summary')).toHaveCount(0);
});

test('the path box opens ~/… and a percent-encoded file:// URL, and names a problem in plain words', async ({ page }) => {
  await page.goto(app.url);
  await page.getByLabel('Image path').fill('~/Downloads/images/hello.iso');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('image-path')).toHaveText(join(home, 'Downloads', 'images', 'hello.iso'));

  await goToScreen(page, 'Start');
  const url = `file://${encodeURI(join(home, 'Downloads'))}/my%20image%20%231.iso`;
  await page.getByLabel('Image path').fill(`"${url}"`);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('image-path')).toHaveText(join(home, 'Downloads', 'my image #1.iso'));

  await goToScreen(page, 'Start');
  await page.getByLabel('Image path').fill('~someone/disk.iso');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Only your own home folder can be written as ~. Type the full path instead.');
  await page.getByLabel('Image path').fill('Downloads');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('error')).toContainText('That is a folder, not a file. Choose the image inside it.');
});

test('the Start screen offers three starts that lead to opening, writing, making and restoring', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(app.url);
  for (const name of ['Open an image', 'Write an image to a stick', 'Make an image', 'Restore or back up a stick']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeInViewport();
  }
  await saveScreenshot(page, 'start-800x600');
  await expectNoSeriousAxeViolations(page, 'start-800x600');
  await page.getByRole('button', { name: 'Make an image', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Create', exact: true })).toHaveAttribute('aria-current', 'page');
  await goToScreen(page, 'Start');
  await page.getByRole('button', { name: 'Restore or back up a stick', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Drives', exact: true })).toHaveAttribute('aria-current', 'page');
  // Writing starts with the image: chosen in the dialog, then the Write screen.
  await goToScreen(page, 'Start');
  await page.getByRole('button', { name: 'Write an image to a stick', exact: true }).click();
  const dialog = picker(page);
  await dialog.getByRole('option', { name: /my image #1\.iso/ }).dblclick();
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Write to drive', exact: true })).toHaveAttribute(
    'aria-current',
    'page',
  );
});

test('a browser drop, which carries no path, says so and opens the dialog; the image chosen there takes the focus', async ({ page }) => {
  await page.goto(app.url);
  // The focus on a control that stays (the sidebar): the dialog hands it back there when it closes.
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Start', exact: true }).focus();
  const dataTransfer = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['x'], 'hello.iso'));
    return data;
  });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(picker(page)).toBeVisible();
  await expect(page.getByTestId('error')).toContainText('Your browser does not tell Isotope where a dropped file is. Choose it here instead.');
  await picker(page)
    .getByRole('option', { name: /my image #1\.iso/ })
    .click();
  await picker(page).getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('image-path')).toHaveText(join(home, 'Downloads', 'my image #1.iso'));
  await expect(page.locator('#summary-heading')).toBeFocused();
});

test('recent images leave the list once their file is gone', async ({ page }) => {
  const doomed = join(home, 'Downloads', 'doomed.iso');
  copyFileSync(helloIsoPath(), doomed);
  await page.goto(app.url);
  await openImage(page, doomed);
  await goToScreen(page, 'Start');
  const recent = page.getByRole('region', { name: 'Recent images' });
  await expect(recent.getByText('doomed.iso', { exact: true })).toHaveCount(1);
  rmSync(doomed);
  // Checked once per start (re-reading every recent image on each visit of Start would be waste).
  await page.reload();
  await expect(recent.getByText('doomed.iso', { exact: true })).toHaveCount(0);
});

test('a recent image overwritten with text leaves the list on the next start; a recent image still an image stays', async ({ page }) => {
  const replaced = join(home, 'Downloads', 'replaced.iso');
  const kept = join(home, 'Downloads', 'kept.iso');
  copyFileSync(helloIsoPath(), replaced);
  copyFileSync(helloIsoPath(), kept);
  await page.goto(app.url);
  for (const path of [replaced, kept]) await openImage(page, path);
  await goToScreen(page, 'Start');
  const recent = page.getByRole('region', { name: 'Recent images' });
  await expect(recent.getByText('replaced.iso', { exact: true })).toHaveCount(1);
  // Same name, same folder, still a file: only its bytes say it is no image any more.
  writeFileSync(replaced, 'Shopping list: milk, bread, a new USB stick.\n'.repeat(200));
  await page.reload();
  await expect(recent.getByText('kept.iso', { exact: true })).toHaveCount(1);
  await expect(recent.getByText('replaced.iso', { exact: true })).toHaveCount(0);
});

test('the Checksums tab imports a key chosen in the dialog, which lists key files only', async ({ page }) => {
  const keys = join(home, 'keys');
  mkdirSync(keys, { recursive: true });
  copyFileSync(join(signedSumsDir(), 'signer.asc'), join(keys, 'signer.asc'));
  writeFileSync(join(keys, 'readme.txt'), 'not a key');
  const fingerprint = readFileSync(join(signedSumsDir(), 'fingerprint.txt'), 'utf8').trim();
  await page.goto(app.url);
  await openImage(page, join(home, 'Downloads', 'images', 'hello.iso'));
  await showTab(page, 'Checksums');
  const chooser = page.getByRole('button', { name: 'Choose a key file…' });
  await chooser.click();
  const dialog = page.getByRole('dialog', { name: 'Choose a key file to import' });
  // It starts in Downloads, where no key file is; a person reads the list before typing a path.
  await expect(dialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads'));
  await dialog.getByLabel('Folder').fill('~/keys');
  await dialog.getByLabel('Folder').press('Enter');
  await expect(dialog.getByRole('listbox').getByRole('option')).toHaveText([/signer\.asc/]);
  await expect(dialog.getByRole('listbox')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(chooser).toBeFocused();
  // Chosen is not trusted: the engine answers with the key's fingerprint and waits for a yes.
  await expect(page.getByTestId('key-change')).toContainText(fingerprint.replace(/(.{4})/g, '$1 ').trim());
});
