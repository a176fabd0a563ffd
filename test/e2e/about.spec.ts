// Settings › About (issue 17) in the built app: the engine names the commit it was built from (read
// here with git, not written into the test), and each shipped library or data item opens its full
// licence text, as installed, in a scrollable box below its row; the section stays axe-clean with a
// text open.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, saveScreenshot, watchConsole } from './ui-helpers.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
});

const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();

/**
 * `git rev-parse --short HEAD` as it was when dist/ was built, and its commit date: HEAD itself (npm
 * test builds, then tests), unless commits landed since the build (a working tree others commit to),
 * then the newest commit of HEAD's history made before it.
 */
function headWhenBuilt(): { commit: string; commitDay: string } {
  const builtSeconds = Math.floor(statSync('dist/main/main.js').mtimeMs / 1000);
  const [commit = '', date = ''] = git('log', '-1', '--format=%h %cI', `--until=@${builtSeconds}`, 'HEAD').split(' ');
  return { commit, commitDay: date.slice(0, 10) };
}

test("About names the engine's build: this checkout's short commit hash and the commit's date", async ({ page }) => {
  const { commit, commitDay } = headWhenBuilt();
  await page.goto(app.url);
  await goToScreen(page, 'Settings');
  // Whether the tree held changes is what it was at build time; the commit and its date are fixed by HEAD.
  await expect(page.getByTestId('about-build')).toHaveText(new RegExp(`^commit ${commit} of ${commitDay}( \\+ local changes)?$`));
});

test("a library's and a data item's full licence text open below their rows, as installed, and close again", async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(app.url);
  await goToScreen(page, 'Settings');
  const licences = page.getByTestId('about-licences');
  const show = licences.getByRole('button', { name: 'Show: Licence text of openpgp' });
  await show.click();
  const openpgpText = licences.getByLabel('Licence text of openpgp', { exact: true });
  await expect(openpgpText).toContainText(readFileSync('node_modules/openpgp/LICENSE', 'utf8').split('\n')[0]?.trim() ?? '');
  await expect(licences.getByRole('button', { name: 'Hide: Licence text of openpgp' })).toHaveAttribute('aria-expanded', 'true');
  await expect(licences.locator('[data-licence-text="openpgp"]')).toContainText('From LICENSE:');
  // The LGPL's 165 lines scroll inside their box instead of stretching the page.
  expect(await openpgpText.evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);

  // Opening another closes the first: one text at a time.
  await licences.getByRole('button', { name: 'Show: Licence text of shim SBAT revocation levels' }).click();
  await expect(licences.getByLabel('Licence text of shim SBAT revocation levels', { exact: true })).toContainText(
    readFileSync('resources/secureboot/COPYRIGHT.shim.txt', 'utf8').split('\n')[0]?.trim() ?? '',
  );
  await expect(licences.locator('[data-licence-text="openpgp"]')).toHaveCount(0);
  await expectNoSeriousAxeViolations(page, 'Settings › About with a licence text open');
  await saveScreenshot(page, 'settings-about-licence-text-800x600');

  await licences.getByRole('button', { name: 'Hide: Licence text of shim SBAT revocation levels' }).click();
  await expect(licences.locator('[data-licence-text]')).toHaveCount(0);
  expect(problems).toEqual([]);
});
