// Where decoded cache files live and how they are named: <data dir>/decoded/KEY.img with its sidecar
// KEY.json (the DecodedCacheEntry and the identity of the compressed file it was decoded from). KEY is
// a hash of that identity (device, inode, size, modification and change times), so a file replaced
// or edited in place never matches an old cache file, whatever its name.
import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DecodedCacheEntry, ImageCompression } from '../../shared/image.ts';
import { defaultDataDir } from '../io/data-dir.ts';

export interface FileIdentity {
  readonly device: number;
  readonly inode: number;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly changedMs: number;
}

interface Sidecar extends DecodedCacheEntry {
  readonly identity: FileIdentity;
}

/** Sidecars are a few hundred bytes: a larger one is not ours and is not parsed. */
const maxSidecarBytes = 64 * 1024;
const cacheFileName = /^[0-9a-f]{32}\.img$/;
/** The other files a decode writes: its partial cache file, the sidecar and the sidecar's temporary copies. */
const leftoverFileNames = {
  partial: /^[0-9a-f]{32}\.img\.partial$/,
  sidecar: /^[0-9a-f]{32}\.json$/,
  'sidecar-partial': /^[0-9a-f]{32}\.json\.[0-9a-f-]{36}\.partial$/,
} as const;

export type CacheFolderFileKind = 'cache' | keyof typeof leftoverFileNames;

/** What a file named `name` in the cache folder is, by its name; null when Isotope did not write it. */
export function cacheFolderFileKind(name: string): CacheFolderFileKind | null {
  if (cacheFileName.test(name)) return 'cache';
  for (const [kind, pattern] of Object.entries(leftoverFileNames)) if (pattern.test(name)) return kind as CacheFolderFileKind;
  return null;
}

export function decodedCacheDir(dataDir: string = defaultDataDir()): string {
  return join(dataDir, 'decoded');
}

export function identityOf(stats: Stats): FileIdentity {
  return { device: stats.dev, inode: stats.ino, sizeBytes: stats.size, modifiedMs: stats.mtimeMs, changedMs: stats.ctimeMs };
}

/** The cache file for a compressed file of this identity. */
export function cachePathFor(identity: FileIdentity, dataDir?: string): string {
  const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
  return join(decodedCacheDir(dataDir), `${key}.img`);
}

export function sidecarPathOf(cachePath: string): string {
  return cachePath.replace(/\.img$/, '.json');
}

/** True when `path` names a cache file directly inside the cache folder (nothing else may be removed). */
export function isCacheFilePath(path: string, dataDir?: string): boolean {
  const absolute = resolve(path);
  return dirname(absolute) === resolve(decodedCacheDir(dataDir)) && cacheFileName.test(basename(absolute));
}

/** The entry of `cachePath` when its sidecar parses, names this identity (when given) and the file has its full size; else null. */
export async function readCacheEntry(cachePath: string, identity?: FileIdentity): Promise<DecodedCacheEntry | null> {
  let sidecar: Sidecar;
  try {
    const text = await readFile(sidecarPathOf(cachePath), 'utf8');
    if (text.length > maxSidecarBytes) return null;
    sidecar = JSON.parse(text) as Sidecar;
  } catch {
    return null;
  }
  if (!isSidecar(sidecar) || sidecar.cachePath !== cachePath) return null;
  if (identity && JSON.stringify(sidecar.identity) !== JSON.stringify(identity)) return null;
  const stats = await stat(cachePath).catch(() => null);
  if (!stats?.isFile() || stats.size !== sidecar.decodedSizeBytes) return null;
  const { identity: _identity, ...entry } = sidecar;
  return { ...entry, diskBytes: stats.blocks * 512 };
}

/** Writes the sidecar of `entry` atomically (a temporary file renamed over it). */
export async function writeCacheEntry(entry: DecodedCacheEntry, identity: FileIdentity): Promise<void> {
  const sidecarPath = sidecarPathOf(entry.cachePath);
  const sidecar: Sidecar = { ...entry, identity };
  // A name of its own: parse workers touch the same sidecar at once (open, list and boot of one image).
  const partialPath = `${sidecarPath}.${randomUUID()}.partial`;
  try {
    await writeFile(partialPath, JSON.stringify(sidecar), { flag: 'wx' });
    await rename(partialPath, sidecarPath);
  } catch (error) {
    await unlink(partialPath).catch(() => undefined);
    throw error;
  }
}

const compressions: readonly ImageCompression[] = ['gzip', 'xz', 'bzip2', 'zstd', 'zip'];

function isSidecar(value: unknown): value is Sidecar {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const numbers = Number.isSafeInteger(record.decodedSizeBytes) && ['createdMs', 'lastUsedMs'].every((key) => Number.isFinite(record[key]));
  const identity = record.identity as Record<string, unknown> | undefined;
  return (
    numbers &&
    typeof record.cachePath === 'string' &&
    typeof record.imagePath === 'string' &&
    compressions.includes(record.compression as ImageCompression) &&
    typeof identity === 'object' &&
    identity !== null &&
    ['device', 'inode', 'sizeBytes', 'modifiedMs', 'changedMs'].every((key) => typeof identity[key] === 'number')
  );
}
