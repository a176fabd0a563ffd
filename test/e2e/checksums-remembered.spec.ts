// The Checksums tab never answers from the hash cache (issue 11 §1): digests it remembers from an
// earlier run show at once, labelled with their date, while the pass reads the file again; the pasted
// value is compared only with the digests read now. A file changed with its mtime set back by the real
// `touch -r` gets the digests of its new bytes (sha256sum is the oracle).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openImage, startAppWithScratchHome, watchConsole, type ScratchHomeApp } from './ui-helpers.ts';

let app: ScratchHomeApp;
let scratch: string;

test.beforeAll(async () => {
  app = await startAppWithScratchHome();
  scratch = app.home;
});

test.afterAll(() => {
  app.stop();
});

const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';

test('shows remembered digests with their date while the file is read again, and compares a pasted value only with the bytes read now', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  // 384 MiB, sparse: long enough a pass (four digests) to see the remembered ones while it runs.
  const image = join(scratch, 'image.img');
  writeFileSync(image, Buffer.alloc(0));
  truncateSync(image, 384 * 1024 * 1024);
  const digest = sha256sum(image); // before any pass: sha256sum itself takes a while
  await page.goto(app.url);
  await openImage(page, image);
  const read = page.getByTestId('digests-read');
  await expect(read.locator('[data-algorithm="sha256"] td.value')).toHaveText(digest, { timeout: 120_000 });

  // The same version again: remembered, dated, while the pass runs; the paste waits for the pass.
  await page.getByRole('button', { name: 'Check again' }).click();
  const remembered = page.getByTestId('digests-remembered');
  await expect(remembered).toContainText('Remembered from', { timeout: 20_000 });
  await expect(remembered.locator('[data-algorithm="sha256"] td.value')).toHaveText(digest);
  await page.getByLabel('Compare with a checksum from the download page').fill(digest);
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'pending');
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'match', { timeout: 120_000 });
  await expect(remembered).toHaveCount(0);

  // One byte changed, the mtime put back: the new bytes' digest, and the old one no longer matches.
  const reference = join(scratch, 'reference');
  execFileSync('touch', ['-r', image, reference]);
  const fd = openSync(image, 'r+');
  writeSync(fd, Buffer.from([1]), 0, 1, 200 * 1024 * 1024);
  closeSync(fd);
  execFileSync('touch', ['-r', reference, image]);
  const changed = sha256sum(image);
  expect(changed).not.toBe(digest);
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(read.locator('[data-algorithm="sha256"] td.value')).toHaveText(changed, { timeout: 120_000 });
  await page.getByLabel('Compare with a checksum from the download page').fill(digest);
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'mismatch');
  expect(problems).toEqual([]);
});
