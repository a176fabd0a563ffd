// A FAT12/16/32 volume as a file system of a disk image (format/filesystem-tree.ts). Stub: filled next.
import type { FilesystemOpener } from '../format/filesystem-tree.ts';

/** Opens the FAT volume at byte 0 of `source`; null when no FAT boot sector is there. */
export const openFatFilesystem: FilesystemOpener = () => Promise.resolve(null);
