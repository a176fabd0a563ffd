// Making ISO images (issue 15): `iso:create` from folders and files, `iso:remaster` of an existing
// image with files added, removed or renamed. Both plan the whole layout from metadata first (the
// plan is what `--dry-run` prints and what the GUI previews), then stream the image to its file in one
// pass as a job. Sizes in bytes, sectors of 2048 bytes, times in epoch ms.

/** ECMA-119 7.5/7.6 (as xorriso's -iso_level): 1 is 8.3 names, 2 and 3 allow 31 characters; 3 also multi-extent files of 4 GiB and more. */
export type IsoLevel = 1 | 2 | 3;

/** What a new image's boot is made of; every field optional: without `detect: false` the tree is searched. */
export interface IsoBootOptions {
  /** Path in the new image's tree of a BIOS no-emulation boot image (isolinux/isolinux.bin, boot/grub/i386-pc/eltorito.img). */
  readonly biosImagePath?: string | null;
  /** Path in the tree of a FAT image for EFI (efi.img, boot/grub/efi.img), or 'generate' to make one from the tree's EFI/BOOT/. */
  readonly efiImagePath?: string | null;
  /** A file on disk whose first 432 bytes are an isohybrid MBR's boot code (syslinux's isohdpfx.bin, GRUB's boot_hybrid.img). */
  readonly hybridMbrPath?: string | null;
  /** Also a GPT (as xorriso -isohybrid-gpt-basdat) with the EFI image as a partition, so UEFI firmware boots the file as a stick. */
  readonly gpt?: boolean;
  /** Look for boot files in the tree when none are named (default true). */
  readonly detect?: boolean;
}

export interface IsoCreateOptions {
  /** The volume label (ECMA-119 volume identifier, also the Joliet and UDF one); default from the first source's name. */
  readonly label?: string;
  readonly publisher?: string;
  readonly preparer?: string;
  readonly application?: string;
  /** Default 3. */
  readonly level?: IsoLevel;
  /** Rock Ridge (default true): POSIX names, modes, owners, times, links, devices. */
  readonly rockRidge?: boolean;
  /** Joliet (default true): UCS-2 names of up to 64 characters for Windows. */
  readonly joliet?: boolean;
  /** Joliet names of up to 103 characters (beyond the specification; as mkisofs -joliet-long). */
  readonly jolietLong?: boolean;
  /** A UDF 1.02 bridge beside ISO 9660, sharing the file data (so Windows reads files of 4 GiB and more). */
  readonly udf?: boolean;
  /** Byte-identical output for the same input on any machine: fixed times, sorted order, stable ids, owners 0, modes normalised. */
  readonly reproducible?: boolean;
  /** The fixed time of a reproducible image, seconds since 1970 (the CLI takes SOURCE_DATE_EPOCH); default 0 when reproducible. */
  readonly sourceDateEpochSeconds?: number;
  /** Globs (as .gitignore: `*.tmp`, `build/`, `**\/.git`) of source paths left out, matched against paths relative to each source. */
  readonly excludes?: readonly string[];
  readonly boot?: IsoBootOptions;
}

export interface IsoCreateRequest {
  /** Absolute paths of folders (their contents become the image's root) and files (placed at the root). */
  readonly sources: readonly string[];
  /** Absolute path of the image to write. Through the contract: in the home folder or a folder chosen in the shell's dialog. */
  readonly outputPath: string;
  readonly options: IsoCreateOptions;
  /** Replace an existing file at outputPath; without it, an existing file is `file-exists`. */
  readonly overwrite?: boolean;
  /** Compute the image's SHA-256 while writing (default true); false writes only, like xorriso and genisoimage. */
  readonly sha256?: boolean;
}

/** One change a remaster makes to the original's tree. Paths in the image are absolute ('/preseed.cfg'). */
export type RemasterEdit =
  /** A file or folder on disk, placed at `imagePath` (a folder brings its whole tree). Replaces what is there. */
  | { readonly kind: 'add'; readonly sourcePath: string; readonly imagePath: string }
  | { readonly kind: 'remove'; readonly imagePath: string }
  | { readonly kind: 'rename'; readonly imagePath: string; readonly newImagePath: string };

export interface IsoRemasterRequest {
  /** Absolute path of the image to copy; it is never written. */
  readonly imagePath: string;
  readonly outputPath: string;
  readonly edits: readonly RemasterEdit[];
  /** A new volume label; default the original's. */
  readonly label?: string;
  readonly reproducible?: boolean;
  readonly sourceDateEpochSeconds?: number;
  readonly overwrite?: boolean;
  /** As IsoCreateRequest.sha256 (default true). */
  readonly sha256?: boolean;
}

/** One run of sectors the plan gives to one thing: a descriptor, a directory, a file, a boot image. */
export interface IsoPlanRegion {
  /** What it is: 'primary volume descriptor', 'directory /boot', 'file /boot/vmlinuz', 'boot catalog', 'UDF file set', ... */
  readonly name: string;
  readonly startLba: number;
  readonly sectorCount: number;
}

/** A boot entry the new image will have, and where it came from. */
export interface IsoPlannedBootEntry {
  readonly platform: 'bios' | 'efi' | 'other';
  /** El Torito 2.0 table 7: 'none' (no emulation) or a floppy or hard-disk emulation kept from a remastered original. */
  readonly emulation: 'none' | 'floppy' | 'hard-disk';
  /** The image's path in the tree, or a description of a boot image outside it ('hidden image from the original, 2.9 MiB', 'generated from /EFI/BOOT'). */
  readonly image: string;
  readonly bootInfoTable: boolean;
}

/** The layout plan (`--dry-run`, the GUI's preview): what the image will hold and where. */
export interface IsoLayoutSummary {
  readonly sizeBytes: number;
  readonly sectorCount: number;
  readonly fileCount: number;
  readonly directoryCount: number;
  /** Total bytes of file data (each hard-linked file counted once). */
  readonly fileBytes: number;
  readonly label: string;
  readonly level: IsoLevel;
  readonly namespaces: { readonly rockRidge: boolean; readonly joliet: boolean; readonly udf: boolean };
  /** Metadata, boot, directory and file regions in LBA order; per-file and per-directory regions are listed up to 2,000 each (then `regionsOmitted` counts the rest). */
  readonly regions: readonly IsoPlanRegion[];
  readonly regionsOmitted: number;
  readonly boot: {
    readonly entries: readonly IsoPlannedBootEntry[];
    readonly hybrid: { readonly mbr: boolean; readonly gpt: boolean; readonly apm: boolean };
    /** What boot detection found in the tree, in words for the plan ("isolinux/isolinux.bin: ISOLINUX, BIOS no-emulation with a boot info table"). */
    readonly detected: readonly string[];
  };
  /** Names changed to fit a namespace (ISO 9660 mangling, Joliet truncation, relocated deep folders), first 200. */
  readonly renamed: readonly { readonly path: string; readonly namespace: 'iso9660' | 'joliet' | 'rr-moved'; readonly recordedAs: string }[];
  readonly warnings: readonly string[];
}

/** What a finished create or remaster wrote (the `job:finished` result of kinds `create` and `remaster`). */
export interface IsoWriteResult {
  readonly jobId: string;
  readonly outputPath: string;
  readonly sizeBytes: number;
  /** SHA-256 of the image as written, computed while writing; null when the request asked for none (`sha256: false`). */
  readonly sha256Hex: string | null;
  readonly elapsedMs: number;
  readonly summary: IsoLayoutSummary;
}

/** `iso:pick-sources`: what the native dialog chooses. */
export interface IsoPickSourcesRequest {
  readonly kind: 'folder' | 'files';
}
