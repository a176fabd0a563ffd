// A pasted digest against the digests read in this run: the file's, and for a compressed image its
// decoded content's too, since a download page may give either (issue 16). Pure: says which matched.
import type { DigestSubject, HashDigests } from '../../shared/checksum.ts';
import type { PastedDigest } from './pasted-digest.ts';

export interface DigestMatch {
  /** The digest that matched; on a mismatch, the file's. */
  readonly actual: string;
  readonly matches: boolean;
  /** Which one matched, null on a mismatch (the file's is tried first); absent for an uncompressed file. */
  readonly matchedOn?: DigestSubject | null;
}

/** `contentDigests`: a compressed image's decoded content's digests, read in the same run; null for other files. */
export function matchDigest(expected: PastedDigest, fileDigests: HashDigests, contentDigests: HashDigests | null): DigestMatch {
  const fileActual = fileDigests[expected.algorithm] ?? '';
  const contentActual = contentDigests?.[expected.algorithm];
  if (contentDigests === null) return { actual: fileActual, matches: fileActual === expected.digest };
  if (fileActual === expected.digest) return { actual: fileActual, matches: true, matchedOn: 'file' };
  if (contentActual === expected.digest) return { actual: contentActual, matches: true, matchedOn: 'content' };
  return { actual: fileActual, matches: false, matchedOn: null };
}
