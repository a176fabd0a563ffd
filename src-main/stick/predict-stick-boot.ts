// What a stick will do once written in a mode, from the image's bytes read now. Raw: the image's own
// verdict for a raw-written USB stick (src-main/boot/boot-verdict.ts). Copy files: UEFI 2.10 3.5.1.1
// starts EFI/BOOT/BOOT<arch>.EFI from the new FAT32 partition, so the loaders copied (the tree's, or
// the El Torito EFI image's: stick/efi-loaders.ts) decide UEFI;
// BIOS starts the stick only where copy mode installs SYSLINUX (an ISOLINUX image, the host's
// SYSLINUX of its version, an MBR stick: stick/bios-boot.ts); otherwise the MBR's code area is zero
// and BIOS starts nothing: "UEFI only".
import type { UefiArchitectures } from '../../shared/boot.ts';
import type { PartitionTableChoice, StickBootPrediction, WriteModeChoice } from '../../shared/stick.ts';
import { architecturesOf } from '../boot/boot-verdict.ts';
import { readBootReport } from '../boot/boot-report.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openImageTrees } from '../image/open-image-trees.ts';
import { planBiosBoot } from './bios-boot.ts';
import { findEfiLoadersToCopy } from './efi-loaders.ts';

const noArchitectures: UefiArchitectures = { x64: false, ia32: false, aa64: false };

/** `table`: the copy-mode stick's partition table (BIOS boot needs MBR); MBR when not given. */
export async function predictStickBoot(
  image: ByteSource,
  choice: WriteModeChoice,
  options: { table?: PartitionTableChoice } = {},
): Promise<StickBootPrediction> {
  if (choice.mode === 'copy') {
    const trees = await openImageTrees(image);
    if (!trees) return { mode: 'copy', usb: 'no', bios: false, uefi: noArchitectures };
    const uefi = architecturesOf((await findEfiLoadersToCopy(image, trees.image)).names);
    const bios = (options.table ?? 'mbr') === 'mbr' && (await planBiosBoot(trees.image, 0)) !== null;
    return { mode: 'copy', usb: bios || uefi.x64 || uefi.ia32 || uefi.aa64 ? 'yes' : 'no', bios, uefi };
  }
  try {
    const { verdict } = await readBootReport(image);
    return { mode: 'raw', usb: verdict.usb, bios: verdict.usbBios, uefi: verdict.usbUefi };
  } catch (error) {
    // Neither an ISO nor a partitioned disk: Isotope cannot judge how such bytes boot.
    if (error instanceof NotAnImageError) return { mode: 'raw', usb: 'unknown', bios: false, uefi: noArchitectures };
    throw error;
  }
}
