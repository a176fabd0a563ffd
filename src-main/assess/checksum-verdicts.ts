// The checksum verdicts `checksum:verify` and `checksum:compare` computed in THIS engine run, kept in
// memory for the pre-flight assessment. Keyed by the file version as the hash cache names it (path,
// size, mtime, ctime, device, inode; see checksum/hash-cache.ts for why the ctime): a file changed
// since its check is "not checked", never "verified". Nothing is written to disk: a verdict never
// outlives the run that read the bytes.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AssessmentChecksum } from '../../shared/assessment.ts';
import type { VerificationVerdict } from '../../shared/checksum.ts';
import { fileIdentityOf, isSameFileVersion, type FileIdentity } from '../checksum/hash-cache.ts';

export type CheckedState = Exclude<AssessmentChecksum['state'], 'not-checked'>;

interface RecordedVerdict {
  readonly version: FileIdentity;
  readonly state: CheckedState;
  readonly checkedAtMs: number;
}

/** Paths beyond this are forgotten oldest first: a long session checks a few images, not thousands. */
const maxRecordedPaths = 256;

export class ChecksumVerdicts {
  private readonly byPath = new Map<string, RecordedVerdict>();

  /** The verdict of this file version, or `not-checked` when none was computed for it in this run. */
  async verdictOf(path: string): Promise<AssessmentChecksum> {
    const recorded = this.byPath.get(resolve(path));
    if (!recorded) return { state: 'not-checked', checkedAtMs: null };
    const current = await versionOf(path);
    if (!current || !isSameFileVersion(current, recorded.version)) return { state: 'not-checked', checkedAtMs: null };
    return { state: recorded.state, checkedAtMs: recorded.checkedAtMs };
  }

  /**
   * Runs a check of `path` and records its verdict, but only when the file is the same version after
   * the check as before it: a file that changed while it was being hashed has no verdict.
   */
  async recordCheck<T>(path: string, check: () => Promise<T>, stateOf: (result: T) => CheckedState | null): Promise<T> {
    const before = await versionOf(path);
    const checkedAtMs = Date.now();
    const result = await check();
    const state = stateOf(result);
    const after = await versionOf(path);
    if (state !== null && before && after && isSameFileVersion(before, after)) {
      const key = resolve(path);
      this.byPath.delete(key); // re-insert: Map order is the age order used for forgetting
      this.byPath.set(key, { version: after, state, checkedAtMs });
      for (const oldest of this.byPath.keys()) {
        if (this.byPath.size <= maxRecordedPaths) break;
        this.byPath.delete(oldest);
      }
    }
    return result;
  }
}

/** The one store of this engine process (the service's handlers record, `assessImage` reads). */
export const checksumVerdicts = new ChecksumVerdicts();

/** How a `checksum:verify` verdict reads in the assessment; null when there was nothing to compare. */
export function checkedStateOfVerification(verdict: VerificationVerdict): CheckedState | null {
  return verdict === 'nothing-to-compare' ? null : verdict;
}

/** A pasted digest: a match says nothing about who published it. */
export function checkedStateOfComparison(matches: boolean): CheckedState {
  return matches ? 'matches-unsigned' : 'mismatch';
}

/** The version of the file at `path` now; null when it is gone or not a regular file (a device has no version). */
async function versionOf(path: string): Promise<FileIdentity | null> {
  const absolute = resolve(path);
  try {
    return fileIdentityOf(absolute, await stat(absolute));
  } catch {
    return null;
  }
}
