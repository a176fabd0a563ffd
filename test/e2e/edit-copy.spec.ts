// "Edit a copy" end to end: the Contents tab of a hybrid BIOS + UEFI fixture built by xorriso, a file
// added by its typed path, the README ticked and removed, "Save as…" a path in the home folder (as the
// web shell takes it), the engine's plan of the copy, the copy written as a job and opened at once at its
// Boot tab (issue 15) under a note of what was saved; the Boot tab must say what xorriso says of the copy
// (and of the original: its boot is kept), and the added file's bytes read back from the copy by xorriso. The
// original is never written.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { xorrisoBootFacts } from './iso-facts.ts';
import { expectNoSeriousAxeViolations, openImage, saveScreenshot, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let scratch = '';
let home = '';

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-edit-');
  home = mkdtempSync('/dev/shm/isotope-e2e-edit-home-');
  app = await startAppLikeNpmStart({ env: { HOME: home } });
});

test.afterAll(() => {
  app.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const treeRow = (page: Page, path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);

/** Every boot badge of the Boot tab shown, as 'badge: boots' lines (once the badges are there). */
async function badgeStates(page: Page): Promise<string[]> {
  const badges = page.getByTestId('boot-badges').locator('[data-badge]');
  await expect(badges.first()).toBeVisible();
  return badges.evaluateAll((elements) => elements.map((element) => `${element.getAttribute('data-badge')}: ${element.getAttribute('data-boots')}`));
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

test('edits a copy of a hybrid image: adds a file, removes one, saves as a new file that boots as the original and holds the added file', async ({ page }) => {
  const problems = watchConsole(page);
  const original = bootFixturePath('hybridGpt');
  const originalDigest = sha256Of(readFileSync(original));
  // In the home folder: where the web shell lets an added file come from.
  const added = join(home, 'preseed.cfg');
  writeFileSync(added, 'd-i debian-installer/locale string en_GB.UTF-8\n');
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(app.url);
  await openImage(page, original);
  await showTab(page, 'Boot');
  const originalBadges = await badgeStates(page);
  await showTab(page, 'Contents');
  await expect(treeRow(page, '/README.TXT')).toBeVisible();

  await page.getByRole('button', { name: 'Edit a copy' }).click();
  const panel = page.getByTestId('edit-copy-panel');
  await expect(panel.getByRole('heading', { name: 'Edit a copy' })).toBeFocused();
  await panel.getByLabel('File or folder on this computer').fill(added);
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  await treeRow(page, '/README.TXT').getByRole('checkbox').check();
  await panel.getByRole('button', { name: 'Remove 1 selected' }).click();
  const pending = panel.getByTestId('edit-pending');
  await expect(pending.locator('li')).toHaveText([`Add ${added} as /preseed.cfg Undo`, 'Remove /README.TXT Undo']);

  await panel.getByRole('button', { name: 'Save as…' }).click();
  const outputPath = join(home, 'boot-hybrid-gpt-edited.iso');
  await expect(panel.getByLabel('Save the copy as')).toHaveValue(outputPath);
  const plan = panel.getByTestId('layout-preview');
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await expect(plan.getByTestId('plan-boot').locator('[data-platform="bios"]')).toBeVisible();
  await expect(plan.getByTestId('plan-boot').locator('[data-platform="efi"]')).toBeVisible();
  await expect(plan.getByTestId('plan-hybrid')).toContainText('GPT');
  await expectNoSeriousAxeViolations(page, 'edit-copy/plan');
  await saveScreenshot(page, 'edit-copy-plan');

  await panel.getByRole('button', { name: 'Save the copy' }).click();
  // Issue 15: the copy opens at once at its Boot tab, with a note of what was saved (size, SHA-256).
  await expect(page.getByTestId('image-path')).toHaveText(outputPath, { timeout: 60_000 });
  await expect(page.getByRole('tab', { name: 'Boot' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('written-note')).toContainText(sha256Of(readFileSync(outputPath)));
  // The copy boots as the original did, as xorriso reads each; the Boot tab says what xorriso says,
  // and the same of the copy as of the original.
  const facts = xorrisoBootFacts(outputPath);
  expect(facts).toEqual(xorrisoBootFacts(original));
  expect(facts).toMatchObject({ opticalBios: true, opticalUefi: true, usbBios: true, usbUefi: true });
  const badges = page.getByTestId('boot-badges');
  await expect(badges.locator('[data-badge="optical-bios"]')).toHaveAttribute('data-boots', 'true');
  await expect(badges.locator('[data-badge="usb-bios"]')).toHaveAttribute('data-boots', 'true');
  await expect(badges.locator('[data-badge^="usb-uefi"][data-boots="true"]')).not.toHaveCount(0);
  expect(await badgeStates(page)).toEqual(originalBadges);
  await expect(page.getByTestId('el-torito-entries').locator('tbody tr')).toHaveCount(2);
  await saveScreenshot(page, 'edit-copy-boot');

  await showTab(page, 'Contents');
  await expect(treeRow(page, '/preseed.cfg')).toBeVisible();
  await expect(treeRow(page, '/README.TXT')).toHaveCount(0);
  const extracted = join(scratch, 'preseed-from-copy.cfg');
  runTool('xorriso', ['-osirrox', 'on', '-indev', `stdio:${outputPath}`, '-extract', '/preseed.cfg', extracted]);
  expect(readFileSync(extracted)).toEqual(readFileSync(added));
  expect(sha256Of(readFileSync(original))).toBe(originalDigest);
  expect(statSync(outputPath).size % 2048).toBe(0);
  expect(problems).toEqual([]);
});

test('renames a ticked entry, undoes a change and gives the copy a new label; leaving edit mode drops the changes', async ({ page }) => {
  const original = bootFixturePath('hybridGpt');
  await page.goto(app.url);
  await openImage(page, original);
  await showTab(page, 'Contents');
  await page.getByRole('button', { name: 'Edit a copy' }).click();
  const panel = page.getByTestId('edit-copy-panel');
  await treeRow(page, '/README.TXT').getByRole('checkbox').check();
  await panel.getByLabel('New name of the selected entry').fill('LISEZMOI.TXT');
  await panel.getByRole('button', { name: 'Rename' }).click();
  await panel.getByRole('button', { name: 'Remove 1 selected' }).click();
  const pending = panel.getByTestId('edit-pending');
  await expect(pending.locator('li')).toHaveCount(2);
  await pending.getByRole('button', { name: 'Undo: Remove /README.TXT' }).click();
  await expect(pending.locator('li')).toHaveText(['Rename /README.TXT to /LISEZMOI.TXT Undo']);

  await panel.getByRole('button', { name: 'Save as…' }).click();
  await panel.getByLabel('Save the copy as').fill(join(home, 'renamed.iso'));
  await panel.getByLabel('Volume label of the copy (optional)').fill('RENAMED_COPY');
  await panel.getByRole('button', { name: 'Preview layout' }).click();
  await expect(panel.getByTestId('layout-preview')).toBeVisible({ timeout: 30_000 });
  await panel.getByRole('button', { name: 'Save the copy' }).click();
  await expect(page.getByTestId('image-path')).toHaveText(join(home, 'renamed.iso'), { timeout: 60_000 });
  await expect(page.getByRole('tab', { name: 'Boot' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('written-note')).toBeVisible();
  await expect(page.getByTestId('image-label')).toHaveText('RENAMED_COPY');
  await showTab(page, 'Contents');
  await expect(treeRow(page, '/LISEZMOI.TXT')).toBeVisible();
  await expect(treeRow(page, '/README.TXT')).toHaveCount(0);

  await page.getByRole('button', { name: 'Edit a copy' }).click();
  await page.getByTestId('edit-copy-panel').getByRole('button', { name: 'Stop editing' }).click();
  await expect(page.getByTestId('edit-copy-panel')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit a copy' })).toBeVisible();
});
