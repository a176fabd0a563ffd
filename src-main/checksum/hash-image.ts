// Digests of an image, always read from the file in this run, with the hash cache beside the pass: what
// the cache remembers for this file version is handed out at once (labelled as remembered, for display),
// and the digests just read are stored for next time if the file did not change while it was read.
// Only an explicit `cached` request is answered from the cache without reading (`isotope hash --cached`).
import { stat } from 'node:fs/promises';
import type { HashAlgorithm, HashDigests, HashResult, RememberedDigests } from '../../shared/checksum.ts';
import { hashFile, type HashPassOptions, type PassProgress } from './hash-pass.ts';
import { fileIdentityOf, isSameFileVersion, openHashCache, type FileIdentity, type HashCache } from './hash-cache.ts';

export interface HashImageOptions {
  readonly algorithms: readonly HashAlgorithm[];
  /** The data folder holding the hash cache; null disables the cache. */
  readonly dataDir: string | null;
  /** Answer from the cache alone when it remembers every algorithm asked (see HashRequest.cached). */
  readonly cached?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  /** Called before the pass starts when the cache remembers digests of this file version. */
  readonly onRemembered?: (remembered: RememberedDigests) => void;
  /** Tuning passed through to the hashing pass (tests use small chunks). */
  readonly pass?: Omit<HashPassOptions, 'algorithms' | 'signal' | 'onProgress'>;
}

export async function hashImage(path: string, options: HashImageOptions): Promise<HashResult> {
  const startMs = performance.now();
  const algorithms = [...new Set(options.algorithms)];
  const before = await stat(path);
  // Devices have no meaningful version: their content changes without stat noticing, so never cache them.
  const identity: FileIdentity | null = fileIdentityOf(path, before);
  const cache: HashCache | null = options.dataDir !== null && identity !== null ? openHashCache(options.dataDir) : null;
  // The cache only saves time: one we cannot read is as good as an empty one.
  const known = cache && identity ? await cache.lookup(identity).catch(() => null) : null;
  const remembered = known ? rememberedFor(known, algorithms) : null;
  if (remembered && identity && options.cached === true && algorithms.every((algorithm) => remembered.digests[algorithm] !== undefined)) {
    return { path, sizeBytes: identity.sizeBytes, digests: null, remembered, elapsedMs: performance.now() - startMs };
  }
  if (remembered) options.onRemembered?.(remembered);

  const pass = await hashFile(path, {
    ...options.pass,
    algorithms,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (cache && identity) {
    const after = fileIdentityOf(path, await stat(path));
    const unchanged = after !== null && isSameFileVersion(identity, after) && pass.sizeBytes === identity.sizeBytes;
    // A data folder we cannot write must not fail the hashing.
    if (unchanged) await cache.store(identity, pass.digests).catch(() => undefined);
  }
  return { path, sizeBytes: pass.sizeBytes, digests: pass.digests, remembered, elapsedMs: performance.now() - startMs };
}

/** The remembered digests of the algorithms asked; null when the cache knows none of them. */
function rememberedFor(known: RememberedDigests, algorithms: readonly HashAlgorithm[]): RememberedDigests | null {
  const digests: HashDigests = {};
  for (const algorithm of algorithms) {
    const hex = known.digests[algorithm];
    if (hex !== undefined) digests[algorithm] = hex;
  }
  return Object.keys(digests).length > 0 ? { digests, computedAtMs: known.computedAtMs } : null;
}
