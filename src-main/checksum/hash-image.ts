// Digests of an image with the hash cache in front of the hashing pass: only the algorithms the cache
// lacks are computed, and a result is cached only if the file did not change while it was read.
import { stat } from 'node:fs/promises';
import type { HashAlgorithm, HashDigests, HashResult } from '../../shared/checksum.ts';
import { hashFile, type HashPassOptions } from './hash-pass.ts';
import { fileIdentityOf, isSameFileVersion, openHashCache, type FileIdentity } from './hash-cache.ts';
import type { PassProgress } from './progress-meter.ts';

export interface HashImageOptions {
  readonly algorithms: readonly HashAlgorithm[];
  /** The data folder holding the hash cache; null disables the cache. */
  readonly dataDir: string | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  /** Tuning passed through to the hashing pass (tests use small chunks). */
  readonly pass?: Omit<HashPassOptions, 'algorithms' | 'signal' | 'onProgress'>;
}

export async function hashImage(path: string, options: HashImageOptions): Promise<HashResult> {
  const startMs = performance.now();
  const before = await stat(path);
  // Devices have no meaningful mtime: their content changes without stat noticing, so never cache them.
  const identity: FileIdentity | null = fileIdentityOf(path, before);
  const cache = options.dataDir !== null && identity !== null ? openHashCache(options.dataDir) : null;
  const cached: HashDigests = cache && identity ? await cache.lookup(identity) : {};
  const missing = [...new Set(options.algorithms)].filter((algorithm) => cached[algorithm] === undefined);
  const pick = (digests: HashDigests): HashDigests =>
    Object.fromEntries(options.algorithms.map((algorithm) => [algorithm, digests[algorithm]]));

  if (missing.length === 0 && identity) {
    return { path, sizeBytes: identity.sizeBytes, digests: pick(cached), fromCache: true, elapsedMs: performance.now() - startMs };
  }
  const pass = await hashFile(path, {
    ...options.pass,
    algorithms: missing,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const digests = { ...cached, ...pass.digests };
  if (cache && identity) {
    const after = fileIdentityOf(path, await stat(path));
    const unchanged = after !== null && isSameFileVersion(identity, after) && pass.sizeBytes === identity.sizeBytes;
    // The cache only saves time: a data folder we cannot write must not fail the hashing.
    if (unchanged) await cache.store(identity, pass.digests).catch(() => undefined);
  }
  return { path, sizeBytes: pass.sizeBytes, digests: pick(digests), fromCache: false, elapsedMs: performance.now() - startMs };
}
