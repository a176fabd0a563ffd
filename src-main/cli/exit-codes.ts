// The `isotope` command's exit codes, the same for every subcommand.
import type { ErrorCode } from '../../shared/errors.ts';

export const exitCodes = {
  ok: 0,
  /** Not found, not an image, or the comparison failed. */
  failed: 1,
  usage: 2,
  /** The image is damaged or hostile; the message names sector/offset. */
  corrupt: 3,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'corrupt-image':
      return exitCodes.corrupt;
    case 'invalid-request':
    case 'unknown-call':
      return exitCodes.usage;
    default:
      return exitCodes.failed;
  }
}
