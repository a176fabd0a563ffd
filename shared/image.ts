// What the engine says about an image file it has opened, and about the files inside it. Sizes in
// bytes, times in epoch ms; paths inside an image are absolute from its root ("/", "/docs/a.txt").

export type ImageFormat = 'iso9660' | 'unknown';

/** Which directory tree of an ISO image names the files (Rock Ridge, else Joliet, else plain). */
export type ImageNamespace = 'iso9660' | 'joliet' | 'rockridge';
export const imageNamespaces = ['iso9660', 'joliet', 'rockridge'] as const satisfies readonly ImageNamespace[];
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
}

export interface ImageListRequest {
  /** Absolute path of the image file. */
  readonly path: string;
  /** Directory inside the image; "/" for the root. */
  readonly directory: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
  /** List the whole subtree instead of one level. */
  readonly recursive?: boolean | undefined;
}

export interface ImageListing {
  readonly namespace: ImageNamespace;
  readonly entries: readonly ImageEntry[];
}

export interface ImagePreviewRequest {
  readonly path: string;
  /** File inside the image. */
  readonly file: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
}

export interface ImagePreview {
  readonly file: string;
  readonly sizeBytes: number;
  /** 'text' when the first bytes decode as UTF-8 without control characters other than whitespace. */
  readonly kind: 'text' | 'binary';
  /** The decoded text (kind 'text'), or a hex dump with offsets (kind 'binary'). */
  readonly content: string;
  /** How many bytes of the file the preview shows (at most 1024). */
  readonly previewBytes: number;
}

export interface ImageExtractRequest {
  readonly path: string;
  /** Files or folders inside the image; empty or absent means everything. */
  readonly entries?: readonly string[] | undefined;
  /** Absolute destination folder; created if missing. */
  readonly destination: string;
  readonly namespace?: ImageNamespaceChoice | undefined;
  /** Chosen by the caller so progress events and `image:extract-cancel` can name this extraction. */
  readonly extractionId: string;
}

export interface ImageExtractResult {
  readonly extractionId: string;
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly bytesWritten: number;
  /** Entries not written, with the reason (links pointing outside, device nodes). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

export interface ImageExtractProgress {
  readonly extractionId: string;
  readonly bytesWritten: number;
  readonly totalBytes: number;
  readonly filesWritten: number;
  readonly totalFiles: number;
  /** The entry being written. */
  readonly currentPath: string;
}
