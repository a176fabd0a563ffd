// Every screen at the window sizes people use (800x600, 1280x800, 1920x1080) in both themes (issue 17,
// Proof): no page scrolls sideways, and axe finds no serious or critical issue at 800x600. What each
// item shows at every size and theme (the Write button in sight, the sidebar on one line, two panes
// at 1920x1080, the Boot drawing, ticked rows, the dialogs) is checked in round-two-every-size.spec.ts.
import { expect, test, type Page } from '@playwright/test';
import { previewIsoPath } from '../fixtures/preview-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { chooseTheme, expectNoSeriousAxeViolations, goToScreen, openImage, showTab } from './ui-helpers.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
});

/** How far the page scrolls sideways, in CSS pixels (0 when everything fits the window's width). */
async function sidewaysScrollPx(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const main = document.querySelector('main');
    return Math.max(root.scrollWidth - root.clientWidth, main ? main.scrollWidth - main.clientWidth : 0);
  });
}

/** No sideways scroll; axe too when asked (once per theme, at the tightest size: axe takes seconds). */
async function expectScreenFits(page: Page, screen: string, withAxe: boolean): Promise<void> {
  expect(await sidewaysScrollPx(page), `${screen} scrolls sideways`).toBeLessThanOrEqual(0);
  if (withAxe) await expectNoSeriousAxeViolations(page, screen);
}

const sizes = [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

for (const theme of ['light', 'dark'] as const) {
  for (const { width, height } of sizes) {
    test(`at ${width}x${height} in the ${theme} theme no screen scrolls sideways${width === 800 ? ' and axe finds nothing serious' : ''}`, async ({ page }) => {
      const withAxe = width === 800;
      await page.setViewportSize({ width, height });
      await page.goto(app.url);
      await chooseTheme(page, theme);
      await expectScreenFits(page, 'Settings', withAxe);
      await goToScreen(page, 'Start');
      await expectScreenFits(page, 'Start', withAxe);
      await openImage(page, previewIsoPath());
      for (const tab of ['Contents', 'Boot', 'Checksums'] as const) {
        await showTab(page, tab);
        await expectScreenFits(page, tab, withAxe);
      }
      for (const screen of ['Write to drive', 'Drives', 'Create', 'Queue', 'History'] as const) {
        await goToScreen(page, screen);
        await expectScreenFits(page, screen, withAxe);
      }
    });
  }
}
