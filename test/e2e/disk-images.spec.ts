// Disk images and compressed images end to end (issue 16), in Debian's Chromium against the web shell
// and the real engine: an MBR image built by mkfs.fat, mtools, mkswap and sfdisk shows its partition
// table as blkid and sfdisk read it, its FAT32 partition as "1-bootfs (FAT32)/" with the files mdir
// lists, and its swap partition as not browsable; its multi-block .img.xz is listed in place, with no
// unpacking; its .img.gz is unpacked through the UI with progress,
// then listed; Settings lists the unpacked copy and clears it from the data folder. A hybrid ISO offers
// its partitions as a namespace too, its EFI partition listed as mdir lists it; an ext4 partition
// shows permissions and owners as debugfs lists them.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { formatPermissions } from '../../src-renderer/messages.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { bootFiles, bootPartition, diskImagePath, gzippedDiskImagePath, multiBlockXzDiskImagePath, swapPartition } from '../fixtures/ui-disk-images.ts';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { chooseTheme, expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, showTab, watchConsole } from './ui-helpers.ts';

let app: RunningApp;
/** Isotope's data folder for this run (ISOTOPE_HOME): the decoded cache goes here, never into the user's. */
let dataDir = '';

test.beforeAll(async () => {
  dataDir = mkdtempSync('/tmp/isotope-e2e-disk-');
  app = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: dataDir } });
});

test.afterAll(() => {
  app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const bootFolder = `/${bootPartition.folderName}`;
const treeRow = (page: Page, path: string) => page.getByTestId('file-tree').locator(`[role="row"][data-path="${path}"]`);

/** What `blkid -p` reads at a partition's offset: LABEL, UUID, TYPE. */
function blkidAt(image: string, offsetBytes: number): Record<string, string> {
  const output = runTool('blkid', ['-p', '-o', 'export', '-O', String(offsetBytes), image]);
  return Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

/** The names `mdir` lists at the root of the FAT volume at `offsetBytes` (bare form, one per line). */
function mdirRootNames(image: string, offsetBytes: number = bootPartition.offsetBytes): string[] {
  const output = runTool('mdir', ['-i', `${image}@@${offsetBytes}`, '-b', '-a', '::/']);
  return output
    .trim()
    .split('\n')
    .map((line) => line.replace(/^::\//, '').replace(/\/$/, ''))
    .sort();
}

function cacheFiles(): string[] {
  const folder = join(dataDir, 'decoded');
  return existsSync(folder) ? readdirSync(folder) : [];
}

test('shows an MBR disk image: its partition table as sfdisk and blkid read it, "1-bootfs (FAT32)/" with the files mdir lists, swap not browsable', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const image = diskImagePath();
  const table = JSON.parse(runTool('sfdisk', ['--json', image])) as { partitiontable: { label: string; partitions: { start: number; size: number }[] } };
  expect(table.partitiontable.label).toBe('dos');
  const fat = blkidAt(image, bootPartition.offsetBytes);
  const swap = blkidAt(image, swapPartition.offsetBytes);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(app.url);
  await openImage(page, image);

  await expect(page.getByTestId('image-format')).toHaveText('Disk image');
  await expect(page.getByTestId('image-partition-table')).toHaveText('MBR');
  // The last partition ends at 56 MiB (sfdisk's start + size of partition 2), far before the 1 GiB image does.
  const last = table.partitiontable.partitions.at(-1);
  expect(((last?.start ?? 0) + (last?.size ?? 0)) * 512).toBe(56 * 1024 * 1024);
  await expect(page.getByTestId('image-target-space')).toHaveText(
    'needs a drive of 1.00 GiB, or may need only 56.0 MiB if the rest of the image is empty (checked when a drive is picked)',
  );
  const rows = page.getByTestId('disk-partitions').locator('tbody tr');
  await expect(rows).toHaveCount(table.partitiontable.partitions.length);
  const first = rows.nth(0);
  await expect(first).toContainText('FAT32');
  await expect(first).toContainText(fat.LABEL ?? 'no label from blkid');
  await expect(first).toContainText(fat.UUID ?? 'no uuid from blkid');
  await expect(first).toContainText('47.0 MiB');
  await expect(first).toContainText('active');
  expect(swap.TYPE).toBe('swap');
  await expect(rows.nth(1)).toContainText('Linux swap');
  await expect(rows.nth(1)).toContainText('signature only');
  await expect(rows.nth(1)).not.toContainText('damaged');
  await expect(rows.nth(1)).toContainText(swap.UUID ?? 'no uuid from blkid');
  await expectNoSeriousAxeViolations(page, 'disk-image/summary');
  await saveScreenshot(page, 'disk-image-summary');

  await showTab(page, 'Contents');
  const boot = treeRow(page, bootFolder);
  await expect(boot).toBeVisible();
  await expect(boot.getByTestId('partition-badge')).toHaveText(/^partition 1 · .+ · FAT32 · 47\.0 MiB$/);
  // The folder's name is shown whole: its badge gives way first.
  // (scrollWidth is rounded to whole pixels, the box is not.)
  const nameFits = await boot.locator('.label').evaluate((element) => element.scrollWidth <= Math.ceil(element.getBoundingClientRect().width));
  expect(nameFits).toBe(true);
  const swapRow = page.getByTestId('file-tree').locator('[role="row"][data-path^="/2"]');
  await expect(swapRow.getByTestId('not-browsable')).toHaveText('not browsable: Linux swap (signature only)');
  await expect(swapRow).not.toHaveAttribute('aria-expanded');

  // Open the partition with the keyboard, as a file manager's tree opens.
  await boot.click();
  await page.getByTestId('file-tree').press('ArrowRight');
  await expect(treeRow(page, `${bootFolder}/config.txt`)).toBeVisible();
  const listed = await page
    .getByTestId('file-tree')
    .locator(`[role="row"][aria-level="2"]`)
    .evaluateAll((elements) => elements.map((element) => element.getAttribute('data-path')?.split('/').at(-1) ?? ''));
  expect(listed.sort()).toEqual(mdirRootNames(image));
  await expect(page.getByRole('columnheader', { name: 'Attributes' })).toBeVisible();
  await expect(treeRow(page, `${bootFolder}/hidden.txt`)).toContainText('hidden');
  await expect(treeRow(page, `${bootFolder}/readonly.txt`)).toContainText('read-only');

  await treeRow(page, `${bootFolder}/config.txt`).click();
  await expect(page.getByTestId('detail-path')).toHaveText(`${bootFolder}/config.txt`);
  await expect(page.getByTestId('preview')).toContainText((bootFiles['/config.txt'] ?? '').trim().split('\n')[0] ?? '');
  await swapRow.click();
  await expect(page.getByTestId('detail-not-browsable')).toContainText('not browsable: Linux swap (signature only)');
  await expectNoSeriousAxeViolations(page, 'disk-image/contents');
  await saveScreenshot(page, 'disk-image-contents');
  // The badges, tags and attribute column keep their contrast in the dark theme too.
  await chooseTheme(page, 'dark');
  await showTab(page, 'Contents');
  await expect(treeRow(page, `${bootFolder}/config.txt`)).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'disk-image/contents-dark');
  expect(problems).toEqual([]);
});

test('lists a multi-block .img.xz in place: its real size from the xz index, its partitions at once, nothing unpacked', async ({ page }) => {
  const problems = watchConsole(page);
  const image = multiBlockXzDiskImagePath();
  // What xz itself says of the file: its uncompressed size and that it holds many blocks.
  const robot = runTool('xz', ['--robot', '--list', image]).split('\n');
  const totals = robot.find((line) => line.startsWith('totals'))?.split('\t') ?? [];
  expect(Number(totals[2])).toBeGreaterThan(1); // blocks
  expect(Number(totals[4])).toBe(1024 * 1024 * 1024); // uncompressed bytes
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(app.url);
  await openImage(page, image);
  const compression = page.getByTestId('image-compression');
  await expect(compression).toHaveAttribute('data-access', 'random-access');
  await expect(compression).toContainText('Compressed (xz):');
  await expect(compression).toContainText('→ 1.00 GiB');
  await expect(page.getByTestId('image-format')).toHaveText('Disk image');
  await expect(page.getByTestId('decode-panel')).toHaveCount(0);
  await treeRow(page, bootFolder).dblclick();
  await expect(treeRow(page, `${bootFolder}/config.txt`)).toBeVisible();
  await treeRow(page, `${bootFolder}/config.txt`).click();
  await expect(page.getByTestId('preview')).toContainText((bootFiles['/config.txt'] ?? '').trim().split('\n')[0] ?? '');
  expect(cacheFiles()).toEqual([]);
  expect(problems).toEqual([]);
});

// The Settings test lists what the unpacking test left in the data folder: they run in this order, together.
test.describe.serial('unpacking a .img.gz', () => {
  test('unpacks a .img.gz through the Contents tab with progress, then lists its partitions and files', async ({ page }) => {
    const problems = watchConsole(page);
    const image = gzippedDiskImagePath();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(app.url);
    await openImage(page, image);
    const compression = page.getByTestId('image-compression');
    await expect(compression).toHaveAttribute('data-access', 'needs-decoding');
    await expect(compression).toContainText('Compressed (gzip)');

    // It opens at Contents, which says what unpacking does before anything is written.
    await expect(page.getByRole('tab', { name: 'Contents' })).toHaveAttribute('aria-selected', 'true');
    const panel = page.getByTestId('decode-panel');
    await expect(panel).toContainText('cannot be read in place');
    expect(cacheFiles()).toEqual([]);
    await expectNoSeriousAxeViolations(page, 'disk-image/decode');

    // By keyboard: the focus moves from the button to the unpacking's cancel.
    await panel.getByRole('button', { name: 'Unpack to show its files' }).focus();
    await page.keyboard.press('Enter');
    await expect(panel.getByTestId('decode-progress').getByRole('progressbar')).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Cancel unpacking' })).toBeFocused();
    await expect(page.getByTestId('running-jobs').locator('[data-job="decode"]')).toBeVisible();
    await expect(treeRow(page, bootFolder)).toBeVisible({ timeout: 60_000 });
    // The panel gives way to the tree, and so does the focus (not lost to the page).
    await expect(page.getByRole('treegrid')).toBeFocused();
    await expect(compression).toHaveAttribute('data-access', 'decoded-cache');
    await expect(compression).toContainText('→ 1.00 GiB');
    await expect(page.getByTestId('image-format')).toHaveText('Disk image');
    await treeRow(page, bootFolder).dblclick();
    await expect(treeRow(page, `${bootFolder}/cmdline.txt`)).toBeVisible();
    expect(cacheFiles().length).toBeGreaterThan(0);
    await saveScreenshot(page, 'disk-image-decoded');
    expect(problems).toEqual([]);
  });

  test('Settings lists the unpacked image with its size on disk, and "Clear all" removes it from the data folder', async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(app.url);
    await goToScreen(page, 'Settings');
    const decoded = page.getByTestId('decoded-images');
    const row = decoded.locator('tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('ui-disk-fat32.img.gz');
    await expect(row).toContainText('1.00 GiB');
    await expect(decoded.getByTestId('decoded-total')).toContainText('1 unpacked image takes');
    await expectNoSeriousAxeViolations(page, 'settings/decoded-images');
    await saveScreenshot(page, 'settings-decoded-images');

    expect(cacheFiles().length).toBeGreaterThan(0);
    await decoded.getByRole('button', { name: 'Clear all' }).click();
    await expect(decoded.getByTestId('decoded-none')).toHaveText('No unpacked images.');
    await expect(decoded.getByTestId('decoded-removed')).toContainText('Removed');
    expect(cacheFiles()).toEqual([]);
    expect(problems).toEqual([]);
  });
});

test("offers a hybrid ISO's partitions as a namespace: one folder per partition sfdisk lists, its EFI partition holding what mdir lists", async ({ page }) => {
  const problems = watchConsole(page);
  const image = bootFixturePath('hybridGpt');
  const table = JSON.parse(runTool('sfdisk', ['--json', image])) as { partitiontable: { partitions: { start: number; type: string }[] } };
  const esp = table.partitiontable.partitions.find((partition) => partition.type === 'ef');
  expect(esp).toBeDefined();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(app.url);
  await openImage(page, image);
  await showTab(page, 'Contents');
  await expect(treeRow(page, '/README.TXT')).toBeVisible();

  await page.getByLabel('Names from').selectOption({ label: 'Partitions' });
  const partitionRows = page.getByTestId('file-tree').locator('[role="row"][aria-level="1"]');
  await expect(partitionRows).toHaveCount(table.partitiontable.partitions.length);
  const espIndex = table.partitiontable.partitions.indexOf(esp!);
  const espRow = page.getByTestId('file-tree').locator(`[role="row"][aria-level="1"][data-path^="/${espIndex + 1}"]`);
  await expect(espRow.getByTestId('partition-badge')).toContainText(`partition ${espIndex + 1}`);
  await espRow.dblclick();
  const inside = page.getByTestId('file-tree').locator('[role="row"][aria-level="2"]');
  await expect(inside).toHaveCount(mdirRootNames(image, esp!.start * 512).length);
  const names = await inside.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-path')?.split('/').at(-1) ?? ''));
  expect(names.sort()).toEqual(mdirRootNames(image, esp!.start * 512));
  await expectNoSeriousAxeViolations(page, 'hybrid/partitions');
  expect(problems).toEqual([]);
});

test('says where and how much space is missing when the data folder cannot hold the unpacked image', async ({ page }) => {
  // A 16 MiB tmpfs as Isotope's data folder (mounting needs root, as the write-flow tests' loop devices do).
  const smallHome = mkdtempSync('/tmp/isotope-e2e-small-home-');
  runTool('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', smallHome]);
  const small = await startAppLikeNpmStart({ env: { ISOTOPE_HOME: smallHome } });
  try {
    await page.goto(small.url);
    await openImage(page, gzippedDiskImagePath());
    const panel = page.getByTestId('decode-panel');
    await panel.getByRole('button', { name: 'Unpack to show its files' }).click();
    const shortfall = panel.getByTestId('decode-no-space');
    await expect(shortfall).toBeVisible({ timeout: 60_000 });
    // Whether the engine stopped before writing (a known size) or while writing (the bytes it had written), the words name the folder and sizes.
    await expect(shortfall).toContainText(
      new RegExp(`^Unpacking needs at least [\\d.]+ [KMG]i?B in ${join(smallHome, 'decoded')}, where [\\d.]+ [KMG]?i?B are free `),
    );
    await expect(panel.getByRole('button', { name: 'Unpack to show its files' })).toBeEnabled();
    await expectNoSeriousAxeViolations(page, 'disk-image/decode-no-space');
    await saveScreenshot(page, 'disk-image-decode-no-space');
    expect(readdirSync(join(smallHome, 'decoded')).filter((name) => !name.startsWith('.'))).toEqual([]);
  } finally {
    small.stop();
    runTool('umount', [smallHome]);
    rmSync(smallHome, { recursive: true, force: true });
  }
});

test("shows an ext4 partition's permissions and owners in their own columns, as debugfs lists them", async ({ page }) => {
  const problems = watchConsole(page);
  const image = diskFixturePath('pi');
  const table = JSON.parse(runTool('sfdisk', ['--json', image])) as { partitiontable: { partitions: { start: number; type: string }[] } };
  const rootfs = table.partitiontable.partitions.find((partition) => partition.type === '83');
  expect(rootfs).toBeDefined();
  // debugfs 'ls -l': inode, mode (octal), uid, gid, size, date, name.
  const listing = runTool('debugfs', ['-R', 'ls -l /home/pi', `${image}?offset=${rootfs!.start * 512}`])
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 9 && fields.at(-1) !== '.' && fields.at(-1) !== '..')
    .map((fields) => ({ mode: Number.parseInt(fields[1] ?? '', 8), uid: fields[3], gid: fields[4], name: fields.at(-1) ?? '' }));
  expect(listing.map((entry) => entry.name).sort()).toEqual(['link-to-notes', 'notes.txt']);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(app.url);
  await openImage(page, image);
  await showTab(page, 'Contents');
  const rootRow = page.getByTestId('file-tree').locator('[role="row"][aria-level="1"][data-path$="(ext4)"]');
  const root = (await rootRow.getAttribute('data-path')) ?? '';
  await rootRow.dblclick();
  await treeRow(page, `${root}/home`).dblclick();
  await treeRow(page, `${root}/home/pi`).dblclick();
  await expect(page.getByRole('columnheader', { name: 'Permissions' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Owner' })).toBeVisible();
  for (const entry of listing) {
    const row = treeRow(page, `${root}/home/pi/${entry.name}`);
    await expect(row).toContainText(formatPermissions(entry.mode));
    await expect(row).toContainText(`${entry.uid}:${entry.gid}`);
  }
  await expectNoSeriousAxeViolations(page, 'disk-image/ext4');
  expect(problems).toEqual([]);
});
