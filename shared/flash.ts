// Flash jobs as the engine reports them: phases, progress per target, and the final result with a
// code and byte offset for every failure. Sizes in bytes, times in ms.
import type { DriveIssue } from './drive.ts';

export const flashPhases = ['preparing', 'unmounting', 'writing', 'flushing', 'verifying', 'done'] as const;
export type FlashPhase = (typeof flashPhases)[number];

/** Why one target failed. Each comes with the byte offset where it happened, when there is one. */
export const flashErrorCodes = [
  'permission-denied', // EACCES/EPERM opening or writing the target (a read-only loop fails on first write)
  'target-busy', // EBUSY: mounted or held exclusively by someone else
  'target-removed', // ENODEV/ENXIO/ENOENT mid-job: the drive went away
  'write-failed', // EIO or any other write error
  'no-space', // ENOSPC/EFBIG/EDQUOT: the target ended before the image did
  'short-write', // the OS accepted fewer bytes than asked and then nothing more
  'read-failed', // reading the target back for verification failed
  'verification-mismatch', // read-back differs from what was written; `mismatch` names the range
  'source-unreadable', // the image could not be read
  'corrupt-archive', // the compressed image is damaged
  'refused', // the safety rules refused the target; `refusals` lists why
  'cancelled', // the user cancelled: neutral
  'internal', // a bug
] as const;
export type FlashErrorCode = (typeof flashErrorCodes)[number];

export interface FlashError {
  readonly code: FlashErrorCode;
  /** Developer-facing message with the numbers. */
  readonly message: string;
  /** Where in the target (or the decompressed source) it happened, when known. */
  readonly offsetBytes: number | null;
}

export interface TargetProgress {
  /** Device path (or file path) of the target. */
  readonly target: string;
  readonly phase: FlashPhase;
  /** Bytes written (writing) or read back (verifying) so far in this phase. */
  readonly bytesDone: number;
  /** Bytes this phase will process; null while a compressed source's size is unknown. */
  readonly bytesTotal: number | null;
  readonly bytesPerSecond: number;
  /** Estimated ms left in this phase; null when unknown. */
  readonly etaMs: number | null;
  /** Set once this target has failed; the others go on. */
  readonly failed: boolean;
}

export interface FlashProgress {
  readonly jobId: string;
  readonly targets: readonly TargetProgress[];
}

export type TargetOutcome = 'verified' | 'written' | 'failed' | 'cancelled';

export interface TargetResult {
  readonly target: string;
  readonly outcome: TargetOutcome;
  readonly bytesWritten: number;
  readonly error: FlashError | null;
  /** The first differing range found by verification (its start is the first bad byte found). */
  readonly mismatch: { readonly offsetBytes: number; readonly lengthBytes: number } | null;
  readonly refusals: readonly DriveIssue[];
}

export type FlashOutcome = 'succeeded' | 'failed' | 'partial' | 'cancelled';

export interface FlashResult {
  readonly jobId: string;
  /** succeeded: every target written (and verified when asked); partial: some failed; failed: all did. */
  readonly outcome: FlashOutcome;
  readonly source: {
    readonly path: string;
    readonly compression: SourceCompression;
    readonly sizeBytes: number;
    readonly sha256Hex: string | null;
    /** True when sha256Hex came from the checksum panel's hash cache instead of being computed while writing. */
    readonly sha256FromCache?: boolean;
  };
  readonly targets: readonly TargetResult[];
  readonly elapsedMs: number;
}

export type SourceCompression = 'none' | 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'zip' | 'device';

export interface FlashStartRequest {
  /** Absolute path of the image (or a block device, to clone it). */
  readonly imagePath: string;
  /** Drive ids from `drives:list`; the engine re-enumerates and re-checks each. */
  readonly driveIds: readonly string[];
  /** Absolute device paths or existing regular files (the CLI, tests); resolved and checked like ids. */
  readonly targetPaths?: readonly string[];
  /** Verify by reading back; default true. */
  readonly verify?: boolean;
  /** Allow virtual and fixed drives ("show all drives"). */
  readonly includeAll?: boolean;
  /** Eject after success where the OS supports it; default true. */
  readonly eject?: boolean;
}

/** Verify-only: compare an already written drive (by id) or path with an image. */
export interface FlashVerifyRequest {
  readonly imagePath: string;
  readonly driveId?: string;
  readonly targetPath?: string;
}
