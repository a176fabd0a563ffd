// The namespace-neutral file tree every image file system offers (ISO 9660 with its Joliet and Rock
// Ridge views, UDF): entries with the absolute byte ranges of their data, listed on demand.
import type { ImageEntry, ImageNamespace } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** One contiguous run of a file's bytes in the image (absolute offsets, whatever the file system). */
export interface Extent {
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** UDF (ECMA-167 4/14.14.1.1): allocated or sparse but not recorded; reads as zeros, offsetBytes unused. */
  readonly unrecorded?: true;
}

/** A zisofs-compressed file's header (ZF, written by mkzftree and xorriso; read by src-main/iso/zisofs.ts). */
export interface ZisofsHeader {
  /** The ZF entry's version: 1 (zisofs, "pz") or 2 (zisofs2, doc/zisofs2_format.txt: "PZ", "XZ", ...). */
  readonly version: 1 | 2;
  /** The two algorithm characters as recorded: "pz" (version 1) or "PZ" (zlib), "XZ", "L4", "ZD", "B2". */
  readonly algorithm: string;
  readonly headerSizeBytes: number;
  readonly blockSizeLog2: number;
  readonly uncompressedSizeBytes: number;
}

/** An entry of the tree plus where its bytes are; the plain-data part is `ImageEntry`. */
export interface TreeEntry extends ImageEntry {
  /** File data in order, or the directory's own extent(s). */
  readonly extents: readonly Extent[];
  /**
   * ISO 9660: first logical block of the first extent as recorded (El Torito's boot image lookup).
   * UDF: the physical block of the entry's ICB (its identity for loop detection).
   */
  readonly extentLba: number;
  readonly zisofs?: ZisofsHeader;
  /** ECMA-119 9.1.6 bit 0 / ECMA-167 4/14.4.3 bit 0. */
  readonly hidden: boolean;
  /** Image offset of the record that named this entry (for error messages). */
  readonly recordOffsetBytes: number;
  readonly device?: { readonly high: number; readonly low: number };
}

/** What listing, preview and extraction need from any image file system. */
export interface FileTree {
  readonly source: ByteSource;
  /** The namespace this view names files with. */
  readonly namespace: ImageNamespace;
  /** Every namespace the image offers, best first. */
  readonly namespaces: readonly ImageNamespace[];
  readonly root: TreeEntry;
  /** The entries of one directory, in recorded order. */
  listDirectory(directory: TreeEntry): Promise<TreeEntry[]>;
  /** The entry at an absolute path, or null. */
  lookup(path: string): Promise<TreeEntry | null>;
  /** Every entry below `from` (depth first, parents before children). Refuses directory loops. */
  walk(from?: TreeEntry): AsyncGenerator<TreeEntry>;
  /** The same entries and order as `walk`, one directory's worth at a time. */
  walkBatches(from?: TreeEntry): AsyncGenerator<readonly TreeEntry[]>;
}
