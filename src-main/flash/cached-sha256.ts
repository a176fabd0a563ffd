// The image's SHA-256 from the checksum panel's hash cache (src-main/checksum/hash-cache.ts), so a flash
// of an image already hashed skips SHA-256 (the slowest part of the write pass); and the SHA-256 a flash
// computed, stored there for the panel, under the same rule: only if the file did not change meanwhile.
// The cache is read and written by the user's own process (the service), never by the elevated helper:
// the helper only receives the digest with the identity of the file version it belongs to.
import { lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileIdentityOf, isSameFileVersion, openHashCache, type FileIdentity } from '../checksum/hash-cache.ts';

/** A SHA-256 and the version of the image file (path, size, mtime, inode) it was computed for. */
export interface KnownSha256 {
  readonly hex: string;
  readonly identity: FileIdentity;
}

export interface Sha256Cache {
  /** The cached SHA-256 of this version of the file, or null. */
  readonly known: KnownSha256 | null;
  /** Stores a SHA-256 computed over `sizeBytes` decoded bytes, if the file is still the version looked up. */
  store(sha256Hex: string, sizeBytes: number): Promise<void>;
}

/**
 * Looks the image up in the hash cache of `dataDir`. Only a regular file qualifies (the cache holds
 * digests of files as they are on disk; the caller uses it for raw images only).
 */
export async function openSha256Cache(imagePath: string, dataDir: string): Promise<Sha256Cache | null> {
  const identity = await currentIdentity(imagePath);
  if (identity === null) return null;
  const cache = openHashCache(dataDir);
  const hex = (await cache.lookup(identity).catch(() => ({}) as Record<string, never>)).sha256 ?? null;
  return {
    known: hex === null ? null : { hex, identity },
    async store(sha256Hex, sizeBytes) {
      const now = await currentIdentity(imagePath);
      if (now === null || !isSameFileVersion(identity, now) || sizeBytes !== identity.sizeBytes) return;
      // The cache only saves time: a data folder we cannot write must not fail the flash.
      await storeSafely(dataDir, () => cache.store(identity, { sha256: sha256Hex })).catch(() => undefined);
    },
  };
}

/** True when `known` was computed for the version of the file now at `imagePath`. */
export async function isKnownFor(imagePath: string, known: KnownSha256): Promise<boolean> {
  const now = await currentIdentity(imagePath);
  return now !== null && isSameFileVersion(known.identity, now);
}

async function currentIdentity(path: string): Promise<FileIdentity | null> {
  return stat(path).then((stats) => fileIdentityOf(path, stats), () => null);
}

/**
 * A process running as root (`sudo isotope flash`) may still be handed a user's data folder. Root
 * writing or renaming inside a folder another user controls is how symlink tricks get root to
 * overwrite system files: as root the cache is written only where root owns the folder and every
 * folder above it.
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
