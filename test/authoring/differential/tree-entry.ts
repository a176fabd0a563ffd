// One comparable shape for a file tree, whoever describes it: the source folder an image is made of,
// a folder a tool extracted from the image, or a tool's listing of the image itself. Every field but
// `path` and `kind` is optional: an oracle fills what it can read, and the comparison checks exactly
// the fields the oracle filled (so a tool that cannot see modes never passes or fails on modes).
import { createHash } from 'node:crypto';
import { lstatSync, openSync, readSync, closeSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'block-device' | 'character-device' | 'fifo' | 'socket';

export interface TreeEntry {
  /** Absolute from the tree's root ('/docs/a.txt'); the root itself is not listed. */
  readonly path: string;
  readonly kind: EntryKind;
  /** Regular files only. */
  sizeBytes?: number;
  /** Regular files only. */
  sha256?: string;
  /** Permission bits (st_mode & 0o7777). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Modification time in whole seconds (ISO 9660 and Rock Ridge's short TF keep seconds). */
  mtimeS?: number;
  linkTarget?: string;
  /** 'major,minor' of block and character devices. */
  device?: string;
}

/** SHA-256 of empty content (what a 0-byte file hashes to, whoever reads it). */
export const emptySha256 = createHash('sha256').digest('hex');

export function kindOfStats(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

/** Streams a file's SHA-256 in 4 MiB reads (the 4.5 GiB sparse file must not be held). */
export function sha256OfFile(path: string): string {
  const digest = createHash('sha256');
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      digest.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return digest.digest('hex');
}

/** Linux encodes a device number as major (bits 8-19 and 32-43) and minor (bits 0-7 and 20-31). */
export function deviceNumbers(rdev: number): string {
  const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
  return `${major},${minor}`;
}

export interface SnapshotOptions {
  /** Hash regular files (off for listings that only need names and sizes). */
  readonly content: boolean;
  /** Hashes already known by path (the generator's 4.5 GiB file), so they are not read again. */
  readonly knownSha256?: ReadonlyMap<string, string>;
}

/** Every entry below `root` by lstat (symlinks are never followed), sorted by path. */
export function snapshotDirectory(root: string, options: SnapshotOptions): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relative = pending.pop() as string;
    for (const name of readdirSync(join(root, relative) || root)) {
      const path = `${relative}/${name}`;
      const stats = lstatSync(join(root, path));
      const entry = describeStats(path, stats);
      if (entry.kind === 'directory') pending.push(path);
      if (entry.kind === 'symlink') entry.linkTarget = readlinkSync(join(root, path));
      if (entry.kind === 'file' && options.content) entry.sha256 = options.knownSha256?.get(path) ?? sha256OfFile(join(root, path));
      entries.push(entry);
    }
  }
  return sortByPath(entries);
}

function describeStats(path: string, stats: Stats): TreeEntry {
  const kind = kindOfStats(stats);
  const entry: TreeEntry = { path, kind, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtimeS: Math.floor(stats.mtimeMs / 1000) };
  if (kind === 'file') entry.sizeBytes = stats.size;
  if (kind === 'block-device' || kind === 'character-device') entry.device = deviceNumbers(stats.rdev);
  return entry;
}

export function sortByPath<T extends { readonly path: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The parent folder of an absolute path ('/' for a top-level entry). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
