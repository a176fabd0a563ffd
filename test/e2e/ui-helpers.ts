// Shared steps of the renderer's end-to-end tests: the app on a scratch home, loop devices, console/CSP
// watching, opening an image through the UI, switching theme through Settings, axe checks and screenshots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';

export const screenshotsDir = join(repoRoot, 'test-results/screenshots');

export interface ScratchHomeApp extends RunningApp {
  /** Isotope's data folder (ISOTOPE_HOME): keyring, remembered digests, caches. */
  readonly isotopeHome: string;
  /** The user's home (HOME) the web shell reads and writes in. */
  readonly home: string;
}

/** The app like `npm start`, on a fresh ISOTOPE_HOME and HOME of its own; `stop` also removes both. */
export async function startAppWithScratchHome(): Promise<ScratchHomeApp> {
  const isotopeHome = mkdtempSync(join(tmpdir(), 'isotope-e2e-home-'));
  const home = mkdtempSync(join(tmpdir(), 'isotope-e2e-scratch-'));
  const app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: isotopeHome, HOME: home } });
  return {
    url: app.url,
    isotopeHome,
    home,
    stop() {
      app.stop();
      rmSync(isotopeHome, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface LoopDevice {
  /** /dev/loopN */
  readonly device: string;
  /** The file behind it, in /dev/shm. */
  readonly backing: string;
  /** Detaches the device (only this one) and removes its file. */
  detach(): void;
}

/** A loop device (root) over a new sparse file of `sizeBytes` in /dev/shm. */
export function attachLoopDevice(sizeBytes: number): LoopDevice {
  const folder = mkdtempSync('/dev/shm/isotope-e2e-loop-');
  const backing = join(folder, 'device.img');
  writeFileSync(backing, Buffer.alloc(0));
  truncateSync(backing, sizeBytes);
  const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
  return {
    device,
    backing,
    detach() {
      execFileSync('losetup', ['-d', device]);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Collects console errors (CSP violations are reported there) and uncaught page errors. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

export async function goToScreen(
  page: Page,
  name: 'Start' | 'Inspect' | 'Write to drive' | 'Create' | 'Drives' | 'Queue' | 'History' | 'Settings',
): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true }).click();
}

/** Opens an image the way a user of the web shell does: Start, type the path, Open. */
export async function openImage(page: Page, path: string): Promise<void> {
  await goToScreen(page, 'Start');
  await page.getByLabel('Image path').fill(path);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('image-path')).toHaveText(path);
}

export async function showTab(page: Page, name: 'Contents' | 'Boot' | 'Checksums'): Promise<void> {
  await goToScreen(page, 'Inspect');
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

export type ThemeName = 'light' | 'dark';

/** Picks the theme in Settings, as a user would; the page's <html> then carries data-theme. */
export async function chooseTheme(page: Page, theme: ThemeName): Promise<void> {
  await goToScreen(page, 'Settings');
  await page.getByRole('radio', { name: theme === 'light' ? 'Light' : 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/** Axe over the whole page (WCAG 2 A/AA): no serious or critical violation. */
export async function expectNoSeriousAxeViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${screen}: ${violation.id} (${violation.impact}) ${violation.help} -> ${violation.nodes
          .map((node) => node.target.join(' '))
          .slice(0, 5)
          .join(', ')}`,
    );
  expect(serious).toEqual([]);
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`) });
}

/** The texts of those elements whose text is cut: wider than their box, or taller than one line where one is meant. */
export async function clippedTexts(elements: Locator): Promise<string[]> {
  return elements.evaluateAll((nodes) =>
    nodes.filter((node) => node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1).map((node) => node.textContent ?? ''),
  );
}

/** The colour an element paints behind itself: the first opaque background up its ancestors. */
function paintBehind(locator: Locator): Promise<string> {
  return locator.evaluate((element) => {
    for (let node: Element | null = element; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  });
}

/** WCAG 2.1's contrast ratio of two computed sRGB colours ('rgb(r, g, b)'), 1.0 (same) to 21.0 (black on white). */
function contrastRatio(first: string, second: string): number {
  // WCAG 2.1 relative luminance of an sRGB colour.
  const luminance = (rgb: string): number => {
    const [red, green, blue] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
      const channel = Number(part) / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (red ?? 0) + 0.7152 * (green ?? 0) + 0.0722 * (blue ?? 0);
  };
  const [one, other] = [luminance(first), luminance(second)];
  return (Math.max(one, other) + 0.05) / (Math.min(one, other) + 0.05);
}

/** WCAG's contrast ratio between the colour an element paints behind itself and another's (the
 *  first opaque background up its ancestors), as 1.0 (same) to 21.0 (black on white). */
export async function backgroundContrast(first: Locator, second: Locator): Promise<number> {
  return contrastRatio(await paintBehind(first), await paintBehind(second));
}

/** WCAG's contrast ratio between an element's outline (its edge, at least 1 px drawn) and the colour
 *  another paints behind itself; 1.0 when the element draws no outline. */
export async function outlineContrast(edged: Locator, other: Locator): Promise<number> {
  const outline = await edged.evaluate((element) => {
    const style = getComputedStyle(element);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1 ? style.outlineColor : null;
  });
  return outline === null ? 1 : contrastRatio(outline, await paintBehind(other));
}

/** All of the element is in the window now, with no scrolling: no scrolling box on the way (the page,
 *  main, a dialog, a pane) cuts any of it (Playwright measures with IntersectionObserver, whose ratio
 *  for a whole box laid out at fractional pixels can be 0.999: hence 0.98, under half a pixel of a row). */
export async function expectWhollyInView(element: Locator): Promise<void> {
  await expect(element).toBeInViewport({ ratio: 0.98 });
}

/** Scrolled to as a user would, all of the element is in the window (expectWhollyInView). */
export async function expectWhollyInSight(element: Locator): Promise<void> {
  await element.scrollIntoViewIfNeeded();
  await expectWhollyInView(element);
}

/** The element's box lies inside the container's, to the CSS pixel (rounding aside); `sideways`
 *  compares left and right edges only (a pane in a scrolling area may go on below the window). */
export async function expectBoxInside(element: Locator, container: Locator, what: string, extent: 'whole' | 'sideways' = 'whole'): Promise<void> {
  const [inner, outer] = [await element.boundingBox(), await container.boundingBox()];
  expect(inner && outer, `${what}: both are laid out`).toBeTruthy();
  if (!inner || !outer) return;
  const slackPx = 1;
  const insideSideways = inner.x >= outer.x - slackPx && inner.x + inner.width <= outer.x + outer.width + slackPx;
  const insideDownwards = inner.y >= outer.y - slackPx && inner.y + inner.height <= outer.y + outer.height + slackPx;
  expect(insideSideways && (extent === 'sideways' || insideDownwards), `${what}: ${JSON.stringify(inner)} lies inside ${JSON.stringify(outer)}`).toBe(true);
}
