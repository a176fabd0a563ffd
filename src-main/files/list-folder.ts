// One folder as the in-app file dialog shows it (files:list, issue 17). The engine runs as the user,
// so the operating system already limits what can be listed to what the user's account may read; an
// EACCES is reported as `permission-denied` naming the folder. The credential places of the home
// folder (security/source-locations.ts `privateHomePlaces`: SSH and GnuPG keys, browser profiles...)
// are never listed: they are left out of their parent's listing (not counted as hidden either) and a
// request to list one, or a folder inside one, is refused. Listing grants nothing (shared/files.ts).
//
// Work is linear in the folder's size and bounded: at most `maxEntries` directory entries are read
// (the rest is reported as `truncated`), with one stat per entry, a bounded number at a time.
import type { Dirent } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FilesListRequest, FolderEntry, FolderListing } from '../../shared/files.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { CodedError } from '../jobs/errors.ts';
import { looksLikeImageName, looksLikeKeyName } from './image-names.ts';

/** Entries one listing reads at most: a Downloads folder is far below; /usr/lib or a mail spool is not. */
export const maxListedEntries = 5000;

/** Stats in flight at once: enough to hide latency on a slow disk, few enough not to flood it. */
const statsAtOnce = 64;

export interface ListFolderOptions {
  /** Real paths never listed, nor anything below them. */
  readonly privatePlaces: readonly string[];
  readonly maxEntries?: number;
}

export async function listFolder(request: FilesListRequest, options: ListFolderOptions): Promise<FolderListing> {
  const folder = await realFolder(request.path);
  if (isPrivate(folder, options.privatePlaces)) {
    throw new CodedError('permission-denied', `${folder} holds keys or other credentials; the file dialog does not list it`, { path: request.path });
  }
  const { dirents, truncated } = await readEntries(folder, options.maxEntries ?? maxListedEntries);
  const described = await describeAll(folder, dirents, options.privatePlaces);
  const shown = described.filter((entry) => isShown(entry, request.show));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  shown.sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder') || collator.compare(a.name, b.name));
  return { path: folder, parent: folder === '/' ? null : dirname(folder), entries: shown, hiddenCount: described.length - shown.length, truncated };
}

/** The folder's real path (links resolved), or a coded error naming what is wrong with it. */
async function realFolder(path: string): Promise<string> {
  try {
    const real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw new CodedError('not-a-file', `${path} is not a folder`, { path });
    return real;
  } catch (error) {
    throw codedFileError(error, path);
  }
}

async function readEntries(folder: string, maxEntries: number): Promise<{ dirents: Dirent[]; truncated: boolean }> {
  const dirents: Dirent[] = [];
  try {
    const directory = await opendir(folder);
    // Leaving the loop early closes the directory handle (the async iterator's return()).
    for await (const dirent of directory) {
      if (dirents.length === maxEntries) return { dirents, truncated: true };
      dirents.push(dirent);
    }
    return { dirents, truncated: false };
  } catch (error) {
    throw codedFileError(error, folder);
  }
}

/** Every entry with its kind, size and time; private places dropped. */
async function describeAll(folder: string, dirents: readonly Dirent[], privatePlaces: readonly string[]): Promise<FolderEntry[]> {
  const entries: FolderEntry[] = [];
  for (let start = 0; start < dirents.length; start += statsAtOnce) {
    const batch = await Promise.all(dirents.slice(start, start + statsAtOnce).map((dirent) => describe(folder, dirent, privatePlaces)));
    for (const entry of batch) if (entry !== null) entries.push(entry);
  }
  return entries;
}

/** One entry; a link as what it points to (`isLink`), a broken or unreadable one as 'other'. Null for a private place. */
async function describe(folder: string, dirent: Dirent, privatePlaces: readonly string[]): Promise<FolderEntry | null> {
  const path = join(folder, dirent.name);
  const isLink = dirent.isSymbolicLink();
  const real = isLink ? await realpath(path).catch(() => path) : path;
  if (isPrivate(real, privatePlaces)) return null;
  const stats = await stat(path).catch(() => null);
  const kind = stats === null ? 'other' : stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other';
  return {
    name: dirent.name,
    kind,
    isLink,
    sizeBytes: kind === 'file' && stats !== null ? stats.size : null,
    modifiedMs: stats === null ? null : Math.trunc(stats.mtimeMs),
    looksLikeImage: kind === 'file' && looksLikeImageName(dirent.name),
  };
}

function isShown(entry: FolderEntry, show: FilesListRequest['show']): boolean {
  if (show === 'all') return true;
  if (entry.name.startsWith('.')) return false;
  if (entry.kind === 'folder') return true;
  if (show === 'images') return entry.looksLikeImage;
  if (show === 'keys') return entry.kind === 'file' && looksLikeKeyName(entry.name);
  return false;
}

function isPrivate(realPath: string, privatePlaces: readonly string[]): boolean {
  return privatePlaces.some((place) => realPath === place || isStrictlyInside(place, realPath));
}

/** A file system failure as the contract's words, naming the path; a coded error passes unchanged. */
function codedFileError(error: unknown, path: string): unknown {
  if (error instanceof CodedError) return error;
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return new CodedError('not-found', `${path} does not exist`, { path });
  if (code === 'ENOTDIR') return new CodedError('not-a-file', `${path} is not a folder`, { path });
  if (code === 'EACCES' || code === 'EPERM') return new CodedError('permission-denied', `${path} cannot be read by this account (${code})`, { path });
  return error;
}
