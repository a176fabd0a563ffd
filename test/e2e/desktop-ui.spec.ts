// The desktop experience end to end: Debian's Chromium against the web shell and the real engine,
// with images built by real tools (genisoimage, xorriso, gpg) and expected answers from real tools
// (xorriso's El Torito and system-area reports, xorriso -osirrox extraction, sha256sum, gpg).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { uBootCardPath } from '../boot/disk-boot-images.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';
import { udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';
import { bigFileName, bigFolderFileCount, bigIsoPath, signedSumsDir, signerUserId } from '../fixtures/ui-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { xorrisoBootFacts } from './iso-facts.ts';
import { chooseTheme, expectNoSeriousAxeViolations, goToScreen, openImage, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
let isotopeHome: string;
let scratch: string;

test.beforeAll(async () => {
  isotopeHome = mkdtempSync(join(tmpdir(), 'isotope-e2e-home-'));
  scratch = mkdtempSync(join(tmpdir(), 'isotope-e2e-scratch-'));
  // The web shell extracts only into the home folder (or a chosen one): the scratch folder stands in for it.
  app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: isotopeHome, HOME: scratch } });
});

test.afterAll(() => {
  app.stop();
  rmSync(isotopeHome, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Finds a file by name anywhere below `dir` (the extraction's layout is the engine's business). */
function findFile(dir: string, name: string): string | null {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry.name === name) return path;
  }
  return null;
}

const treeRow = (page: Page, path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);

test('remembers opened images, settings and theme across a reload', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(app.url);
  const image = bigIsoPath();
  await openImage(page, image);
  await chooseTheme(page, 'dark');
  await page.getByRole('checkbox', { name: 'Always show all drives' }).check();
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await goToScreen(page, 'Settings');
  await expect(page.getByRole('checkbox', { name: 'Always show all drives' })).toBeChecked();
  await page.getByRole('radio', { name: 'Follow the system' }).check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await goToScreen(page, 'Start');
  const recent = page.getByRole('region', { name: 'Recent images' });
  await recent.getByRole('button', { name: /^big-folder\.iso/ }).click();
  await expect(page.getByTestId('image-path')).toHaveText(image);
  expect(problems).toEqual([]);
});

test('opens a 50,000-file image, scrolls the big folder, previews and extracts a file byte for byte', async ({ page }) => {
  const problems = watchConsole(page);
  const image = bigIsoPath();
  await page.goto(app.url);
  await openImage(page, image);
  const tree = page.getByTestId('file-tree');
  await expect(treeRow(page, '/big')).toBeVisible();
  await expect(tree).toHaveAttribute('aria-rowcount', '4'); // header + big, docs, nested

  // Expand the big folder with the keyboard.
  await treeRow(page, '/big').click();
  await tree.press('ArrowRight');
  await expect(tree).toHaveAttribute('aria-rowcount', String(4 + bigFolderFileCount));
  await expect(treeRow(page, `/big/${bigFileName(0)}`)).toBeVisible();
  // Virtualised: a few dozen rows exist in the DOM, not 50,000.
  expect(await tree.locator('.body [role="row"]').count()).toBeLessThan(120);

  // Scroll to the end and back into the middle.
  await tree.press('End');
  await expect(treeRow(page, '/nested')).toBeVisible();
  await expect(treeRow(page, `/big/${bigFileName(bigFolderFileCount - 1)}`)).toBeAttached();
  await tree.evaluate((element) => (element.scrollTop = 28 * 1000));
  const wanted = `/big/${bigFileName(1000)}`;
  await expect(treeRow(page, wanted)).toBeVisible();
  await treeRow(page, wanted).click();
  await expect(page.getByTestId('detail-path')).toHaveText(wanted);
  await expect(page.getByTestId('preview')).toContainText('file 1000');

  // Extract the file and compare with what xorriso extracts.
  await treeRow(page, wanted).getByRole('checkbox').check();
  const destination = join(scratch, 'extracted');
  await page.getByLabel('Destination folder').fill(destination);
  await page.getByRole('button', { name: 'Extract 1 selected' }).click();
  await expect(page.getByTestId('extract-result')).toContainText('Extracted 1 files');
  const extracted = findFile(destination, bigFileName(1000));
  expect(extracted).not.toBeNull();
  const reference = join(scratch, 'reference.txt');
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', image, '-extract', wanted, reference], { stdio: 'ignore' });
  expect(readFileSync(extracted ?? '')).toEqual(readFileSync(reference));

  // Sort by size, largest first: inside /big the files with the longest content come first
  // ("file 10000" x 40 is 440 bytes; ties by name).
  const sizeHeader = page.getByRole('columnheader', { name: /Size/ });
  await sizeHeader.getByRole('button').click();
  await sizeHeader.getByRole('button').click();
  await expect(sizeHeader).toHaveAttribute('aria-sort', 'descending');
  await tree.press('Home');
  await expect(tree.locator('.body [role="row"]').nth(1)).toHaveAttribute('data-path', `/big/${bigFileName(10000)}`);
  expect(problems).toEqual([]);
});

test('shows a Rock Ridge link target and permissions, and switches to the plain ISO 9660 names', async ({ page }) => {
  await page.goto(app.url);
  await openImage(page, bigIsoPath());
  await treeRow(page, '/docs').click();
  await page.getByTestId('file-tree').press('ArrowRight');
  await treeRow(page, '/docs/link').click();
  const details = page.getByTestId('entry-details');
  await expect(details).toContainText('readme.txt');
  await expect(details).toContainText(/l[r-][w-][x-]/);

  // Owner and where the bytes lie, as xorriso lists and reports them.
  await treeRow(page, '/docs/readme.txt').click();
  const xorriso = (...args: string[]) => execFileSync('xorriso', ['-indev', bigIsoPath(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const owner = /^\S+\s+\d+\s+(\d+)\s+(\d+)\s/m.exec(xorriso('-lsl', '/docs/readme.txt'));
  await expect(page.getByTestId('detail-owner')).toHaveText(`uid ${owner?.[1]}, gid ${owner?.[2]}`);
  const lba = /^File data lba:\s*\d+ ,\s*(\d+) ,/m.exec(xorriso('-find', '/docs/readme.txt', '-exec', 'report_lba', '--'))?.[1];
  await expect(page.getByTestId('detail-extents')).toContainText(`sector ${Number(lba).toLocaleString('en')}`);

  // The same image named by its plain ISO 9660 tree: upper-case 8.3 names, as isoinfo shows them.
  await page.getByLabel('Names from').selectOption('iso9660');
  await expect(treeRow(page, '/DOCS')).toBeVisible();
  await expect(treeRow(page, '/docs')).toHaveCount(0);
  await page.getByLabel('Names from').selectOption('auto');
  await expect(treeRow(page, '/docs')).toBeVisible();
});

for (const image of ['/usr/lib/grub-rescue/grub-rescue-cdrom.iso', '/usr/lib/memtest86+/memtest86+x64.iso']) {
  test(`Boot tab gives the verdict xorriso's reports imply for Debian's ${image.split('/').pop()}`, async ({ page }) => {
    const facts = xorrisoBootFacts(image);
    await page.goto(app.url);
    await openImage(page, image);
    await showTab(page, 'Boot');
    const badges = page.getByTestId('boot-badges');
    await expect(badges).toBeVisible();
    await expect(badges.locator('[data-badge="usb-bios"]')).toHaveAttribute('data-boots', String(facts.usbBios));
    await expect(badges.locator('[data-badge="optical-bios"]')).toHaveAttribute('data-boots', String(facts.opticalBios));
    await expect(badges.locator('[data-badge^="optical-uefi"][data-boots="true"]')).toHaveCount(facts.opticalUefi ? 1 : 0);
    await expect(badges.locator('[data-badge^="usb-uefi"][data-boots="true"]')).toHaveCount(facts.usbUefi ? 1 : 0);
    await expect(page.getByTestId('boot-reasons')).not.toBeEmpty();
    await expect(page.getByTestId('el-torito-entries').locator('tbody tr')).toHaveCount(facts.opticalUefi ? 2 : 1);
    await expect(page.getByTestId('partition-layout').locator('.bar').first()).toBeVisible();
  });
}

test('says plainly that a non-hybrid BIOS-only ISO will not boot from USB', async ({ page }) => {
  // genisoimage with an isolinux El Torito entry and no MBR: optical media only.
  await page.goto(app.url);
  await openImage(page, bootFixturePath('plainBiosOnly'));
  await showTab(page, 'Boot');
  await expect(page.getByTestId('non-hybrid-warning')).toContainText('will not start');
  await expect(page.getByTestId('boot-badges').locator('[data-badge="usb"]')).toHaveAttribute('data-state', 'no');
  await expect(page.getByTestId('boot-badges').locator('[data-badge="usb-bios"]')).toHaveAttribute('data-boots', 'false');
  await goToScreen(page, 'Write to drive');
  await expect(page.getByTestId('write-assessment').locator('[data-code="usb-boot-no"]')).toContainText('a computer will not start from it');
});

test('says USB boot depends on the firmware for an ISO whose only EFI loader is in El Torito, not that it will not start', async ({ page }) => {
  // genisoimage with isolinux + an EFI El Torito entry and no MBR: EDK2 firmware starts it from USB.
  await page.goto(app.url);
  await openImage(page, bootFixturePath('plainGenisoimage'));
  await showTab(page, 'Boot');
  const badges = page.getByTestId('boot-badges');
  await expect(badges.locator('[data-badge="usb"]')).toHaveAttribute('data-state', 'depends');
  await expect(badges.locator('[data-badge="usb-uefi"]')).toHaveAttribute('data-state', 'depends');
  await expect(page.getByTestId('boot-reasons').locator('[data-code="usb-uefi-el-torito-only"]')).toContainText('depends on the firmware');
  await expect(page.getByTestId('non-hybrid-warning')).toHaveCount(0);
  await expect(page.getByTestId('boot-tab')).not.toContainText('will not start');
});

test('says it cannot tell for an SD-card image, names the Pi its firmware serves, and lists a zero-size GPT entry as an anomaly instead of failing', async ({
  page,
}) => {
  await page.goto(app.url);
  await openImage(page, bootFixturePath('sdCard'));
  await showTab(page, 'Boot');
  await expect(page.getByTestId('boot-badges').locator('[data-badge="usb"]')).toHaveAttribute('data-state', 'unknown');
  // start4.elf without fixup4.dat: the Pi 4 is named, with the file it lacks, so whether it starts cannot be told.
  await expect(page.getByTestId('boot-badges').locator('[data-badge="raspberry-pi"]')).toHaveAttribute('data-state', 'unknown');
  await expect(page.getByTestId('boot-reasons').locator('[data-code="raspberry-pi"]')).toBeVisible();
  const pi = page.getByTestId('raspberry-pi').locator('[data-generation="bcm2711"]');
  await expect(pi).toContainText('Raspberry Pi 4, 400 and Compute Module 4');
  await expect(pi).toContainText('missing fixup4.dat');
  await expect(page.getByTestId('boot-partitions').locator('tbody tr td:nth-child(3)')).toHaveText(['FAT32', 'ext4']);
  await expect(page.getByTestId('boot-tab')).not.toContainText('will not start');

  await openImage(page, bootFixturePath('zeroSizeGptEntry'));
  await showTab(page, 'Boot');
  await expect(page.getByTestId('boot-warnings').locator('[data-code="gpt-entry-anomaly"]')).toHaveAttribute('title', /GPT partition 3 ends at LBA 3015/);
  await expect(page.getByTestId('boot-badges').locator('[data-badge="usb"]')).toHaveAttribute('data-state', 'yes');
});

test('recognises a Windows-style UDF bridge and browses its UDF tree, not the ISO 9660 stub', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(app.url);
  await openImage(page, udfWindowsStubIsoPath());
  await expect(page.getByTestId('image-udf')).toContainText('revision');
  await expect(page.getByTestId('image-windows-installer')).toContainText('/sources/install.wim');
  await showTab(page, 'Contents');
  // genisoimage hid these from the ISO 9660 tree: only the UDF tree can show them.
  await expect(treeRow(page, '/sources')).toBeVisible();
  await expect(treeRow(page, '/bootmgr')).toBeVisible();
  expect(problems).toEqual([]);
});

test('Checksums tab verifies a gpg-signed sums file and flags a tampered one', async ({ page }) => {
  const problems = watchConsole(page);
  const dir = signedSumsDir();
  const image = join(dir, 'signed/disc.iso');
  const fingerprint = readFileSync(join(dir, 'fingerprint.txt'), 'utf8').trim();
  const sha256 = execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0] ?? '';
  await page.goto(app.url);
  await openImage(page, image);
  await showTab(page, 'Checksums');

  // The key is not trusted yet: the hash matches, the signer is named by fingerprint.
  const verdict = page.getByTestId('verification-verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'matches-unknown-signer');
  await expect(page.getByTestId('fingerprint')).toHaveText(fingerprint.replace(/(.{4})/g, '$1 ').trim());
  // All four digests of the one pass, as coreutils computes them.
  for (const [algorithm, tool] of [
    ['md5', 'md5sum'],
    ['sha1', 'sha1sum'],
    ['sha256', 'sha256sum'],
    ['sha512', 'sha512sum'],
  ] as const) {
    const expected = execFileSync(tool, [image], { encoding: 'utf8' }).split(' ')[0] ?? '';
    await expect(page.getByTestId('digests').locator(`[data-algorithm="${algorithm}"] td.value`)).toHaveText(expected);
  }

  // Paste-to-compare answers at once.
  await page.getByLabel('Compare with a checksum from the download page').fill(sha256.toUpperCase());
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'match');
  await page.getByLabel('Compare with a checksum from the download page').fill(`${sha256.slice(0, -1)}${sha256.endsWith('0') ? '1' : '0'}`);
  await expect(page.getByTestId('paste-verdict')).toHaveAttribute('data-kind', 'mismatch');

  // Import the signer's key: verified, with the signer's name.
  await page.getByLabel('Key file to import').fill(join(dir, 'signer.asc'));
  await page.getByRole('button', { name: 'Import' }).click();
  // Never trusted silently: the engine answers with the key's fingerprint first, and nothing changes until the user says yes.
  const change = page.getByTestId('key-change');
  await expect(change).toContainText(fingerprint.replace(/(.{4})/g, '$1 ').trim());
  await expect(change).toContainText('Isotope Test Signer');
  await expect(verdict).toHaveAttribute('data-verdict', 'matches-unknown-signer');
  await change.getByRole('button', { name: 'Trust and import' }).click();
  await expect(change).toHaveCount(0);
  await expect(page.getByTestId('key-manager').locator(`li[data-fingerprint="${fingerprint}"]`)).toContainText('Isotope Test Signer');
  await expect(verdict).toHaveAttribute('data-verdict', 'verified');
  await expect(page.getByTestId('signer')).toContainText(signerUserId.split(' <')[0] ?? '');

  // The tampered copy: same image and signature, sums file altered after signing.
  await openImage(page, join(dir, 'tampered/disc.iso'));
  await showTab(page, 'Checksums');
  await expect(verdict).toHaveAttribute('data-verdict', 'bad-signature');
  await expect(page.getByTestId('signature-status')).toContainText('Bad signature');

  // Clean up the keyring through the UI.
  await page.getByRole('button', { name: /Remove the key of Isotope Test Signer/ }).click();
  await page.getByTestId('key-change').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('key-manager')).not.toContainText('Isotope Test Signer');
  expect(problems).toEqual([]);
});

test('shows the hashing pass live and cancels it', async ({ page }) => {
  const problems = watchConsole(page);
  // 4 GiB of zeros (sparse, in the scratch folder): long enough to see progress on any machine.
  const image = join(scratch, 'zeros.img');
  writeFileSync(image, Buffer.alloc(0));
  truncateSync(image, 4 * 1024 * 1024 * 1024);
  await page.goto(app.url);
  await openImage(page, image);
  await expect(page.getByTestId('checksums-tab')).toBeVisible(); // not ISO 9660: the app opens on Checksums
  const bar = page.getByRole('progressbar', { name: 'Computing checksums' });
  await expect(bar).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(bar).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Compute checksums' })).toBeVisible();
  await expect(page.getByTestId('digests')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('names the U-Boot board of an SD card from its loader, and lists a blank image’s partitions when nothing says how it boots', async ({ page }) => {
  await page.goto(app.url);
  await openImage(page, uBootCardPath('rockchip'));
  await showTab(page, 'Boot');
  await expect(page.getByTestId('u-boot')).toHaveAttribute('data-family', 'rockchip');
  await expect(page.getByTestId('u-boot')).toContainText('U-Boot for a Rockchip board (RK32) at 32.0 KiB');
  await expect(page.getByTestId('boot-badges').locator('[data-badge="u-boot"]')).toHaveAttribute('data-state', 'yes');
  await expectNoSeriousAxeViolations(page, 'Boot tab of a U-Boot card');

  await openImage(page, diskFixturePath('logical'));
  await showTab(page, 'Boot');
  await expect(page.getByTestId('boot-badges').locator('[data-badge="usb"]')).toHaveAttribute('data-state', 'unknown');
  await expect(page.getByTestId('boot-reasons').locator('[data-code="disk-image-unknown"]')).toHaveAttribute('title', /MBR logical partition 6 \(.*ext4\)/);
  await expect(page.getByTestId('boot-partitions').locator('tbody tr td:first-child')).toHaveText(['1', '5', '6', '7']);
  await expect(page.getByTestId('boot-tab')).not.toContainText('will not start');
});

test('the Boot tab gives the Secure Boot verdict of an ISO with Debian’s shim and GRUB, who signed each, and how old the revocation data is', async ({
  page,
}) => {
  const efiImage = join(scratch, 'shim-efi.img');
  execFileSync('mkfs.fat', ['-C', efiImage, '8192']);
  execFileSync('mmd', ['-i', efiImage, '::/EFI', '::/EFI/BOOT']);
  execFileSync('mcopy', ['-i', efiImage, '/usr/lib/shim/shimx64.efi.signed', '::/EFI/BOOT/BOOTX64.EFI']);
  execFileSync('mcopy', ['-i', efiImage, '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed', '::/EFI/BOOT/grubx64.efi']);
  const iso = join(scratch, 'shim.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-graft-points', '-e', 'efi.img', '-no-emul-boot', `efi.img=${efiImage}`]);
  await page.goto(app.url);
  await openImage(page, iso);
  await showTab(page, 'Boot');
  const section = page.getByTestId('secure-boot');
  await expect(section).toContainText('x64: Secure Boot: OK');
  await expect(section).toContainText('Signed by Microsoft Corporation UEFI CA 2011 (issued by Microsoft Corporation Third Party Marketplace Root)');
  await expect(section).toContainText('Signed by Debian Secure Boot Signer 2022 - grub2 (issued by Debian Secure Boot CA)');
  await expect(section).toContainText(/Revocation data of \d{4}-\d{2}-\d{2} \(\d+ days old\)/);
  await expectNoSeriousAxeViolations(page, 'Boot tab with the Secure Boot section');
});
