// The checksum verdicts `checksum:verify` and `checksum:compare` computed in THIS engine run, kept in
// memory for the pre-flight assessment. Keyed by the file version as the hash cache names it (path,
// size, mtime, ctime, device, inode; see checksum/hash-cache.ts for why the ctime): a file changed
// since its check is "not checked", never "verified". Nothing is written to disk: a verdict never
// outlives the run that read the bytes.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AssessmentChecksum } from '../../shared/assessment.ts';
import type { HashDigests, VerificationVerdict } from '../../shared/checksum.ts';
import { fileIdentityOf, isSameFileVersion, type FileIdentity } from '../checksum/hash-cache.ts';

export type CheckedState = Exclude<AssessmentChecksum['state'], 'not-checked'>;

interface RecordedVerdict {
  readonly version: FileIdentity;
  readonly state: CheckedState;
  readonly checkedAtMs: number;
  /** The digests that check read from this version, so a digest pasted later is judged on them. */
  readonly digests: HashDigests;
  /** For a compressed image: its decoded content's digests read by that check (a pasted digest may be either). */
  readonly contentDigests: HashDigests;
}

/** How a check is recorded: a full verification replaces what was known; a pasted digest only adds a mismatch. */
export type CheckKind = 'verification' | 'pasted-digest';

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
   * The digests read from this version of the file by a check in this engine run (never from the
   * hash cache): a pasted digest compared with them is judged on bytes this run read.
   */
  async digestsReadThisRun(path: string): Promise<HashDigests | null> {
    const recorded = this.byPath.get(resolve(path));
    if (!recorded) return null;
    const current = await versionOf(path);
    return current && isSameFileVersion(current, recorded.version) ? recorded.digests : null;
  }

  /** Like digestsReadThisRun, for a compressed image's decoded content; null when no check read it. */
  async contentDigestsReadThisRun(path: string): Promise<HashDigests | null> {
    const recorded = this.byPath.get(resolve(path));
    if (!recorded || Object.keys(recorded.contentDigests).length === 0) return null;
    const current = await versionOf(path);
    return current && isSameFileVersion(current, recorded.version) ? recorded.contentDigests : null;
  }

  /**
   * Runs a check of `path` and records its verdict, but only when the file is the same version after
   * the check as before it: a file that changed while it was being hashed has no verdict. A pasted
   * digest never softens a verdict: its match leaves a sums file's verdict for the same version as it
   * was, while its mismatch always stands (the file is not what one publisher says it is).
   */
  async recordCheck<T>(
    path: string,
    check: () => Promise<T>,
    outcomeOf: (result: T) => { readonly state: CheckedState | null; readonly digests: HashDigests; readonly contentDigests?: HashDigests },
    kind: CheckKind = 'verification',
  ): Promise<T> {
    const before = await versionOf(path);
    const checkedAtMs = Date.now();
    const result = await check();
    const { state, digests, contentDigests = {} } = outcomeOf(result);
    const after = await versionOf(path);
    if (state === null || !before || !after || !isSameFileVersion(before, after)) return result;
    const key = resolve(path);
    const earlier = this.byPath.get(key);
    const earlierStands = kind === 'pasted-digest' && state !== 'mismatch' && earlier !== undefined && isSameFileVersion(earlier.version, after);
    if (earlierStands) return result;
    this.byPath.delete(key); // re-insert: Map order is the age order used for forgetting
    const sameVersion = earlier !== undefined && isSameFileVersion(earlier.version, after);
    this.byPath.set(key, {
      version: after,
      state,
      checkedAtMs,
      digests: { ...(sameVersion ? earlier.digests : {}), ...digests },
      contentDigests: { ...(sameVersion ? earlier.contentDigests : {}), ...contentDigests },
    });
    for (const oldest of this.byPath.keys()) {
      if (this.byPath.size <= maxRecordedPaths) break;
      this.byPath.delete(oldest);
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
