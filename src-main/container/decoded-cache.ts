// Decoded cache files: a compressed image that cannot be read at random (gzip, bzip2, a single-block
// xz, a deflated zip entry) is decoded once into <data dir>/decoded/ (decoded-cache-store.ts names
// it), and listing, the boot report, the flash and the checksum pass read it from there afterwards.
// A decode writes NAME.partial ('wx'), leaves all-zero runs as holes (sparse), fsyncs and renames; a
// failed or cancelled decode removes its partial file. The space is checked before (against the
// decoded size where the format records it) and while decoding, so a decompression bomb stops with
// `no-space` before the disk is full.
import { lstat, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DecodedCacheEntry, ImageCompression } from '../../shared/image.ts';
import { openCompressedSource } from '../compression/compressed-source.ts';
import { openDecodedStream } from '../compression/decoded-stream.ts';
import { compressionMagicBytes, detectCompression } from '../compression/detect-compression.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { defaultReserveBytes, statfsFreeSpace, type FreeSpaceReader } from '../io/free-space.ts';
import { CodedError } from '../jobs/errors.ts';
import {
  cacheFolderFileKind,
  cachePathFor,
  decodedCacheDir,
  identityOf,
  isCacheFilePath,
  readCacheEntry,
  sidecarPathOf,
  writeCacheEntry,
  type CacheFolderFileKind,
} from './decoded-cache-store.ts';
import { writeSparse } from './sparse-writer.ts';

export interface DecodeProgress {
  readonly compressedBytesRead: number;
  readonly compressedSizeBytes: number;
  readonly decodedBytes: number;
  /** The decoded size when the format records it; null otherwise. */
  readonly decodedSizeBytes: number | null;
}

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DecodeProgress) => void;
  /** Isotope's data folder (tests); the process's own by default. */
  readonly dataDir?: string;
  /** Where the free space is read (tests inject a small disk); statfs by default. */
  readonly freeSpace?: FreeSpaceReader;
  /** Bytes left free on the disk however large the image: the system and other programs need them. */
  readonly reserveBytes?: number;
}

/** Cache files a decode is writing or a flash is reading in this process, with what: clearing keeps them. */
const cacheReaders = new Map<string, { readonly what: string; count: number }>();

/** Marks `cachePath` as read by `what` until the returned release is called. */
export function retainDecodedCache(path: string, what: string): () => void {
  // One spelling per file: '/d/./x.img' and '/d//x.img' name the file '/d/x.img' names.
  const cachePath = resolve(path);
  const held = cacheReaders.get(cachePath) ?? { what, count: 0 };
  held.count += 1;
  cacheReaders.set(cachePath, held);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.count -= 1;
    if (held.count === 0) cacheReaders.delete(cachePath);
  };
}

/** The cache file decoded from this very version of `path`, or null. */
export async function findDecodedCache(path: string, dataDir?: string): Promise<DecodedCacheEntry | null> {
  const stats = await stat(path).catch(() => null);
  if (!stats?.isFile()) return null;
  const identity = identityOf(stats);
  return readCacheEntry(cachePathFor(identity, dataDir), identity);
}

/** True when `path` is a compressed image that cannot be read at random and has no decoded cache file yet. */
export async function needsDecoding(path: string, dataDir?: string): Promise<boolean> {
  const compression = await compressionOf(path).catch(() => null);
  if (compression === null || (await findDecodedCache(path, dataDir)) !== null) return false;
  const compressed = await openCompressedSource(path, compression);
  await compressed.close();
  return compressed.source === null;
}

/** Records that `entry` was read now (Settings shows when each cache file was last used). */
export async function touchDecodedCache(entry: DecodedCacheEntry, dataDir?: string): Promise<void> {
  const stats = await stat(entry.imagePath).catch(() => null);
  if (!stats || cachePathFor(identityOf(stats), dataDir) !== entry.cachePath) return;
  await writeCacheEntry({ ...entry, lastUsedMs: Date.now() }, identityOf(stats)).catch(() => undefined);
}

/** Decodes running in this process, by cache path: a second decode of the same file version joins the first. */
const runningDecodes = new Map<string, Promise<DecodedCacheEntry>>();

/** Decodes `path` into its cache file (or answers the one already there, or being made, for this file version). */
export async function decodeToCache(path: string, options: DecodeOptions = {}): Promise<DecodedCacheEntry> {
  const existing = await findDecodedCache(path, options.dataDir);
  if (existing !== null) return existing;
  const stats = await stat(path);
  // Before any open: opening a FIFO for reading waits for a writer, holding a libuv thread for good.
  if (!stats.isFile()) throw new CodedError('not-a-file', `${path} is not a regular file: only a compressed image file can be decoded`, { path });
  const cachePath = cachePathFor(identityOf(stats), options.dataDir);
  const running = runningDecodes.get(cachePath);
  if (running) return running;
  const decode = decodeVersion(path, stats, options).finally(() => runningDecodes.delete(cachePath));
  runningDecodes.set(cachePath, decode);
  return decode;
}

async function decodeVersion(path: string, stats: Stats, options: DecodeOptions): Promise<DecodedCacheEntry> {
  const identity = identityOf(stats);
  const compression = await compressionOf(path);
  const cachePath = cachePathFor(identity, options.dataDir);
  const folder = decodedCacheDir(options.dataDir);
  await mkdir(folder, { recursive: true });
  const release = retainDecodedCache(cachePath, `the decode of ${path}`);
  try {
    const decodedSizeBytes = await recordedDecodedSize(path, compression);
    const space = { folder, freeSpace: options.freeSpace ?? statfsFreeSpace, reserveBytes: options.reserveBytes ?? defaultReserveBytes };
    const decodedBytes = await decodeInto(`${cachePath}.partial`, path, compression, {
      ...options,
      ...space,
      decodedSizeBytes,
      compressedSizeBytes: stats.size,
    });
    // Changed or replaced while it was decoded: the cache file may mix two versions, and matches neither.
    if (JSON.stringify(identityOf(await stat(path))) !== JSON.stringify(identity)) {
      await unlink(cachePath).catch(() => undefined);
      throw new CodedError('source-changed', `${path} changed while it was decoded (${decodedBytes} bytes): no cache file was kept`, { path });
    }
    const now = Date.now();
    const entry: DecodedCacheEntry = { cachePath, imagePath: path, compression, decodedSizeBytes: decodedBytes, diskBytes: 0, createdMs: now, lastUsedMs: now };
    await writeCacheEntry(entry, identity);
    return (await readCacheEntry(cachePath, identity)) ?? entry;
  } finally {
    release();
  }
}

async function compressionOf(path: string): Promise<ImageCompression> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(compressionMagicBytes);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    if (compression === null)
      throw new CodedError('unsupported', `${path} is not a compressed image (.xz, .gz, .zst, .bz2, .zip): there is nothing to decode`, { path });
    return compression;
  } finally {
    await file.close();
  }
}

/** The decoded size the format records (xz index, zip entry, zstd frame headers); null when it does not. */
async function recordedDecodedSize(path: string, compression: ImageCompression): Promise<number | null> {
  const compressed = await openCompressedSource(path, compression);
  await compressed.close();
  return compressed.info.decodedSizeBytes;
}

interface DecodeTarget extends DecodeOptions {
  readonly folder: string;
  readonly freeSpace: FreeSpaceReader;
  readonly reserveBytes: number;
  readonly decodedSizeBytes: number | null;
  readonly compressedSizeBytes: number;
}

/** Decodes into `partialPath`, checks the size, fsyncs and renames it over the cache path; answers the decoded size. */
async function decodeInto(partialPath: string, path: string, compression: ImageCompression, target: DecodeTarget): Promise<number> {
  const freeAtStartBytes = (await target.freeSpace(target.folder)) - target.reserveBytes;
  if (target.decodedSizeBytes !== null && target.decodedSizeBytes > freeAtStartBytes) throw noSpace(target, target.decodedSizeBytes, freeAtStartBytes);
  const handle = await createPartial(partialPath);
  try {
    const decoded = await openDecodedStream(path, compression);
    const decodedBytes = await writeSparse(handle, decoded.stream, {
      signal: target.signal,
      what: `decoding ${path}`,
      // A bomb stops here: no more decoded bytes than the disk had room for at the start, and the
      // disk re-read as the file grows (other programs write too).
      checkSpace: async (writtenBytes) => {
        if (writtenBytes > freeAtStartBytes) throw noSpace(target, writtenBytes, freeAtStartBytes);
        const freeNowBytes = (await target.freeSpace(target.folder)) - target.reserveBytes;
        if (freeNowBytes < 0) throw noSpace(target, writtenBytes, freeNowBytes);
      },
      onProgress: (decodedBytes) =>
        target.onProgress?.({
          compressedBytesRead: decoded.compressedBytesRead(),
          compressedSizeBytes: target.compressedSizeBytes,
          decodedBytes,
          decodedSizeBytes: target.decodedSizeBytes,
        }),
    });
    if (target.decodedSizeBytes !== null && decodedBytes !== target.decodedSizeBytes) {
      throw new CorruptImageError(`${path}: the ${compression} data decodes to ${decodedBytes} bytes; the file records ${target.decodedSizeBytes}`, {
        file: path,
        offsetBytes: decodedBytes,
      });
    }
    await handle.sync();
    await handle.close();
    await rename(partialPath, partialPath.replace(/\.partial$/, ''));
    return decodedBytes;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(partialPath).catch(() => undefined);
    if (error instanceof Error && 'code' in error && error.code === 'ENOSPC') throw noSpace(target, 0, 0);
    throw error;
  }
}

function noSpace(target: DecodeTarget, neededBytes: number, availableBytes: number): CodedError {
  const reserve = `keeping ${target.reserveBytes} bytes free`;
  const detail =
    neededBytes === 0 ? 'the disk is full' : `${neededBytes} decoded bytes need more than the ${Math.max(0, availableBytes)} bytes available (${reserve})`;
  return new CodedError('no-space', `${target.folder}: no room to decode the image: ${detail}`, { path: target.folder, neededBytes, availableBytes });
}

/** A stale partial file (a decode that was killed) older than this is replaced; a younger one is another decode's. */
const stalePartialMs = 10 * 60 * 1000;

/** Creates the partial file exclusively ('wx'): two decodes of one file never write into each other. */
async function createPartial(partialPath: string): Promise<FileHandle> {
  try {
    return await open(partialPath, 'wx');
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    const stats = await stat(partialPath);
    if (Date.now() - stats.mtimeMs < stalePartialMs || cacheReaders.has(partialPath.replace(/\.partial$/, ''))) {
      throw new CodedError('file-exists', `${partialPath} is being written by another decode of the same image`, { path: partialPath });
    }
    await unlink(partialPath);
    return await open(partialPath, 'wx');
  }
}

/** Every complete cache file in the data folder, most recently used first. */
export async function listDecodedCaches(dataDir?: string): Promise<DecodedCacheEntry[]> {
  const folder = decodedCacheDir(dataDir);
  const names = await readdir(folder).catch(() => [] as string[]);
  const entries: DecodedCacheEntry[] = [];
  for (const name of names) {
    const cachePath = join(folder, name);
    if (!isCacheFilePath(cachePath, dataDir)) continue;
    const entry = await readCacheEntry(cachePath);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => b.lastUsedMs - a.lastUsedMs);
}

export interface ClearResult {
  readonly removedBytes: number;
  readonly kept: { readonly cachePath: string; readonly reason: string }[];
}

interface FolderFile {
  readonly path: string;
  readonly kind: CacheFolderFileKind;
  readonly diskBytes: number;
  readonly modifiedMs: number;
}

/** The files of the cache folder Isotope wrote (by their names), regular files only. */
async function cacheFolderFiles(dataDir?: string): Promise<FolderFile[]> {
  const folder = decodedCacheDir(dataDir);
  const files: FolderFile[] = [];
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const kind = cacheFolderFileKind(name);
    const stats = kind === null ? null : await lstat(join(folder, name)).catch(() => null);
    if (kind !== null && stats?.isFile()) files.push({ path: join(folder, name), kind, diskBytes: stats.blocks * 512, modifiedMs: stats.mtimeMs });
  }
  return files;
}

/**
 * The space Clear all would free, and running decodes hold: cache files, and the partial files of
 * running and killed decodes and orphan sidecars (a cache file's own sidecar is counted with neither,
 * as clearing's removedBytes does not count it).
 */
export async function decodedCacheDiskBytes(dataDir?: string): Promise<number> {
  const files = await cacheFolderFiles(dataDir);
  const cachePaths = new Set(files.filter((file) => file.kind === 'cache').map((file) => file.path));
  const counted = files.filter((file) => !(file.kind === 'sidecar' && cachePaths.has(file.path.replace(/\.json$/, '.img'))));
  return counted.reduce((sum, file) => sum + file.diskBytes, 0);
}

/**
 * Removes cache files: the named ones (each must be a cache file inside <data dir>/decoded/, or the
 * call is refused before anything is removed), else every cache file and then the leftovers of
 * decodes (clearLeftovers). A file a running decode or flash reads is kept and named.
 */
export async function clearDecodedCaches(cachePaths?: readonly string[], dataDir?: string): Promise<ClearResult> {
  const folder = decodedCacheDir(dataDir);
  const outside = cachePaths?.find((path) => !isCacheFilePath(path, dataDir));
  if (outside !== undefined) {
    throw new CodedError('destination-not-allowed', `${outside} is not a decoded cache file in ${folder}: only those can be cleared`, { path: outside });
  }
  // Checked and removed by one spelling, the one retainDecodedCache records: './' or '//' in a named path
  // must not slip a file a flash reads past the check.
  const targets = (cachePaths ?? (await cacheFolderFiles(dataDir)).filter((file) => file.kind === 'cache').map((file) => file.path)).map((path) =>
    resolve(path),
  );
  let removedBytes = 0;
  const kept: { cachePath: string; reason: string }[] = [];
  for (const cachePath of targets) {
    const reader = cacheReaders.get(cachePath);
    if (reader) {
      kept.push({ cachePath, reason: `read by ${reader.what}` });
      continue;
    }
    const stats = await stat(cachePath).catch(() => null);
    await unlink(sidecarPathOf(cachePath)).catch(() => undefined);
    if (stats === null) continue;
    await unlink(cachePath);
    removedBytes += stats.blocks * 512;
  }
  if (cachePaths !== undefined) return { removedBytes, kept };
  const leftovers = await clearLeftovers(dataDir);
  return { removedBytes: removedBytes + leftovers.removedBytes, kept: [...kept, ...leftovers.kept] };
}

/**
 * Removes what decodes left behind: the partial file of a decode that was killed (not written by a
 * decode of this process, and older than the stale limit: a younger one may be another Isotope's,
 * which is kept and named), a sidecar whose cache file is gone, and a stale temporary sidecar.
 */
async function clearLeftovers(dataDir?: string): Promise<ClearResult> {
  const files = await cacheFolderFiles(dataDir);
  const cachePaths = new Set(files.filter((file) => file.kind === 'cache').map((file) => file.path));
  let removedBytes = 0;
  const kept: { cachePath: string; reason: string }[] = [];
  for (const file of files) {
    const stale = Date.now() - file.modifiedMs >= stalePartialMs;
    if (file.kind === 'partial') {
      const writer = cacheReaders.get(file.path.replace(/\.partial$/, ''));
      const reason = writer ? `written by ${writer.what}` : stale ? null : `written less than ${stalePartialMs / 60_000} minutes ago, maybe by another decode`;
      if (reason !== null) {
        kept.push({ cachePath: file.path, reason });
        continue;
      }
    } else if (
      file.kind === 'cache' ||
      (file.kind === 'sidecar' && cachePaths.has(file.path.replace(/\.json$/, '.img'))) ||
      (file.kind === 'sidecar-partial' && !stale)
    ) {
      continue;
    }
    await unlink(file.path).catch(() => undefined);
    removedBytes += file.diskBytes;
  }
  return { removedBytes, kept };
}
