// Remembers digests per file version, so a file hashed before can show them at once, labelled as
// remembered, while the fresh pass runs. Never a verdict: a verdict comes from bytes read in its own run.
// An entry names a version by path, size, mtime, ctime and inode (device + inode number). The ctime is
// in the key because `touch -r`, `cp -p` and `rsync -t` set the mtime back but no user-level tool can
// set the ctime (any change of content or metadata moves it to now). Bit rot moves none of these: that
// is why a remembered digest is only ever shown as remembered. One JSON file in the data folder,
// replaced atomically; a damaged cache is ignored, never fatal.
import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HashDigests, RememberedDigests } from '../../shared/checksum.ts';
import { isHashAlgorithm } from './algorithms.ts';

/** The identity of a file's content, as far as stat can tell. */
export interface FileIdentity {
  readonly path: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** The inode change time: moved to now by every write, chmod, rename or utimes, and settable by no user tool. */
  readonly changedMs: number;
  readonly device: number;
  readonly inode: number;
}

/** The identity of a regular file from its stat; null for anything else (a device's content changes without stat noticing). */
export function fileIdentityOf(path: string, stats: Stats): FileIdentity | null {
  return stats.isFile() ? { path, sizeBytes: stats.size, modifiedMs: stats.mtimeMs, changedMs: stats.ctimeMs, device: stats.dev, inode: stats.ino } : null;
}

/** True when both identities name the same version of the same file. */
export function isSameFileVersion(entry: FileIdentity, identity: FileIdentity): boolean {
  return (
    entry.path === identity.path &&
    entry.sizeBytes === identity.sizeBytes &&
    entry.modifiedMs === identity.modifiedMs &&
    entry.changedMs === identity.changedMs &&
    entry.device === identity.device &&
    entry.inode === identity.inode
  );
}

interface CacheEntry extends FileIdentity {
  readonly digests: HashDigests;
  /** A compressed image's decoded content's digests (absent for other files, and in entries of older engines). */
  readonly contentDigests?: HashDigests;
  /** When these digests were read from the file. */
  readonly computedAtMs: number;
  readonly usedMs: number;
}

/** Oldest-used entries beyond this are dropped, so the file stays small. */
const maxEntries = 500;
/** 2: the key gained the ctime and entries their computedAtMs; version-1 files are ignored (and replaced). */
const cacheVersion = 2;

export interface HashCache {
  /** What the cache remembers for this exact file version (only the digests known), or null. */
  lookup(identity: FileIdentity): Promise<RememberedDigests | null>;
  /** Adds digests just read from this file version (merged with digests already known for it), and its content's for a compressed image. */
  store(identity: FileIdentity, digests: HashDigests, contentDigests?: HashDigests): Promise<void>;
}

let storeCount = 0;

/** The cache's file in the data folder. */
export const hashCacheFileName = 'hash-cache.json';

export function openHashCache(dataDir: string): HashCache {
  const cachePath = join(dataDir, hashCacheFileName);

  return {
    async lookup(identity) {
      const entry = (await readEntries(cachePath)).find((candidate) => isSameFileVersion(candidate, identity));
      if (!entry) return null;
      return { digests: { ...entry.digests }, ...(entry.contentDigests ? { content: { ...entry.contentDigests } } : {}), computedAtMs: entry.computedAtMs };
    },
    async store(identity, digests, contentDigests) {
      const entries = await readEntries(cachePath);
      const previous = entries.find((candidate) => isSameFileVersion(candidate, identity));
      const others = entries.filter((candidate) => candidate.path !== identity.path);
      const nowMs = Date.now();
      const content = previous?.contentDigests || contentDigests ? { contentDigests: { ...previous?.contentDigests, ...contentDigests } } : {};
      const entry: CacheEntry = { ...identity, digests: { ...previous?.digests, ...digests }, ...content, computedAtMs: nowMs, usedMs: nowMs };
      const kept = [entry, ...others].sort((a, b) => b.usedMs - a.usedMs).slice(0, maxEntries);
      await mkdir(dirname(cachePath), { recursive: true });
      // Unique per store: two passes in one process may store at once.
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
    return []; // a damaged cache only costs the remembered digests
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isCacheEntry(value: unknown): value is CacheEntry {
  if (!isRecord(value) || !isDigests(value.digests)) return false;
  if (value.contentDigests !== undefined && !isDigests(value.contentDigests)) return false;
  const numbers = ['sizeBytes', 'modifiedMs', 'changedMs', 'device', 'inode', 'computedAtMs', 'usedMs'] as const;
  return typeof value.path === 'string' && numbers.every((key) => typeof value[key] === 'number');
}

function isDigests(value: unknown): value is HashDigests {
  return isRecord(value) && Object.entries(value).every(([algorithm, hex]) => isHashAlgorithm(algorithm) && typeof hex === 'string' && /^[0-9a-f]+$/.test(hex));
}
