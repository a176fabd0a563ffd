// The errors a job ends with carry their own contract code, so no layer keeps a table of classes to
// map: the service's toAppError reads `code` from any JobError. Engine modules throw these; they import
// nothing above shared/.
import type { ErrorCode } from '../../shared/errors.ts';

export class JobError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'JobError';
    this.code = code;
  }
}

/**
 * The one way a job ends when its signal was aborted: hashing, extraction, conversion and (as a
 * result outcome) the flash. `cancelled` is neutral, not a failure.
 */
export class CancelledError extends JobError {
  constructor(what: string) {
    super('cancelled', `${what} was cancelled`);
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError for `what` once `signal` is aborted; the check a job makes between chunks. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}
