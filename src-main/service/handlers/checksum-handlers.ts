// `checksum:*` and `keys:*` calls: hashing with progress and cancel, comparing with a pasted value,
// the whole verification chain (sums files + OpenPGP), and the user's keyring.
import type { HashProgress, HashRemembered, RememberedDigests } from '../../../shared/checksum.ts';
import { defaultHashAlgorithms } from '../../../shared/checksum.ts';
import { checkedStateOfComparison, checkedStateOfVerification, checksumVerdicts } from '../../assess/checksum-verdicts.ts';
import { defaultDataDir } from '../../checksum/data-dir.ts';
import { HashCancelledError } from '../../checksum/hash-pass.ts';
import { hashImage } from '../../checksum/hash-image.ts';
import { KeyNotFoundError, listKeys } from '../../checksum/keyring.ts';
import { KeyFileError } from '../../checksum/openpgp-keys.ts';
import { parsePastedDigest, PastedDigestError } from '../../checksum/pasted-digest.ts';
import type { PassProgress } from '../../checksum/progress-meter.ts';
import { SumsFileError } from '../../checksum/sums-file.ts';
import { verifyImage, VerifyUsageError } from '../../checksum/verify-image.ts';
import { AppFailure } from '../app-failure.ts';
import { importKeysConfirmed, removeKeyConfirmed } from '../key-changes.ts';
import type { EventHub } from '../event-hub.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';

type ChecksumCall = 'checksum:hash' | 'checksum:compare' | 'checksum:verify' | 'checksum:cancel' | 'keys:list' | 'keys:import' | 'keys:remove';

// Running passes by job id, per service (keyed by its event hub), so `checksum:cancel` finds them.
const jobsByService = new WeakMap<EventHub, Map<string, AbortController>>();

export const checksumHandlers: HandlerTable<ChecksumCall> = {
  'checksum:hash': ({ path, algorithms, cached, jobId }, context) =>
    runJob(context, jobId, path, (job) =>
      hashImage(path, { algorithms: algorithms ?? defaultHashAlgorithms, dataDir: defaultDataDir(), cached: cached === true, ...job }),
    ),
  'checksum:compare': ({ path, expected, jobId }, context) =>
    runJob(context, jobId, path, (job) => checksumVerdicts.recordCheck(path, async () => {
      const pasted = parsePastedDigest(expected);
      // Never `cached`: the verdict comes from the bytes read now.
      const { digests } = await hashImage(path, { algorithms: [pasted.algorithm], dataDir: defaultDataDir(), ...job });
      const actual = digests?.[pasted.algorithm] ?? '';
      return { path, algorithm: pasted.algorithm, expected: pasted.digest, actual, matches: actual === pasted.digest };
    }, (result) => checkedStateOfComparison(result.matches))),
  'checksum:verify': ({ path, jobId, ...request }, context) =>
    runJob(context, jobId, path, (job) =>
      // The pre-flight assessment shows this verdict for this file version (src-main/assess/).
      checksumVerdicts.recordCheck(path, () => verifyImage(path, { ...request, dataDir: defaultDataDir(), ...job }), (report) => checkedStateOfVerification(report.verdict)),
    ),
  'checksum:cancel': async ({ jobId }, { events }) => {
    const job = jobsByService.get(events)?.get(jobId);
    job?.abort();
    return { cancelled: job !== undefined };
  },
  'keys:list': async () => ({ keys: await translateErrors(() => listKeys(defaultDataDir())) }),
  // Two steps each, confirmed by the engine (service/key-changes.ts): a key is never trusted silently.
  'keys:import': async (request, { options, confirmations }) =>
    translateErrors(() => importKeysConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive })),
  'keys:remove': async (request, { options, confirmations }) =>
    translateErrors(() => removeKeyConfirmed(request, { dataDir: defaultDataDir(), confirmations, shellConfirm: options.confirmDestructive })),
};

interface JobPorts {
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  readonly onRemembered?: (remembered: RememberedDigests) => void;
}

async function runJob<T>(context: HandlerContext, jobId: string | undefined, path: string, work: (job: JobPorts) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let jobs = jobsByService.get(context.events);
  if (!jobs) jobsByService.set(context.events, (jobs = new Map()));
  if (jobId !== undefined) {
    if (jobs.has(jobId)) throw new AppFailure('invalid-request', `job ${jobId} is already running`);
    jobs.set(jobId, controller);
  }
  // Events only for a pass with a job id: that is how a listener tells its pass from others.
  const events: Omit<JobPorts, 'signal'> =
    jobId === undefined
      ? {}
      : {
          onProgress: (progress) => context.events.emit('checksum:progressed', { jobId, path, ...progress } satisfies HashProgress),
          onRemembered: (remembered) => context.events.emit('checksum:remembered', { jobId, path, remembered } satisfies HashRemembered),
        };
  try {
    return await translateErrors(() => work({ signal: controller.signal, ...events }));
  } finally {
    if (jobId !== undefined) jobs.delete(jobId);
  }
}

/** The engine's expected failures, as contract codes (anything else is left for toAppError). */
async function translateErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HashCancelledError) throw new AppFailure('cancelled', error.message);
    if (error instanceof PastedDigestError || error instanceof VerifyUsageError || error instanceof KeyFileError || error instanceof SumsFileError) {
      throw new AppFailure('invalid-request', error.message);
    }
    if (error instanceof KeyNotFoundError) throw new AppFailure('not-found', error.message);
    throw error;
  }
}
