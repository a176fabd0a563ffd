// The one progress report of every job the engine runs (a flash or verify, a hashing pass, an
// extraction), carried by the `job:progress` event: the same fields whatever the kind, so one CLI
// display and one renderer store read them all. Sizes in bytes, times in ms.
import { flashPhases, type FlashPhase, type FlashProgress, type FlashResult, type FormatResult, type TargetProgress } from './flash.ts';
import type { CompareResult, HashResult, VerificationReport } from './checksum.ts';
import type { DecodedCacheEntry, ImageExtractResult, ImageSearchResult } from './image.ts';
import type { VmTryResult } from './vm.ts';
import type { DownloadResult } from './download.ts';
import type { Result } from './result.ts';
import type { BackupResult } from './backup.ts';
import type { IsoWriteResult } from './authoring.ts';

export type JobKind = 'flash' | 'format' | 'hash' | 'extract' | 'backup' | 'create' | 'remaster' | 'decode' | 'search' | 'try' | 'download';

/**
 * A flash's phases, and the single phase of a hashing pass, of an extraction and of a backup (reading
 * the drive into the file); a new or remastered image reads its sources' metadata (`scanning`), then
 * streams the image to its file (`writing-image`); a compressed image is decoded into its cache file (`decoding`).
 */
export type JobPhase =
  FlashPhase | 'hashing' | 'extracting' | 'backing-up' | 'scanning' | 'writing-image' | 'decoding' | 'searching' | 'running-vm' | 'downloading';

export interface JobProgress {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly phase: JobPhase;
  /** Bytes done so far in this phase (over every target still going, for a flash). */
  readonly bytesDone: number;
  /** Bytes this phase will process; null while unknown (a compressed source, some devices). */
  readonly bytesTotal: number | null;
  readonly bytesPerSecond: number;
  /** Time left in this phase at the current rate; null while unknown. */
  readonly etaMs: number | null;
  /** Per-target sub-progress of a flash or verify, one per drive; empty for the other kinds. */
  readonly targets: readonly TargetProgress[];
  /** What is read or written now: the hashed file, the entry being extracted; null for a flash. */
  readonly subject: string | null;
  /** Files written and to write, for an extraction; null for the other kinds. */
  readonly files: { readonly done: number; readonly total: number } | null;
}

/**
 * What each kind of job that ends with `job:finished` ends with: a flash or verify-only job with its
 * per-target outcomes (kind `flash` for both), an extraction with what it wrote and skipped, a
 * hashing pass with its digests, a comparison with a pasted digest, and a verification against sums
 * files and their signatures (`checksum:hash`, `checksum:compare`, `checksum:verify`).
 */
export interface JobResults {
  readonly flash: FlashResult;
  /** A drive restored to an empty FAT32 or exFAT stick (`drives:format-start`). */
  readonly format: FormatResult;
  readonly extract: ImageExtractResult;
  readonly hash: HashResult;
  readonly compare: CompareResult;
  readonly verify: VerificationReport;
  readonly backup: BackupResult;
  /** A new image made from folders and files (`iso:create`). */
  readonly create: IsoWriteResult;
  /** A remastered copy of an image (`iso:remaster`). */
  readonly remaster: IsoWriteResult;
  /** A compressed image decoded into its cache file (`image:decode`). */
  readonly decode: DecodedCacheEntry;
  /** A search across an image by name (`image:search`); the matches came as `image:search-found`. */
  readonly search: ImageSearchResult;
  /** An image or drive booted in a VM (`vm:try`). */
  readonly try: VmTryResult;
  /** A file downloaded from a URL (`download:start`). */
  readonly download: DownloadResult;
}

export type FinishedJobKind = keyof JobResults;

/** The one end event of a job, carried by `job:finished`: its id, its kind, and its result by kind. */
export type JobFinished = {
  readonly [K in FinishedJobKind]: { readonly jobId: string; readonly kind: K; readonly result: Result<JobResults[K]> };
}[FinishedJobKind];

/**
 * A flash's per-target report as one job report: the phase of the target furthest behind, and the
 * bytes, rate and time left of the targets in that phase (failed targets drop out; they stop).
 */
export function flashJobProgress(progress: FlashProgress, kind: 'flash' | 'format' = 'flash'): JobProgress {
  const going = progress.targets.filter((target) => !target.failed);
  const phaseIndex = Math.min(...going.map((target) => flashPhases.indexOf(target.phase)));
  const phase = flashPhases[phaseIndex] ?? 'done';
  const inPhase = going.filter((target) => target.phase === phase);
  const bytesTotal = inPhase.some((target) => target.bytesTotal === null) ? null : sum(inPhase.map((target) => target.bytesTotal ?? 0));
  const etas = inPhase.map((target) => target.etaMs);
  return {
    jobId: progress.jobId,
    kind,
    phase,
    bytesDone: sum(inPhase.map((target) => target.bytesDone)),
    bytesTotal,
    bytesPerSecond: sum(inPhase.map((target) => target.bytesPerSecond)),
    // The job ends when its slowest target does.
    etaMs: etas.length === 0 || etas.some((eta) => eta === null) ? null : Math.max(...(etas as number[])),
    targets: progress.targets,
    subject: null,
    files: null,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
