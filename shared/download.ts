// Downloads (issue 19): an image fetched over HTTPS or HTTP into Isotope's download cache or a file
// the user names, hashed while it streams, resumed with Range/If-Range, from mirrors in turn, and
// checked against the sums files found next to its URL.
import type { VerificationReport, VerificationVerdict } from './checksum.ts';

export interface DownloadRequest {
  /** http:// or https:// only. */
  readonly url: string;
  /** More URLs of the same file, tried in order after `url` on a failure or a stall. */
  readonly mirrors?: readonly string[];
  /** Where to save it; absent: the download cache (Settings lists and clears it). */
  readonly outputPath?: string;
  /** Replace an existing `outputPath`. */
  readonly overwrite?: boolean;
  /** A SHA-256 the user pasted (lower-case hex): the download must match it. */
  readonly expectedSha256?: string;
}

/** The result of a job of kind `download`. */
export interface DownloadResult {
  /** The URL asked for, and the one that served the last byte (after redirects and mirrors). */
  readonly url: string;
  readonly servedBy: string;
  /** Where the file now lies. */
  readonly path: string;
  readonly sizeBytes: number;
  /** SHA-256 of the whole file as this run read it (bytes kept from an earlier try re-hashed). */
  readonly sha256: string;
  /** Bytes kept from an interrupted earlier try (0 when it started afresh). */
  readonly resumedFromBytes: number;
  /** The sums files and signatures found next to the URL, checked by the existing verifier; null when none were found. */
  readonly verification: VerificationReport | null;
  /** The pasted SHA-256's verdict; null when none was given. */
  readonly expectedSha256Matches: boolean | null;
  /**
   * Why the search for sums files next to the URL gave up on a name or a folder (a server error, a
   * stall, a file over 1 MiB), in developer words; empty when every name tried was answered. With no
   * verification, a non-empty list means "could not tell", not "none published".
   */
  readonly sumsSearchProblems?: readonly string[];
}

/** One file in the download cache. */
export interface DownloadCacheEntry {
  readonly path: string;
  readonly url: string;
  readonly sizeBytes: number;
  /** Null while incomplete (a `.partial` that can be resumed). */
  readonly sha256: string | null;
  readonly complete: boolean;
  readonly createdMs: number;
  readonly lastUsedMs: number;
}

/**
 * One checksum verdict for a download (the CLI's result line, Open from URL): a disagreement anywhere
 * wins (the pasted SHA-256, or a sums file), then the sums files' verdict, then a matching pasted
 * value, which is only as trustworthy as the page it came from (`matches-unsigned`).
 */
export function downloadVerdict(result: DownloadResult): VerificationVerdict {
  if (result.expectedSha256Matches === false) return 'mismatch';
  const sums = result.verification?.verdict ?? 'nothing-to-compare';
  if (sums !== 'nothing-to-compare' || result.expectedSha256Matches === null) return sums;
  return 'matches-unsigned';
}

/**
 * A download's checksum verdict as trusted or not: 'passed' only for `verified` and `matches-unsigned`
 * (the bytes match what was published, signed by a trusted key or not signed at all); 'failed' for a
 * disagreement, a bad signature or a signature by a revoked key (a revoked key vouches for nothing);
 * null when it cannot be judged (nothing to compare, a signer not in the keyring, an expired key).
 */
export function downloadTrust(result: DownloadResult): 'passed' | 'failed' | null {
  const verdict = downloadVerdict(result);
  if (verdict === 'verified' || verdict === 'matches-unsigned') return 'passed';
  if (verdict === 'mismatch' || verdict === 'bad-signature' || verdict === 'matches-revoked-key') return 'failed';
  return null;
}
