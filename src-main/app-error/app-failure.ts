// An expected failure raised by a handler with a contract error code (e.g. `unsupported`), or one
// that arrives already mapped from a parse worker (src-main/isolation/), detail included.
import type { AppError, ErrorCode } from '../../shared/errors.ts';

export class AppFailure extends Error {
  readonly code: ErrorCode;
  readonly detail: AppError['detail'];
  constructor(code: ErrorCode, message: string, detail?: AppError['detail']) {
    super(message);
    this.name = 'AppFailure';
    this.code = code;
    this.detail = detail;
  }
}
