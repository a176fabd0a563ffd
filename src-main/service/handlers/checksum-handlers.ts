// `checksum:*` and `keys:*` calls: hashing with progress and cancel, comparing with a pasted value,
// the whole verification chain (sums files + OpenPGP), and the user's keyring.
import type { HashRemembered, RememberedDigests } from '../../../shared/checksum.ts';
import type { FinishedJobKind, JobResults } from '../../../shared/job.ts';
import { defaultHashAlgorithms } from '../../../shared/checksum.ts';
import { checkedStateOfComparison, checkedStateOfVerification, checksumVerdicts } from '../../assess/checksum-verdicts.ts';
import { defaultDataDir } from '../../io/data-dir.ts';
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
        async () => {
          const pasted = parsePastedDigest(expected);
          // Never the hash cache: the digest this engine run already read from this very version of
          // the file (the Checksums tab's pass), or else a fresh read now.
          const readThisRun = (await checksumVerdicts.digestsReadThisRun(path))?.[pasted.algorithm];
          const actual =
            readThisRun ?? (await hashImage(path, { algorithms: [pasted.algorithm], dataDir: defaultDataDir(), ...job })).digests?.[pasted.algorithm] ?? '';
          return { path, algorithm: pasted.algorithm, expected: pasted.digest, actual, matches: actual === pasted.digest };
        },
        (result) => ({ state: checkedStateOfComparison(result.matches), digests: { [result.algorithm]: result.actual } }),
        'pasted-digest',
      ),
    ),
  'checksum:verify': async ({ path, ...request }, context) =>
    startHashingJob(context, 'verify', path, (job) =>
      // The pre-flight assessment shows this verdict for this file version (src-main/assess/).
      checksumVerdicts.recordCheck(
        path,
        () => verifyImage(path, { ...request, dataDir: defaultDataDir(), ...job }),
        (report) => ({ state: checkedStateOfVerification(report.verdict), digests: report.digests }),
      ),
    ),
  'keys:list': async () => ({ keys: await listKeys(defaultDataDir()) }),
  // Two steps each, confirmed by the engine (service/key-changes.ts): a key is never trusted silently.
  'keys:import': async (request, { options, confirmations }) =>
    importKeysConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive }),
  'keys:remove': async (request, { options, confirmations }) =>
    removeKeyConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive }),
};

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
