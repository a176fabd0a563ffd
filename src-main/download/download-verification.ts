// The checksum verdict of a download (issue 19), from the sums files found next to its URL and the
// digests computed while it streamed (no second read). Sums files found only next to a mirror are a
// mirror vouching for its own bytes: a hostile mirror serves a file and a sums file that agree. They
// count only when signed by a key in the keyring (signature status `good`); otherwise the verdict is
// unknown (null) and the reason is said, never a match.
import type { VerificationReport } from '../../shared/checksum.ts';
import { verifyImage, type VerifyImageOptions } from '../checksum/verify-image.ts';
import type { RemoteSums } from './remote-sums.ts';

export interface DownloadVerification {
  /** Null when nothing counted lists the file: no verdict. */
  readonly verification: VerificationReport | null;
  /** Why sums files were found but not counted, for `sumsSearchProblems`. */
  readonly notes: string[];
}

/** Judges the downloaded file at `path` against `remote`'s sums files, a mirror's counted only when signed by a keyring key. */
export async function verifyDownload(path: string, remote: RemoteSums, options: Omit<VerifyImageOptions, 'fetchedSums'>): Promise<DownloadVerification> {
  if (remote.sums.length === 0) return { verification: null, notes: [] };
  const report = await verifyImage(path, { ...options, fetchedSums: remote.sums });
  // Sums files that do not list this file (a folder's SHA256SUMS of other images) are no verdict: null, as when none was found.
  if (report.sumsFiles.length === 0) return { verification: null, notes: [] };
  if (!remote.besideMirror) return { verification: report, notes: [] };
  const vouched = new Set(report.sumsFiles.filter((sums) => sums.signature.status === 'good').map((sums) => sums.sumsPath));
  const notes = report.sumsFiles
    .filter((sums) => !vouched.has(sums.sumsPath))
    .map((sums) => `${sums.sumsPath}: found only next to a mirror, not signed by a key in the keyring (${sums.signature.status}): not counted`);
  if (vouched.size === 0) return { verification: null, notes };
  if (notes.length === 0) return { verification: report, notes };
  return { verification: await verifyImage(path, { ...options, fetchedSums: remote.sums.filter((sums) => vouched.has(sums.sumsPath)) }), notes };
}
