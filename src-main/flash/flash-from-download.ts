// Writing while downloading (issue 19, `isotope flash URL TARGET...`): the download streams into its
// cache file while the flash writes the same file to the drives from the bytes already landed
// (growing-file-source.ts), so the drives fill as the bytes arrive. The write is trusted only when
// the download completed, its sums check (if any was found) did not disagree, and the bytes written
// are the file's (same size, same SHA-256, each drive read back against the finished file); else
// every stick that was written is marked unusable (first and last MiB zeroed) and the result says why.
// In-process only: the elevated helper cannot see the download's progress (see the CLI's refusal).
import { randomUUID } from 'node:crypto';
import { downloadVerdict, type DownloadRequest, type DownloadResult } from '../../shared/download.ts';
import type { FlashDownloadSummary, FlashProgress, FlashResult, TargetResult } from '../../shared/flash.ts';
import { runDownload } from '../download/run-download.ts';
import type { HttpFetchOptions } from '../net/http-download.ts';
import { FlashFailure } from './flash-error.ts';
import { flashImage, type TargetSelector } from './flash-image.ts';
import { markUnusable } from './mark-unusable.ts';
import { GrowingFile, openGrowingFileSource } from './source/growing-file-source.ts';

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
}

type DownloadEnd = { readonly ok: true; readonly result: DownloadResult } | { readonly ok: false; readonly error: unknown };

/** Error codes a target fails with before anything was written to it: it is left as it was. */
const untouchedCodes: ReadonlySet<string> = new Set(['refused', 'target-busy', 'permission-denied', 'target-removed']);

export async function flashFromDownload(options: FlashFromDownloadOptions): Promise<FlashResult> {
  const jobId = options.jobId ?? randomUUID();
  const startedMs = Date.now();
  // Aborted by the user's cancel, or when no drive is left to write to (the download then stops too).
  const stopDownload = new AbortController();
  const cancel = (): void => stopDownload.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  const growing = new GrowingFile();
  const ended = startDownload(options, growing, stopDownload.signal);
  try {
    let source;
    try {
      source = await openGrowingFileSource(growing);
    } catch (error) {
      // The download failed before its file existed: nothing was written anywhere.
      return nothingWritten(jobId, options, await ended, error, startedMs);
    }
    const flash = await flashImage({
      imagePath: source.path,
      source,
      targets: options.targets,
      verify: options.verify,
      includeAll: options.includeAll,
      eject: false,
      sha256: true,
      jobId,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (!flash.targets.some((target) => target.outcome === 'verified' || target.outcome === 'written')) cancel();
    const download = await ended;
    return await judgeWrite(flash, download, options);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/** Starts the download feeding `growing`; resolves (never rejects) with how it ended. */
function startDownload(options: FlashFromDownloadOptions, growing: GrowingFile, signal: AbortSignal): Promise<DownloadEnd> {
  return runDownload({
    ...options.download,
    signal,
    onPartialFile: (path) => growing.opened(path),
    onData: (offsetBytes, bytes) => growing.landed(offsetBytes, offsetBytes + bytes.length),
    onProgress: (bytesDone, bytesTotal) => {
      if (bytesTotal !== null) growing.knowTotal(bytesTotal);
      growing.onDisk(bytesDone);
      options.onDownloadProgress?.(bytesDone, bytesTotal);
    },
    ...(options.http ? { http: options.http } : {}),
  }).then(
    (result): DownloadEnd => {
      growing.completed(result.sizeBytes);
      return { ok: true, result };
    },
    (error: unknown): DownloadEnd => {
      growing.failed(new FlashFailure('source-unreadable', `the download failed: ${describeError(error)}`, growing.landedBytes));
      return { ok: false, error };
    },
  );
}

/**
 * Why the bytes written cannot be trusted, or null: the download failed, the sums files next to the
 * URL (or a pasted SHA-256) disagree with it (downloadVerdict), or what the flash read is not the finished file.
 */
export function downloadFailureOf(flash: FlashResult, download: DownloadEnd): string | null {
  if (!download.ok) return `the download failed: ${describeError(download.error)}`;
  const { result } = download;
  const verdict = downloadVerdict(result);
  if (verdict === 'mismatch' || verdict === 'bad-signature') {
    const reasons = [...(result.expectedSha256Matches === false ? ['the SHA-256 given differs'] : []), ...(result.verification?.reasons ?? [])].join('; ');
    return `the checksums for ${result.url} do not vouch for the download (${verdict}${reasons === '' ? '' : `: ${reasons}`}); its SHA-256 is ${result.sha256}`;
  }
  const wrote = flash.targets.some((target) => target.outcome === 'verified' || target.outcome === 'written');
  if (wrote && flash.source.sizeBytes !== result.sizeBytes) {
    return `${flash.source.sizeBytes} bytes were written, the download holds ${result.sizeBytes}`;
  }
  if (wrote && flash.source.sha256Hex !== null && flash.source.sha256Hex !== result.sha256) {
    return `the bytes written hash to SHA-256 ${flash.source.sha256Hex}, the download to ${result.sha256}`;
  }
  return null;
}

/** The flash's result with the download's verdict: on a failure, every stick written is marked unusable and fails with the reason. */
async function judgeWrite(flash: FlashResult, download: DownloadEnd, options: FlashFromDownloadOptions): Promise<FlashResult> {
  const result = download.ok ? download.result : null;
  // The flash read the file while it was NAME.partial; a finished download has its own name.
  const source = result === null ? flash.source : { ...flash.source, path: result.path };
  const cancelled = options.signal?.aborted === true;
  const failure = cancelled ? null : downloadFailureOf(flash, download);
  if (failure === null) return { ...flash, source, download: { url: options.download.url, result, failure: null, unusableTargets: [] } };
  const unusableTargets: string[] = [];
  const targets: TargetResult[] = [];
  for (const target of flash.targets) {
    if (target.error !== null && untouchedCodes.has(target.error.code)) {
      targets.push(target);
      continue;
    }
    const marked = await markUnusable(target.target).then(
      () => null,
      (error: unknown) => describeError(error),
    );
    if (marked === null) unusableTargets.push(target.target);
    const outcome =
      marked === null ? `the stick was left unusable (its first and last MiB zeroed) because ${failure}` : `${failure}; marking it unusable failed: ${marked}`;
    const code = download.ok ? 'verification-mismatch' : 'source-unreadable';
    targets.push({ ...target, outcome: 'failed', error: { code, message: `${target.target}: ${outcome}`, offsetBytes: null } });
  }
  const summary: FlashDownloadSummary = { url: options.download.url, result, failure, unusableTargets };
  return { ...flash, source, outcome: 'failed', targets, download: summary };
}

function nothingWritten(jobId: string, options: FlashFromDownloadOptions, download: DownloadEnd, error: unknown, startedMs: number): FlashResult {
  const failure = download.ok ? describeError(error) : `the download failed: ${describeError(download.error)}`;
  const cancelled = options.signal?.aborted === true;
  const targets: TargetResult[] = options.targets.map((target) => ({
    target: 'driveId' in target ? target.driveId : target.path,
    outcome: cancelled ? 'cancelled' : 'failed',
    bytesWritten: 0,
    error: { code: cancelled ? 'cancelled' : 'source-unreadable', message: `${failure}; nothing was written`, offsetBytes: null },
    mismatch: null,
    refusals: [],
  }));
  return {
    jobId,
    outcome: cancelled ? 'cancelled' : 'failed',
    source: { path: options.download.url, compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets,
    elapsedMs: Date.now() - startedMs,
    download: { url: options.download.url, result: download.ok ? download.result : null, failure, unusableTargets: [] },
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}
