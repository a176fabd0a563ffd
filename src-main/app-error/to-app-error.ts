// Maps whatever a handler threw to a contract AppError. Known failures keep their code and numbers;
// anything else is a bug: logged here with its stack, and shown to the renderer only as `internal`.
import type { AppError } from '../../shared/errors.ts';
import { EjectFailedError } from '../drives/eject-drive.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { ByteRangeError } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { NotARegularFileError } from '../io/file-source.ts';

export type Logger = (message: string, error: unknown) => void;

const errnoCodes: Readonly<Record<string, AppError['code']>> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EISDIR: 'not-a-file',
};

export function toAppError(error: unknown, log: Logger): AppError {
  // The engine's expected failures carry their own code (cancelled, not-found, not-an-image, no-space,
  // a handler's refusal, a parse worker's mapped failure), with their detail when they have one.
  if (error instanceof CodedError) return { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  if (error instanceof CorruptImageError) return { code: 'corrupt-image', message: error.message, detail: error.where };
  if (error instanceof EjectFailedError) return { code: 'eject-failed', message: error.message, detail: { device: error.device } };
  if (error instanceof ByteRangeError) {
    // A parser followed a pointer past the end of the image: the image is damaged, not our code.
    return { code: 'corrupt-image', message: error.message, detail: { offsetBytes: error.offsetBytes } };
  }
  if (error instanceof NotARegularFileError) return { code: 'not-a-file', message: error.message, detail: { path: error.path } };
  const errno = errnoOf(error);
  const code = errno ? errnoCodes[errno.code] : undefined;
  if (errno && code) {
    return { code, message: errnoMessage(errno), detail: errno.path ? { path: errno.path } : {} };
  }
  log('internal error', error);
  return { code: 'internal', message: 'internal error (see the engine log)' };
}

/**
 * What the system call's failure means for the path it names, in words (Node's own message, such as
 * "ENOENT: no such file or directory, open '/x.iso'", reads as a trace); a failure naming no path
 * keeps Node's message.
 */
function errnoMessage({ code, message, path, syscall }: Errno): string {
  if (path === undefined) return message;
  switch (code) {
    case 'ENOENT':
      return `${path} does not exist`;
    case 'ENOTDIR':
      return `${path} does not exist: a part of the path before it is a file, not a folder`;
    case 'EISDIR':
      return `${path} is a folder, not a file`;
    default: // EACCES, EPERM: the only other codes errnoCodes maps
      return `${path}: permission denied ${syscallWords[syscall ?? ''] ?? 'using it'}`;
  }
}

/** What the refused system call was doing, as the permission message says it. */
const syscallWords: Readonly<Record<string, string>> = {
  open: 'opening it',
  scandir: 'reading the folder',
  opendir: 'reading the folder',
  stat: 'looking at it',
  lstat: 'looking at it',
  access: 'checking it can be read',
  mkdir: 'making the folder',
  unlink: 'removing it',
  rename: 'renaming it',
};

interface Errno {
  readonly code: string;
  readonly message: string;
  readonly path?: string;
  readonly syscall?: string;
}

function errnoOf(error: unknown): Errno | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return null;
  const path = 'path' in error && typeof error.path === 'string' ? error.path : undefined;
  const syscall = 'syscall' in error && typeof error.syscall === 'string' ? error.syscall : undefined;
  return { code: error.code, message: error.message, ...(path === undefined ? {} : { path }), ...(syscall === undefined ? {} : { syscall }) };
}
