// The port through which the service runs parse jobs (parse-jobs.ts): in a capped worker thread
// (parse-worker-pool.ts) or, for the short-lived CLI, in the caller's own thread.
import { runParseJob, type ParseJobName, type ParseJobProgress, type ParseJobRequest, type ParseJobResponse } from './parse-jobs.ts';

export interface ParseRunOptions<K extends ParseJobName = ParseJobName> {
  /** Cancels the job (extraction and remaster check it); the job ends with a CancelledError / `cancelled`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ParseJobProgress<K>) => void;
}

export interface ImageParser {
  run<K extends ParseJobName>(job: K, request: ParseJobRequest<K>, options?: ParseRunOptions<K>): Promise<ParseJobResponse<K>>;
}

/**
 * Parses in the caller's thread, with no heap cap or time budget of its own. Only for the `isotope`
 * command: it is a short-lived process of its own, so the worst image ends that one command (the OS
 * and the parsers' own work budgets bound it), while a worker's start-up would slow every command.
 */
export const inProcessImageParser: ImageParser = {
  run: (job, request, options = {}) =>
    runParseJob(job, request, { signal: options.signal ?? new AbortController().signal, onProgress: options.onProgress ?? (() => undefined) }),
};
