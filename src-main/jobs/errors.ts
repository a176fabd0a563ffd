// The engine's expected failures carry their own contract code (CodedError), so no layer keeps a table
// of classes to map: the service's toAppError reads `code` (and `detail`) from any of them, in this
// process or a parse worker, and a handler raises one directly for a refusal of its own (`unsupported`,
// `confirmation-required`). A job that is cancelled ends with the one CancelledError. This module
// imports only shared/.
import type { AppError, ErrorCode } from '../../shared/errors.ts';

export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly detail: AppError['detail'];
  constructor(code: ErrorCode, message: string, detail?: AppError['detail']) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
    this.detail = detail;
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
