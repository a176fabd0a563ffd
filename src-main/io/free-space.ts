// The free space a write checks before and while it fills a disk: a decode into the decoded cache
// (container/decoded-cache.ts) and a download (download/run-download.ts) read it the same way and
// leave the same reserve.
import { statfs } from 'node:fs/promises';

/** Free bytes for an unprivileged writer in `folder` (statfs: available blocks times their size). */
export type FreeSpaceReader = (folder: string) => Promise<number>;

export const statfsFreeSpace: FreeSpaceReader = async (folder) => {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
};

/** Bytes left free on the disk however large the file written: the system and other programs need them. */
export const defaultReserveBytes = 512 * 1024 * 1024;
