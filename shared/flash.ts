// Flash jobs as the engine reports them: phases, progress per target, and the final result with a
// code and byte offset for every failure. Sizes in bytes, times in ms.
import type { AssessmentFinding, AssessmentFindingCode, ImageAssessment } from './assessment.ts';
import type { DriveIssue } from './drive.ts';
import type { DownloadResult } from './download.ts';
import type { CopyModeOptions, NewFileSystem, PartitionTableChoice, StickBootPrediction, WriteModeChoice, WriteModeRequest } from './stick.ts';

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
  /**
   * Verify-only of a copy-files stick (issue 14): judged file by file, each of the image's files read
   * back through the stick's FAT32, not byte for byte with the image. Absent: compared byte for byte.
   */
  readonly copiedFiles?: {
    /** The files the stick must hold (the image's, as copy mode copies them). */
    readonly fileCount: number;
    /** Files on the stick that the image lacks and a write adds by option (autounattend.xml): named, not failed. */
    readonly extraPaths: readonly string[];
  };
  /** Bytes written over the time this target spent writing and flushing, per second; absent when it wrote nothing. */
  readonly writeBytesPerSecond?: number;
  /** Bytes read back over the time this target spent verifying, per second; absent when it was not read back. */
  readonly verifyBytesPerSecond?: number;
  /** What became of "eject after writing" for this target; absent when it was not asked for or the target did not succeed. */
  readonly ejection?: TargetEjection;
}

/**
 * Ejecting after a successful write: done (the drive can be pulled out), or not, and why: the engine
 * ejects USB drives only (`not-usb`: a fixed, virtual or internal drive stays), or the OS refused
 * (`failed`: busy, or no tool; `message` gives the tools' words).
 */
export type TargetEjection = { readonly ejected: true } | { readonly ejected: false; readonly reason: 'not-usb' | 'failed'; readonly message: string };

export type FlashOutcome = 'succeeded' | 'failed' | 'partial' | 'cancelled';

export interface FlashResult {
  readonly jobId: string;
  /** succeeded: every target written (and verified when asked); partial: some failed; failed: all did. */
  readonly outcome: FlashOutcome;
  readonly source: {
    readonly path: string;
    readonly compression: SourceCompression;
    /** Bytes read from the image and written (the first `sizeBytes` only, when `imageSizeBytes` is set). */
    readonly sizeBytes: number;
    /**
     * Set when a target smaller than the disk image held every partition: the image's whole size, of
     * which only the first `sizeBytes` (every partition; the rest all zeros) were written and verified.
     */
    readonly imageSizeBytes?: number;
    /** SHA-256 of the bytes read from the image and written, computed in the write pass itself; null when not computed. */
    readonly sha256Hex: string | null;
  };
  readonly targets: readonly TargetResult[];
  readonly elapsedMs: number;
  /**
   * The blocking findings the user chose to write anyway ("Write anyway" / --force), so the summary
   * says what verification proved: the drive matches the image file, which is itself incomplete.
   * Absent or empty: nothing blocking was acknowledged.
   */
  readonly acknowledgedFindings?: readonly AssessmentFinding[];
  /** A write while downloading (`isotope flash URL`): how the download ended and what that made of the sticks. */
  readonly download?: FlashDownloadSummary;
}

/**
 * The download a write read its bytes from as they arrived (issue 19). A write is trusted only when
 * the download completed, its sums check (if sums were found) matched, and the bytes written are the
 * file's bytes (same size and SHA-256); otherwise every stick written is marked unusable.
 */
export interface FlashDownloadSummary {
  readonly url: string;
  /** The download as it ended; null when it failed or was cancelled. */
  readonly result: DownloadResult | null;
  /** Why the written bytes cannot be trusted (the download failed, a sums file disagrees, the bytes differ); null when they can. */
  readonly failure: string | null;
  /** Targets whose first and last MiB were zeroed because of `failure`, so no half-valid partition table or boot sector is left. */
  readonly unusableTargets: readonly string[];
}

export type SourceCompression = 'none' | 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'zip' | 'device';

/**
 * Step one of a write: what would be written where. The engine re-enumerates the drives, assesses the
 * image and answers with a plan bound to exactly these drives, this version of the image and these
 * options; `flash:start` then needs the plan's confirmation id. Regular-file targets are not part of
 * the contract (the CLI writes them below it, its user being at the terminal).
 */
export interface FlashPrepareRequest {
  /** Absolute path of the image (or a block device, to clone it). */
  readonly imagePath: string;
  /** Drive ids from `drives:list`; a repeated id is an `invalid-request`, never a silent drop. */
  readonly driveIds: readonly string[];
  /** Verify by reading back; default true. */
  readonly verify?: boolean;
  /** Eject after success where the OS supports it; default true. */
  readonly eject?: boolean;
  /** Allow virtual and fixed drives ("show all drives"); bound into the plan like the drives. */
  readonly includeAll?: boolean;
  /** Raw, copy files, or let the engine choose (default `auto`); the plan says which and why. */
  readonly mode?: WriteModeRequest;
  /** How a copy-files stick is made; ignored when the mode is raw. Default: MBR, 4095 MiB .swm parts, no Windows options. */
  readonly copy?: CopyModeRequest;
}

/** The Windows options as a caller asks for them: the regional settings are the engine host's own, taken when asked. */
export interface WindowsOptionsRequest {
  readonly skipHardwareChecks: boolean;
  /** A local account to create instead of the online one; null: none. */
  readonly localAccountName: string | null;
  /** Take the locale and time zone of the computer the engine runs on. */
  readonly regionalFromHost: boolean;
}

/** CopyModeOptions as a caller asks for them; the plan carries the options in force. */
export interface CopyModeRequest {
  /** Default `mbr` (what Rufus picks for "BIOS or UEFI" sticks; firmware boots either from FAT32). */
  readonly table?: PartitionTableChoice;
  /** The largest .swm part of a split install.wim; default defaultWimPartBytes (4095 MiB). */
  readonly wimPartBytes?: number;
  readonly windows?: WindowsOptionsRequest;
}

/** A copy-files stick as planned: composed once at prepare against the smallest target, so a refusal comes before anything is written. */
export interface ComposedStickSummary {
  /** The drive size it was composed for: the smallest target's (each target gets the same partition and file system). */
  readonly composedForBytes: number;
  /** Bytes written from the drive's start (partition table, file system, files), then the last MiB wiped. */
  readonly bodyBytes: number;
  /** The new FAT32 volume's label. */
  readonly label: string;
  /** Files on the stick (the .swm parts of a split install.wim and autounattend.xml included). */
  readonly fileCount: number;
}

/** One partition (or holder) of a target, so the confirmation can say what will be erased. */
export interface FlashPartitionDescription {
  readonly device: string;
  readonly sizeBytes: number;
  readonly label: string | null;
  readonly filesystem: string | null;
  readonly mountpoints: readonly string[];
}

export interface FlashTargetDescription {
  readonly driveId: string;
  readonly device: string;
  /** Vendor and model, for people. */
  readonly description: string;
  readonly serial: string | null;
  readonly sizeBytes: number;
  readonly partitions: readonly FlashPartitionDescription[];
  readonly warnings: readonly DriveIssue[];
  /** The name the user must type ("sdb"), or null when a click is enough in this shell. */
  readonly nameToType: string | null;
}

export interface FlashPlan {
  /** Single-use, short-lived; bound to these drive identities, this image version and these options. */
  readonly confirmationId: string;
  readonly expiresAtMs: number;
  readonly assessment: ImageAssessment;
  readonly targets: readonly FlashTargetDescription[];
  readonly verify: boolean;
  readonly eject: boolean;
  readonly includeAll: boolean;
  /** The mode in force and why (`chosen-by-user` when the request named one). */
  readonly mode: WriteModeChoice;
  /** Copy mode: the options in force (regional settings resolved on the engine's host); raw: null. */
  readonly copy: CopyModeOptions | null;
  /** Copy mode: what will be written; raw: null. */
  readonly stick: ComposedStickSummary | null;
  /** What the stick will do once written in this mode (UEFI only for copy mode, the image's verdict for raw). */
  readonly bootPrediction: StickBootPrediction;
  /**
   * Raw mode, a target smaller than the disk image: only the first `rawWriteBytes` are written and
   * verified (every partition; every byte past them was read as zero). The confirmation binds it.
   */
  readonly rawWriteBytes?: number;
}

/** Step two: write what the plan named, once, if nothing it was bound to has changed. */
export interface FlashStartRequest {
  readonly confirmationId: string;
  /** driveId -> what the user typed; the engine checks it against the plan's `nameToType`. */
  readonly typedNames?: Readonly<Record<string, string>>;
  /** The blocking findings the user chose to write anyway ("Write anyway" / --force); must cover every blocking finding of the plan. */
  readonly acknowledgedFindings?: readonly AssessmentFindingCode[];
}

/**
 * Verify-only: compare an already written drive (by id, looked up in a fresh enumeration) with an
 * image. Read-only, so it needs no confirmation; paths of devices or files are the CLI's, below the
 * contract, so no caller of the contract can point the engine's reads at an arbitrary device.
 */
export interface FlashVerifyRequest {
  readonly imagePath: string;
  readonly driveId: string;
}

/**
 * Restore a drive to a normal empty stick: a fresh partition table and one FAT32 or exFAT
 * partition. A prepare/start pair like a write, with the same single-use confirmation bound to the
 * drive's identity and the same typed name.
 */
export interface FormatPrepareRequest {
  readonly driveId: string;
  /** Default: FAT32 up to 32 GiB (what every OS and firmware reads), exFAT above. */
  readonly fileSystem?: NewFileSystem;
  /** Default "ISOTOPE"; made a valid label of the file system (FAT: 11 bytes, upper case; exFAT: 11 UTF-16 units). */
  readonly label?: string;
  /** Default `mbr`. */
  readonly table?: PartitionTableChoice;
  /** Allow virtual and fixed drives ("show all drives"). */
  readonly includeAll?: boolean;
}

export interface FormatPlan {
  readonly confirmationId: string;
  readonly expiresAtMs: number;
  /** Exactly one: the drive to format, as a write's confirmation shows it. */
  readonly targets: readonly FlashTargetDescription[];
  readonly fileSystem: NewFileSystem;
  /** The label as it will be written. */
  readonly label: string;
  readonly table: PartitionTableChoice;
  readonly includeAll: boolean;
}

export interface FormatStartRequest {
  readonly confirmationId: string;
  /** driveId -> what the user typed, as for a write. */
  readonly typedNames?: Readonly<Record<string, string>>;
}

/** A format's end (`job:finished` of kind `format`): the outcome per target as a write's, and what was made. */
export interface FormatResult {
  readonly jobId: string;
  readonly outcome: FlashOutcome;
  readonly fileSystem: NewFileSystem;
  readonly label: string;
  readonly table: PartitionTableChoice;
  readonly targets: readonly TargetResult[];
  readonly elapsedMs: number;
}
