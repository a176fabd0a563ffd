// The writing half of "write while downloading" (issue 19), run by whichever process writes the
// drives: this one (as root, or to regular files), or the elevated helper, which learns of the
// download only through the engine's channel (a GrowingFile fed by its messages). It writes the file
// as it arrives, then waits for the download's end: the write is trusted only when the download
// completed, was not judged untrustworthy (its checksums), and the bytes written are the file's (same
// size, same SHA-256); otherwise every stick it wrote gets its first and last MiB zeroed here, in the
// process that may open them, and fails saying it was left unusable and why. A writer in the
// download's own process writes from a copy of the bytes the download hashed (held-bytes.ts), so the bytes
// written are the download's by construction and are not hashed a second time.
import type { FlashResult, TargetResult } from '../../shared/flash.ts';
import { flashImage, type FlashImageOptions } from './flash-image.ts';
import { markUnusable } from './mark-unusable.ts';
import { openGrowingFileSource, type GrowingFile } from './source/growing-file-source.ts';
import type { ExpectedDevice } from './target/target-device.ts';

export type ArrivingWriteOptions = Omit<FlashImageOptions, 'imagePath' | 'source' | 'recipe' | 'eject' | 'sha256'>;

/** Error codes a target fails with before anything was written to it: it is left as it was. */
const untouchedCodes: ReadonlySet<string> = new Set(['refused', 'target-busy', 'permission-denied', 'target-removed']);

/** Writes the arriving file to the targets; the result's `download` carries the failure and the sticks marked unusable (its url and result are the engine's to fill). */
export async function writeArrivingImage(growing: GrowingFile, options: ArrivingWriteOptions): Promise<FlashResult> {
  const startedMs = Date.now();
  const asUser = options.helperScope?.asInvokingUser ?? (<T>(open: () => Promise<T>): Promise<T> => open());
  let source;
  try {
    source = await asUser(() => openGrowingFileSource(growing));
  } catch (error) {
    return failedBeforeWriting(options, error, startedMs);
  }
  // Each stick as opened for writing: it is marked only if the same medium is still there at the end.
  const identities = new Map<string, ExpectedDevice>();
  const onTargetOpened = (path: string, identity: ExpectedDevice): void => void identities.set(path, identity);
  // Written from the download's own buffers, the bytes need no SHA-256 of the write's: they are the download's.
  const fromHeldBytes = growing.held !== null;
  const flash = await flashImage({ ...options, imagePath: source.path, source, eject: false, sha256: !fromHeldBytes, onTargetOpened });
  // Nothing written (every target refused or failed to open): the engine stops the download.
  if (!flash.targets.some(wasWritten)) return flash;
  await growing.settled();
  const untrusted = untrustedBecause(flash, growing);
  // A cancelled write is not marked (it says it was cancelled), but nothing of it is vouched for either.
  const failure = options.signal?.aborted ? null : untrusted;
  if (failure === null) {
    // Written from the download's own buffers: their SHA-256 is the one the download computed, once
    // every byte of it was written (not so for a write cancelled midway, whose bytes no hash covers).
    const written = fromHeldBytes ? { ...flash.source, sha256Hex: untrusted === null ? growing.sha256 : null } : flash.source;
    return { ...flash, source: written, download: { url: '', result: null, failure: null, unusableTargets: [] } };
  }
  const unusableTargets: string[] = [];
  const targets: TargetResult[] = [];
  for (const target of flash.targets) {
    if (target.error !== null && untouchedCodes.has(target.error.code)) {
      targets.push(target);
      continue;
    }
    const marking = await markUnusable(target.target, expectedAtMarking(options, identities, target.target)).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (marking === null) unusableTargets.push(target.target);
    const why =
      marking === null
        ? `the stick was left unusable (its first and last MiB zeroed) because ${failure}`
        : `${failure}; marking it unusable failed: ${marking}`;
    // The download's own failure keeps its code; bytes that differ from the finished file are a mismatch.
    const code = growing.failure?.code ?? 'verification-mismatch';
    targets.push({ ...target, outcome: 'failed', error: { code, message: `${target.target}: ${why}`, offsetBytes: null } });
  }
  return { ...flash, outcome: 'failed', targets, download: { url: '', result: null, failure, unusableTargets } };
}

function wasWritten(target: TargetResult): boolean {
  return target.outcome === 'verified' || target.outcome === 'written' || (target.error !== null && !untouchedCodes.has(target.error.code));
}

/** Why the bytes written cannot be trusted, or null: the download's own failure or verdict, else a difference from the file it completed. */
function untrustedBecause(flash: FlashResult, growing: GrowingFile): string | null {
  if (growing.failure !== null) return growing.failure.message;
  // Written from the download's buffers (held-bytes.ts): they are its bytes, all of them if the count is.
  if (growing.held !== null) {
    const writtenBytes = flash.source.sizeBytes;
    return writtenBytes === growing.totalBytes ? null : `the drives were written ${writtenBytes} bytes of the download's ${growing.totalBytes}`;
  }
  // The SHA-256 of the bytes written against the download's is the whole check: it also covers a size difference.
  if (flash.source.sha256Hex !== growing.sha256) return `the bytes written hash to SHA-256 ${flash.source.sha256Hex}, the download to ${growing.sha256}`;
  return null;
}

/**
 * What the stick to mark must be: the medium opened for writing (its "major:minor" and disk sequence),
 * so a stick swapped in at the same /dev/sdX since is refused, never wiped. In the elevated helper a
 * target it never opened gets '', which matches no device; in-process, a regular file needs no check.
 */
function expectedAtMarking(options: ArrivingWriteOptions, identities: ReadonlyMap<string, ExpectedDevice>, path: string): ExpectedDevice {
  const identity = identities.get(path);
  if (identity !== undefined) return identity;
  return options.helperScope === undefined ? undefined : { deviceNumber: '' };
}

/** Every target failed (or cancelled) before anything was written: the download failed before its file existed. */
export function failedBeforeWriting(options: ArrivingWriteOptions, error: unknown, startedMs: number = Date.now()): FlashResult {
  const message = error instanceof Error ? error.message : String(error);
  const cancelled = options.signal?.aborted === true;
  const targets: TargetResult[] = options.targets.map((target) => ({
    target: 'driveId' in target ? target.driveId : target.path,
    outcome: cancelled ? 'cancelled' : 'failed',
    bytesWritten: 0,
    error: { code: cancelled ? 'cancelled' : 'source-unreadable', message: `${message}; nothing was written`, offsetBytes: null },
    mismatch: null,
    refusals: [],
  }));
  return {
    jobId: options.jobId ?? '',
    outcome: cancelled ? 'cancelled' : 'failed',
    source: { path: '', compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets,
    elapsedMs: Date.now() - startedMs,
    download: { url: '', result: null, failure: message, unusableTargets: [] },
  };
}
