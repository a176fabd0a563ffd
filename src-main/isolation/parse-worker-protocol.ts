// Messages between a parse worker pool (parse-worker-pool.ts) and one parse worker (parse-worker.ts).
// Plain data only: they cross the thread boundary by structured clone. A worker runs one job at a time.
import type { AppError } from '../../shared/errors.ts';
import type { ParseJobName, ParseJobProgress } from './parse-jobs.ts';

export type ToParseWorker =
  | { readonly type: 'run'; readonly job: ParseJobName; readonly request: unknown }
  /** Aborts the running job's signal; the job then ends as `cancelled` (an extraction or a remaster removes what it wrote). */
  | { readonly type: 'cancel' };

export type FromParseWorker =
  /** Sent once, when the worker has loaded the engine: its start-up is not charged to the first job's time budget. */
  | { readonly type: 'ready' }
  /** A long job's progress (extraction, remaster): the pool restarts the job's time budget and passes it on. */
  | { readonly type: 'progress'; readonly progress: ParseJobProgress }
  | { readonly type: 'done'; readonly value: unknown }
  /** An expected failure, already mapped to the contract's error by the service's own mapping. */
  | { readonly type: 'failed'; readonly error: AppError }
  /** A bug in the engine: the caller logs it with this stack and answers `internal`. */
  | { readonly type: 'bug'; readonly name: string; readonly message: string; readonly stack: string };
