// An expected failure raised by a handler with a contract error code (e.g. `unsupported`).
import type { ErrorCode } from '../../shared/errors.ts';

export class AppFailure extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppFailure';
    this.code = code;
  }
}
