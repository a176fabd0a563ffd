// `checksum:*` and `keys:*` calls: hashing with progress and cancel, comparing with a pasted value,
// the whole verification chain (sums files + OpenPGP), and the user's keyring. A compressed image's
// content digests are always decoded in the same pass (checksum/hash-compressed.ts), never read from a
// decoded cache file, which only metadata ties to the compressed file (checksum/hash-image.ts).
import type { CompareResult, HashRemembered, RememberedDigests } from '../../../shared/checksum.ts';
import type { FinishedJobKind, JobResults } from '../../../shared/job.ts';
import { defaultHashAlgorithms } from '../../../shared/checksum.ts';
import { checkedStateOfComparison, checkedStateOfVerification, checksumVerdicts } from '../../assess/checksum-verdicts.ts';
import { defaultDataDir } from '../../io/data-dir.ts';
import { matchDigest } from '../../checksum/compare-digest.ts';
import { describeCompressedFile } from '../../checksum/hash-compressed.ts';
import { hashImage } from '../../checksum/hash-image.ts';
import { listKeys } from '../../checksum/keyring.ts';
import { parsePastedDigest } from '../../checksum/pasted-digest.ts';
import type { PassProgress } from '../../checksum/hash-pass.ts';
import { verifyImage } from '../../checksum/verify-image.ts';
import { importKeysConfirmed, removeKeyConfirmed } from '../key-changes.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { startJob } from './job-handlers.ts';

type ChecksumCall = 'checksum:hash' | 'checksum:compare' | 'checksum:verify' | 'keys:list' | 'keys:import' | 'keys:remove';

export const checksumHandlers: HandlerTable<ChecksumCall> = {
  'checksum:hash': async ({ path, algorithms, cached }, context) =>
    startHashingJob(context, 'hash', path, (job) =>
      hashImage(path, { algorithms: algorithms ?? defaultHashAlgorithms, dataDir: defaultDataDir(), cached: cached === true, ...job }),
    ),
  'checksum:compare': async ({ path, expected }, context) =>
    startHashingJob(context, 'compare', path, (job) =>
      checksumVerdicts.recordCheck(
        path,
        () => comparePastedDigest(path, expected, job),
        // Only the file's own digest is recorded: the store's digests stand for the file's bytes.
        (result) => ({
          state: checkedStateOfComparison(result.matches),
          digests: result.matchedOn === 'content' ? {} : { [result.algorithm]: result.actual },
          ...(result.contentActual !== undefined ? { contentDigests: { [result.algorithm]: result.contentActual } } : {}),
        }),
        'pasted-digest',
      ),
    ),
  'checksum:verify': async ({ path, ...request }, context) =>
    startHashingJob(context, 'verify', path, (job) =>
      // The pre-flight assessment shows this verdict for this file version (src-main/assess/).
      checksumVerdicts.recordCheck(
        path,
        () => verifyImage(path, { ...request, dataDir: defaultDataDir(), ...job }),
        (report) => ({
          state: checkedStateOfVerification(report.verdict),
          digests: report.digests,
          ...(report.content ? { contentDigests: report.content.digests } : {}),
        }),
      ),
    ),
  'keys:list': async () => ({ keys: await listKeys(defaultDataDir()) }),
  // Two steps each, confirmed by the engine (service/key-changes.ts): a key is never trusted silently.
  'keys:import': async (request, { options, confirmations }) =>
    importKeysConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive }),
  'keys:remove': async (request, { options, confirmations }) =>
    removeKeyConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive }),
};

/**
 * Never the hash cache: the digest this engine run already read from this very version of the file
 * (the Checksums tab's pass), or else a fresh read now, which for a compressed image gives its
 * content's digest too (a download page may give either).
 */
async function comparePastedDigest(path: string, expected: string, job: JobPorts): Promise<CompareResult> {
  const pasted = parsePastedDigest(expected);
  const compared = { path, algorithm: pasted.algorithm, expected: pasted.digest };
  const readThisRun = (await checksumVerdicts.digestsReadThisRun(path))?.[pasted.algorithm];
  const contentReadThisRun = (await checksumVerdicts.contentDigestsReadThisRun(path))?.[pasted.algorithm];
  // A compressed file's digest read earlier settles a match; a mismatch needs its content's too.
  const settled =
    readThisRun !== undefined &&
    (readThisRun === pasted.digest || contentReadThisRun !== undefined || (await describeCompressedFile(path).catch(() => null)) === null);
  if (readThisRun !== undefined && settled) {
    const match = matchDigest(
      pasted,
      { [pasted.algorithm]: readThisRun },
      contentReadThisRun !== undefined ? { [pasted.algorithm]: contentReadThisRun } : null,
    );
    return { ...compared, ...match, ...(contentReadThisRun !== undefined ? { contentActual: contentReadThisRun } : {}) };
  }
  const hashed = await hashImage(path, { algorithms: [pasted.algorithm], dataDir: defaultDataDir(), ...job });
  const contentDigests = hashed.content?.digests ?? null;
  const match = matchDigest(pasted, hashed.digests ?? {}, contentDigests);
  const contentActual = contentDigests?.[pasted.algorithm];
  return { ...compared, ...match, ...(contentActual !== undefined ? { contentActual } : {}) };
}

interface JobPorts {
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  readonly onRemembered?: (remembered: RememberedDigests) => void;
}

/** Starts a job that reads `path`, reporting its progress and remembered digests under the job's id. */
function startHashingJob<K extends FinishedJobKind>(
  context: HandlerContext,
  kind: K,
  path: string,
  work: (job: JobPorts) => Promise<JobResults[K]>,
): { jobId: string } {
  return startJob(context, kind, (jobId, signal) => work({ signal, ...hashingEvents(context, jobId, path) }));
}

function hashingEvents(context: HandlerContext, jobId: string, path: string): Omit<JobPorts, 'signal'> {
  return {
    onProgress: (progress) =>
      context.events.emit('job:progress', {
        jobId,
        kind: 'hash',
        phase: 'hashing',
        bytesDone: progress.bytesHashed,
        bytesTotal: progress.totalBytes,
        bytesPerSecond: progress.bytesPerSecond,
        etaMs: progress.etaMs,
        targets: [],
        subject: path,
        files: null,
      }),
    onRemembered: (remembered) => context.events.emit('checksum:remembered', { jobId, path, remembered } satisfies HashRemembered),
  };
}
