// Writing while downloading (issue 19, `isotope flash URL TARGET...`): the download streams into its
// cache file while the drives are written from the bytes already landed (write-arriving-image.ts),
// here or in the elevated helper, which learns of the download only through what this side feeds it.
// This side judges the download: a failure, or a checksum verdict that disagrees, is fed to the
// writing side as the download's failure, so the sticks it wrote are marked unusable there.
import { randomBytes, randomUUID } from 'node:crypto';
import { linkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { downloadTrust, downloadVerdict, type DownloadRequest, type DownloadResult } from '../../shared/download.ts';
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { readingLinkSuffix, retainDownload } from '../download/download-cache.ts';
import { runDownload } from '../download/run-download.ts';
import type { HttpFetchOptions } from '../net/http-download.ts';
import { FlashFailure } from './flash-error.ts';
import { chunkBytes } from './flash-job.ts';
import type { TargetSelector } from './flash-image.ts';
import { GrowingFile, type GrowingFeed } from './source/growing-file-source.ts';
import { writeArrivingImage, type ArrivingWriteOptions } from './write-arriving-image.ts';

/** The writing half once started: what feeds it the download's progress, and its result. */
export interface ArrivingWrite {
  readonly feed: GrowingFeed;
  readonly done: Promise<FlashResult>;
}

/** Starts the writing half: in this process (writeHere), or in the elevated helper (elevation/). */
export type StartArrivingWrite = (options: ArrivingWriteOptions) => ArrivingWrite;

export interface FlashFromDownloadOptions {
  readonly download: DownloadRequest;
  /** Transport options: tests hand their CA here; the CLI its --insecure. */
  readonly http?: HttpFetchOptions;
  readonly targets: readonly TargetSelector[];
  readonly verify: boolean;
  /** "Show all drives" / --unsafe: virtual and fixed drives are real targets. */
  readonly includeAll: boolean;
  readonly jobId?: string;
  readonly signal?: AbortSignal;
  /** The drives' progress, as a flash reports it. */
  readonly onProgress?: (progress: FlashProgress) => void;
  /** The download's bytes on disk and its total when known. */
  readonly onDownloadProgress?: (bytesDone: number, bytesTotal: number | null) => void;
  /**
   * The download completed (its file renamed to `result.path`), maybe long before the drives are
   * written, flushed and read back: what reads the finished file (the CLI's assessment) starts here,
   * beside the write's tail, instead of after it.
   */
  readonly onDownloaded?: (result: DownloadResult) => void;
  /** Where the drives are written; default here (root, or regular files). */
  readonly startWrite?: StartArrivingWrite;
}

type DownloadEnd = { readonly ok: true; readonly result: DownloadResult } | { readonly ok: false; readonly error: unknown };

/**
 * How many landed bytes the download keeps for a writer in this process: a writer that keeps up
 * (the drives faster than the network) needs a few of the flash's chunks; one that falls further
 * behind holds the download back (held-bytes.ts). At least one whole chunk, or a writer waiting for
 * a chunk to land would wait on a download waiting for room.
 */
const heldWindowBytes = 8 * chunkBytes;

/**
 * The writing half in this process, writing from a copy of the download's buffers. Once it is over,
 * however it ended (a target that never opened the source included), the window lets go: a download
 * held back by a writer that is gone would never end.
 */
export const writeHere: StartArrivingWrite = (options) => {
  const growing = new GrowingFile({ holdBytes: heldWindowBytes });
  return { feed: growing, done: writeArrivingImage(growing, options).finally(() => growing.held?.release()) };
};

export async function flashFromDownload(options: FlashFromDownloadOptions): Promise<FlashResult> {
  const jobId = options.jobId ?? randomUUID();
  // Aborted by the user's cancel, or when no drive is left to write to (the download then stops too).
  const stopDownload = new AbortController();
  const cancel = (): void => stopDownload.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const write = (options.startWrite ?? writeHere)({
      targets: options.targets,
      verify: options.verify,
      includeAll: options.includeAll,
      jobId,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const reading = new ReadingLink(`the write of ${options.download.url}`);
    const ended = startDownload(options, write.feed, reading, stopDownload.signal);
    const flash = await write.done.finally(() => reading.remove());
    // The write is over. One that wrote a stick waited for the download's end (write-arriving-image.ts
    // judges the bytes written by it), so this stops only a download nobody reads any more: every target
    // was refused, failed to open or was removed, or the helper never started.
    cancel();
    return withDownload(flash, await ended, options.download.url);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * A second name (a hard link) of the download's partial file, which the writing half opens: the
 * download renames its file once complete, maybe before the writer (the elevated helper, after the
 * OS prompt) opens it; the link keeps the same file at a name of its own until the write is over.
 * The cache slot is held too until then (the download releases its own hold when it ends, while the
 * write may still be verifying): Clear and eviction keep the file, and a link found in a free slot
 * is a killed process's, removed when the slot is next used (download-cache.ts `prepareSlot`).
 */
class ReadingLink {
  #path: string | null = null;
  #release: (() => void) | null = null;

  constructor(private readonly what: string) {}

  /** The name the writer opens: the link, or the partial file itself where the file system has no hard links. */
  nameFor(partialPath: string): string {
    this.#release ??= retainDownload(partialPath, this.what);
    const linkPath = `${partialPath}.${randomBytes(6).toString('hex')}${readingLinkSuffix}`;
    try {
      linkSync(partialPath, linkPath);
    } catch {
      return partialPath;
    }
    this.#path = linkPath;
    return linkPath;
  }

  async remove(): Promise<void> {
    if (this.#path !== null) await unlink(this.#path).catch(() => undefined);
    this.#path = null;
    this.#release?.();
    this.#release = null;
  }
}

/** Starts the download feeding the writing half; resolves (never rejects) with how it ended. */
function startDownload(options: FlashFromDownloadOptions, feed: GrowingFeed, reading: ReadingLink, signal: AbortSignal): Promise<DownloadEnd> {
  return runDownload({
    ...options.download,
    signal,
    onPartialFile: (path) => feed.opened(reading.nameFor(path)),
    onData: (offsetBytes, bytes) => feed.landed(offsetBytes, offsetBytes + bytes.length, bytes),
    onProgress: (bytesDone, bytesTotal) => {
      if (bytesTotal !== null) feed.knowTotal(bytesTotal);
      feed.onDisk(bytesDone);
      options.onDownloadProgress?.(bytesDone, bytesTotal);
    },
    ...(options.http ? { http: options.http } : {}),
  }).then(
    (result): DownloadEnd => {
      const untrusted = untrustedVerdict(result);
      if (untrusted === null) feed.completed(result.sizeBytes, result.sha256);
      else feed.failed(new FlashFailure('verification-mismatch', untrusted));
      options.onDownloaded?.(result);
      return { ok: true, result };
    },
    (error: unknown): DownloadEnd => {
      feed.failed(new FlashFailure('source-unreadable', `the download failed: ${describeError(error)}`));
      return { ok: false, error };
    },
  );
}

/** Why a completed download is not to be trusted: its sums files (or a pasted SHA-256) disagree with it, or a revoked key signed them (downloadTrust); else null. */
export function untrustedVerdict(result: DownloadResult): string | null {
  if (downloadTrust(result) !== 'failed') return null;
  const verdict = downloadVerdict(result);
  const reasons = [...(result.expectedSha256Matches === false ? ['the SHA-256 given differs'] : []), ...(result.verification?.reasons ?? [])].join('; ');
  return `the checksums for ${result.url} do not vouch for the download (${verdict}${reasons === '' ? '' : `: ${reasons}`}); its SHA-256 is ${result.sha256}`;
}

/** The writing half's result with the download's: the file's final name, and the download as it ended. */
function withDownload(flash: FlashResult, download: DownloadEnd, url: string): FlashResult {
  const result = download.ok ? download.result : null;
  // The flash read the file under a name of its own (ReadingLink): a finished download is named by its file, a failed one by its URL.
  const source = { ...flash.source, path: result?.path ?? url };
  const failure = flash.download?.failure ?? (download.ok ? null : `the download failed: ${describeError(download.error)}`);
  return { ...flash, source, download: { url, result, failure, unusableTargets: flash.download?.unusableTargets ?? [] } };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}
