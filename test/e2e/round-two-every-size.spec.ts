// Issue 17's items, each at 800x600, 1280x800 and 1920x1080 in the light and the dark theme (its
// Proof): what a user sees of each item is there, whole and in reach at every size, not merely that
// the page does not scroll sideways (viewports-themes.spec.ts). The items' behaviour in depth stays
// in the specs that own it, at one size; this file re-checks each visible outcome at all six.
//
// Item                                          Behaviour in depth (size)             Here (all 3 sizes x 2 themes)
// In-app file dialog, starts in Downloads       file-picker (800x600)                 opens, fits the window, Open in sight, opens an image
// Drop: honest words, opens the dialog          file-picker (default 1280x720)        the words, in the dialog it opens, in sight
// Start's three big targets                     file-picker (800x600)                 each in sight without scrolling, at least 96 px tall
// Focus to the new content after opening        keyboard-focus (1280x720)             the summary heading has the focus
// Skip link                                     keyboard-focus (1280x720)             the first Tab shows it, in sight
// Search, results, breadcrumb                   contents-round-two (1280x720)         a result, "Show in the tree", the crumbs, all whole
// "(empty)", ticked rows stand out              contents-round-two (1280x720)         "(empty)" whole; ticked rows: tint (dark >= 1.5), edge >= 3:1
// Picture, text (line numbers) and hex preview  contents-round-two (1280x720)         each inside the details pane; hex scrolls, never cut
// Extraction conflict dialog                    contents-round-two (1280x720)         fits the window, every choice in sight, Esc gives focus back
// Image named on Write, confirm, drives         write-flow-round-two (1280x800)       name, refused group with its reason, confirm dialog's drive
// Write button in sight, sidebar on one line    here only                             at every size, with no scrolling
// Summary's first action focused, Flash again   write-flow-round-two (1280x800)       after a real write: focused, in sight, clears the tick
// A running job in the sidebar                  write-flow-round-two (1280x720)       a hashing pass shown inside the sidebar on Settings
// Two panes at 1920x1080 (Contents, Checksums)  layout (Contents' two fifths)         side by side at 1920; inside the width elsewhere
// Boot drawing labels not cut, APM lane         here only                             every label inside its bar and uncut
// El Torito rows numbered as the loader list    layout (1280x800)                     1..6, the number column in sight
// Settings › About                              about (800x600), layout (1280x720)    version and licences in sight, inside the width
// Default extraction folder, folder dialog      renderer/contents-round-two (unit)    the field in sight; its dialog fits and fills it
// "Show in folder" after extraction             contents-round-two (1280x720)         a real extraction; the web shell's note in sight
// axe: 0 serious or critical                    viewports-themes (screens, 800x600)   the file, conflict and confirm dialogs
// Not repeated here, as no size or theme changes them: the path box's ~, quoted and file:// forms, recent
// images dropped, type-ahead, Ctrl+A, long names, "Show all drives" for the session, the two speeds,
// progress bars, Esc on the confirm dialog, the Checksums tab's activation (their own specs above).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { drawingSvg, previewIsoPath } from '../fixtures/preview-images.ts';
import {
  attachLoopDevice,
  backgroundContrast,
  chooseTheme,
  clippedTexts,
  expectBoxInside,
  expectNoSeriousAxeViolations,
  expectWhollyInSight,
  expectWhollyInView,
  goToScreen,
  openImage,
  outlineContrast,
  showTab,
  startAppWithScratchHome,
  watchConsole,
  type LoopDevice,
  type ScratchHomeApp,
  type ThemeName,
} from './ui-helpers.ts';

let app: ScratchHomeApp | undefined;
let appUrl = '';
let home = '';
/** One page for the whole file: each test sets its size and theme on it (a new page per test costs seconds). */
let page: Page;
let context: BrowserContext;
let problems: string[] = [];
const attached: LoopDevice[] = [];
let usableDevice = '';
let tooSmallDevice = '';
/** hello.iso in the scratch home's Downloads, where the in-app dialog starts. */
let downloadedIso = '';
/** Files already at the extraction destination: the conflict dialog asks about these. */
let conflictFolder = '';
const conflictNames = ['gradient.png', 'dot.gif', 'gray.jpg'];
/** 64 GiB of zeros (sparse, nothing stored): its hashing pass runs for minutes, long enough to be seen in the sidebar on a fast machine. */
let slowImage = '';

test.beforeAll(async ({ browser }) => {
  // A context of our own: axe (AxeBuilder) refuses a page from browser.newPage().
  context = await browser.newContext();
  page = await context.newPage();
  problems = watchConsole(page);
  for (const sizeBytes of [8 * 1024 * 1024, 64 * 1024]) attached.push(attachLoopDevice(sizeBytes));
  [usableDevice, tooSmallDevice] = attached.map((loop) => loop.device) as [string, string];
  app = await startAppWithScratchHome();
  [appUrl, home] = [app.url, app.home];
  mkdirSync(join(home, 'Downloads'));
  downloadedIso = join(home, 'Downloads', 'hello.iso');
  copyFileSync(helloIsoPath(), downloadedIso);
  conflictFolder = join(home, 'conflicts');
  mkdirSync(join(conflictFolder, 'pictures'), { recursive: true });
  for (const name of conflictNames) writeFileSync(join(conflictFolder, 'pictures', name), 'mine');
  slowImage = join(home, 'zeros.img');
  writeFileSync(slowImage, Buffer.alloc(0));
  truncateSync(slowImage, 64 * 1024 * 1024 * 1024);
});

test.afterAll(async () => {
  // Whatever part of beforeAll ran: its loop devices are detached even when the app never started.
  for (const loop of attached.splice(0)) loop.detach();
  app?.stop();
  await context.close();
});

test.afterEach(() => {
  // No CSP violation or script error at any size, whatever the test looked at.
  expect(problems.splice(0)).toEqual([]);
});

const sizes = [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/** A fresh load at this window size, in this theme picked in Settings as a user would. */
async function showAt(width: number, height: number, theme: ThemeName): Promise<void> {
  await page.setViewportSize({ width, height });
  // The app's address differs from the page's only in its #token: going there alone would not reload.
  await page.goto('about:blank');
  await page.goto(appUrl);
  await chooseTheme(page, theme);
}

/** The main area does not scroll sideways: everything on the screen fits its width. */
async function expectNoSidewaysScroll(): Promise<void> {
  expect(await page.locator('main').evaluate((main) => main.scrollWidth - main.clientWidth)).toBeLessThanOrEqual(0);
}

/** Two panes side by side at 1920x1080 (issue 17); at the smaller sizes, each inside the main area's width. */
async function expectTwoPanesAtFullHd(width: number, firstTestId: string, secondTestId: string): Promise<void> {
  const first = page.getByTestId(firstTestId);
  const second = page.getByTestId(secondTestId);
  const [firstBox, secondBox] = [await first.boundingBox(), await second.boundingBox()];
  expect(firstBox && secondBox).toBeTruthy();
  if (!firstBox || !secondBox) return;
  if (width === 1920) {
    expect(secondBox.x).toBeGreaterThanOrEqual(firstBox.x + firstBox.width);
    expect(Math.abs(secondBox.y - firstBox.y)).toBeLessThan(2);
  }
  await expectBoxInside(first, page.locator('main'), firstTestId, 'sideways');
  await expectBoxInside(second, page.locator('main'), secondTestId, 'sideways');
}

for (const theme of ['light', 'dark'] as const) {
  for (const { width, height } of sizes) {
    const at = `${width}x${height}, ${theme}`;

    test(`${at}: Start shows the skip link and three big targets in sight; a drop says why and the file dialog fits and opens an image`, async () => {
      await showAt(width, height, theme);
      // The theme is kept across a load; the first Tab of a fresh page reaches the skip link, in sight.
      await page.reload();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await page.keyboard.press('Tab');
      await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
      await expectWhollyInView(page.getByRole('link', { name: 'Skip to content' }));

      for (const target of [
        page.getByRole('button', { name: 'Open an image', exact: true }),
        page.getByRole('button', { name: 'Write an image to a stick', exact: true }),
        page.getByRole('group', { name: 'Make an image or restore a stick' }),
      ]) {
        await expectWhollyInView(target);
        expect((await target.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(96);
      }

      // A drop carries no path in a browser: the words say so, in sight, over the dialog it opens.
      const dialog = page.getByRole('dialog', { name: 'Open an image' });
      const dropped = await page.evaluateHandle(() => {
        const data = new DataTransfer();
        data.items.add(new File(['x'], 'hello.iso'));
        return data;
      });
      await page.dispatchEvent('body', 'drop', { dataTransfer: dropped });
      await expect(dialog).toBeVisible();
      // Said in the dialog itself: at 800x600 the dialog covers the page's own banner (in sight on the old code: 39 %).
      await expect(dialog.getByTestId('picker-notice')).toHaveText('Your browser does not tell Isotope where a dropped file is. Choose it here instead.');
      await expectWhollyInView(dialog.getByTestId('picker-notice'));
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);

      // The in-app dialog, from the first big target: it fits the window, starts in Downloads, and
      // its Open button and the image are in sight without scrolling.
      await page.getByRole('button', { name: 'Open an image', exact: true }).click();
      await expect(dialog).toBeVisible();
      await expectBoxInside(dialog, page.locator('html'), 'the file dialog');
      await expect(dialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads'));
      const open = dialog.getByRole('button', { name: 'Open', exact: true });
      await expectWhollyInView(open);
      const iso = dialog.getByRole('option', { name: /hello\.iso/ });
      await expectWhollyInView(iso);
      await expectNoSeriousAxeViolations(page, `the file dialog at ${at}`);
      await iso.click();
      await open.click();
      await expect(page.getByTestId('image-path')).toHaveText(downloadedIso);
      // The focus moves to the new content: the opened image's heading.
      await expect(page.locator('#summary-heading')).toBeFocused();
    });

    test(`${at}: Contents shows "(empty)", each preview inside its pane, the conflict dialog's choices, a search result extracted and its breadcrumb; ticked rows stand out`, async () => {
      await showAt(width, height, theme);
      await openImage(page, previewIsoPath());
      await showTab(page, 'Contents');
      const row = (path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);
      await expect(row('/pictures')).toBeVisible();
      await expectTwoPanesAtFullHd(width, 'contents-tree-pane', 'contents-details-pane');

      await row('/empty-folder').locator('.twisty').click();
      await expectWhollyInSight(row('/empty-folder').getByTestId('empty-folder'));
      await expectPreviewsInsidePane(row);
      await expectConflictChoicesInSight(row, theme);
      await expectSearchResultAndBreadcrumb(theme);
      await expectNoSidewaysScroll();
    });

    test(`${at}: Write names the image with its button in sight and the sidebar on one line; refused drives show why; the confirm dialog names image and drive; Flash again after a write`, async () => {
      await showAt(width, height, theme);
      await openImage(page, helloIsoPath());
      await goToScreen(page, 'Write to drive');
      await expect(page.getByTestId('image-assessment')).toBeVisible();
      await expect(page.getByTestId('write-image-name')).toHaveText('Image: hello.iso');
      await expectWhollyInView(page.getByTestId('write-image-name'));
      const write = page.getByRole('button', { name: 'Write', exact: true });
      expect(await page.locator('main').evaluate((main) => main.scrollTop)).toBe(0);
      await expectWhollyInView(write);
      const entries = page.getByRole('navigation', { name: 'Screens' }).getByRole('button');
      const heights = await entries.evaluateAll((buttons) => buttons.map((button) => button.getBoundingClientRect().height));
      expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(1);
      expect(await clippedTexts(entries)).toEqual([]);

      await page.getByRole('switch', { name: 'Show all drives' }).check();
      const list = page.getByTestId('drive-list');
      // The engine lists loop devices through lsblk: allow for a busy machine.
      await expect(list.locator(`[data-device="${usableDevice}"]`)).toHaveAttribute('data-eligible', 'true', { timeout: 15_000 });
      await expectWhollyInSight(page.getByTestId('drives-refused').locator(`[data-device="${tooSmallDevice}"]`).locator('[data-code="too-small"]'));
      await expectNoSidewaysScroll();

      await list.locator(`[data-device="${usableDevice}"]`).getByRole('checkbox').check();
      await write.click();
      const dialog = page.getByTestId('confirm-dialog');
      await expectBoxInside(dialog, page.locator('html'), 'the confirm dialog');
      await expect(dialog.getByRole('heading', { level: 2 })).toHaveText(`Erase and write ${basename(helloIsoPath())}`);
      await expectWhollyInSight(dialog.getByRole('heading', { level: 2 }));
      await expectWhollyInSight(dialog.locator(`[data-testid="confirm-target"][data-device="${usableDevice}"]`));
      await expectNoSeriousAxeViolations(page, `the confirm dialog at ${at}`);
      const deviceName = basename(usableDevice);
      await dialog.getByLabel(`Type “${deviceName}” to confirm`).fill(deviceName);
      const confirm = dialog.getByRole('button', { name: 'Erase and write' });
      await expectWhollyInSight(confirm);
      await confirm.click();

      await expect(page.getByTestId('flash-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
      await expectWhollyInSight(page.getByTestId('flash-summary').locator(`[data-target="${usableDevice}"]`).getByTestId('removal'));
      const again = page.getByRole('button', { name: 'Flash again' });
      await expect(again).toBeFocused();
      await expectWhollyInSight(again);
      await again.click();
      await expect(list.locator(`[data-device="${usableDevice}"]`).getByRole('checkbox')).not.toBeChecked();
      await expectNoSidewaysScroll();
    });

    test(`${at}: Boot's drawing cuts no label, El Torito rows are numbered, Checksums uses the width, a running job shows in the sidebar; Settings' About and extraction folder dialog fit`, async () => {
      await showAt(width, height, theme);
      await openImage(page, bootFixturePath('hybridApm'));
      await showTab(page, 'Boot');
      const layout = page.getByTestId('partition-layout');
      // The Boot tab reads the image's boot records after it opens: allow for a busy machine.
      await expect(layout.locator('table[data-map="apm"]')).toBeVisible({ timeout: 15_000 });
      expect(await clippedTexts(layout.locator('.lane-name'))).toEqual([]);
      expect(await clippedTexts(layout.locator('.segment'))).toEqual([]);
      for (const [index, segment] of (await layout.locator('.bar .segment').all()).entries()) {
        await expectBoxInside(segment, segment.locator('xpath=..'), `partition drawing segment ${index + 1}`);
      }
      for (const [index, name] of (await layout.locator('.lane-name').all()).entries()) {
        await expectBoxInside(name, layout, `lane name ${index + 1}`);
      }
      await expectNoSidewaysScroll();

      await openImage(page, bootFixturePath('multiEntry'));
      await showTab(page, 'Boot');
      const rows = page.getByTestId('el-torito-entries').locator('tbody tr');
      await expect(rows.locator('td:first-child')).toHaveText(['1', '2', '3', '4', '5', '6'], { timeout: 15_000 });
      await expectWhollyInSight(rows.last().locator('td').first());
      await expectNoSidewaysScroll();

      await openImage(page, helloIsoPath());
      await showTab(page, 'Checksums');
      await expect(page.getByTestId('verification-verdict')).toBeVisible({ timeout: 30_000 });
      await expectTwoPanesAtFullHd(width, 'checksums-read-pane', 'checksums-files-pane');

      await expectRunningJobInSidebar();
      await goToScreen(page, 'Settings');
      await expectWhollyInSight(page.getByTestId('about-version'));
      await expectBoxInside(page.getByTestId('about-licences'), page.getByTestId('about'), 'the licences table');
      await expectNoSidewaysScroll();
      // The remembered extraction folder, and the in-app dialog that chooses a folder for it.
      const extraction = page.getByRole('group', { name: 'Extraction' });
      await expectWhollyInSight(extraction.getByLabel('Default folder to extract into'));
      await extraction.getByRole('button', { name: 'Choose…' }).click();
      const folderDialog = page.getByRole('dialog', { name: 'Default folder to extract into' });
      await expect(folderDialog).toBeVisible();
      await expectBoxInside(folderDialog, page.locator('html'), 'the folder dialog');
      await expect(folderDialog.getByLabel('Folder')).toHaveValue(join(home, 'Downloads'));
      await expectWhollyInView(folderDialog.getByRole('button', { name: 'Choose this folder' }));
      await folderDialog.getByRole('button', { name: 'Choose this folder' }).click();
      await expect(folderDialog).toHaveCount(0);
      await expect(extraction.getByLabel('Default folder to extract into')).toHaveValue(join(home, 'Downloads'));
    });
  }
}

/** How far a ticked row's background stands from an unticked one's (WCAG contrast ratio): in the dark
 *  theme "clearly visible" (issue 17; the old dark colour gave 1.34:1), in the light one a plain tint. */
const tickedRowContrast: Record<ThemeName, number> = { dark: 1.5, light: 1.15 };
/** How far a ticked row's edge stands from an unticked row, in both themes: WCAG 1.4.11's 3:1 for what
 *  shows a state (the light tint alone is 1.24:1). */
const tickedEdgeContrast = 3;

/** A ticked row stands out from an unticked one in `theme`: its tint, and its edge at 3:1. */
async function expectTickedStandsOut(ticked: Locator, unticked: Locator, theme: ThemeName): Promise<void> {
  expect(await backgroundContrast(ticked, unticked)).toBeGreaterThanOrEqual(tickedRowContrast[theme]);
  expect(await outlineContrast(ticked, unticked)).toBeGreaterThanOrEqual(tickedEdgeContrast);
}

type RowOf = (path: string) => Locator;

/** The picture, the numbered UTF-16 text and the hex view each lie inside the details pane; the hex view scrolls rather than cuts. */
async function expectPreviewsInsidePane(row: RowOf): Promise<void> {
  const pane = page.getByTestId('contents-details-pane');
  await row('/pictures').locator('.twisty').click();
  await row('/pictures/gradient.png').click();
  const picture = page.getByTestId('preview-picture');
  await expect.poll(() => picture.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(16);
  await expectWhollyInSight(picture);
  await expectBoxInside(picture, pane, 'the PNG preview');

  await row('/text').locator('.twisty').click();
  await row('/text/utf16le-nobom.inf').click();
  const preview = page.getByTestId('preview');
  await expect(preview.locator('.line')).toHaveText(['Ünïcödé text ☃', 'Second line', 'Third line', '']);
  await expectBoxInside(preview, pane, 'the text preview');

  await row('/big').locator('.twisty').click();
  await row('/big/huge.png').click();
  await expect(preview).toContainText('|.PNG............|');
  await expectBoxInside(preview, pane, 'the hex preview');
  const hex = await preview.evaluate((element) => ({ overflowX: getComputedStyle(element).overflowX, cut: element.scrollWidth > element.clientWidth }));
  // Rows wider than the pane are reached by scrolling the view sideways, never cut off.
  expect(!hex.cut || hex.overflowX === 'auto' || hex.overflowX === 'scroll').toBe(true);
}

/** Extracting /pictures onto files already there: the dialog fits, every choice is in sight, Esc writes nothing. */
async function expectConflictChoicesInSight(row: RowOf, theme: ThemeName): Promise<void> {
  const ticked = row('/pictures');
  await ticked.getByRole('checkbox').check();
  await page.mouse.move(0, 0); // a hovered row is painted as hovered, not as ticked
  await expectTickedStandsOut(ticked, row('/text'), theme);
  await page.getByLabel('Destination folder').fill(conflictFolder);
  const extract = page.getByRole('button', { name: 'Extract 1 selected' });
  await extract.click();
  const dialog = page.getByTestId('conflict-dialog');
  await expect(dialog).toBeVisible();
  await expectBoxInside(dialog, page.locator('html'), 'the conflict dialog');
  for (const choice of ['Overwrite', 'Skip', 'Keep both', 'Cancel extraction']) {
    await expectWhollyInView(dialog.getByRole('button', { name: choice }));
  }
  await expectWhollyInView(dialog.getByRole('checkbox', { name: 'Do the same for all' }));
  await expectNoSeriousAxeViolations(page, `the conflict dialog in the ${theme} theme`);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(extract).toBeFocused();
  expect(readdirSync(join(conflictFolder, 'pictures')).sort()).toEqual([...conflictNames].sort());
  for (const name of conflictNames) expect(readFileSync(join(conflictFolder, 'pictures', name), 'utf8')).toBe('mine');
  await ticked.getByRole('checkbox').uncheck();
}

/** A search for *.svg lists a result, ticked it stands out, and "Show in the tree" shows its breadcrumb, all whole. */
async function expectSearchResultAndBreadcrumb(theme: ThemeName): Promise<void> {
  const search = page.getByTestId('image-search');
  await search.fill('*.svg');
  await search.press('Enter');
  const results = page.getByTestId('search-results');
  await expect(results.getByRole('status')).toHaveText(/2 matches among \d+ entries/);
  const drawing = results.locator('li.match').filter({ hasText: 'drawing.svg' });
  await drawing.getByRole('checkbox').check();
  await page.mouse.move(0, 0);
  await expectTickedStandsOut(drawing, results.locator('li.match').filter({ hasText: 'scripted.svg' }), theme);
  await expectWhollyInSight(drawing);
  // Extracted, the panel says where, and that a browser cannot open a file manager, in sight.
  const destination = mkdtempSync(join(home, 'found-'));
  await page.getByLabel('Destination folder').fill(destination);
  await page.getByRole('button', { name: 'Extract 1 selected' }).click();
  await expect(page.getByTestId('extract-result')).toContainText('Extracted 1 files');
  expect(readFileSync(join(destination, 'drawing.svg'), 'utf8')).toBe(drawingSvg);
  await expectWhollyInSight(page.getByTestId('show-in-folder-unavailable'));
  await drawing.getByRole('checkbox').uncheck();
  await results.getByRole('button', { name: 'Show in the tree: /pictures/scripted.svg' }).click();
  await expect(page.getByTestId('detail-path')).toHaveText('/pictures/scripted.svg');
  const breadcrumb = page.getByTestId('breadcrumb');
  await expect(breadcrumb.getByRole('listitem')).toHaveText(['Image', 'pictures']);
  await expectWhollyInSight(breadcrumb);
}

/** A hashing pass started by opening a slow image shows, with its progress, inside the sidebar on another screen; then it is cancelled. */
async function expectRunningJobInSidebar(): Promise<void> {
  await openImage(page, slowImage);
  await goToScreen(page, 'Settings');
  const running = page.getByTestId('running-jobs').getByRole('button', { name: /Checking zeros\.img/ });
  await expectWhollyInSight(running);
  await expect(running.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d/);
  await expectBoxInside(running, page.locator('header.sidebar'), 'the running job');
  await running.click();
  await page.getByRole('button', { name: 'Cancel' }).first().click();
  await expect(page.getByTestId('running-jobs')).toHaveCount(0, { timeout: 30_000 });
}
