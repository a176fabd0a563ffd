// Shared steps of the renderer's end-to-end tests: console/CSP watching, opening an image through the
// UI, switching theme through Settings, axe checks and screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export const screenshotsDir = join(repoRoot, 'test-results/screenshots');

/** Collects console errors (CSP violations are reported there) and uncaught page errors. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

export async function goToScreen(page: Page, name: 'Start' | 'Inspect' | 'Write to drive' | 'Create' | 'Drives' | 'Settings'): Promise<void> {
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
