// What the engine says about an image file it has opened, and about the files inside it. Sizes in
// bytes, times in epoch ms; paths inside an image are absolute from its root ("/", "/docs/a.txt").

/**
 * 'udf' for a UDF-only image; an ISO/UDF bridge is 'iso9660' with `udf` details too; 'disk' for a disk
 * image (an MBR or GPT partition table, or one bare file system such as a FAT or ext4 image) with
 * `disk` details. A hybrid ISO is 'iso9660' and has `disk` details too.
 */
export type ImageFormat = 'iso9660' | 'udf' | 'disk' | 'unknown';

/**
 * Which directory tree names the files: an ISO 9660 view (Rock Ridge, Joliet, plain), UDF, or
 * 'partitions': a disk image's partitions as the top-level folders ("1-bootfs (FAT32)/"), each browsed
 * by its own file system. 'fat', 'exfat' and 'ext' name the trees of single file systems (a FAT volume
 * read back from a stick, a partition's file system): never a choice for an image (not in imageNamespaces).
 */
export type ImageNamespace = 'iso9660' | 'joliet' | 'rockridge' | 'udf' | 'partitions' | 'fat' | 'exfat' | 'ext';
export const imageNamespaces = ['iso9660', 'joliet', 'rockridge', 'udf', 'partitions'] as const satisfies readonly ImageNamespace[];
export type ImageNamespaceChoice = ImageNamespace | 'auto';

export interface ImageSummary {
  /** Absolute path of the image on the engine's machine. */
  readonly path: string;
  /** Final path component, for display. */
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** 'iso9660' when sector 16 holds a primary volume descriptor (ECMA-119 8.4). */
  readonly format: ImageFormat;
  /** Volume identifier of the primary volume descriptor, trailing spaces removed; null when absent or not an ISO. */
  readonly volumeLabel: string | null;
  /** Volume space size from the primary volume descriptor, in bytes (logical block size x block count). */
  readonly volumeSizeBytes: number | null;
  /** Details of the ISO 9660 volume; null when the file is not ISO 9660. */
  readonly iso: IsoVolumeInfo | null;
  /** Present when the file is a raw disc container (BIN/CUE, Nero NRG) read through its data track. */
  readonly container?: ImageContainer;
  /** Details of the UDF volume, present when the image has one (UDF-only or an ISO/UDF bridge). */
  readonly udf?: UdfVolumeInfo;
  /** The namespaces that can name files (ISO 9660 views, UDF, partitions), best first; the first is what `auto` picks. Present with `udf` or `disk`. */
  readonly namespaces?: readonly ImageNamespace[];
  /** A disk image's partition table and partitions, each with its file system; also a hybrid ISO's. */
  readonly disk?: DiskImageInfo;
  /**
   * Present when the file is compressed (.xz, .gz, .zst, .bz2, .zip): `sizeBytes` and everything else
   * describe the decoded image, and this says how it is stored and read.
   */
  readonly compression?: CompressionInfo;
}

/** Compression formats of images, recognised by their magic bytes (never by the file name). */
export type ImageCompression = 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'zip';

/**
 * How the decoded bytes of a compressed image are read: 'random-access' straight from the compressed
 * file (xz blocks through its index, zstd frames, a zip entry stored uncompressed); 'decoded-cache'
 * from a cache file decoded earlier (`image:decode`); 'needs-decoding' when neither is possible yet:
 * nothing inside can be listed until `image:decode` has built the cache file.
 */
export type CompressedAccess = 'random-access' | 'decoded-cache' | 'needs-decoding';

export interface CompressionInfo {
  readonly kind: ImageCompression;
  /** Size of the compressed file on disk. */
  readonly compressedSizeBytes: number;
  /** The real size of the image once decoded; null when the format does not record it and no decode has run yet. */
  readonly decodedSizeBytes: number | null;
  readonly access: CompressedAccess;
  /** For a .zip: the entry read as the image. */
  readonly entryName?: string;
}

/** One decoded cache file (listed in Settings, where the user can clear it). */
export interface DecodedCacheEntry {
  /** Where the cache file lies (in Isotope's data folder). */
  readonly cachePath: string;
  /** The compressed image it was decoded from, as it was named. */
  readonly imagePath: string;
  readonly compression: ImageCompression;
  readonly decodedSizeBytes: number;
  /** Space the file takes on disk (zero runs are left sparse, so often less than decodedSizeBytes). */
  readonly diskBytes: number;
  readonly createdMs: number;
  /** Last time a listing, a flash or a checksum pass read it. */
  readonly lastUsedMs: number;
}

/** File systems Isotope recognises by their signatures; the first ten it can browse. */
export type FilesystemKind =
  | 'fat12'
  | 'fat16'
  | 'fat32'
  | 'exfat'
  | 'ext2'
  | 'ext3'
  | 'ext4'
  | 'iso9660'
  | 'udf'
  | 'ntfs'
  | 'btrfs'
  | 'f2fs'
  | 'xfs'
  | 'swap'
  | 'luks'
  | 'squashfs'
  | 'hfsplus'
  | 'apfs'
  | 'lvm'
  | 'zfs';

export interface FilesystemInfo {
  readonly kind: FilesystemKind;
  /** The volume label as recorded (FAT/exFAT label, ext volume name, ISO volume identifier); null when empty. */
  readonly label: string | null;
  /** The identifier blkid shows: ext/btrfs UUID "0f3c…-…", FAT volume id "A1B2-C3D4", exFAT serial; null when none. */
  readonly uuid: string | null;
  /** The file system's own size (clusters or blocks times their size). */
  readonly sizeBytes: number;
  /** Space in use (FAT/exFAT by the allocation table or bitmap, ext by the superblock's free counts); null when not judged. */
  readonly usedBytes: number | null;
  /** True when Isotope can list its files; false for NTFS, btrfs, LUKS and the other signature-only kinds, or a damaged volume. */
  readonly browsable: boolean;
  /** Why a recognised file system cannot be browsed (signature only, or the damage found); absent when browsable. */
  readonly notBrowsableReason?: string;
  /** Which kind of reason that is, for the words shown (the reason itself is the detail); absent when browsable. */
  readonly notBrowsableKind?: NotBrowsableKind;
}

/**
 * Why a recognised file system lists no files: 'signature-only' (a kind Isotope has no reader for,
 * NTFS, btrfs ...), 'damaged' (its reader found the structures broken), 'unsupported' (intact, but it
 * uses a feature the reader cannot decode, such as ext4 encryption): not damage.
 */
export type NotBrowsableKind = 'signature-only' | 'damaged' | 'unsupported';

export interface DiskPartitionInfo {
  /**
   * The number users and scripts address it by, and its folder's first part: MBR primaries 1-4 by
   * slot, logical partitions 5, 6, ... in chain order (Linux's numbering); GPT by entry index. 0 for
   * the whole image when it holds one bare file system and no partition table.
   */
  readonly number: number;
  readonly scheme: 'mbr' | 'gpt' | 'none';
  /** An MBR logical partition (inside an extended one). */
  readonly logical: boolean;
  /** The MBR type byte as "0x0c", or the GPT type GUID. */
  readonly typeCode: string;
  /** The type's name ("W95 FAT32 (LBA)", "EFI System", "Linux filesystem"); null when not known. */
  readonly typeName: string | null;
  /** The GPT partition name; null for MBR or when empty. */
  readonly name: string | null;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** MBR status 0x80 (active), or GPT attribute bit 2 (legacy BIOS bootable). */
  readonly bootable: boolean;
  /** False when the partition ends past the end of the image. */
  readonly withinImage: boolean;
  /** What its first bytes hold; null when no known signature is there. */
  readonly filesystem: FilesystemInfo | null;
  /** Its folder's name in the 'partitions' view: number, label (else GPT name), file system, e.g. "1-bootfs (FAT32)". */
  readonly folderName: string;
}

export interface DiskImageInfo {
  /** 'none': the image is one bare file system (a FAT or ext4 image made without a partition table). */
  readonly partitionTable: 'mbr' | 'gpt' | 'none';
  readonly partitions: readonly DiskPartitionInfo[];
  /**
   * Bytes a target needs to hold every partition (and the GPT backup header): where the last of them
   * ends, never more than the image. A card smaller than the image but at least this big holds it all.
   */
  readonly requiredTargetBytes: number;
  /** What is odd about the table (overlapping partitions, partitions past the end), with the numbers. */
  readonly warnings: readonly string[];
}

/** How the bytes of an image are stored: a plain 2048-byte-sector image, a CUE sheet with BIN files, or Nero NRG. */
export type ImageContainerKind = 'iso' | 'bin-cue' | 'nrg';

/** Track modes of CUE sheets and Nero images, in CUE sheet spelling. */
export type DiscTrackMode = 'MODE1/2048' | 'MODE1/2352' | 'MODE2/2048' | 'MODE2/2336' | 'MODE2/2352' | 'MODE1/2448' | 'MODE2/2448' | 'AUDIO';

export interface DiscTrack {
  readonly number: number;
  readonly mode: DiscTrackMode;
  readonly sectorSizeBytes: number;
  /** Null for a track stored in a compressed audio file (a CUE sheet's WAVE/MP3/AIFF FILE), whose sector count is not stored. */
  readonly sectorCount: number | null;
  /** The file holding the track (the BIN file's name for a CUE sheet, the NRG itself otherwise). */
  readonly fileName: string;
  /** True for the one data track the image is read through; audio and later data tracks are skipped. */
  readonly used: boolean;
}

export interface ImageContainer {
  readonly kind: ImageContainerKind;
  readonly tracks: readonly DiscTrack[];
  /** Size of the container file(s) on disk; the summary's sizeBytes is the data track as 2048-byte sectors. */
  readonly containerSizeBytes: number;
}

export interface UdfVolumeInfo {
  /** OSTA UDF revision from the logical volume's domain identifier, e.g. "1.02", "2.50". */
  readonly revision: string;
  readonly logicalVolumeIdentifier: string;
  readonly volumeIdentifier: string;
  readonly volumeSetIdentifier: string;
  readonly fileSetIdentifier: string;
  readonly logicalBlockSizeBytes: number;
  /** Partition map kinds in order: "physical", "metadata", "virtual", "sparable". */
  readonly partitionMaps: readonly string[];
  readonly recordedMs: number | null;
  /** True when the ISO 9660 tree beside it is only a stub (the Windows "This disc contains a UDF file system" README). */
  readonly isoTreeIsStub: boolean;
  /** Windows installer files found in the UDF tree; null when it does not look like one. */
  readonly windowsInstaller: WindowsInstallerInfo | null;
  /** The largest file of the UDF tree (FAT32 cannot hold files of 4 GiB and more). */
  readonly largestFile: { readonly path: string; readonly sizeBytes: number } | null;
  readonly fileCount: number;
}

export interface WindowsInstallerInfo {
  /** "/sources/install.wim" or "/sources/install.esd" as recorded. */
  readonly installImagePath: string;
  readonly installImageSizeBytes: number;
  readonly hasBootmgr: boolean;
  readonly hasEfiBoot: boolean;
}

export interface IsoVolumeInfo {
  /** The structures found: "iso9660", "joliet", "rockridge", "el-torito", "iso9660-1999", "zisofs"... */
  readonly formats: readonly string[];
  /** The namespaces that can name files, best first; the first is what `auto` picks. */
  readonly namespaces: readonly ImageNamespace[];
  readonly jolietLevel: 1 | 2 | 3 | null;
  /** Joliet volume identifier (UCS-2), often longer than the primary one. */
  readonly jolietVolumeLabel: string | null;
  /** Extension identifiers from the Rock Ridge ER entry, e.g. "RRIP_1991A", "IEEE_P1282". */
  readonly rockRidgeExtensions: readonly string[];
  readonly logicalBlockSizeBytes: number;
  readonly systemIdentifier: string;
  readonly volumeSetIdentifier: string;
  readonly publisherIdentifier: string;
  readonly dataPreparerIdentifier: string;
  readonly applicationIdentifier: string;
  readonly creationMs: number | null;
  readonly modificationMs: number | null;
  readonly expirationMs: number | null;
  readonly effectiveMs: number | null;
  /** Boot system identifiers of boot record descriptors (ECMA-119 8.2), e.g. "EL TORITO SPECIFICATION". */
  readonly bootSystemIdentifiers: readonly string[];
}

export type ImageEntryType = 'file' | 'directory' | 'symlink' | 'other';

/** One file, folder or link inside an image, whichever namespace named it. */
export interface ImageEntry {
  /** Absolute from the image root, no trailing slash ("/" only for the root itself). */
  readonly path: string;
  readonly name: string;
  readonly type: ImageEntryType;
  /** Content size (after zisofs decompression); a directory's extent size; 0 for links. */
  readonly sizeBytes: number;
  /** Symbolic link target (Rock Ridge SL), as recorded. */
  readonly target?: string;
  /** POSIX st_mode (Rock Ridge PX). */
  readonly mode?: number;
  readonly mtimeMs?: number;
  /** True when the file is stored zisofs-compressed (read transparently). */
  readonly compressed?: boolean;
  /** Owner and group ids, where the file system records them (Rock Ridge PX, UDF File Entry, ext inode). */
  readonly uid?: number;
  readonly gid?: number;
  /** FAT and exFAT attributes that are set (FAT spec 6, exFAT 7.4.4). */
  readonly attributes?: readonly FileAttribute[];
  /** A partition's folder in the 'partitions' view: which partition, and whether its files can be listed. */
  readonly partition?: {
    readonly number: number;
    readonly filesystem: FilesystemKind | null;
    readonly browsable: boolean;
    /** Why it is not browsable, when a file system was recognised (FilesystemInfo.notBrowsableKind). */
    readonly notBrowsableKind?: NotBrowsableKind;
  };
}

export type FileAttribute = 'read-only' | 'hidden' | 'system' | 'archive';

export interface ImageListRequest {
  /** Absolute path of the image file. */
  readonly path: string;
  /** Directory inside the image; "/" for the root. */
  readonly directory: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
  /** List the whole subtree instead of one level. */
  readonly recursive?: boolean | undefined;
  /** Entries of the listing to skip: the previous page's `nextOffset`; 0 when absent. */
  readonly offset?: number | undefined;
  /** Most entries wanted in this page; the engine never gives more than imageListPageMaxEntries. */
  readonly maxEntries?: number | undefined;
}

/**
 * A listing is answered a page at a time, so no answer outgrows what a transport can carry: a
 * hostile image can describe millions of entries, and one JSON string of them ended the web shell
 * (V8's strings stop at 2^29 characters). A page holds at most this many entries...
 */
export const imageListPageMaxEntries = 10_000;

/**
 * ...and at most about this many characters of paths, names and link targets (an entry can carry
 * 4 KiB paths): a page of long names ends earlier. A page always holds at least one entry.
 */
export const imageListPageMaxTextChars = 4 * 1024 * 1024;

export interface ImageListing {
  readonly namespace: ImageNamespace;
  /** One page of entries, from the request's `offset` on, in the engine's order (a folder's own order; a subtree depth-first). */
  readonly entries: readonly ImageEntry[];
  /** The `offset` of the next page; null when this page ends the listing. */
  readonly nextOffset: number | null;
}

/** The same file naming as a preview: an image, a path inside it, and which names. */
export type ImageStatRequest = ImagePreviewRequest;

export interface ImagePreviewRequest {
  readonly path: string;
  /** File inside the image. */
  readonly file: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
}

/** Where an entry's bytes lie in the image and who owns it: the Contents tab's details pane. */
export interface ImageEntryStat {
  readonly entry: ImageEntry;
  /** Owner and group ids (Rock Ridge PX, UDF File Entry); null when the image does not record them. */
  readonly uid: number | null;
  readonly gid: number | null;
  /** ECMA-119 9.1.6 / ECMA-167 4/14.4.3: the hidden ("existence") flag. */
  readonly hidden: boolean;
  /** The entry's data runs in order (several for multi-extent and fragmented files). */
  readonly extents: readonly ImageExtent[];
}

export interface ImageExtent {
  /** Byte offset in the image (as 2048-byte sectors: offsetBytes / 2048). */
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** A sparse (UDF unrecorded) extent: reads as zeros, occupies nothing. */
  readonly unrecorded?: true;
}

export interface ImagePreview {
  readonly file: string;
  readonly sizeBytes: number;
  /**
   * 'picture' when the magic bytes say PNG, JPEG, GIF or SVG and the file is at most 8 MiB; 'text'
   * when the first bytes decode as UTF-8 or UTF-16 without control characters other than whitespace.
   */
  readonly kind: 'text' | 'binary' | 'picture';
  /** The decoded text (kind 'text'), a hex dump with offsets (kind 'binary'), or '' (kind 'picture'). */
  readonly content: string;
  /** How many bytes of the file the preview shows (at most 1024; a picture's whole size). */
  readonly previewBytes: number;
  /** Kind 'text': how the bytes were decoded (UTF-16 by its byte order mark, or the pattern of NUL bytes Latin text makes). */
  readonly encoding?: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** Kind 'picture': the type its magic bytes say. Shown through an <img> only, so an SVG never runs as a document. */
  readonly mimeType?: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/svg+xml';
  /** Kind 'picture': the whole file, base64. */
  readonly base64?: string;
}

export interface ImageExtractRequest {
  readonly path: string;
  /** Files or folders inside the image; empty or absent means everything. */
  readonly entries?: readonly string[] | undefined;
  /** Absolute destination folder; created if missing. */
  readonly destination: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
  /**
   * Write files whose data other files share (hard links) even when that reads more bytes than the
   * image holds; without it such an extraction is refused with `shared-extents`. Ask the user first.
   */
  readonly allowSharedExtents?: boolean | undefined;
  /**
   * What to do where something is already at an entry's destination (`image:extract-conflicts` lists
   * those places first): 'fail' (the default) refuses with `destination-exists` naming it before
   * anything of that entry is written; 'overwrite' replaces it (a symbolic link there is replaced
   * itself, never followed; a folder is never replaced by a file); 'skip' leaves it and the entry is
   * reported as skipped; 'keep-both' writes the entry as "name (2).ext" beside it. A folder over a
   * folder is no conflict: the two merge.
   */
  readonly onConflict?: ExtractConflictChoice | 'fail' | undefined;
  /** Per entry (its image path, as `ExtractConflict.entryPath`), overriding `onConflict`. */
  readonly conflictChoices?: Readonly<Record<string, ExtractConflictChoice>> | undefined;
}

/** The user's answer for one existing file at an extraction's destination. */
export type ExtractConflictChoice = 'overwrite' | 'skip' | 'keep-both';

/** At most this many per-entry conflict choices in one request, and conflicts in one answer. */
export const extractConflictsMax = 10_000;

export interface ImageExtractResult {
  readonly jobId: string;
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly bytesWritten: number;
  /** Entries not written, with the reason (links pointing outside, device nodes). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** How far an extraction is, as the extractor counts it (the service reports it as `job:progress`). */
export interface ImageExtractProgress {
  readonly bytesWritten: number;
  readonly totalBytes: number;
  readonly filesWritten: number;
  readonly totalFiles: number;
  /** The entry being written. */
  readonly currentPath: string;
}

/** A search across a whole image by name (`image:search`), run in the engine and streamed. */
export interface ImageSearchRequest {
  readonly path: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
  /**
   * A glob when it holds `*`, `?` or `[` (matched against the name, or the whole path when it holds a
   * `/`), else a case-insensitive part of the name. Globs ignore case too (ISO 9660 names are upper
   * case); a path glob is anchored at the root ("boot/*.cfg" is "/boot/*.cfg"), its `*` stays within
   * one folder and `**` spans any number of them; `[!…]` or `[^…]` negates a class.
   */
  readonly pattern: string;
  /** Stop after this many matches (default and most 10,000); the result says it stopped. */
  readonly maxMatches?: number | undefined;
}

export interface ImageSearchMatch {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly sizeBytes: number;
}

/** One batch of matches, carried by the `image:search-found` event while a search job runs. */
export interface ImageSearchFound {
  readonly jobId: string;
  readonly matches: readonly ImageSearchMatch[];
}

/** The result of a job of kind `search`. */
export interface ImageSearchResult {
  readonly matchCount: number;
  readonly entriesSearched: number;
  /** True when it stopped at `maxMatches`. */
  readonly truncated: boolean;
}

/** An entry an extraction would write over (`image:extract-conflicts`). */
export interface ExtractConflict {
  /** The entry inside the image. */
  readonly entryPath: string;
  /** What already lies at its destination. */
  readonly destinationPath: string;
  readonly existingKind: 'file' | 'directory' | 'other';
}
