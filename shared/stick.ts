// How a stick is made from an image: raw (the image's bytes as they are) or copy files (a fresh
// partition table and FAT32 file system holding the image's files, the way Rufus and WoeUSB make
// Windows and non-hybrid sticks), and how a stick is restored to a normal one (format) or backed up.
import type { UefiArchitectures, UsbBootability } from './boot.ts';

/** What the user asks for; `auto` lets the engine choose and say why. */
export const writeModeRequests = ['auto', 'raw', 'copy'] as const;
export type WriteModeRequest = (typeof writeModeRequests)[number];

export type WriteMode = 'raw' | 'copy';

/** Why the engine chose a mode (or that the user chose it). */
export const writeModeReasons = [
  'hybrid-iso', // the ISO carries an MBR or GPT of its own (isohybrid): its bytes boot as they are
  'disk-image', // a partitioned disk image, not an ISO: written as it is
  'not-a-file-system-image', // no ISO 9660 or UDF tree to copy files from: written as it is
  'no-efi-loader', // an ISO that is neither hybrid nor holds an EFI loader: copying its files would not boot either
  'el-torito-efi-not-hybrid', // El Torito with an EFI loader but no MBR/GPT: written raw, only firmware that looks for El Torito on USB disks boots it (OVMF does, many PCs do not)
  'windows-installer', // a Windows installer (UDF, sources/install.wim or boot.wim): only its files on FAT32 boot
  'chosen-by-user', // --mode raw|copy or the Write screen's choice
] as const;
export type WriteModeReason = (typeof writeModeReasons)[number];

export interface WriteModeChoice {
  readonly mode: WriteMode;
  readonly reason: WriteModeReason;
}

export type PartitionTableChoice = 'mbr' | 'gpt';
export type NewFileSystem = 'fat32' | 'exfat';

/** install.wim is split into .swm parts of at most this size by default (wimlib-imagex split 4095 MiB, under FAT32's 4 GiB). */
export const defaultWimPartBytes = 4095 * 1024 * 1024;

/** The host's regional settings as Windows Setup names them (autounattend.xml International-Core). */
export interface WindowsRegionalSettings {
  /** BCP 47 tag, e.g. "en-GB": InputLocale, SystemLocale, UILanguage, UserLocale. */
  readonly locale: string;
  /** A Windows time zone id, e.g. "GMT Standard Time" (Shell-Setup TimeZone); null when the host's is unknown. */
  readonly windowsTimeZone: string | null;
}

/** Rufus's Windows options, written as autounattend.xml at the stick's root; each is off unless chosen. */
export interface WindowsSetupOptions {
  /** Skip the TPM 2.0, Secure Boot and RAM checks of Windows 11 Setup (LabConfig Bypass*Check). */
  readonly skipHardwareChecks: boolean;
  /** Skip the online-account requirement and create this local account; null: none. */
  readonly localAccountName: string | null;
  /** Take regional settings from this computer; null: Setup asks. */
  readonly regional: WindowsRegionalSettings | null;
}

export const noWindowsOptions: WindowsSetupOptions = { skipHardwareChecks: false, localAccountName: null, regional: null };

/** What copy-files mode needs beyond the image and the drive. Plain data: it crosses to the elevated helper. */
export interface CopyModeOptions {
  readonly table: PartitionTableChoice;
  /** The largest .swm part; defaultWimPartBytes unless a test asks for smaller. */
  readonly wimPartBytes: number;
  readonly windows: WindowsSetupOptions;
}

/**
 * What a stick written in a mode will do (stick/predictStickBoot). Copy mode: UEFI starts the
 * EFI/BOOT loaders copied onto FAT32, PC BIOS nothing (copy mode installs no BIOS loader: "UEFI
 * only"); raw: the image's own verdict for a raw-written USB stick.
 */
export interface StickBootPrediction {
  readonly mode: WriteMode;
  /** The overall answer, in the boot verdict's words. */
  readonly usb: UsbBootability;
  /** PC BIOS starts it. */
  readonly bios: boolean;
  /** UEFI architectures with a removable-media loader on the stick. */
  readonly uefi: UefiArchitectures;
}
