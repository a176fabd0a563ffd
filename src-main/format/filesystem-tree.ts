// The port every file system reader of a disk image offers (FAT and exFAT in fat/, ext2/3/4 in ext/,
// ISO 9660 and UDF): a FileTree over a source whose volume starts at byte 0 (a partition sliced out by
// io/slice-source.ts), plus what the summary card says about the volume. image/ puts them together
// under a disk image's partition folders.
import type { FilesystemInfo } from '../../shared/image.ts';
import type { FileTree } from './file-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { WorkBudget } from './work-budget.ts';

export interface FilesystemTree extends FileTree {
  /** Label, UUID, size and used space, read from the volume's own structures (free counts judged from the bytes). */
  describe(): Promise<FilesystemInfo>;
}

export interface FilesystemOpenOptions {
  readonly signal?: AbortSignal;
  /** One budget for every file system of an image (many partitions may name one hostile volume). */
  readonly budget?: WorkBudget;
}

/**
 * Opens the file system at byte 0 of `source`. Null when its signature is not there ("not this kind"
 * is an answer: every partition is probed); a CorruptImageError naming the structure and offset when
 * the signature is there but the volume is damaged or hostile.
 */
export type FilesystemOpener = (source: ByteSource, options?: FilesystemOpenOptions) => Promise<FilesystemTree | null>;
