// The Contents tab, round two (issue 17), in Debian's Chromium against the web shell and the real
// engine, on an ISO of real pictures and UTF-16 text built by xorriso (test/fixtures/preview-images.ts):
// search and extract a result, the breadcrumb, type-ahead, Ctrl+A, the expand arrow, "(empty)", long
// names, a PNG preview as an <img> from a blob: URL with the CSP intact, and the conflict dialog.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { drawingSvg, gradientPng, longPreviewName, previewIsoPath } from '../fixtures/preview-images.ts';
import { chooseTheme, expectNoSeriousAxeViolations, openImage, showTab, startAppWithScratchHome, watchConsole, type ScratchHomeApp } from './ui-helpers.ts';

let app: ScratchHomeApp;
let scratch: string;

test.beforeAll(async () => {
  // The web shell extracts only into the home folder: the scratch folder stands in for it.
  app = await startAppWithScratchHome();
  scratch = app.home;
});

test.afterAll(() => {
  app.stop();
});

const treeRow = (page: Page, path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);

async function openPreviews(page: Page): Promise<string[]> {
  const problems = watchConsole(page);
  // An SVG shown as a picture never runs its script: an alert would open a dialog.
  page.on('dialog', (dialog) => {
    problems.push(`a page dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(app.url);
  await openImage(page, previewIsoPath());
  await showTab(page, 'Contents');
  await expect(treeRow(page, '/pictures')).toBeVisible();
  return problems;
}

test('searches the image, extracts a found file, and shows another in the tree with its breadcrumb', async ({ page }) => {
  const problems = await openPreviews(page);
  // In the dark theme (axe checks the results' contrast there; the other tests run in the light one).
  await chooseTheme(page, 'dark');
  await showTab(page, 'Contents');
  await page.getByTestId('image-search').fill('*.svg');
  await page.getByTestId('image-search').press('Enter');
  const results = page.getByTestId('search-results');
  await expect(results.getByRole('status')).toHaveText(/2 matches among \d+ entries/);
  await results.getByRole('checkbox', { name: /drawing\.svg/ }).check();
  await expectNoSeriousAxeViolations(page, 'Contents with search results');
  const destination = join(scratch, 'found');
  await page.getByLabel('Destination folder').fill(destination);
  await page.getByRole('button', { name: 'Extract 1 selected' }).click();
  await expect(page.getByTestId('extract-result')).toContainText('Extracted 1 files');
  expect(readFileSync(join(destination, 'drawing.svg'), 'utf8')).toBe(drawingSvg);
  await expect(page.getByTestId('extract-written-to')).toContainText(destination);
  // The web shell cannot open a file manager: no such button, and it says so.
  await expect(page.getByRole('button', { name: 'Show in folder' })).toHaveCount(0);
  await expect(page.getByTestId('show-in-folder-unavailable')).toHaveText('A browser cannot open your file manager: copy the path instead.');

  await results.getByRole('button', { name: 'Show in the tree: /pictures/scripted.svg' }).click();
  await expect(page.getByTestId('detail-path')).toHaveText('/pictures/scripted.svg');
  const breadcrumb = page.getByTestId('breadcrumb');
  await expect(breadcrumb.getByRole('listitem')).toHaveText(['Image', 'pictures']);
  // The image's own crumb goes back to the top of the tree.
  await breadcrumb.getByRole('button', { name: 'Image' }).click();
  await expect(page.getByTestId('detail-path')).toHaveText('/big');
  await expect(breadcrumb.getByRole('listitem')).toHaveText(['Image']);

  // Escape in the box closes the search (and cancels one still running).
  await page.getByTestId('image-search').press('Escape');
  await expect(results).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the tree: type-ahead, Ctrl+A ticks rows not text, the expand arrow activates nothing, (empty), long names', async ({ page }) => {
  const problems = await openPreviews(page);
  const tree = page.getByTestId('file-tree');

  // The arrow of an empty folder opens it: no row becomes active, none is ticked, and it says (empty).
  await treeRow(page, '/empty-folder').locator('.twisty').click();
  await expect(treeRow(page, '/empty-folder')).toHaveAttribute('aria-expanded', 'true');
  await expect(treeRow(page, '/empty-folder').getByTestId('empty-folder')).toHaveText('(empty)');
  await expect(tree).not.toHaveAttribute('aria-activedescendant', /./);
  await expect(tree.locator('[role="row"].active')).toHaveCount(0);
  await expect(tree.locator('[aria-selected="true"]')).toHaveCount(0);

  // Type-ahead: "t" goes to /text; Home ends that prefix (no pause to time), then "pi" goes to /pictures.
  await tree.focus();
  await tree.press('t');
  await expect(page.getByTestId('detail-path')).toHaveText('/text');
  await tree.press('Home');
  await expect(page.getByTestId('detail-path')).toHaveText('/big');
  await page.keyboard.type('pi', { delay: 0 });
  await expect(page.getByTestId('detail-path')).toHaveText('/pictures');

  // Ctrl+A ticks every row and selects none of the page's text.
  await tree.press('Control+a');
  const rowCount = await tree.locator('.body [role="row"]').count();
  await expect(tree.locator('.body [role="row"][aria-selected="true"]')).toHaveCount(rowCount);
  expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');

  // A long name is whole in its tooltip, and shown whole while its row has the focus.
  await treeRow(page, '/text').locator('.twisty').click();
  const longRow = treeRow(page, `/text/${longPreviewName}`);
  await expect(longRow.locator('.label')).toHaveAttribute('title', longPreviewName);
  await longRow.click();
  await tree.focus();
  const overflow = await longRow.locator('.label').evaluate((label) => getComputedStyle(label).overflow);
  expect(overflow).toBe('visible');
  expect(problems).toEqual([]);
});

test('previews a PNG as an <img> from a blob: URL, an SVG as a picture that runs nothing, UTF-16 text with line numbers', async ({ page }) => {
  const problems = await openPreviews(page);
  await treeRow(page, '/pictures').locator('.twisty').click();
  await treeRow(page, '/pictures/gradient.png').click();
  const picture = page.getByTestId('preview-picture');
  await expect(picture).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => picture.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(16);
  await expect(page.getByTestId('preview-kind')).toContainText('image/png');
  await expect(page.getByTestId('preview-kind')).toContainText(`All ${gradientPng().byteLength} bytes`);

  await treeRow(page, '/pictures/scripted.svg').click();
  await expect(page.getByTestId('preview-picture')).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => page.getByTestId('preview-picture').evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(20);

  await treeRow(page, '/text').locator('.twisty').click();
  await treeRow(page, '/text/utf16le-nobom.inf').click();
  await expect(page.getByTestId('preview-kind')).toContainText('UTF-16LE');
  await expect(page.getByTestId('preview').locator('.line')).toHaveText(['Ünïcödé text ☃', 'Second line', 'Third line', '']);
  await expectNoSeriousAxeViolations(page, 'a text preview with line numbers');

  // The hex view scrolls sideways instead of clipping its 77-character rows.
  await treeRow(page, '/big').locator('.twisty').click();
  await treeRow(page, '/big/huge.png').click();
  const hex = page.getByTestId('preview');
  await expect(hex).toContainText('|.PNG............|');
  expect(await hex.evaluate((element) => getComputedStyle(element).overflowX)).toBe('auto');
  // No CSP violation, no script of the SVG ran.
  expect(problems).toEqual([]);
});

test('asks about files already at the destination, and "do the same for all" keeps both for every one', async ({ page }) => {
  const problems = await openPreviews(page);
  const destination = join(scratch, 'conflicts');
  mkdirSync(join(destination, 'pictures'), { recursive: true });
  for (const name of ['gradient.png', 'dot.gif', 'gray.jpg']) writeFileSync(join(destination, 'pictures', name), 'mine');
  await treeRow(page, '/pictures').getByRole('checkbox').check();
  await page.getByLabel('Destination folder').fill(destination);
  const extractButton = page.getByRole('button', { name: 'Extract 1 selected' });
  const dialog = page.getByTestId('conflict-dialog');
  // Esc cancels: nothing is written, and the focus goes back to the button that opened the dialog.
  await extractButton.click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(extractButton).toBeFocused();
  expect(readdirSync(join(destination, 'pictures')).sort()).toEqual(['dot.gif', 'gradient.png', 'gray.jpg']);

  await extractButton.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Conflict 1 of 3');
  await expectNoSeriousAxeViolations(page, 'the conflict dialog');
  // The first one alone: skip it.
  await dialog.getByRole('button', { name: 'Skip' }).click();
  await expect(dialog).toContainText('Conflict 2 of 3');
  await dialog.getByRole('checkbox', { name: 'Do the same for all' }).check();
  await dialog.getByRole('button', { name: 'Keep both' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('extract-result')).toBeVisible();

  const written = readdirSync(join(destination, 'pictures')).sort();
  const copies = written.filter((name) => name.includes(' (2)'));
  expect(copies).toHaveLength(2);
  for (const name of ['gradient.png', 'dot.gif', 'gray.jpg']) expect(readFileSync(join(destination, 'pictures', name), 'utf8')).toBe('mine');
  expect(existsSync(join(destination, 'pictures', 'drawing.svg'))).toBe(true);
  expect(problems).toEqual([]);
});
