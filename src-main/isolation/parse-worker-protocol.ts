// Messages between a parse worker pool (parse-worker-pool.ts) and one parse worker (parse-worker.ts).
// Plain data only: they cross the thread boundary by structured clone. A worker runs one job at a time.
import type { AppError } from '../../shared/errors.ts';
import type { ExtractProgress, ParseJobName } from './parse-jobs.ts';

export type ToParseWorker =
  | { readonly type: 'run'; readonly job: ParseJobName; readonly request: unknown }
  /** Aborts the running job's signal; the job then ends as `cancelled` (an extraction removes what it wrote). */
  | { readonly type: 'cancel' };

export type FromParseWorker =
  /** Sent once, when the worker has loaded the engine: its start-up is not charged to the first job's time budget. */
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: ExtractProgress }
  | { readonly type: 'done'; readonly value: unknown }
  /** An expected failure, already mapped to the contract's error by the service's own mapping. */
  | { readonly type: 'failed'; readonly error: AppError }
  /** A bug in the engine: the caller logs it with this stack and answers `internal`. */
  | { readonly type: 'bug'; readonly name: string; readonly message: string; readonly stack: string };
