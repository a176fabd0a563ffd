// The History screen end to end (issue 19): jobs run in this test by the built `isotope` command (a
// write to a file, then a verify that fails) are listed by the app's engine from the same journal,
// newest first, and a line damaged on disk is counted; the filters narrow the list; Export CSV
// downloads the filtered history; a job opens as a report that saves as a self-contained HTML page.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { runIsotope } from '../helpers/built-cli.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, saveScreenshot, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let dir = '';
let stickFile = '';
let wrongImage = '';
let damagedLineOffsetBytes = 0;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-e2e-history-'));
  const env = { ...process.env, ISOTOPE_HOME: join(dir, 'home') };
  stickFile = join(dir, 'stick "one" =SUM(A1).img');
  writeFileSync(stickFile, Buffer.alloc(4 * 1024 * 1024));
  wrongImage = join(dir, 'other.img');
  writeFileSync(wrongImage, Buffer.alloc(64 * 1024, 0x77));
  const flashed = runIsotope(['flash', helloIsoPath(), stickFile, '--yes'], { env });
  if (flashed.status !== 0) throw new Error(`isotope flash failed: ${flashed.stderr}`);
  const verified = runIsotope(['verify', wrongImage, stickFile], { env });
  if (verified.status !== 1) throw new Error(`isotope verify should have failed: ${verified.stderr}`);
  // A line damaged on disk after the two jobs: the list says so, with where it is.
  damagedLineOffsetBytes = statSync(join(dir, 'home', 'history.jsonl')).size;
  appendFileSync(join(dir, 'home', 'history.jsonl'), 'a line damaged by a disk error\n');
  app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: join(dir, 'home') } });
});

test.afterAll(() => {
  app.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('lists the jobs run in this test, filters them, exports CSV and opens a job report saved as HTML', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(app.url);
  await goToScreen(page, 'History');

  const list = page.getByTestId('history-list');
  const rows = list.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  // Newest first: the failed verify, then the write.
  await expect(rows.nth(0)).toHaveAttribute('data-outcome', 'failed');
  await expect(rows.nth(0)).toContainText('Verify: other.img');
  await expect(rows.nth(1)).toHaveAttribute('data-outcome', 'succeeded');
  await expect(rows.nth(1)).toContainText('Write: hello.iso');
  await expect(rows.nth(1)).toContainText(stickFile);
  await expect(page.getByTestId('history-unread')).toContainText(
    `1 line of the history file could not be read (damaged or edited; the first at byte ${damagedLineOffsetBytes.toLocaleString('en')})`,
  );
  await expectNoSeriousAxeViolations(page, 'history');
  await saveScreenshot(page, 'history');

  await page.getByLabel('Outcome').selectOption({ label: 'Succeeded' });
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText('Write: hello.iso');
  await page.getByLabel('Outcome').selectOption({ label: 'Any outcome' });
  await page.getByLabel('Kind').selectOption({ label: 'Verify' });
  await expect(rows).toHaveCount(1);
  await page.getByLabel('Kind').selectOption({ label: 'Any kind' });
  await page.getByLabel('Image or drive').fill('nothing like this');
  await expect(page.getByText('No job matches these filters.')).toBeVisible();
  await page.getByLabel('Image or drive').fill('other.img');
  await expect(rows).toHaveCount(1);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/^isotope-history-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await csvDownload.path(), 'utf8').split('\r\n');
  expect(csv[0]?.startsWith('id,kind,outcome,started_utc,')).toBe(true);
  // The filter applies to the export: only the verify, its target the stick file, its formula-like name defused and quoted.
  expect(csv.filter((line) => line !== '')).toHaveLength(2);
  expect(csv[1]).toContain(',verify,failed,');
  expect(csv[1]).toContain('verification-mismatch');
  expect(csv[1]).toContain(`"${stickFile.replaceAll('"', '""')}"`);

  await page.getByLabel('Image or drive').fill('');
  await expect(rows).toHaveCount(2);
  await rows
    .nth(1)
    .getByRole('button', { name: /^Report of Write: hello\.iso/ })
    .click();
  const report = page.getByTestId('history-report');
  await expect(report).toBeVisible();
  await expect(report).toContainText('Succeeded');
  await expect(report).toContainText(helloIsoPath());
  await expect(report).toContainText(stickFile);
  await expect(report.getByRole('button', { name: 'Print' })).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'history-report');
  await saveScreenshot(page, 'history-report');
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), report.getByRole('button', { name: 'Save as HTML' }).click()]);
  expect(htmlDownload.suggestedFilename()).toMatch(/^isotope-flash-.*\.html$/);
  const html = readFileSync(await htmlDownload.path(), 'utf8');
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).toContain('stick &#34;one&#34; =SUM(A1).img');
  await report.getByRole('button', { name: 'Back to the history' }).click();
  await expect(rows).toHaveCount(2);
  expect(problems).toEqual([]);
});
