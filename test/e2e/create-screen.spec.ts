// The Create screen end to end: a tree generated in the home folder, typed in by path as the web shell takes it, the
// engine's layout plan previewed, the image written as a job into the home folder, then opened at its
// Boot tab and listed, each checked against the real tools (xorriso, sha256 of the file on disk).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { isolinuxBin, ldlinuxC32 } from '../fixtures/boot-images.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { xorrisoVolumeId } from '../helpers/iso-tools.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { xorrisoBootFacts } from './iso-facts.ts';
import { expectNoSeriousAxeViolations, goToScreen, saveScreenshot, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let scratch = '';
let home = '';
/** Where the trees are made: inside the home folder, where the web shell lets a new image's sources be. */
let sources = '';

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-create-');
  // The app's home folder: where the web shell lets a new image go.
  home = mkdtempSync('/dev/shm/isotope-e2e-create-home-');
  sources = join(home, 'sources');
  mkdirSync(sources);
  app = await startAppLikeNpmStart({ env: { HOME: home } });
});

test.afterAll(() => {
  app.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** A small tree: a text file, a binary file in a sub-folder, a long mixed-case name, and files an exclude drops. */
function writeTree(name: string): string {
  const tree = join(sources, name);
  mkdirSync(join(tree, 'docs/deeper'), { recursive: true });
  writeFileSync(join(tree, 'README.md'), 'Made by the Create screen.\n');
  writeFileSync(join(tree, 'docs/deeper/data.bin'), seededBytes('create-screen data', 300 * 1024));
  writeFileSync(join(tree, 'docs/A Long Mixed-Case Name.txt'), 'long name\n');
  writeFileSync(join(tree, 'docs/scratch.tmp'), 'left out\n');
  return tree;
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const treeRow = (page: Page, path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);

/** The Create screen with `source` added by its typed path. */
async function createScreenWith(page: Page, source: string): Promise<void> {
  await page.goto(app.url);
  await goToScreen(page, 'Create');
  await expect(page.getByRole('heading', { name: 'Create an image' })).toBeVisible();
  await page.getByLabel('Folder or file to add').fill(source);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('create-sources').locator(`[data-source="${source}"]`)).toBeVisible();
}

test('creates an image from a typed folder: previews its plan, writes it as a job, opens it at its Boot tab and lists its files', async ({ page }) => {
  const problems = watchConsole(page);
  const tree = writeTree('plain');
  await page.setViewportSize({ width: 1280, height: 900 });
  await createScreenWith(page, tree);
  const outputPath = join(home, 'plain.iso');
  await expect(page.getByLabel('Save the image as')).toHaveValue(outputPath);
  await page.getByLabel('Volume label').fill('E2E_CREATE');
  await page.getByLabel('Leave out (one pattern per line, as in .gitignore)').fill('*.tmp');

  await page.getByRole('button', { name: 'Preview layout' }).click();
  const plan = page.getByTestId('layout-preview');
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await expect(plan.getByTestId('plan-label')).toHaveText('E2E_CREATE');
  // README.md, data.bin and the long name; scratch.tmp excluded. Folders: the root, docs, docs/deeper.
  await expect(plan.getByTestId('plan-counts')).toContainText('3 files');
  await expect(plan.getByTestId('plan-boot')).toContainText('will not start a computer');
  await plan.getByTestId('plan-regions').locator('summary').click();
  await expect(plan.getByTestId('plan-regions').getByRole('cell', { name: 'file /README.md' })).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'create-screen/plan');
  await saveScreenshot(page, 'create-plan');
  const plannedBytes = Number(await plan.getByTestId('plan-size').getAttribute('data-bytes'));

  await page.getByRole('button', { name: 'Create image' }).click();
  const result = page.getByTestId('create-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result.getByTestId('create-result-path')).toHaveText(outputPath);
  // The digest shown is the file's, as sha256 of the bytes on disk says; the size the plan promised.
  await expect(result.getByTestId('create-result-sha256')).toHaveText(sha256Of(outputPath));
  expect(statSync(outputPath).size).toBe(plannedBytes);
  // stdio: lets xorriso read a file under /dev/shm as an image rather than refuse it as a drive.
  expect(xorrisoVolumeId(`stdio:${outputPath}`)).toBe('E2E_CREATE');
  await saveScreenshot(page, 'create-result');

  await result.getByRole('button', { name: 'Open it' }).click();
  await expect(page.getByTestId('image-path')).toHaveText(outputPath);
  await expect(page.getByRole('tab', { name: 'Boot' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('written-note')).toContainText(sha256Of(outputPath));
  await expect(page.getByTestId('el-torito-entries')).toHaveCount(0);
  await showTab(page, 'Contents');
  await expect(treeRow(page, '/README.md')).toBeVisible();
  await treeRow(page, '/docs').click();
  await page.getByTestId('file-tree').press('ArrowRight');
  await expect(treeRow(page, '/docs/A Long Mixed-Case Name.txt')).toBeVisible();
  await expect(treeRow(page, '/docs/scratch.tmp')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('creates a BIOS-bootable image from a tree holding ISOLINUX: the plan shows the boot found, and xorriso and the Boot tab agree it boots', async ({
  page,
}) => {
  const tree = writeTree('bootable');
  mkdirSync(join(tree, 'isolinux'));
  copyFileSync(isolinuxBin, join(tree, 'isolinux/isolinux.bin'));
  copyFileSync(ldlinuxC32, join(tree, 'isolinux/ldlinux.c32'));
  await createScreenWith(page, tree);
  await page.getByRole('button', { name: 'Preview layout' }).click();
  const plan = page.getByTestId('layout-preview');
  await expect(plan.getByTestId('plan-boot').locator('[data-platform="bios"]')).toContainText('isolinux/isolinux.bin', { timeout: 30_000 });

  await page.getByRole('button', { name: 'Create image' }).click();
  await expect(page.getByTestId('create-result')).toBeVisible({ timeout: 60_000 });
  const outputPath = join(home, 'bootable.iso');
  expect(xorrisoBootFacts(outputPath).opticalBios).toBe(true);
  await page.getByTestId('create-result').getByRole('button', { name: 'Open it' }).click();
  await expect(page.getByTestId('boot-badges').locator('[data-badge="optical-bios"]')).toHaveAttribute('data-boots', 'true');
});

test('refuses to replace an existing image until asked, then replaces it', async ({ page }) => {
  const tree = writeTree('again');
  const outputPath = join(home, 'again.iso');
  writeFileSync(outputPath, 'not an image yet\n');
  await createScreenWith(page, tree);
  await page.getByRole('button', { name: 'Create image' }).click();
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'file-exists', { timeout: 30_000 });
  expect(readFileSync(outputPath, 'utf8')).toBe('not an image yet\n');
  await page.getByRole('checkbox', { name: 'Replace the file that is there' }).check();
  await page.getByRole('button', { name: 'Create image' }).click();
  await expect(page.getByTestId('create-result')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('create-result-sha256')).toHaveText(sha256Of(outputPath));
});

test('cancels a create while it writes: the sidebar shows it running, then neither the image nor its partial file is left', async ({ page }) => {
  // 4 GiB of zeros (a sparse file): long enough to write that the cancel lands mid-way.
  const tree = join(sources, 'large');
  mkdirSync(tree);
  writeFileSync(join(tree, 'zeros.bin'), '');
  truncateSync(join(tree, 'zeros.bin'), 4 * 1024 ** 3);
  await createScreenWith(page, tree);
  await page.getByRole('button', { name: 'Create image' }).click();
  const progress = page.getByTestId('create-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('running-jobs')).toContainText('Making large.iso');
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Cancelled.' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('running-jobs')).toHaveCount(0);
  expect(readdirSync(home).filter((name) => name.startsWith('large'))).toEqual([]);
});

test('refuses an output outside the home folder in words, writing nothing', async ({ page }) => {
  const tree = writeTree('elsewhere');
  const outside = join(scratch, 'elsewhere.iso');
  await createScreenWith(page, tree);
  await page.getByLabel('Save the image as').fill(outside);
  await page.getByRole('button', { name: 'Create image' }).click();
  const error = page.getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'destination-not-allowed', { timeout: 30_000 });
  await expect(error).toContainText('only into your home folder');
  await expect(page.getByTestId('create-result')).toHaveCount(0);
  expect(readdirSync(scratch).filter((name) => name.startsWith('elsewhere.iso'))).toEqual([]);
});

test('refuses a source outside the home folder in words, writing nothing', async ({ page }) => {
  const tree = join(scratch, 'outside-tree');
  mkdirSync(tree);
  writeFileSync(join(tree, 'secret.txt'), 'not for the web shell\n');
  await createScreenWith(page, tree);
  await page.getByRole('button', { name: 'Create image' }).click();
  const error = page.getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'source-not-allowed', { timeout: 30_000 });
  await expect(error).toContainText('only files from your home folder');
  await expect(page.getByTestId('create-result')).toHaveCount(0);
  expect(readdirSync(home).filter((name) => name.startsWith('outside-tree'))).toEqual([]);
});
