// The image's SHA-256 from the checksum panel's hash cache (src-main/checksum/hash-cache.ts), so a flash
// of an image already hashed skips SHA-256 (the slowest part of the write pass); and the SHA-256 a flash
// computed, stored there for the panel, under the same rule: only if the file did not change meanwhile.
import { lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileIdentityOf, isSameFileVersion, openHashCache, type FileIdentity } from '../checksum/hash-cache.ts';

export interface Sha256Cache {
  /** The cached SHA-256 (hex) of this version of the file, or null. */
  readonly knownHex: string | null;
  /** Stores a SHA-256 computed over `sizeBytes` decoded bytes, if the file is still the version looked up. */
  store(sha256Hex: string, sizeBytes: number): Promise<void>;
}

/**
 * Looks the image up in the hash cache of `dataDir`. Only a raw regular file qualifies: the cache holds
 * digests of files as they are on disk, while a compressed image's flash SHA-256 is of the decoded bytes.
 */
export async function openSha256Cache(imagePath: string, dataDir: string): Promise<Sha256Cache | null> {
  const identity = await stat(imagePath).then((stats) => fileIdentityOf(imagePath, stats), () => null);
  if (identity === null) return null;
  const cache = openHashCache(dataDir);
  const knownHex = (await cache.lookup(identity).catch(() => ({}) as Record<string, never>)).sha256 ?? null;
  return {
    knownHex,
    async store(sha256Hex, sizeBytes) {
      const now: FileIdentity | null = await stat(imagePath).then((stats) => fileIdentityOf(imagePath, stats), () => null);
      if (now === null || !isSameFileVersion(identity, now) || sizeBytes !== identity.sizeBytes) return;
      // The cache only saves time: a data folder we cannot write must not fail the flash.
      await storeSafely(dataDir, () => cache.store(identity, { sha256: sha256Hex })).catch(() => undefined);
    },
  };
}

/**
 * The elevated helper runs as root, but the data folder is normally the user's. Root writing, renaming
 * or chowning inside a folder another user controls is how symlink tricks get root to overwrite system
 * files: as root the cache is written only where root owns the folder and every folder above it.
 * (Skipping costs the next flash of the image its SHA-256 from the cache: it computes it again.)
 */
async function storeSafely(dataDir: string, store: () => Promise<void>): Promise<void> {
  if (process.getuid?.() === 0 && !(await isRootOwnedPath(dataDir))) return;
  await store();
}

async function isRootOwnedPath(path: string): Promise<boolean> {
  for (let folder = path; ; folder = dirname(folder)) {
    const stats = await lstat(folder).catch(() => null);
    // A folder that does not exist yet is created by root under a root-owned parent: fine.
    if (stats !== null && (!stats.isDirectory() || stats.uid !== 0)) return false;
    if (dirname(folder) === folder) return true;
  }
}
