// What the ISO composer (plan-iso.ts) is asked to make, and the plan it answers with: the tree, the
// namespaces, the identifiers and times, and the boot, all decided before a sector is placed. Both
// `isotope create` (create-request.ts) and `isotope remaster` (remaster-request.ts) build this.
import type { IsoLayoutSummary, IsoLevel } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** ECMA-119 8.4 identifiers of the Primary Volume Descriptor (also the Joliet and UDF volume ids). */
export interface VolumeIdentifiers {
  readonly volume: string;
  readonly volumeSet: string;
  readonly publisher: string;
  readonly preparer: string;
  readonly application: string;
  readonly system: string;
}

/** One El Torito boot entry (El Torito 2.0 section 2.2/2.4). */
export interface BootImageSpec {
  /** El Torito platform id: 0x00 80x86 (BIOS), 0xef EFI; others kept from a remastered original. */
  readonly platformId: number;
  /** El Torito table 7 boot media type: 0 no emulation, 1-3 floppies (1.2/1.44/2.88 MB), 4 hard disk. */
  readonly mediaType: number;
  /** Load segment (0 means the BIOS default 0x7C0). */
  readonly loadSegment: number;
  /** System type: the partition type of a hard-disk emulation image's partition, else 0. */
  readonly systemType: number;
  /** 512-byte virtual sectors the firmware loads; null: 4 for BIOS no-emulation (as mkisofs), the whole image (at most 0xffff) for EFI. */
  readonly loadSectorCount: number | null;
  /** Patch El Torito's boot info table (bytes 8-63: PVD LBA, image LBA, length, checksum), as mkisofs -boot-info-table. */
  readonly bootInfoTable: boolean;
  /** El Torito 2.0 2.2 boot indicator (0x88 bootable, 0x00 not); absent: bootable. A remaster keeps an original's not-bootable entry as it was. */
  readonly bootable?: boolean;
  /** GRUB's eltorito.img: also patch core.img's own address at byte 2548 (xorriso --grub2-boot-info), so it boots from a stick through boot_hybrid.img. */
  readonly grub2BootInfo?: boolean;
  /** The image: a file of the tree (by absolute path), or bytes outside the tree (a generated EFI image, a hidden image of the original). */
  readonly image: { readonly path: string } | { readonly source: ByteSource; readonly description: string };
  /** Hybrid layouts: give this image a partition in the MBR/GPT (the EFI image, as xorriso -isohybrid-gpt-basdat / -append_partition). */
  readonly partition: boolean;
}

/** The system area of a hybrid image (ISO 9660 sectors 0-15), so the same file boots as a stick. */
export interface HybridSpec {
  /** MBR boot code: the first 432 bytes of isohdpfx.bin or boot_hybrid.img (patched with the BIOS boot image's address); null: no BIOS boot as a disk. */
  readonly mbrBootCode: Uint8Array | null;
  /** A GPT beside the MBR (protective 0xEE entry, the EFI image as an EFI System Partition). */
  readonly gpt: boolean;
  /** An Apple Partition Map (kept from a remastered original that has one). */
  readonly apm: boolean;
}

export interface IsoAuthoringOptions {
  readonly root: AuthoringNode;
  readonly level: IsoLevel;
  readonly rockRidge: boolean;
  readonly joliet: boolean;
  readonly jolietLong: boolean;
  readonly udf: boolean;
  readonly ids: VolumeIdentifiers;
  /** Volume creation and modification time (ECMA-119 8.4.26-27, UDF recording times). */
  readonly recordedMs: number;
  /** Reproducible images: every file's times replaced by this one; null keeps each file's own. */
  readonly fixedFileTimesMs: number | null;
  /** Seed of every id that would otherwise be random (GPT GUIDs, UDF volume set and unique ids): equal seeds give equal bytes. */
  readonly identitySeed: string;
  readonly boot: { readonly entries: readonly BootImageSpec[]; readonly hybrid: HybridSpec | null };
  /** What boot detection found, carried into the plan summary ("isolinux/isolinux.bin: ..."). */
  readonly bootDetected: readonly string[];
  /** Warnings the builder of these options gathered (skipped sockets, ...), carried into the summary. */
  readonly warnings: readonly string[];
}

/** A planned image: its summary, and its bytes as a lazy source that reads through to the files. */
export interface PlannedIso {
  readonly summary: IsoLayoutSummary;
  readonly source: ByteSource;
  /**
   * The name of what lies at a byte offset ('file /boot/vmlinuz', 'ISO 9660 directory /boot'), or
   * null: the write's progress subject. Every file is named, not only those the summary lists.
   */
  readonly regionAt: (offsetBytes: number) => string | null;
}
