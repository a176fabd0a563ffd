// A download job (issue 19): the sums files next to the URL are fetched first (small), so the one pass
// over the arriving bytes computes every digest they need (SHA-256 always; SHA-512 and others only when
// a sums file lists them); then net/ streams the URL, or its mirrors in turn, into a `.partial` file,
// and the existing verifier judges the file from those digests, with no second read.
// Where it goes: the download cache (download-cache.ts) unless the caller names a file. In the cache
// a failed or cancelled download keeps its `.partial` and its validators, and the next download of
// the same URL resumes it (net/ re-reads the kept bytes through the hash, never trusting them). A
// file the user named is the user's: its `.partial` is removed on any failure or cancel, and a new
// run starts afresh (no record proves a stray `NAME.partial` came from this URL).
import { lstat, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { HashAlgorithm } from '../../shared/checksum.ts';
import type { DownloadRequest, DownloadResult } from '../../shared/download.ts';
import { parseSumsFile } from '../checksum/sums-file.ts';
import type { FetchedSumsFile } from '../checksum/verify-image.ts';
import { CodedError } from '../jobs/errors.ts';
import { parseHttpUrl } from '../net/http-connection.ts';
import { downloadToFile, fetchSmall, type DownloadOutcome, type HttpFetchOptions, type ResumeValidators } from '../net/http-download.ts';
import { defaultDataDir } from '../io/data-dir.ts';
import { defaultReserveBytes, statfsFreeSpace } from '../io/free-space.ts';
import {
  cacheSlotFor,
  checkFreeSpace,
  downloadHolder,
  defaultCacheLimitBytes,
  evictForRoom,
  fileNameFromUrl,
  noSpaceError,
  prepareSlot,
  readSidecar,
  retainDownload,
  writeSidecar,
  type CacheSlot,
} from './download-cache.ts';
import { fetchSumsNextTo } from './remote-sums.ts';
import { verifyDownload } from './download-verification.ts';
import { ExtraDigests } from './extra-digests.ts';

export interface RunDownloadOptions extends DownloadRequest {
  readonly signal: AbortSignal;
  readonly onProgress: (bytesDone: number, bytesTotal: number | null) => void;
  /**
   * Every byte range as it lands in the file, in order (a flash written while downloading reads
   * them); `bytes` is valid only during the call, or until the promise returned settles: the download
   * lands nothing more meanwhile (a writer that fell behind holds it back so).
   */
  readonly onData?: (offsetBytes: number, bytes: Uint8Array) => Promise<void> | undefined;
  /** The file being written, once it exists: before the first onData or onProgress. */
  readonly onPartialFile?: (partialPath: string) => void;
  /** Tests: extraCaPem; the CLI: insecureTls. Never from the contract. */
  readonly http?: HttpFetchOptions;
  /** Isotope's data folder (the cache and the keyring); the process's own by default. */
  readonly dataDir?: string;
  /** The cache's size limit (default 20 GiB). */
  readonly cacheLimitBytes?: number;
  /** Bytes kept free on the disk (default 512 MiB). */
  readonly reserveBytes?: number;
}

/** Where the bytes go: a cache slot (resumable) or the user's file. */
interface Destination {
  readonly path: string;
  readonly partialPath: string;
  readonly folder: string;
  readonly slot: CacheSlot | null;
  /** The earlier try's validators when its partial file is resumed; null: a fresh start. */
  readonly validators: ResumeValidators | null;
}

export async function runDownload(options: RunDownloadOptions): Promise<DownloadResult> {
  const dataDir = options.dataDir ?? defaultDataDir();
  // Refused before anything is written or recorded: a URL with a password, an ftp: mirror.
  for (const url of [options.url, ...(options.mirrors ?? [])]) parseHttpUrl(url);
  const release = claimPartialFile(options, dataDir);
  try {
    return await downloadInto(await chooseDestination(options, dataDir), options, dataDir);
  } finally {
    release();
  }
}

/**
 * Holds the partial file against Clear and eviction from before anything is read or written; in the
 * cache, refuses a second download of the same URL (two writers would interleave their bytes).
 * Synchronous, so two calls at once cannot both pass the check.
 */
function claimPartialFile(options: RunDownloadOptions, dataDir: string): () => void {
  const partialPath = options.outputPath !== undefined ? `${options.outputPath}.partial` : cacheSlotFor(options.url, dataDir).partialPath;
  const holder = options.outputPath === undefined ? downloadHolder(partialPath) : null;
  if (holder !== null)
    throw new CodedError('file-exists', `${options.url} is in use in the download cache by ${holder}: try again when it ends`, { path: partialPath });
  if (options.outputPath === undefined) return retainDownload(partialPath, `the download of ${options.url}`);
  // A named file is claimed by its own path (the cache's holds are per folder, and a user's folder is no slot).
  const claimedPath = resolve(partialPath);
  if (namedFilesWritten.has(claimedPath))
    throw new CodedError('file-exists', `${options.outputPath} is being written by another download: try again when it ends`, { path: options.outputPath });
  namedFilesWritten.add(claimedPath);
  return () => namedFilesWritten.delete(claimedPath);
}

/** The `.partial` paths of named files a download in this process is writing. */
const namedFilesWritten = new Set<string>();

/** Fetches the sums next to the URL, streams the file in with the digests they need, and judges it. */
async function downloadInto(destination: Destination, options: RunDownloadOptions, dataDir: string): Promise<DownloadResult> {
  const urls = [...new Set([options.url, ...(options.mirrors ?? [])])];
  try {
    const remote = await fetchSumsNextTo(urls, (url, maxBytes) => fetchSmall(url, maxBytes, httpOptions(options)), options.signal);
    const algorithms = algorithmsListedIn(remote.sums);
    const outcome = await streamInto(destination, urls, algorithms, options, dataDir);
    await finish(destination, outcome.download);
    const digests = { ...outcome.digests, sha256: outcome.download.sha256 };
    const fileName = fileNameFromUrl(options.url);
    const { verification, notes } = await verifyDownload(destination.path, remote, {
      dataDir,
      fileName,
      readDigests: { sizeBytes: outcome.download.sizeBytes, digests },
    });
    return {
      url: options.url,
      servedBy: outcome.download.servedBy,
      path: destination.path,
      sizeBytes: outcome.download.sizeBytes,
      sha256: outcome.download.sha256,
      resumedFromBytes: outcome.download.resumedFromBytes,
      verification,
      expectedSha256Matches: options.expectedSha256 === undefined ? null : options.expectedSha256 === outcome.download.sha256,
      sumsSearchProblems: [...remote.notes, ...notes],
    };
  } catch (error) {
    // The cache keeps a partial file for the next try; a file the user named leaves nothing behind,
    // nor does a download refused for space (its bytes would only take the room that was missing).
    const isNoSpace = error instanceof CodedError && error.code === 'no-space';
    if (destination.slot === null || isNoSpace) await unlink(destination.partialPath).catch(() => undefined);
    throw error;
  }
}

function httpOptions(options: RunDownloadOptions): HttpFetchOptions {
  return { ...options.http, signal: options.signal };
}

/** The cache slot of the URL, or the named file (refused when it exists and `overwrite` is not set). */
async function chooseDestination(options: RunDownloadOptions, dataDir: string): Promise<Destination> {
  if (options.outputPath !== undefined) {
    const { outputPath } = options;
    const existing = await lstat(outputPath).catch(() => null);
    if (existing && !options.overwrite)
      throw new CodedError('file-exists', `${outputPath} exists: asked again with overwrite, the download replaces it`, { path: outputPath });
    if (existing && !existing.isFile())
      throw new CodedError('not-a-file', `${outputPath} is not a regular file: a download cannot replace it`, { path: outputPath });
    const partialPath = `${outputPath}.partial`;
    await unlink(partialPath).catch(() => undefined);
    return { path: outputPath, partialPath, folder: dirname(outputPath), slot: null, validators: null };
  }
  const slot = cacheSlotFor(options.url, dataDir);
  const sidecar = await readSidecar(slot.folder);
  const partial = await lstat(slot.partialPath).catch(() => null);
  // Only a partial file of this very URL whose answer's validators were recorded can resume.
  const kept = sidecar !== null && !sidecar.complete && sidecar.url === options.url && partial?.isFile() === true ? sidecar : null;
  const validators = kept?.validators ?? null;
  await prepareSlot(slot, { fresh: validators === null });
  const nowMs = Date.now();
  await writeSidecar(slot.folder, {
    url: options.url,
    name: fileNameFromUrl(options.url),
    etag: validators ? (kept?.etag ?? null) : null,
    lastModified: validators ? (kept?.lastModified ?? null) : null,
    validators,
    sha256: null,
    sizeBytes: validators ? (partial?.size ?? 0) : 0,
    complete: false,
    createdMs: kept?.createdMs ?? nowMs,
    lastUsedMs: nowMs,
  });
  return { path: slot.path, partialPath: slot.partialPath, folder: slot.folder, slot, validators };
}

/** Every algorithm any entry of the fetched sums files uses, beside SHA-256 (which net/ computes). */
function algorithmsListedIn(sums: readonly FetchedSumsFile[]): HashAlgorithm[] {
  const algorithms = new Set<HashAlgorithm>();
  for (const file of sums) {
    try {
      const text = new TextDecoder('utf-8').decode(file.bytes);
      for (const entry of parseSumsFile(text, { sumsFileName: file.sumsPath.split('/').at(-1) ?? '' }).entries) algorithms.add(entry.algorithm);
    } catch {
      // Not a sums file after all: the verifier says so in its report.
    }
  }
  algorithms.delete('sha256');
  return [...algorithms];
}

interface Streamed {
  readonly download: DownloadOutcome;
  /** The other digests the sums files need, of the same bytes. */
  readonly digests: Partial<Record<HashAlgorithm, string>>;
}

/**
 * Streams the URLs into the partial file: the disk's free space and the cache's limit are checked as
 * soon as the size is known (the first answer's Content-Length), and the download stops there when
 * they do not hold; the other digests are computed from the same ranges as they land.
 */
async function streamInto(
  destination: Destination,
  urls: readonly string[],
  algorithms: readonly HashAlgorithm[],
  options: RunDownloadOptions,
  dataDir: string,
): Promise<Streamed> {
  const refusal = new AbortController();
  let refusedWith: unknown = null;
  const signal = AbortSignal.any([options.signal, refusal.signal]);
  const roomCheck = new RoomCheck(destination, options, dataDir, (error) => {
    refusedWith = error;
    refusal.abort();
  });
  await roomCheck.run(0, null);
  const maxBytes = await roomCheck.ceilingBytes();
  const extra = algorithms.length > 0 ? new ExtraDigests(destination.partialPath, algorithms) : null;
  const sidecar = new SidecarUpdates(destination);
  // net/ creates (or opens) the partial file before its first report: it exists at the first of either.
  let announced = false;
  const announce = (): void => {
    if (!announced) options.onPartialFile?.(destination.partialPath);
    announced = true;
  };
  try {
    const download = await downloadToFile({
      ...options.http,
      urls,
      partialPath: destination.partialPath,
      resume: destination.validators !== null,
      validators: destination.validators,
      maxBytes,
      onValidators: (validators) => sidecar.record(validators),
      signal,
      onData: (offsetBytes, bytes) => {
        announce();
        extra?.landed(offsetBytes, bytes);
        return options.onData?.(offsetBytes, bytes);
      },
      onProgress: (bytesDone, bytesTotal) => {
        announce();
        roomCheck.sizeKnown(bytesDone, bytesTotal);
        options.onProgress(bytesDone, bytesTotal);
      },
    });
    await Promise.all([roomCheck.settled(), sidecar.settled()]);
    if (refusedWith !== null) throw refusedWith;
    return { download, digests: extra ? await extra.digest(download.sizeBytes) : {} };
  } catch (error) {
    await Promise.all([roomCheck.settled(), sidecar.settled()]);
    if (refusedWith !== null) throw refusedWith;
    if (error instanceof CodedError && error.code === 'too-large') throw roomCheck.refusalPast(maxBytes, error);
    if (error instanceof Error && 'code' in error && error.code === 'ENOSPC') {
      throw new CodedError('no-space', `${destination.folder}: the disk filled up while downloading ${options.url}`, { path: destination.folder });
    }
    throw error;
  }
}

/** Records each answer's validators in the cache slot's sidecar, in order, so a later run can resume the partial file. */
class SidecarUpdates {
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly destination: Destination) {}

  record(validators: ResumeValidators): void {
    const { folder, slot } = this.destination;
    if (slot === null) return;
    this.#queue = this.#queue.then(async () => {
      const sidecar = await readSidecar(folder);
      if (sidecar) await writeSidecar(folder, { ...sidecar, validators, etag: validators.etag, lastModified: validators.lastModified });
    });
  }

  settled(): Promise<void> {
    return this.#queue.catch(() => undefined);
  }
}

/** The free-space and cache-limit checks, once before the first request and once more when the size is known. */
class RoomCheck {
  #pending: Promise<void> = Promise.resolve();
  #sizeChecked = false;
  #keptBytes = 0;

  constructor(
    private readonly destination: Destination,
    private readonly options: RunDownloadOptions,
    private readonly dataDir: string,
    private readonly refuse: (error: unknown) => void,
  ) {}

  /** Makes room for `neededBytes` more in the cache, then checks the disk has them and the reserve free. */
  async run(bytesDone: number, bytesTotal: number | null): Promise<void> {
    const neededBytes = bytesTotal === null ? 0 : Math.max(0, bytesTotal - bytesDone);
    const { slot } = this.destination;
    if (slot !== null) {
      await evictForRoom({ slot, neededBytes, limitBytes: this.options.cacheLimitBytes ?? defaultCacheLimitBytes, dataDir: this.dataDir });
    }
    await checkFreeSpace(this.destination.folder, neededBytes, this.options.reserveBytes ?? defaultReserveBytes);
  }

  /**
   * The most bytes the whole file may reach, handed to net/ as maxBytes: a body without a length is
   * otherwise never checked and could fill the disk. The disk's free space above the reserve (a
   * resume's kept bytes are already on it) and, in the cache, the cache's limit.
   */
  async ceilingBytes(): Promise<number> {
    const { folder, partialPath, slot, validators } = this.destination;
    this.#keptBytes = validators === null ? 0 : ((await lstat(partialPath).catch(() => null))?.size ?? 0);
    const freeBytes = await statfsFreeSpace(folder);
    const diskCeilingBytes = Math.max(0, freeBytes - this.reserveBytes) + this.#keptBytes;
    return slot === null ? diskCeilingBytes : Math.min(diskCeilingBytes, this.options.cacheLimitBytes ?? defaultCacheLimitBytes);
  }

  /** net/'s `too-large` past the ceiling, as the no-space refusal it is (with the announced size when there was one). */
  refusalPast(ceilingBytes: number, error: CodedError): CodedError {
    const totalBytes = typeof error.detail?.totalBytes === 'number' ? error.detail.totalBytes : ceilingBytes + 1;
    return noSpaceError(this.destination.folder, totalBytes - this.#keptBytes, ceilingBytes - this.#keptBytes, this.reserveBytes);
  }

  private get reserveBytes(): number {
    return this.options.reserveBytes ?? defaultReserveBytes;
  }

  sizeKnown(bytesDone: number, bytesTotal: number | null): void {
    if (this.#sizeChecked || bytesTotal === null) return;
    this.#sizeChecked = true;
    this.#pending = this.run(bytesDone, bytesTotal).catch(this.refuse);
  }

  settled(): Promise<void> {
    return this.#pending;
  }
}

/** Renames the partial file over its final name (not fsynced: net/partial-file.ts says what a crash leaves); in the cache, records it complete. */
async function finish(destination: Destination, download: DownloadOutcome): Promise<void> {
  // A cache slot downloaded again: its old file goes first. Renamed over it, the new file would be
  // written out to the disk at once (ext4's auto_da_alloc, which guards files replaced by rename), and
  // the job's history record, fsynced next, waited for it (~0.2 s for 256 MiB). A file the user named
  // keeps the atomic replace.
  if (destination.slot !== null) await unlink(destination.path).catch(() => undefined);
  await rename(destination.partialPath, destination.path);
  if (destination.slot === null) return;
  const sidecar = await readSidecar(destination.folder);
  const nowMs = Date.now();
  await writeSidecar(destination.folder, {
    url: download.url,
    name: fileNameFromUrl(download.url),
    etag: download.etag,
    lastModified: download.lastModified,
    validators: null,
    sha256: download.sha256,
    sizeBytes: download.sizeBytes,
    complete: true,
    createdMs: sidecar?.createdMs ?? nowMs,
    lastUsedMs: nowMs,
  });
}
