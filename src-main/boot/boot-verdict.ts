// The boot verdict: pure rules over the parsed structures, each answer with its reason. USB rules
// follow what firmware does with a raw-written stick: BIOS runs the MBR's boot code; UEFI (2.10
// 3.5.1.1, 5.2.3) mounts FAT partitions found through the GPT (or the MBR when it is not protective)
// and starts EFI/BOOT/BOOT<arch>.EFI. Optical rules follow the El Torito catalog.
import type {
  ApmReport,
  BootReason,
  BootVerdict,
  ElToritoReport,
  EspLoaders,
  GptReport,
  MbrReport,
  UefiArchitectures,
} from '../../shared/boot.ts';

export interface VerdictInput {
  readonly elTorito: ElToritoReport | null;
  readonly mbr: MbrReport | null;
  readonly gpt: GptReport | null;
  readonly apm: ApmReport | null;
  readonly espLoaders: readonly EspLoaders[];
}

/** UEFI 2.10 table 3-2: removable-media boot file names. */
const loaderNames: Readonly<Record<keyof UefiArchitectures, string>> = { x64: 'BOOTX64.EFI', ia32: 'BOOTIA32.EFI', aa64: 'BOOTAA64.EFI' };

export function architecturesOf(loaders: readonly string[]): UefiArchitectures {
  const upper = new Set(loaders.map((name) => name.toUpperCase()));
  return { x64: upper.has(loaderNames.x64), ia32: upper.has(loaderNames.ia32), aa64: upper.has(loaderNames.aa64) };
}

export function judgeBoot(input: VerdictInput): BootVerdict {
  const reasons: BootReason[] = [];

  const usbBios = input.mbr?.hasBootCode === true;
  if (usbBios) {
    reasons.push({ code: 'usb-bios-mbr-boot-code', message: `sector 0 holds MBR boot code (${input.mbr?.bootCodeKind ?? 'unknown'}): BIOS runs it from a USB stick` });
  } else {
    const why = input.mbr ? 'the MBR in sector 0 has no boot code (bytes 0-439 are zero)' : 'sector 0 holds no MBR (no 55 AA signature)';
    reasons.push({ code: 'usb-bios-no-boot-code', message: `${why}: BIOS finds nothing to run on a USB stick` });
  }

  const usbUefi = mergeArchitectures(input.espLoaders.map((esp) => architecturesOf(esp.loaders)));
  for (const esp of input.espLoaders) {
    reasons.push({
      code: 'usb-uefi-esp',
      message: `${esp.via.toUpperCase()} partition ${esp.partitionIndex} holds a FAT file system with EFI/BOOT: ${esp.loaders.join(', ') || 'no .EFI files'}`,
    });
  }
  if (!hasAny(usbUefi)) {
    reasons.push({
      code: 'usb-uefi-no-esp',
      message:
        input.mbr || input.gpt
          ? 'no MBR or GPT partition reaches a FAT file system with EFI/BOOT/BOOTX64.EFI, BOOTIA32.EFI or BOOTAA64.EFI: UEFI finds nothing to start on a USB stick'
          : 'there is no partition table (MBR or GPT): UEFI finds no EFI system partition on a USB stick',
    });
  }

  const entries = input.elTorito?.entries ?? [];
  const biosEntries = entries.filter((entry) => entry.platform === 'x86' && entry.bootable);
  const opticalBios = biosEntries.length > 0;
  if (opticalBios) {
    const first = biosEntries[0];
    reasons.push({
      code: 'optical-bios-entry',
      message: `El Torito catalog at sector ${input.elTorito?.catalogLba} has a bootable x86 entry (${first?.emulation} emulation, image at sector ${first?.imageLba})`,
    });
  } else {
    reasons.push({
      code: 'optical-bios-none',
      message: input.elTorito ? 'the El Torito catalog has no bootable x86 entry' : 'there is no El Torito boot record: BIOS cannot boot it from optical media',
    });
  }

  const efiEntries = entries.filter((entry) => entry.platform === 'efi' && entry.bootable);
  const opticalUefi = mergeArchitectures(efiEntries.map((entry) => architecturesOf(entry.efiLoaders ?? [])));
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

  if ((opticalBios || hasAny(opticalUefi)) && !usbBios && !hasAny(usbUefi)) {
    reasons.push({
      code: 'non-hybrid-iso',
      message:
        'a non-hybrid ISO: it boots from optical media (El Torito), but its system area has neither MBR boot code nor a partition reaching an EFI loader, so written raw to a USB stick it will not boot; its files must be copied onto a FAT-formatted stick instead (as for most Windows installers)',
    });
  }

  const pastEnd = [
    ...(input.mbr?.partitions ?? []).filter((partition) => !partition.withinImage).map((partition) => `MBR partition ${partition.index}`),
    ...(input.gpt?.partitions ?? []).filter((partition) => !partition.withinImage).map((partition) => `GPT partition ${partition.index}`),
  ];
  if (pastEnd.length > 0) {
    reasons.push({ code: 'partition-past-end', message: `${pastEnd.join(', ')} end${pastEnd.length === 1 ? 's' : ''} past the end of the image: is the file truncated?` });
  }
  if (input.apm) {
    reasons.push({ code: 'apm-present', message: `an Apple Partition Map with ${input.apm.partitions.length} entries (${input.apm.blockSizeBytes}-byte blocks), for Macs` });
  }

  return { usbBios, usbUefi, opticalBios, opticalUefi, reasons };
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
