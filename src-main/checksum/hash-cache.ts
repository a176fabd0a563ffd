// Remembers digests per file so reopening an image is instant. An entry is valid only while the
// file's path, size, mtime and inode (device + inode number) are unchanged. One JSON file in the data
// folder, replaced atomically; a damaged cache is ignored, never fatal.
import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HashDigests } from '../../shared/checksum.ts';
import { isHashAlgorithm } from './algorithms.ts';

/** The identity of a file's content, as far as stat can tell. */
export interface FileIdentity {
  readonly path: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly device: number;
  readonly inode: number;
}

/** The identity of a regular file from its stat; null for anything else (a device's content changes without stat noticing). */
export function fileIdentityOf(path: string, stats: Stats): FileIdentity | null {
  return stats.isFile() ? { path, sizeBytes: stats.size, modifiedMs: stats.mtimeMs, device: stats.dev, inode: stats.ino } : null;
}

/** True when both identities name the same version of the same file. */
export function isSameFileVersion(entry: FileIdentity, identity: FileIdentity): boolean {
  return (
    entry.path === identity.path &&
    entry.sizeBytes === identity.sizeBytes &&
    entry.modifiedMs === identity.modifiedMs &&
    entry.device === identity.device &&
    entry.inode === identity.inode
  );
}

interface CacheEntry extends FileIdentity {
  readonly digests: HashDigests;
  readonly usedMs: number;
}

/** Oldest-used entries beyond this are dropped, so the file stays small. */
const maxEntries = 500;
const cacheVersion = 1;

export interface HashCache {
  /** The cached digests of this exact file version (only those known), or an empty object. */
  lookup(identity: FileIdentity): Promise<HashDigests>;
  /** Adds digests for this file version (merged with digests already known for it). */
  store(identity: FileIdentity, digests: HashDigests): Promise<void>;
}

let storeCount = 0;

/** The cache's file in the data folder. */
export const hashCacheFileName = 'hash-cache.json';

export function openHashCache(dataDir: string): HashCache {
  const cachePath = join(dataDir, hashCacheFileName);

  return {
    async lookup(identity) {
      const entry = (await readEntries(cachePath)).find((candidate) => isSameFileVersion(candidate, identity));
      return entry ? { ...entry.digests } : {};
    },
    async store(identity, digests) {
      const entries = await readEntries(cachePath);
      const previous = entries.find((candidate) => isSameFileVersion(candidate, identity));
      const others = entries.filter((candidate) => candidate.path !== identity.path);
      const entry: CacheEntry = { ...identity, digests: { ...previous?.digests, ...digests }, usedMs: Date.now() };
      const kept = [entry, ...others].sort((a, b) => b.usedMs - a.usedMs).slice(0, maxEntries);
      await mkdir(dirname(cachePath), { recursive: true });
      // Unique per store: the flash engine and the checksum panel may store at once in one process.
      const temporaryPath = `${cachePath}.${process.pid}.${(storeCount += 1)}.tmp`;
      await writeFile(temporaryPath, JSON.stringify({ version: cacheVersion, entries: kept }));
      await rename(temporaryPath, cachePath); // atomic: readers never see half a file
    },
  };
}

async function readEntries(cachePath: string): Promise<CacheEntry[]> {
  let text: string;
  try {
    text = await readFile(cachePath, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || parsed.version !== cacheVersion || !Array.isArray(parsed.entries)) return [];
    return parsed.entries.slice(0, maxEntries).filter(isCacheEntry);
  } catch {
    return []; // a damaged cache only costs a re-hash
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isCacheEntry(value: unknown): value is CacheEntry {
  if (!isRecord(value) || !isRecord(value.digests)) return false;
  const numbers = ['sizeBytes', 'modifiedMs', 'device', 'inode', 'usedMs'] as const;
  return (
    typeof value.path === 'string' &&
    numbers.every((key) => typeof value[key] === 'number') &&
    Object.entries(value.digests).every(([algorithm, hex]) => isHashAlgorithm(algorithm) && typeof hex === 'string' && /^[0-9a-f]+$/.test(hex))
  );
}
