// The engine's expected failures carry their own contract code (CodedError), so no layer keeps a table
// of classes to map: the service's toAppError reads `code` from any of them, in this process or a parse
// worker. A job that is cancelled ends with the one CancelledError. This module imports only shared/.
import type { ErrorCode } from '../../shared/errors.ts';

export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
  }
}

/**
 * The one way a job ends when its signal was aborted: hashing, extraction, conversion and (as a
 * result outcome) the flash. `cancelled` is neutral, not a failure.
 */
export class CancelledError extends CodedError {
  constructor(what: string) {
    super('cancelled', `${what} was cancelled`);
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError for `what` once `signal` is aborted; the check a job makes between chunks. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}
