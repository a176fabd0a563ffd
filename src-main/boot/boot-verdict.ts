// The boot verdict: pure rules over the parsed structures, each answer with its reason. USB rules
// follow what firmware does with a raw-written stick: BIOS runs the MBR's boot code; UEFI (2.10
// 3.5.1.1, 5.2.3) mounts FAT partitions found through the GPT (or the MBR when it is not protective)
// and starts EFI/BOOT/BOOT<arch>.EFI. EDK2-based firmware also reads El Torito from any block device
// (its PartitionDxe tries GPT, then El Torito, then MBR), so an El Torito EFI entry alone boots on
// some PCs and not others: that is "depends", never "no". Optical rules follow the El Torito catalog.
// A disk image that is not an ISO (an SD-card image for a board) boots by rules Isotope does not
// know: without PC boot code or an EFI loader its USB answer is "unknown", never "no".
import type { BiosBootChain, BoardBoot, BootReason, BootReport, BootVerdict, ElToritoEntry, UefiArchitectures, UsbBootability } from '../../shared/boot.ts';
import { hasProtectivePartition } from '../disk/master-boot-record.ts';
import { judgeBiosChain, judgeBoards } from './disk-verdict.ts';

/** What the verdict is judged from: the report's structures, and what the reader saw besides. */
export interface VerdictInput extends Pick<BootReport, 'elTorito' | 'mbr' | 'gpt' | 'apm' | 'espLoaders' | 'partitions'> {
  /** True when sector 16 holds an ISO 9660 volume descriptor: the image is a CD/DVD image. */
  readonly isIso: boolean;
  /** How BIOS goes on from a disk image's MBR code; null for an ISO or without boot code. */
  readonly biosChain: BiosBootChain | null;
  readonly boards: BoardBoot;
}

/** UEFI 2.10 table 3-2: removable-media boot file names. */
const loaderNames: Readonly<Record<keyof UefiArchitectures, string>> = { x64: 'BOOTX64.EFI', ia32: 'BOOTIA32.EFI', aa64: 'BOOTAA64.EFI' };

export function architecturesOf(loaders: readonly string[]): UefiArchitectures {
  const upper = new Set(loaders.map((name) => name.toUpperCase()));
  return { x64: upper.has(loaderNames.x64), ia32: upper.has(loaderNames.ia32), aa64: upper.has(loaderNames.aa64) };
}

export function judgeBoot(input: VerdictInput): BootVerdict {
  const reasons: BootReason[] = [];
  const usbBios = input.biosChain ? judgeBiosChain(input.biosChain, reasons) : judgeUsbBios(input, reasons);
  const boardsFound = judgeBoards(input.boards, reasons);
  const { usbUefi, uefiFromElToritoOnly } = judgeUsbUefi(input, reasons);
  const opticalBios = judgeOpticalBios(input, reasons);
  const opticalUefi = judgeOpticalUefi(input, reasons);

  let usb: UsbBootability;
  if (usbBios || hasAny(usbUefi)) usb = 'yes';
  else if (uefiFromElToritoOnly) usb = 'depends-on-firmware';
  else if (input.isIso) usb = 'no';
  else {
    usb = 'unknown';
    // A board's own evidence says more than "unknown"; without any, the partitions are listed.
    if (!boardsFound) reasons.push({ code: 'disk-image-unknown', message: describeDiskImage(input) });
  }

  if ((opticalBios || hasAny(opticalUefi)) && usb === 'no') {
    reasons.push({
      code: 'non-hybrid-iso',
      message:
        'a non-hybrid ISO: it boots from optical media (El Torito), but its system area has neither MBR boot code nor a partition reaching an EFI loader, so written raw to a USB stick it will not boot; its files must be copied onto a FAT-formatted stick instead (as for most Windows installers)',
    });
  }
  noteLayout(input, reasons);
  return { usb, usbBios, usbUefi, opticalBios, opticalUefi, biosChain: input.biosChain, boards: input.boards, reasons };
}

/** BIOS on a USB stick runs the MBR's boot code, if sector 0 has any. */
function judgeUsbBios(input: VerdictInput, reasons: BootReason[]): boolean {
  const usbBios = input.mbr?.hasBootCode === true;
  if (usbBios) {
    reasons.push({
      code: 'usb-bios-mbr-boot-code',
      message: `sector 0 holds MBR boot code (${input.mbr?.bootCodeKind ?? 'unknown'}): BIOS runs it from a USB stick`,
    });
  } else {
    const why = input.mbr ? 'the MBR in sector 0 has no boot code (bytes 0-439 are zero)' : 'sector 0 holds no MBR (no 55 AA signature)';
    reasons.push({ code: 'usb-bios-no-boot-code', message: `${why}: BIOS finds nothing to run on a USB stick` });
  }
  return usbBios;
}

/** The El Torito entries for UEFI marked bootable. */
function bootableEfiEntries(input: VerdictInput): ElToritoEntry[] {
  return (input.elTorito?.entries ?? []).filter((entry) => entry.platform === 'efi' && entry.bootable);
}

/** UEFI on a USB stick starts a loader from an EFI system partition, or (EDK2 only) from El Torito. */
function judgeUsbUefi(input: VerdictInput, reasons: BootReason[]): { usbUefi: UefiArchitectures; uefiFromElToritoOnly: boolean } {
  const usbUefi = mergeArchitectures(input.espLoaders.map((esp) => architecturesOf(esp.loaders)));
  for (const esp of input.espLoaders) {
    reasons.push({
      code: 'usb-uefi-esp',
      message: `${esp.via.toUpperCase()} partition ${esp.partitionIndex} holds a FAT file system with EFI/BOOT: ${esp.loaders.join(', ') || 'no .EFI files'}`,
    });
  }
  // EDK2 reads El Torito only when no GPT claims the disk (a GPT needs a protective MBR, UEFI 2.10 5.2.3).
  const gptClaimsDisk = input.gpt !== null && input.mbr !== null && hasProtectivePartition(input.mbr);
  const elToritoEfi = bootableEfiEntries(input).find((entry) => hasAny(architecturesOf(entry.efiLoaders ?? [])));
  const uefiFromElToritoOnly = !hasAny(usbUefi) && !gptClaimsDisk && elToritoEfi !== undefined;
  if (elToritoEfi !== undefined && uefiFromElToritoOnly) {
    reasons.push({
      code: 'usb-uefi-el-torito-only',
      message: `no partition reaches an EFI loader, but the El Torito EFI image at sector ${elToritoEfi.imageLba} holds ${(elToritoEfi.efiLoaders ?? []).join(', ')}: EDK2-based firmware (OVMF, many PCs) reads El Torito from a USB stick and starts it, other firmware does not`,
    });
  } else if (!hasAny(usbUefi)) {
    reasons.push({
      code: 'usb-uefi-no-esp',
      message:
        input.mbr || input.gpt
          ? 'no MBR or GPT partition reaches a FAT file system with EFI/BOOT/BOOTX64.EFI, BOOTIA32.EFI or BOOTAA64.EFI: UEFI finds nothing to start on a USB stick'
          : 'there is no partition table (MBR or GPT): UEFI finds no EFI system partition on a USB stick',
    });
  }
  return { usbUefi, uefiFromElToritoOnly };
}

/** BIOS on optical media boots a bootable x86 entry of the El Torito catalog. */
function judgeOpticalBios(input: VerdictInput, reasons: BootReason[]): boolean {
  const biosEntries = (input.elTorito?.entries ?? []).filter((entry) => entry.platform === 'x86' && entry.bootable);
  const first = biosEntries[0];
  if (first) {
    reasons.push({
      code: 'optical-bios-entry',
      message: `El Torito catalog at sector ${input.elTorito?.catalogLba} has a bootable x86 entry (${first.emulation} emulation, image at sector ${first.imageLba})`,
    });
  } else {
    reasons.push({
      code: 'optical-bios-none',
      message: input.elTorito ? 'the El Torito catalog has no bootable x86 entry' : 'there is no El Torito boot record: BIOS cannot boot it from optical media',
    });
  }
  return first !== undefined;
}

/** UEFI on optical media starts a loader from the FAT image of a bootable EFI entry. */
function judgeOpticalUefi(input: VerdictInput, reasons: BootReason[]): UefiArchitectures {
  const efiEntries = bootableEfiEntries(input);
  for (const entry of efiEntries) {
    reasons.push({
      code: hasAny(architecturesOf(entry.efiLoaders ?? [])) ? 'optical-uefi-entry' : 'optical-uefi-none',
      message:
        entry.efiLoaders === undefined
          ? `the El Torito EFI image at sector ${entry.imageLba} is not a FAT file system`
          : `the El Torito EFI image at sector ${entry.imageLba} holds EFI/BOOT: ${entry.efiLoaders.join(', ') || 'no .EFI files'}`,
    });
  }
  if (efiEntries.length === 0) {
    reasons.push({
      code: 'optical-uefi-none',
      message: input.elTorito ? 'the El Torito catalog has no bootable EFI entry' : 'there is no El Torito boot record: UEFI cannot boot it from optical media',
    });
  }
  return mergeArchitectures(efiEntries.map((entry) => architecturesOf(entry.efiLoaders ?? [])));
}

/** What the layout says beside the answers: partitions past the image's end, an Apple partition map. */
function noteLayout(input: VerdictInput, reasons: BootReason[]): void {
  const pastEnd = [
    ...(input.mbr?.partitions ?? []).filter((partition) => !partition.withinImage).map((partition) => `MBR partition ${partition.index}`),
    ...(input.gpt?.partitions ?? []).filter((partition) => !partition.withinImage).map((partition) => `GPT partition ${partition.index}`),
  ];
  if (pastEnd.length > 0) {
    reasons.push({
      code: 'partition-past-end',
      message: `${pastEnd.join(', ')} end${pastEnd.length === 1 ? 's' : ''} past the end of the image: is the file truncated?`,
    });
  }
  if (input.apm) {
    reasons.push({
      code: 'apm-present',
      message: `an Apple Partition Map with ${input.apm.partitions.length} entries (${input.apm.blockSizeBytes}-byte blocks), for Macs`,
    });
  }
}

// What a disk image holds, for the "unknown" verdict: its partitions with their types and file
// systems (a Raspberry Pi's firmware, for one, starts from a FAT partition with no PC boot code at all).
function describeDiskImage(input: VerdictInput): string {
  const parts = [
    ...input.partitions.map(
      (partition) =>
        `${partition.scheme.toUpperCase()} ${partition.logical ? 'logical ' : ''}partition ${partition.number} (${partition.typeName ?? partition.typeCode}, ${partition.filesystem ?? 'no known file system'})`,
    ),
    ...(input.apm ? [`an Apple partition map with ${input.apm.partitions.length} entries`] : []),
  ];
  const found = parts.length > 0 ? parts.join(', ') : 'no partitions';
  return `a disk image, not an ISO: ${found}; no PC boot code, EFI loader or board firmware Isotope knows, so whether a device starts from it depends on that device`;
}

function mergeArchitectures(list: readonly UefiArchitectures[]): UefiArchitectures {
  return {
    x64: list.some((item) => item.x64),
    ia32: list.some((item) => item.ia32),
    aa64: list.some((item) => item.aa64),
  };
}

function hasAny(architectures: UefiArchitectures): boolean {
  return architectures.x64 || architectures.ia32 || architectures.aa64;
}
