// The one schema of a host path that crosses a trust boundary (the contract, the elevated helper's
// channel): absolute, no NUL, no longer than Linux's PATH_MAX.
import { isAbsolute } from 'node:path';
import * as v from 'valibot';

/** Paths longer than this are refused before touching the file system (Linux PATH_MAX is 4096). */
export const maxPathLength = 4096;

export const absolutePath = v.pipe(
  v.string(),
  v.minLength(1, 'path is empty'),
  v.maxLength(maxPathLength, `path is longer than ${maxPathLength} characters`),
  v.check((path) => !path.includes('\0'), 'path contains a NUL character'),
  v.check((path) => isAbsolute(path), 'path is not absolute'),
);
