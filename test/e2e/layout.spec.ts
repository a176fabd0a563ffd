// Layout (issue 17) in depth, in Chromium: at 1920x1080 the Contents tab gives its details pane two
// fifths of the width; El Torito rows carry the numbers the loader list uses; Settings › About names
// each shipped library's licence. What every size must show (the Write button in sight at 800x600,
// the sidebar on one line, two panes at 1920x1080, the Boot drawing's uncut labels) is checked at all
// three sizes in both themes in round-two-every-size.spec.ts.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { chooseTheme, goToScreen, openImage, showTab, type ThemeName } from './ui-helpers.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
});

async function openAt(page: Page, width: number, height: number, theme: ThemeName): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.goto(app.url);
  await chooseTheme(page, theme);
}

for (const theme of ['light', 'dark'] as const) {
  test(`at 1920x1080 the Contents tab shows the tree beside a details pane two fifths wide, with no horizontal scroll (${theme})`, async ({ page }) => {
    await openAt(page, 1920, 1080, theme);
    await openImage(page, helloIsoPath());
    await showTab(page, 'Contents');
    await expect(page.getByRole('treegrid')).toBeVisible();
    const tree = await page.getByTestId('contents-tree-pane').boundingBox();
    const details = await page.getByTestId('contents-details-pane').boundingBox();
    expect(tree && details).toBeTruthy();
    if (!tree || !details) return;
    expect(details.x).toBeGreaterThanOrEqual(tree.x + tree.width);
    expect(Math.abs(details.y - tree.y)).toBeLessThan(2);
    // The preview gets the room (the old fixed 24rem side was a fifth of the width).
    expect(details.width / (tree.width + details.width)).toBeGreaterThan(0.35);
    const overflow = await page.evaluate(
      () => [document.documentElement, document.querySelector('main')].filter((box) => box !== null && box.scrollWidth > box.clientWidth).length,
    );
    expect(overflow).toBe(0);
  });
}

test('El Torito rows are numbered 1, 2, ... in catalog order, the numbers the loader list names', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  await openImage(page, bootFixturePath('multiEntry'));
  await showTab(page, 'Boot');
  const rows = page.getByTestId('el-torito-entries').locator('tbody tr');
  await expect(rows).toHaveCount(6); // isolinux, a floppy, a hard disk, the EFI image, PowerPC, Mac
  const numbers = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim() ?? ''));
  // Unique, from 1: the initial entry is no "0", and two entries of one section do not share a number.
  expect(numbers).toEqual(['1', '2', '3', '4', '5', '6']);
  // The loader list names the UEFI entry by the number its row shows.
  const uefiRow = rows.filter({ hasText: 'UEFI' }).first();
  const uefiNumber = (await uefiRow.locator('td').first().textContent())?.trim() ?? '';
  await expect(page.getByTestId('efi-loaders')).toContainText(`El Torito entry ${uefiNumber}:`);
});

test('Settings › About gives the version, the engine and each shipped library and data file with its installed licence', async ({ page }) => {
  const manifest = (path: string): { version: string; license: string } => JSON.parse(readFileSync(path, 'utf8')) as { version: string; license: string };
  const own = manifest('package.json');
  const openpgp = manifest('node_modules/openpgp/package.json');
  await page.goto(app.url);
  await goToScreen(page, 'Settings');
  const about = page.getByTestId('about');
  await expect(about.getByTestId('about-version')).toHaveText(`Isotope ${own.version}`);
  await expect(about.getByTestId('about-engine')).toHaveText(`Node.js ${process.versions.node}, ${process.platform} ${process.arch}`);
  const licences = about.getByTestId('about-licences');
  await expect(licences.locator('tr[data-name="openpgp"]')).toContainText(`${openpgp.version}${openpgp.license}`);
  await expect(licences.locator('tr[data-kind="data"]').first()).toContainText('BSD-2-Clause-Patent');
});
