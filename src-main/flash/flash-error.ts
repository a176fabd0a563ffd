// Failures of a flash job with a code from shared/flash.ts and, when known, the byte offset. Errno
// values from the OS are mapped here, once; the pipeline throws FlashFailure, never a bare errno.
import type { FlashError, FlashErrorCode } from '../../shared/flash.ts';

export class FlashFailure extends Error {
  readonly code: FlashErrorCode;
  readonly offsetBytes: number | null;
  constructor(code: FlashErrorCode, message: string, offsetBytes: number | null = null) {
    super(message);
    this.name = 'FlashFailure';
    this.code = code;
    this.offsetBytes = offsetBytes;
  }

  toFlashError(): FlashError {
    return { code: this.code, message: this.message, offsetBytes: this.offsetBytes };
  }
}

export function errnoOf(error: unknown): string | null {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
}

/** What went wrong doing `action` on a target at `offsetBytes`, as a FlashFailure. */
export function targetFailure(error: unknown, action: 'open' | 'write' | 'flush' | 'read', target: string, offsetBytes: number | null): FlashFailure {
  if (error instanceof FlashFailure) return error;
  const errno = errnoOf(error);
  const where = offsetBytes === null ? '' : ` at byte ${offsetBytes}`;
  const detail = `${action} ${target}${where} failed: ${error instanceof Error ? error.message : String(error)}`;
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FlashFailure('permission-denied', detail, offsetBytes);
    case 'EBUSY':
      return new FlashFailure('target-busy', detail, offsetBytes);
    case 'ENODEV':
    case 'ENXIO':
    case 'ENOENT':
    case 'ENOMEDIUM':
    case 'ESTALE':
      return new FlashFailure('target-removed', detail, offsetBytes);
    case 'ENOSPC':
    case 'EFBIG':
    case 'EDQUOT':
      return new FlashFailure('no-space', detail, offsetBytes);
    default:
      return new FlashFailure(action === 'read' ? 'read-failed' : 'write-failed', detail, offsetBytes);
  }
}

/**
 * The failure a target reports when a second one arrives: failures can arrive out of order (the head
 * is written last, reads run ahead), and the one nearest the start is what went wrong first.
 */
export function nearerStart(current: FlashFailure | null, next: FlashFailure): FlashFailure {
  if (current === null) return next;
  const earlier = next.offsetBytes !== null && (current.offsetBytes === null || next.offsetBytes < current.offsetBytes);
  return earlier ? next : current;
}
