// Issue 18: the Write screen shows the Secure Boot verdict under the boot verdict, from the engine's
// reading of the image's loaders in this run: an ISO (xorriso) with Debian's signed shim is "Secure
// Boot: OK" for x64, one with a grub-mkimage GRUB says to disable Secure Boot, and the same shim ISO
// gzipped is "unknown until unpacked", never "no".
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAppLikeNpmStart, type RunningApp } from './app-server.ts';
import { expectNoSeriousAxeViolations, goToScreen, openImage, saveScreenshot, watchConsole } from './ui-helpers.ts';

const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';
let app: RunningApp;
let scratch = '';

/** An ISO whose El Torito EFI image and tree hold `loader` as EFI/BOOT/BOOTX64.EFI. */
function efiIso(name: string, loader: string): string {
  const tree = join(scratch, `${name}-tree`);
  mkdirSync(join(tree, 'EFI', 'BOOT'), { recursive: true });
  const efiImage = join(tree, 'efi.img');
  execFileSync('mkfs.fat', ['-C', efiImage, '4096'], { stdio: 'ignore' });
  execFileSync('mmd', ['-i', efiImage, '::/EFI', '::/EFI/BOOT']);
  execFileSync('mcopy', ['-i', efiImage, loader, '::/EFI/BOOT/BOOTX64.EFI']);
  copyFileSync(loader, join(tree, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  const iso = join(scratch, name);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-e', 'efi.img', '-no-emul-boot', tree], { stdio: 'ignore' });
  return iso;
}

let shimIso = '';
let unsignedIso = '';
let shimIsoGz = '';

test.beforeAll(async () => {
  scratch = mkdtempSync('/dev/shm/isotope-e2e-secure-boot-');
  shimIso = efiIso('shim.iso', SHIM_X64);
  const grub = join(scratch, 'grubx64.efi');
  execFileSync('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/boot/grub', '-o', grub, 'normal', 'fat']);
  unsignedIso = efiIso('unsigned.iso', grub);
  shimIsoGz = join(scratch, 'shim.iso.gz');
  writeFileSync(shimIsoGz, execFileSync('gzip', ['-c', shimIso], { maxBuffer: 64 * 1024 * 1024 }));
  app = await startAppLikeNpmStart();
});

test.afterAll(() => {
  app.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('the Write screen shows the Secure Boot verdict per architecture under the boot verdict, or unknown with the reason', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.url);
  await openImage(page, shimIso);
  await goToScreen(page, 'Write to drive');
  const line = page.getByTestId('write-assessment').getByTestId('secure-boot-line');
  await expect(line).toHaveAttribute('data-state', 'judged');
  await expect(line.locator('[data-architecture="x64"]')).toHaveText('x64: Secure Boot: OK');
  await expect(line).toContainText(/Judged by revocation data of \d{4}-\d{2}-\d{2}\./);
  await expectNoSeriousAxeViolations(page, 'secure-boot-write/ok');
  await saveScreenshot(page, 'secure-boot-write-ok');

  await openImage(page, unsignedIso);
  await goToScreen(page, 'Write to drive');
  await expect(line.locator('[data-architecture="x64"]')).toHaveText('x64: unsigned: disable Secure Boot to boot');

  await openImage(page, shimIsoGz);
  await goToScreen(page, 'Write to drive');
  await expect(line).toHaveAttribute('data-state', 'unknown');
  await expect(line).toContainText('Secure Boot: unknown until the image is unpacked');
  await expect(line.locator('[data-architecture]')).toHaveCount(0);
  expect(problems).toEqual([]);
});
