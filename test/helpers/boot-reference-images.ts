// Boot trees and reference images made by the real tools (mtools' mformat/mcopy for an EFI FAT image,
// xorriso for the ISO), so the boot writers' bytes are compared with what xorriso writes for the same
// layout.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSeededRandom } from './seeded-random.ts';

export const isolinuxBinPath = '/usr/lib/ISOLINUX/isolinux.bin';
export const isohdpfxPath = '/usr/lib/ISOLINUX/isohdpfx.bin';
export const grubBootHybridPath = '/usr/lib/grub/i386-pc/boot_hybrid.img';

/** `sizeBytes` bytes that look random, the same for the same seed. */
export function seededBytes(sizeBytes: number, seed: number): Uint8Array {
  const random = createSeededRandom(seed);
  return Uint8Array.from({ length: sizeBytes }, () => Math.floor(random() * 256));
}

export function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** A 1.44 MB FAT12 image holding /EFI/BOOT/BOOTX64.EFI (`efiBytes`), as mformat and mcopy make it. */
export function buildEfiFloppy(path: string, efiBytes: Uint8Array): void {
  const loaderPath = `${path}.BOOTX64.EFI`;
  writeFileSync(loaderPath, efiBytes);
  run('mformat', ['-C', '-f', '1440', '-i', path, '::']);
  run('mmd', ['-i', path, '::/EFI', '::/EFI/BOOT']);
  run('mcopy', ['-i', path, loaderPath, '::/EFI/BOOT/BOOTX64.EFI']);
}

/**
 * A tree with ISOLINUX (isolinux/isolinux.bin), an EFI loader at EFI/BOOT/BOOTX64.EFI and the FAT
 * image efi.img holding it: what `xorriso -as mkisofs ... -isohybrid-gpt-basdat` makes a hybrid of.
 */
export function buildIsolinuxEfiTree(directory: string): { efiLoader: Uint8Array } {
  const efiLoader = seededBytes(30_000, 64);
  mkdirSync(join(directory, 'isolinux'), { recursive: true });
  mkdirSync(join(directory, 'EFI', 'BOOT'), { recursive: true });
  copyFileSync(isolinuxBinPath, join(directory, 'isolinux', 'isolinux.bin'));
  writeFileSync(join(directory, 'EFI', 'BOOT', 'BOOTX64.EFI'), efiLoader);
  buildEfiFloppy(join(directory, 'efi.img'), efiLoader);
  return { efiLoader };
}

/** `xorriso -as mkisofs` of `tree` into `output` with the boot options given (isohybrid, El Torito). */
export function xorrisoMkisofs(tree: string, output: string, bootArgs: readonly string[]): void {
  run('xorriso', ['-as', 'mkisofs', '-quiet', '-o', output, '-R', '-J', '-V', 'BOOTTEST', ...bootArgs, tree]);
}

/** The BIOS (isolinux, boot info table) + EFI (efi.img) El Torito options xorriso's documentation gives for an isohybrid image. */
export const isolinuxEfiBootArgs = [
  '-c',
  'isolinux/boot.cat',
  '-b',
  'isolinux/isolinux.bin',
  '-no-emul-boot',
  '-boot-load-size',
  '4',
  '-boot-info-table',
  '-eltorito-alt-boot',
  '-e',
  'efi.img',
  '-no-emul-boot',
] as const;

/** GRUB's El Torito image (cdboot.img + core.img) as grub-mkrescue makes it, at `path`. */
export function buildGrubEltorito(path: string): void {
  run('grub-mkimage', ['-O', 'i386-pc-eltorito', '-o', path, '-p', '/boot/grub', 'biosdisk', 'iso9660']);
}
