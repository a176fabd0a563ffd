// What the engine says about how an image boots (`image:boot`): the El Torito boot catalog, the
// partition maps of the system area (MBR, GPT, APM) and a verdict in plain data. Sizes in bytes,
// positions in the unit their structure uses (El Torito: 2048-byte sectors; MBR/GPT: 512-byte sectors).
import type { FilesystemKind } from './image.ts';

/** El Torito 1.0 2.1: platform ids 0 (80x86), 1 (PowerPC), 2 (Mac), 0xEF (EFI); other ids as numbers. */
export type ElToritoPlatform = 'x86' | 'ppc' | 'mac' | 'efi' | number;

/** El Torito 1.0 2.2 boot media type, bits 0-3. */
export type ElToritoEmulation = 'none' | 'floppy-1.2' | 'floppy-1.44' | 'floppy-2.88' | 'hard-disk';

export interface ElToritoEntry {
  /** The platform of the section (the validation entry's for the initial entry). */
  readonly platform: ElToritoPlatform;
  /** El Torito 1.0 2.2: boot indicator 0x88. */
  readonly bootable: boolean;
  readonly emulation: ElToritoEmulation;
  /** The catalog's raw load segment (0 means the BIOS default 0x7C0). */
  readonly loadSegment: number;
  /** The catalog's raw system type (partition type of a hard-disk emulation image). */
  readonly systemType: number;
  /** The catalog's raw sector count (virtual 512-byte sectors; 0 or a too-small value is common for EFI). */
  readonly sectorCount: number;
  /** Where the boot image starts, in 2048-byte sectors. */
  readonly imageLba: number;
  /** ISO path of the file whose extent starts at imageLba, when a directory reader was available. */
  readonly imagePath?: string;
  /** For EFI images holding a FAT file system: the files of EFI/BOOT ending in .EFI, as named on disk. */
  readonly efiLoaders?: readonly string[];
  /** True when bytes 8-23 of the image hold an El Torito boot-info table (mkisofs -boot-info-table). */
  readonly bootInfoTable: boolean;
  /** 0 for the initial/default entry, then 1, 2, ... for the section headers in catalog order. */
  readonly section: number;
}

export interface ElToritoReport {
  /** Sector of the boot catalog, from the boot record volume descriptor. */
  readonly catalogLba: number;
  /** The validation entry's ID string (manufacturer / developer), trimmed. */
  readonly validationId: string;
  readonly entries: readonly ElToritoEntry[];
}

/**
 * What the MBR's boot code looks like, from its known signatures: SYSLINUX's isohybrid code, GRUB 2's
 * boot.img, SYSLINUX's mbr.bin / gptmbr.bin (start the active partition / the GPT legacy-bootable one),
 * the MS-DOS/Windows code (starts the active partition).
 */
export type MbrBootCodeKind = 'none' | 'isohybrid' | 'grub2' | 'syslinux' | 'syslinux-gpt' | 'windows' | 'unknown';

export interface MbrPartition {
  /** Slot in the partition table, 1-4. */
  readonly index: number;
  /** The partition type byte (0xEF EFI system, 0xEE GPT protective, 0x00 empty, ...). */
  readonly type: number;
  /** Status 0x80. */
  readonly bootable: boolean;
  /** First sector, 512-byte units. */
  readonly startLba: number;
  /** Length in 512-byte sectors. */
  readonly sectorCount: number;
  /** False when the partition ends past the end of the image. */
  readonly withinImage: boolean;
}

export interface MbrReport {
  /** Bytes 0-439 are not all zero. */
  readonly hasBootCode: boolean;
  readonly bootCodeKind: MbrBootCodeKind;
  /** Non-empty slots only (type or size not zero). */
  readonly partitions: readonly MbrPartition[];
}

export interface GptPartition {
  /** Position in the partition entry array, 1-based. */
  readonly index: number;
  /** Canonical upper-case GUID text, e.g. C12A7328-F81F-11D2-BA4B-00A0C93EC93B. */
  readonly typeGuid: string;
  /** 'efi-system', 'basic-data', 'bios-boot', 'hfs-plus', 'linux' or null when not one of these. */
  readonly typeName: string | null;
  readonly partitionGuid: string;
  readonly name: string;
  /** 512-byte units, inclusive. */
  readonly firstLba: number;
  readonly lastLba: number;
  /** The 64-bit attribute field as 16 hex digits. */
  readonly attributes: string;
  readonly withinImage: boolean;
}

export interface GptReport {
  readonly diskGuid: string;
  readonly backupHeaderLba: number;
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  readonly entriesLba: number;
  readonly entryCount: number;
  readonly entrySizeBytes: number;
  /** Entries whose type GUID is not all zero. */
  readonly partitions: readonly GptPartition[];
}

export interface ApmPartition {
  /** Position in the map, 1-based; entry 1 is usually the map itself (Apple_partition_map). */
  readonly index: number;
  readonly name: string;
  readonly type: string;
  /** In units of the map's block size. */
  readonly startBlock: number;
  readonly blockCount: number;
}

export interface ApmReport {
  readonly blockSizeBytes: number;
  readonly partitions: readonly ApmPartition[];
}

/** UEFI 2.10 3.5.1.1 removable-media boot file names, per architecture Isotope judges. */
export interface UefiArchitectures {
  /** BOOTX64.EFI */
  readonly x64: boolean;
  /** BOOTIA32.EFI */
  readonly ia32: boolean;
  /** BOOTAA64.EFI */
  readonly aa64: boolean;
}

export const bootReasonCodes = [
  'usb-bios-mbr-boot-code', // the MBR carries boot code: BIOS runs it from a USB stick
  'usb-bios-no-boot-code', // no MBR boot code: BIOS has nothing to run from a USB stick
  'usb-uefi-esp', // a FAT partition with EFI/BOOT/BOOT*.EFI is reachable through MBR or GPT
  'usb-uefi-no-esp', // no partition reaches a FAT file system with a removable-media loader
  'usb-uefi-el-torito-only', // only an El Torito EFI entry: EDK2-based firmware (OVMF, many PCs) starts it from USB, others do not
  'disk-image-unknown', // a disk image (partitions, no PC boot code, no EFI loader): boards boot such images their own way
  'optical-bios-entry', // an El Torito entry for x86 BIOS
  'optical-bios-none', // no bootable El Torito entry for x86
  'optical-uefi-entry', // an El Torito EFI entry whose FAT image holds loaders
  'optical-uefi-none', // no usable El Torito EFI entry
  'non-hybrid-iso', // bootable from optical media only: written raw to USB it will not boot
  'apm-present', // an Apple Partition Map (old Macs boot it)
  'partition-past-end', // a partition ends past the end of the image (a truncated download?)
  'bios-grub-core', // GRUB's boot.img in the MBR and its core.img at the sector boot.img loads (post-MBR gap or BIOS boot partition)
  'bios-grub-core-missing', // GRUB's boot.img loads a sector that holds no GRUB core: BIOS stops with a GRUB error
  'bios-active-partition', // boot code that starts the active partition, and partition N is active with a boot sector
  'bios-no-active-partition', // boot code that starts the active partition, and none is active (or its first sector has no boot code)
  'bios-chain-past-end', // the sector the MBR code loads next (GRUB's core, the active partition's boot sector) lies past the image's end: unknown
  'raspberry-pi', // a FAT first partition with the Pi's firmware files: the generations they serve
  'u-boot', // a U-Boot loader at the offset an SoC's boot ROM reads: it boots on the board it was built for
  'u-boot-unrecognised', // a U-Boot SPL string in the first MiB, at no offset a known boot ROM reads
  'u-boot-damaged', // a loader's header where the boot ROM reads it, but its checksum does not match: the ROM refuses it
] as const;

export type BootReasonCode = (typeof bootReasonCodes)[number];

export interface BootReason {
  readonly code: BootReasonCode;
  /** Developer words with the numbers (partition index, sector); the renderer words it from `code`. */
  readonly message: string;
}

/**
 * Written raw to a USB stick, will a computer start from it? 'yes': BIOS boot code or an EFI loader
 * on a partition; 'no': an ISO with neither (and no El Torito EFI entry); 'depends-on-firmware': only
 * an El Torito EFI entry, which EDK2-based firmware reads from any block device and others ignore;
 * 'unknown': a disk image Isotope cannot judge (an SD-card image for a board boots by the board's rules).
 */
export type UsbBootability = 'yes' | 'no' | 'depends-on-firmware' | 'unknown';

/** How BIOS gets from the MBR's code to an operating system, as far as the bytes show (disk images only). */
export interface BiosBootChain {
  readonly bootCode: MbrBootCodeKind;
  /** GRUB's boot.img: the sector it loads core.img from (its kernel sector, boot.S offset 0x5c); null otherwise. */
  readonly grubCoreSector: number | null;
  /** Where that sector lies: the gap between the MBR and the first partition, a GPT BIOS boot partition, elsewhere; null when not GRUB. */
  readonly grubCoreLocation: 'post-mbr-gap' | 'bios-boot-partition' | 'elsewhere' | null;
  /** True when that sector holds GRUB's diskboot.img (the first sector of core.img); null when not GRUB or when the sector lies past the image's end. */
  readonly grubCoreFound: boolean | null;
  /** Code that starts the active partition (MBR status 0x80, or GPT attribute bit 2 for gptmbr.bin): its number; null when none is active. */
  readonly activePartition: number | null;
  /** True when the active partition's first sector holds boot code and the 55 AA signature (a volume boot record); null when none is active or it lies past the image's end. */
  readonly activeHasBootSector: boolean | null;
}

/**
 * Raspberry Pi SoC generations (Raspberry Pi documentation, "Processors"): BCM2835 Pi 1, Zero, CM1;
 * BCM2836 Pi 2; BCM2837 Pi 3, Zero 2 W, CM3 (and Pi 2 v1.2); BCM2711 Pi 4, 400, CM4; BCM2712 Pi 5, 500, CM5.
 */
export const raspberryPiGenerations = ['bcm2835', 'bcm2836', 'bcm2837', 'bcm2711', 'bcm2712'] as const;

export type RaspberryPiGeneration = (typeof raspberryPiGenerations)[number];

export interface RaspberryPiGenerationEvidence {
  readonly generation: RaspberryPiGeneration;
  /** The boot partition's files that serve this generation, as named on disk ("start4.elf", "bcm2711-rpi-4-b.dtb"). */
  readonly files: readonly string[];
  /** Firmware this generation needs that the partition lacks ("bootcode.bin", "fixup4*.dat"); empty when none is missing. */
  readonly missing: readonly string[];
}

export interface RaspberryPiBoot {
  /** The partition the firmware reads: the first, FAT. */
  readonly partitionNumber: number;
  /** The generations the firmware files serve, oldest first. */
  readonly generations: readonly RaspberryPiGenerationEvidence[];
  /** Boards the device trees name exactly, from bcm27xx-rpi-BOARD.dtb: "4-b", "400", "cm4", "zero-2-w". */
  readonly boards: readonly string[];
  /** config.txt and cmdline.txt, when present. */
  readonly configFiles: readonly string[];
}

/** SoC families whose boot ROM reads a loader from a fixed place of an SD card. */
export type UBootFamily = 'allwinner' | 'rockchip' | 'nxp-imx' | 'ti-omap' | 'amlogic' | 'unknown';

export interface UBootLoader {
  readonly family: UBootFamily;
  /** Where the loader's boot header lies in the image (the MLO file's first byte for TI). */
  readonly offsetBytes: number;
  /** What was found, with the offsets, in developer words ("eGON.BT0 at byte 8196"). */
  readonly evidence: string;
  /** The board or SoC the header names (an Allwinner SPL's device tree "sun50i-a64-pine64-plus", Rockchip's "RK33"); null when it names none. */
  readonly board: string | null;
  /** The U-Boot version string in the loader ("U-Boot SPL 2023.01 (...)"); null when none was found. */
  readonly version: string | null;
  /** Why the boot ROM refuses this loader (its header's checksum does not match its bytes), with the numbers; absent when its header checks out. */
  readonly damaged?: string;
}

/** Boards that start from an SD card by their own rules, not a PC's. */
export interface BoardBoot {
  readonly raspberryPi: RaspberryPiBoot | null;
  readonly uBoot: UBootLoader | null;
}

export interface BootVerdict {
  /** The overall answer for a raw-written USB stick; the reasons say why. */
  readonly usb: UsbBootability;
  /** PC BIOS runs the MBR's boot code (false also when there is none to judge: see `usb`). */
  readonly usbBios: boolean;
  /** UEFI architectures with a removable-media loader on a partition (El Torito alone counts in `usb` only). */
  readonly usbUefi: UefiArchitectures;
  readonly opticalBios: boolean;
  readonly opticalUefi: UefiArchitectures;
  /** How BIOS goes on from the MBR's code (GRUB core, active partition); null for an ISO or without boot code. */
  readonly biosChain: BiosBootChain | null;
  /** Raspberry Pi firmware and U-Boot loaders found (disk images only; both null for an ISO). */
  readonly boards: BoardBoot;
  readonly reasons: readonly BootReason[];
}

/** A disk image's partition as the boot report lists it: number, type and file system. */
export interface BootPartition {
  /** MBR primaries 1-4, logicals 5, 6, ... (Linux's numbering); GPT entry index. */
  readonly number: number;
  readonly scheme: 'mbr' | 'gpt';
  readonly logical: boolean;
  /** The MBR type byte as "0x0c", or the GPT type GUID. */
  readonly typeCode: string;
  readonly typeName: string | null;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** MBR status 0x80, or GPT attribute bit 2 (legacy BIOS bootable). */
  readonly bootable: boolean;
  /** The file system its first bytes hold; null when no known signature is there. */
  readonly filesystem: FilesystemKind | null;
}

export interface BootReport {
  readonly elTorito: ElToritoReport | null;
  readonly mbr: MbrReport | null;
  readonly gpt: GptReport | null;
  readonly apm: ApmReport | null;
  /** FAT file systems with removable-media loaders found through the partition maps. */
  readonly espLoaders: readonly EspLoaders[];
  /** A disk image's partitions (MBR primaries and logicals, or GPT) with their file systems; empty for an ISO. */
  readonly partitions: readonly BootPartition[];
  /** Anomalies found while reading that did not stop the report (a bad partition entry is skipped, not fatal). */
  readonly warnings: readonly BootWarning[];
  readonly verdict: BootVerdict;
  /** Secure Boot pre-check of every EFI loader found (issue 18); absent when the caller did not ask for it. */
  readonly secureBoot?: SecureBootReport;
}

/** A certificate of an Authenticode signature that verified: the signer, then each issuer that verified it. */
export interface SecureBootSigner {
  readonly subjectCommonName: string;
  readonly issuerCommonName: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

/**
 * One loader's Secure Boot standing: 'revoked' (DBX or SBAT), 'unsigned' (no signature over these
 * bytes verified: boots only with Secure Boot off), 'microsoft-2011-only' (a Microsoft 2011 CA and no
 * 2023 CA), 'microsoft' (a 2023 CA), 'other-signer' (a key firmware trusts only when enrolled, or
 * through shim), 'unreadable' (its PE or signature is corrupt: `error` says where).
 */
export type SecureBootLoaderVerdict = 'revoked' | 'unsigned' | 'microsoft-2011-only' | 'microsoft' | 'other-signer' | 'unreadable';

export interface SecureBootLoader {
  /** Where it was found: "El Torito image at sector 34: /EFI/BOOT/BOOTX64.EFI", "GPT partition 2: /EFI/BOOT/grubx64.efi". */
  readonly path: string;
  readonly architecture: string;
  /** Lower-case hex, computed in this run (Authenticode PE spec, "Calculating the PE Image Hash"); '' when unreadable. */
  readonly authenticodeSha256: string;
  readonly dbxRevoked: boolean;
  readonly sbat: readonly { component: string; generation: number; vendor: string; package: string; version: string; url: string }[] | null;
  /** Components below the SBAT level, as "grub,3 < 4". */
  readonly sbatRevoked: readonly string[];
  /** The certificates of every signature that verified over this file's hash (signer first, then its verified issuers). */
  readonly signers: readonly SecureBootSigner[];
  readonly verdict: SecureBootLoaderVerdict;
  /** Why the loader is unreadable, with the offset. */
  readonly error?: string;
}

/** Per architecture: 'refused' when any of its loaders is revoked, otherwise its removable-media loader's (BOOT*.EFI) standing. */
export type SecureBootArchitectureVerdict = 'refused' | Exclude<SecureBootLoaderVerdict, 'revoked'>;

export interface SecureBootReport {
  readonly loaders: readonly SecureBootLoader[];
  readonly byArchitecture: readonly { architecture: string; verdict: SecureBootArchitectureVerdict }[];
  /** The older of the DBX and SBAT level dates (YYYY-MM-DD) of the revocation data judged by: how current the data is. */
  readonly dataDate: string;
  /** What the revocation data's reader skipped (an architecture it does not know); absent when nothing was. */
  readonly dataWarnings?: readonly string[];
}

/**
 * Why an architecture is refused, as the verdict line names it: "DBX" when a loader's hash is in
 * the DBX, "SBAT: grub,4 < 5" for each component below the SBAT level. Empty when nothing is revoked.
 */
export function secureBootRevocations(report: SecureBootReport, architecture: string): string[] {
  const own = report.loaders.filter((loader) => loader.architecture === architecture);
  const sbat = new Set(own.flatMap((loader) => loader.sbatRevoked.map((entry) => `SBAT: ${entry}`)));
  return [...(own.some((loader) => loader.dbxRevoked) ? ['DBX'] : []), ...sbat];
}

export const bootWarningCodes = [
  'gpt-entry-anomaly', // a GPT entry ends before it starts (xorriso writes zero-size entries, start = end + 1): left out of the partitions
  'fat-partition-damaged', // a FAT partition the board probes read (Raspberry Pi firmware, TI's MLO) is damaged: what it holds is unknown
] as const;

export type BootWarningCode = (typeof bootWarningCodes)[number];

export interface BootWarning {
  readonly code: BootWarningCode;
  /** Developer words with the numbers (entry index, LBAs); the renderer words it from `code`. */
  readonly message: string;
}

export interface EspLoaders {
  /** Which map reaches it. */
  readonly via: 'mbr' | 'gpt';
  /** Partition index in that map. */
  readonly partitionIndex: number;
  /** Files of EFI/BOOT ending in .EFI, as named on disk. */
  readonly loaders: readonly string[];
}
