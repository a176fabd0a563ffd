// A drive (or file) named on the command line that is not there. Every command that takes one
// (flash, queue, verify, backup, try) asks here before any other step, so a mistyped /dev/sdx is
// said the same way everywhere, naming the path, instead of the raw `ENOENT: … stat` of whichever
// step touched it first (or, from a verify job, an "internal" error).
import { stat } from 'node:fs/promises';
import type { AppError } from '../../shared/errors.ts';
import { reportResult, type CliContext } from './cli-context.ts';

/** The not-found error for `path`, or null when it exists or this check cannot judge it (no permission): the command's own step reports that. */
async function missingPathError(path: string): Promise<AppError | null> {
  try {
    await stat(path);
    return null;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return null;
    return {
      code: 'not-found',
      message: `${path} does not exist: it is not a drive this machine has, nor a file (isotope drives --all lists the drives)`,
      detail: { path },
    };
  }
}

/**
 * True when every path exists. Otherwise the first missing one is reported as reportResult reports
 * an error (stderr, and `{ "error": … }` on stdout with --json), the exit code is set (not-found's),
 * and false: the command stops before it reads or writes anything.
 */
export async function namesExistingPaths(context: CliContext, paths: readonly string[], json = false): Promise<boolean> {
  for (const path of paths) {
    const error = await missingPathError(path);
    if (error === null) continue;
    context.setExitCode(reportResult(context, { ok: false, error }, json, () => ''));
    return false;
  }
  return true;
}
