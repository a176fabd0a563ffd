// Every screen in both themes: axe (WCAG 2.1 A/AA) finds no serious or critical violation, nothing
// is reported on the console (CSP included), and a screenshot of each is saved under
// test-results/screenshots/. The write screen's dialog and summary are covered by write-flow.spec.ts,
// the Create screen's plan and result by create-screen.spec.ts, "Edit a copy"'s by edit-copy.spec.ts.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { bigFileName, bigIsoPath, signedSumsDir } from '../fixtures/ui-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { chooseTheme, expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, showTab, watchConsole, type ThemeName } from './ui-helpers.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
});
test.afterAll(() => app.stop());

for (const theme of ['light', 'dark'] as const satisfies readonly ThemeName[]) {
  test(`every screen passes axe in the ${theme} theme`, async ({ page }) => {
    const problems = watchConsole(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await chooseTheme(page, theme);
    await expectNoSeriousAxeViolations(page, `settings/${theme}`);
    await saveScreenshot(page, `settings-${theme}`);

    // Contents: the big folder open, a file chosen, its preview showing.
    await openImage(page, bigIsoPath());
    const tree = page.getByTestId('file-tree');
    await tree.locator('[data-path="/big"]').click();
    await tree.press('ArrowRight');
    await expect(tree.locator(`[data-path="/big/${bigFileName(0)}"]`)).toBeVisible();
    await tree.press('ArrowDown');
    await expect(page.getByTestId('detail-path')).toHaveText(`/big/${bigFileName(0)}`);
    await expect(page.getByTestId('preview')).toContainText('file 0');
    await tree
      .locator(`[data-path="/big/${bigFileName(0)}"]`)
      .getByRole('checkbox')
      .check();
    await expectNoSeriousAxeViolations(page, `contents/${theme}`);
    await saveScreenshot(page, `contents-${theme}`);
    // "Edit a copy": its panel with the ticked file's remove and rename, and one pending change.
    await page.getByRole('button', { name: 'Edit a copy' }).click();
    await page.getByRole('button', { name: 'Remove 1 selected' }).click();
    await expect(page.getByTestId('edit-pending')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `edit-copy/${theme}`);
    await saveScreenshot(page, `edit-copy-${theme}`);

    // Boot: a hybrid image with MBR, GPT and an ESP, then a non-hybrid one.
    await openImage(page, bootFixturePath('hybridGpt'));
    await showTab(page, 'Boot');
    await expect(page.getByTestId('boot-badges')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `boot/${theme}`);
    await saveScreenshot(page, `boot-${theme}`);
    await page.setViewportSize({ width: 1280, height: 1400 });
    await saveScreenshot(page, `boot-full-${theme}`);
    await page.setViewportSize({ width: 1280, height: 800 });
    // A BIOS-only El Torito ISO: the one case the verdict says "no" (an EFI entry would say "depends").
    await openImage(page, bootFixturePath('plainBiosOnly'));
    await showTab(page, 'Boot');
    await expect(page.getByTestId('non-hybrid-warning')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `boot-non-hybrid/${theme}`);
    await saveScreenshot(page, `boot-non-hybrid-${theme}`);

    // Checksums: an image with a signed sums file next to it.
    await openImage(page, join(signedSumsDir(), 'signed/disc.iso'));
    await showTab(page, 'Checksums');
    await expect(page.getByTestId('verification-verdict')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `checksums/${theme}`);
    await saveScreenshot(page, `checksums-${theme}`);

    // Write: the drive list (whatever this machine has; all drives shown).
    await goToScreen(page, 'Write to drive');
    await page.getByRole('switch', { name: 'Show all drives' }).check();
    await expect(page.getByTestId('drive-list')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `write/${theme}`);
    await saveScreenshot(page, `write-${theme}`);

    // Drives: every drive with its two actions, and a backup's panel open (its form and choices).
    await goToScreen(page, 'Drives');
    const drives = page.getByTestId('all-drives');
    await expect(drives).toBeVisible();
    await drives.getByRole('button', { name: 'Back up to an image' }).first().click();
    await expect(page.getByTestId('backup-panel')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `drives/${theme}`);
    await saveScreenshot(page, `drives-${theme}`);

    // Create: the form with one source added.
    await goToScreen(page, 'Create');
    await page.getByLabel('Folder or file to add').fill('/srv/tree');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByTestId('create-sources').locator('[data-source="/srv/tree"]')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `create/${theme}`);
    await saveScreenshot(page, `create-${theme}`);

    // Start, with the recent images listed.
    await goToScreen(page, 'Start');
    await expect(page.getByRole('region', { name: 'Recent images' }).getByRole('listitem')).not.toHaveCount(0);
    await expectNoSeriousAxeViolations(page, `start/${theme}`);
    await saveScreenshot(page, `start-${theme}`);

    // The smallest window the app supports.
    await page.setViewportSize({ width: 800, height: 600 });
    await openImage(page, bigIsoPath());
    await expect(page.getByTestId('file-tree')).toBeVisible();
    await expectNoSeriousAxeViolations(page, `contents-800x600/${theme}`);
    await saveScreenshot(page, `contents-800x600-${theme}`);
    expect(problems).toEqual([]);
  });
}

test('the keyboard alone reaches every screen and moves through the tree', async ({ page }) => {
  await page.goto(app.url);
  await page.getByLabel('Image path').focus();
  await page.keyboard.type(bigIsoPath());
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('image-path')).toHaveText(bigIsoPath());
  // Tab into the tree, walk it with arrows, open a folder and select with Space.
  const tree = page.getByTestId('file-tree');
  // The listing arrives from the parse worker; focus the tree once its rows are there, as a person would.
  await expect(tree.locator('[data-path="/big"]')).toBeVisible();
  await tree.focus(); // focusing the tree makes its first row current
  await expect(page.getByTestId('detail-path')).toHaveText('/big');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('detail-path')).toHaveText('/docs');
  await page.keyboard.press('ArrowRight');
  await expect(tree.locator('[data-path="/docs/link"]')).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('detail-path')).toHaveText('/docs/link');
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Extract 1 selected' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('detail-path')).toHaveText('/docs');
  // The arrow keys move between the tabs; Enter shows one (manual activation: passing over Checksums starts no hash).
  await page.getByRole('tab', { name: 'Contents' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Boot' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Boot' })).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: 'Boot' })).toHaveAttribute('aria-selected', 'true');
});
