// A queue of writes under one confirmation, and duplicator mode (issue 19). A queue pairs images with
// drives (each drive its own image, or one image for all) and runs each pair as its own flash job,
// all at once or one after another; one pair failing never stops or taints another. Duplicator mode
// writes one image to every stick inserted after it starts, until stopped.
import type { ImageAssessment } from './assessment.ts';
import type { AssessmentFindingCode } from './assessment.ts';
import type { FlashOutcome, FlashPlan } from './flash.ts';

/** One image for one drive (a drive id from `drives:list`). */
export interface QueuePair {
  readonly imagePath: string;
  readonly driveId: string;
}

/** `parallel`: every pair's job starts at once; `sequential`: each starts when the one before it has ended. */
export type QueueOrder = 'parallel' | 'sequential';

export interface QueuePrepareRequest {
  /** At most 16 pairs; a drive named twice is an `invalid-request`. */
  readonly pairs: readonly QueuePair[];
  readonly order: QueueOrder;
  /** As flash:prepare's, for every pair: read back (default true), eject (default true), show all drives (default false). */
  readonly verify?: boolean;
  readonly eject?: boolean;
  readonly includeAll?: boolean;
}

/** A pair's plan as flash:prepare would show it for that image and that drive alone, without a confirmation of its own. */
export type QueuePairPlan = QueuePair & { readonly plan: Omit<FlashPlan, 'confirmationId' | 'expiresAtMs'> };

export interface QueuePlan {
  /** ONE single-use confirmation bound to every pair's drive identity, image version and options. */
  readonly confirmationId: string;
  readonly expiresAtMs: number;
  readonly order: QueueOrder;
  readonly pairs: readonly QueuePairPlan[];
}

export interface QueueStartRequest {
  readonly confirmationId: string;
  /** driveId -> the typed name, for every pair whose target asks for one (`plan.targets[0].nameToType`). */
  readonly typedNames?: Readonly<Record<string, string>>;
  /** Blocking findings written anyway; must cover each pair's image. */
  readonly acknowledgedFindings?: readonly AssessmentFindingCode[];
}

/** waiting: not started yet (sequential); running: its job runs; ended: its job's `job:finished` came. */
export type QueueRowState = 'waiting' | 'running' | 'ended';

export interface QueueRow extends QueuePair {
  readonly device: string;
  readonly state: QueueRowState;
  /** The pair's own flash job, once started. */
  readonly jobId: string | null;
  readonly outcome: FlashOutcome | null;
  readonly startedMs: number | null;
  readonly endedMs: number | null;
}

/** A queue as it runs: answered by `queue:start`, then sent as `queue:changed` at each row's start and end. */
export interface QueueState {
  readonly queueId: string;
  readonly order: QueueOrder;
  readonly rows: readonly QueueRow[];
  /** True once every row has ended. */
  readonly done: boolean;
}

export interface DuplicatorPrepareRequest {
  readonly imagePath: string;
  readonly verify?: boolean;
  readonly eject?: boolean;
  /** Also write virtual and fixed drives that the rules allow with "show all drives" (tests use loop devices); default false: removable USB sticks only. */
  readonly includeAll?: boolean;
}

/**
 * What duplicator mode will do, bound by its confirmation: this image (this version), byte for byte,
 * these options, to every drive inserted from now on that the safety rules allow and that is big
 * enough. Drives attached now are never written (unless removed and inserted again).
 */
export interface DuplicatorPlan {
  readonly confirmationId: string;
  readonly expiresAtMs: number;
  readonly assessment: ImageAssessment;
  readonly imagePath: string;
  /** Bytes written to each stick; a smaller stick is skipped as too small. */
  readonly imageSizeBytes: number;
  readonly verify: boolean;
  readonly eject: boolean;
  readonly includeAll: boolean;
  /** The devices attached now, which duplicator mode leaves alone. */
  readonly presentDevices: readonly string[];
  /** What the user types to accept (the image's file name) where the page is the only interface; null where the shell asks itself. */
  readonly phraseToType: string | null;
}

export interface DuplicatorStartRequest {
  readonly confirmationId: string;
  readonly typedPhrase?: string;
  readonly acknowledgedFindings?: readonly AssessmentFindingCode[];
}

/** One stick duplicator mode saw inserted: written (its job), or skipped with the safety rules' reason. */
export interface DuplicatorStick {
  readonly device: string;
  readonly description: string;
  readonly jobId: string | null;
  /** null while its job runs; `skipped` when it was never written. */
  readonly outcome: FlashOutcome | 'skipped' | null;
  readonly skippedBecause: string | null;
}

/** Duplicator mode's count, sent as `duplicator:changed` at each insertion, job end and stop. */
export interface DuplicatorState {
  readonly duplicatorId: string;
  readonly imagePath: string;
  /** False once stopped (jobs already running still finish and are counted). */
  readonly watching: boolean;
  readonly written: number;
  readonly failed: number;
  readonly running: number;
  readonly skipped: number;
  /** Newest first, at most 200. */
  readonly sticks: readonly DuplicatorStick[];
  /** Why duplicator mode stopped by itself (the image changed), else null. */
  readonly stoppedBecause: string | null;
}
