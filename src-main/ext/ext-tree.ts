// An ext2/ext3/ext4 volume as a file system of a disk image (format/filesystem-tree.ts). Stub: filled next.
import type { FilesystemOpener } from '../format/filesystem-tree.ts';

/** Opens the ext2/3/4 volume at byte 0 of `source`; null when no ext superblock is there. */
export const openExtFilesystem: FilesystemOpener = () => Promise.resolve(null);
