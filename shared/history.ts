// The history of every write (issue 19): one record per job, kept crash-safe by the engine in an
// append-only journal (see src-main/history/). A job that never recorded its end is `interrupted`.
import type { AppError } from './errors.ts';

/** The kinds of job the history records, and how one can end; one list each for the engine, the CLI and the request schemas. */
export const historyJobKinds = ['flash', 'verify', 'format', 'backup', 'download'] as const;
export type HistoryJobKind = (typeof historyJobKinds)[number];
export const historyOutcomes = ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted', 'running'] as const;
export type HistoryOutcome = (typeof historyOutcomes)[number];

export interface HistoryTarget {
  readonly device: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly sizeBytes: number | null;
  /** Where it is plugged in (the bus path, e.g. "pci-0000:00:14.0-usb-0:2:1.0"); null when unknown. */
  readonly busPath: string | null;
  readonly outcome: HistoryOutcome;
  readonly error: AppError | null;
  /** This target's own rates (bytes of the image per second), when measured; the record's are the slowest target's. */
  readonly writeBytesPerSecond?: number | null;
  readonly verifyBytesPerSecond?: number | null;
}

export interface HistoryRecord {
  readonly id: string;
  readonly kind: HistoryJobKind;
  readonly image: { readonly path: string | null; readonly url: string | null; readonly sizeBytes: number | null; readonly sha256: string | null };
  readonly targets: readonly HistoryTarget[];
  /** 'raw', 'copy-files', 'format-fat32' ...; null when not a write. */
  readonly mode: string | null;
  readonly startedMs: number;
  readonly endedMs: number | null;
  readonly writeBytesPerSecond: number | null;
  readonly verifyBytesPerSecond: number | null;
  /** 'passed' when every target was read back equal, 'failed' when one differed, null when the job did not verify every target. */
  readonly verify: 'passed' | 'failed' | null;
  readonly outcome: HistoryOutcome;
  readonly error: AppError | null;
}

export interface HistoryQuery {
  readonly kinds?: readonly HistoryJobKind[];
  readonly outcomes?: readonly HistoryOutcome[];
  /** Matched against the image path or URL and the targets' model, serial and device. */
  readonly text?: string;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Newest first; at most 1000 per answer. */
  readonly limit?: number;
}
