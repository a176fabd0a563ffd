// An exFAT volume as a file system of a disk image (format/filesystem-tree.ts). Stub: filled next.
import type { FilesystemOpener } from '../format/filesystem-tree.ts';

/** Opens the exFAT volume at byte 0 of `source`; null when no exFAT boot sector is there. */
export const openExfatFilesystem: FilesystemOpener = () => Promise.resolve(null);
