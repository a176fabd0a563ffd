// The download cache (issue 19): <data dir>/downloads/KEY/NAME, one folder per URL. KEY is a short
// hash of the URL, NAME the URL's last path segment, so the file keeps the name its sums files list
// (SHA256SUMS names `debian-12.iso`, not a hashed name). Beside it, `download.json` records the URL,
// the server's validators and, once complete, the SHA-256 read while it streamed. While a download
// runs, or after it failed or was cancelled, the file is NAME.partial and can be resumed.
// The cache has a size limit: before a download, the least recently used files are removed until the
// new one fits, never a file a running job reads (retainDownload holds it).
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DownloadCacheEntry } from '../../shared/download.ts';
import { defaultDataDir } from '../io/data-dir.ts';
import { unsafeComponentReason } from '../io/extraction-paths.ts';
import { statfsFreeSpace } from '../io/free-space.ts';
import { CodedError } from '../jobs/errors.ts';
import type { ResumeValidators } from '../net/http-download.ts';

/** The cache's size limit unless the caller gives one: 20 GiB, a few distributions' images. */
export const defaultCacheLimitBytes = 20 * 1024 ** 3;

const sidecarName = 'download.json';
/** Sidecars are a few hundred bytes: a larger one is not ours and is not parsed. */
const maxSidecarBytes = 64 * 1024;
/** The cache folder is read this far (each URL is one folder; a user keeps far fewer). */
const maxCacheFolders = 10_000;
/** A URL's last segment longer than this is cut (file names are at most 255 bytes; `.partial` is added). */
const maxNameBytes = 200;
const keyPattern = /^[0-9a-f]{16}$/;

/** What download.json records. */
export interface DownloadSidecar {
  readonly url: string;
  readonly name: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** What the last answer was validated by (net/ reports them): a resume of the partial file asks with If-Range; null: it cannot resume. */
  readonly validators: ResumeValidators | null;
  /** Lower-case hex, read while the file streamed; null while incomplete. */
  readonly sha256: string | null;
  readonly sizeBytes: number;
  readonly complete: boolean;
  readonly createdMs: number;
  readonly lastUsedMs: number;
}

/** Where one URL's download lies in the cache. */
export interface CacheSlot {
  readonly folder: string;
  /** The complete file. */
  readonly path: string;
  /** The file while it downloads, kept for a resume. */
  readonly partialPath: string;
}

export function downloadCacheDir(dataDir: string = defaultDataDir()): string {
  return join(dataDir, 'downloads');
}

/** The file name a URL's download gets: its last path segment, decoded, or `download` when that is no safe name. */
export function fileNameFromUrl(url: string): string {
  const segment = new URL(url).pathname.split('/').at(-1) ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    name = segment;
  }
  name = cutToBytes(name, maxNameBytes);
  const isOurs = name === sidecarName || name === `${sidecarName}.partial`;
  // C0 and C1 controls (ESC, BEL...) would reach a terminal when the CLI or the history prints the path.
  const hasControls = [...name].some((character) => isControlCode(character.codePointAt(0) ?? 0));
  return name === '' || isOurs || hasControls || unsafeComponentReason(name) !== null ? 'download' : name;
}

/** `text`'s longest prefix of at most `maxBytes` UTF-8 bytes that ends between two characters. */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Back from the limit over continuation bytes (0b10xxxxxx) to the first byte of the character it falls in: at most 3 steps.
  let endBytes = maxBytes;
  while (endBytes > 0 && ((bytes[endBytes] ?? 0) & 0xc0) === 0x80) endBytes -= 1;
  return bytes.subarray(0, endBytes).toString('utf8');
}

/** C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F): the code points a terminal may act on. */
function isControlCode(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

export function cacheSlotFor(url: string, dataDir?: string): CacheSlot {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
  const folder = join(downloadCacheDir(dataDir), key);
  const path = join(folder, fileNameFromUrl(url));
  return { folder, path, partialPath: `${path}.partial` };
}

/**
 * Cache files a download is writing or another job (a flash) is reading in this process, with what,
 * first holder first: clearing and eviction keep them.
 */
const readers = new Map<string, string[]>();

/** Marks the slot of `path` (its file or its .partial) as used by `what` until the returned release is called. */
export function retainDownload(path: string, what: string): () => void {
  const folder = dirname(resolve(path));
  readers.set(folder, [...(readers.get(folder) ?? []), what]);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holders = readers.get(folder) ?? [];
    const remaining = holders.filter((_, index) => index !== holders.indexOf(what));
    if (remaining.length === 0) readers.delete(folder);
    else readers.set(folder, remaining);
  };
}

/** What holds the slot of `path` in this process (a running download, a flash reading it), the longest holding first, or null. */
export function downloadHolder(path: string): string | null {
  return readers.get(dirname(resolve(path)))?.[0] ?? null;
}

export async function readSidecar(folder: string): Promise<DownloadSidecar | null> {
  try {
    const text = await readFile(join(folder, sidecarName), 'utf8');
    if (text.length > maxSidecarBytes) return null;
    const sidecar: unknown = JSON.parse(text);
    return isSidecar(sidecar) ? sidecar : null;
  } catch {
    return null;
  }
}

/** Writes download.json atomically (a temporary file renamed over it). */
export async function writeSidecar(folder: string, sidecar: DownloadSidecar): Promise<void> {
  const partialPath = join(folder, `${sidecarName}.partial`);
  await writeFile(partialPath, JSON.stringify(sidecar));
  await rename(partialPath, join(folder, sidecarName));
}

interface CacheFolder {
  readonly folder: string;
  readonly sidecar: DownloadSidecar | null;
  readonly entry: DownloadCacheEntry | null;
  readonly diskBytes: number;
}

/** Every URL folder in the cache, with its entry (null when its sidecar or file is missing) and the disk space it takes. */
async function readCacheFolders(dataDir?: string): Promise<CacheFolder[]> {
  const root = downloadCacheDir(dataDir);
  const keys = (await readdir(root).catch(() => [] as string[])).filter((key) => keyPattern.test(key)).slice(0, maxCacheFolders);
  const folders: CacheFolder[] = [];
  for (const key of keys) {
    const folder = join(root, key);
    const sidecar = await readSidecar(folder);
    const diskBytes = await folderDiskBytes(folder);
    folders.push({ folder, sidecar, entry: sidecar ? await entryOf(folder, sidecar) : null, diskBytes });
  }
  return folders;
}

async function entryOf(folder: string, sidecar: DownloadSidecar): Promise<DownloadCacheEntry | null> {
  const path = join(folder, sidecar.complete ? sidecar.name : `${sidecar.name}.partial`);
  const stats = await lstat(path).catch(() => null);
  if (!stats?.isFile() || (sidecar.complete && stats.size !== sidecar.sizeBytes)) return null;
  const { url, createdMs, lastUsedMs, complete } = sidecar;
  return { path, url, sizeBytes: stats.size, sha256: complete ? sidecar.sha256 : null, complete, createdMs, lastUsedMs };
}

/**
 * The space a URL folder's regular files take on disk (allocated blocks); its names are ours, never
 * followed as links. A file with two names (a write's `.reading` hard link beside it) counts once.
 */
async function folderDiskBytes(folder: string): Promise<number> {
  let total = 0;
  const counted = new Set<number>();
  for (const name of (await readdir(folder).catch(() => [] as string[])).slice(0, 16)) {
    const stats = await lstat(join(folder, name)).catch(() => null);
    if (!stats?.isFile() || counted.has(stats.ino)) continue;
    counted.add(stats.ino);
    total += stats.blocks * 512;
  }
  return total;
}

/** The cache's files, complete and resumable, most recently used first, and the space the whole folder takes. */
export async function listDownloads(dataDir?: string): Promise<{ entries: DownloadCacheEntry[]; diskBytes: number }> {
  const folders = await readCacheFolders(dataDir);
  const entries = folders.flatMap(({ entry }) => (entry ? [entry] : [])).sort((a, b) => b.lastUsedMs - a.lastUsedMs);
  return { entries, diskBytes: folders.reduce((total, { diskBytes }) => total + diskBytes, 0) };
}

export interface ClearDownloadsResult {
  readonly removedBytes: number;
  readonly kept: { readonly path: string; readonly reason: string }[];
}

/**
 * Removes the named cache files (entries' paths), or every URL folder when `paths` is absent. A path
 * outside the cache folder is refused; a folder a running job holds is kept and named with its job.
 */
export async function clearDownloads(paths: readonly string[] | undefined, dataDir?: string): Promise<ClearDownloadsResult> {
  const root = resolve(downloadCacheDir(dataDir));
  for (const path of paths ?? []) {
    const folder = dirname(resolve(path));
    if (dirname(folder) !== root || !keyPattern.test(basename(folder))) {
      throw new CodedError('destination-not-allowed', `${path} is not a file in the download cache ${root}`, { path });
    }
  }
  const folders = await readCacheFolders(dataDir);
  const wanted = paths === undefined ? null : new Set(paths.map((path) => dirname(resolve(path))));
  let removedBytes = 0;
  const kept: { path: string; reason: string }[] = [];
  for (const { folder, entry, diskBytes } of folders) {
    if (wanted !== null && !wanted.has(resolve(folder))) continue;
    const holder = downloadHolder(join(folder, sidecarName));
    if (holder !== null) {
      kept.push({ path: entry?.path ?? folder, reason: `in use by ${holder}` });
      continue;
    }
    await rm(folder, { recursive: true, force: true });
    removedBytes += diskBytes;
  }
  return { removedBytes, kept };
}

export interface MakeRoomOptions {
  /** The slot about to be written: never removed, its own bytes not counted. */
  readonly slot: CacheSlot;
  /** Bytes the new download will add (its size less what a resume keeps); 0 when unknown. */
  readonly neededBytes: number;
  readonly limitBytes: number;
  readonly dataDir?: string;
}

/**
 * Least recently used first, removes cache folders (complete files and stale partial ones) until the
 * cache plus `neededBytes` fits the limit; folders in use are skipped. Answers the paths removed.
 */
export async function evictForRoom(options: MakeRoomOptions): Promise<string[]> {
  const folders = (await readCacheFolders(options.dataDir)).filter(({ folder }) => resolve(folder) !== resolve(options.slot.folder));
  let totalBytes = folders.reduce((total, { diskBytes }) => total + diskBytes, 0) + options.neededBytes;
  const removed: string[] = [];
  const oldestFirst = [...folders].sort((a, b) => (a.sidecar?.lastUsedMs ?? 0) - (b.sidecar?.lastUsedMs ?? 0));
  for (const { folder, entry, diskBytes } of oldestFirst) {
    if (totalBytes <= options.limitBytes) break;
    if (readers.has(resolve(folder))) continue;
    await rm(folder, { recursive: true, force: true });
    removed.push(entry?.path ?? folder);
    totalBytes -= diskBytes;
  }
  return removed;
}

/** Refuses with `no-space` unless `folder`'s disk has `neededBytes` and `reserveBytes` more free. */
export async function checkFreeSpace(folder: string, neededBytes: number, reserveBytes: number): Promise<void> {
  const availableBytes = (await statfsFreeSpace(folder)) - reserveBytes;
  if (neededBytes <= availableBytes) return;
  throw noSpaceError(folder, neededBytes, availableBytes, reserveBytes);
}

/** The one `no-space` refusal: `neededBytes` more do not fit in the `availableBytes` left above the reserve. */
export function noSpaceError(folder: string, neededBytes: number, availableBytes: number, reserveBytes: number): CodedError {
  return new CodedError(
    'no-space',
    `${folder}: no room to download ${neededBytes} bytes: ${Math.max(0, availableBytes)} bytes are available, keeping ${reserveBytes} bytes free`,
    { path: folder, neededBytes, availableBytes },
  );
}

/** The name ending of a second name a write gives the download's file while it reads it (flash-from-download.ts). */
export const readingLinkSuffix = '.reading';

/** Creates the slot's folder; removes a partial file and sidecar when asked (a fresh start). */
export async function prepareSlot(slot: CacheSlot, options: { readonly fresh: boolean }): Promise<void> {
  await mkdir(slot.folder, { recursive: true });
  if (options.fresh) await unlink(slot.partialPath).catch(() => undefined);
  // A write while downloading reads the file through a `.reading` hard link and holds the slot until
  // it ends (flash-from-download.ts): with the slot free again, a link left is a killed process's.
  const names = await readdir(slot.folder).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.endsWith(readingLinkSuffix)).map((name) => unlink(join(slot.folder, name)).catch(() => undefined)));
}

function isSidecar(value: unknown): value is DownloadSidecar {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const nullableString = (key: string): boolean => record[key] === null || typeof record[key] === 'string';
  return (
    typeof record.url === 'string' &&
    typeof record.name === 'string' &&
    unsafeComponentReason(record.name) === null &&
    ['etag', 'lastModified', 'sha256'].every(nullableString) &&
    (record.validators === null || isValidators(record.validators)) &&
    Number.isSafeInteger(record.sizeBytes) &&
    typeof record.complete === 'boolean' &&
    ['createdMs', 'lastUsedMs'].every((key) => Number.isFinite(record[key]))
  );
}

/** net/'s validators as recorded: they become request headers (If-Range), so every field is checked. */
function isValidators(value: unknown): value is ResumeValidators {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const headerValue = (key: string): boolean => record[key] === null || (typeof record[key] === 'string' && /^[\x21-\x7e ]{1,1024}$/.test(record[key]));
  return (
    typeof record.url === 'string' &&
    headerValue('etag') &&
    headerValue('lastModified') &&
    (record.totalBytes === null || (Number.isSafeInteger(record.totalBytes) && (record.totalBytes as number) >= 0))
  );
}
