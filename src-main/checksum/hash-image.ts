// Digests of an image, always read from the file in this run, with the hash cache beside the pass: what
// the cache remembers for this file version is handed out at once (labelled as remembered, for display),
// and the digests just read are stored for next time if the file did not change while it was read.
// Only an explicit `cached` request is answered from the cache without reading (`isotope hash --cached`).
// A compressed image gets two sets of digests, the file's and its decoded content's (issue 16), from
// one read of the file (hash-compressed.ts). Never from a decoded cache file: it is tied to the
// compressed file only by metadata (device, inode, size, times), and anything that writes into the
// data folder can change its bytes without changing that, so a content digest read from it would be
// a verdict from a cache. Decoding in the pass costs the decode, and saves the second read.
import { stat } from 'node:fs/promises';
import type { ContentDigests, HashAlgorithm, HashDigests, HashResult, RememberedDigests } from '../../shared/checksum.ts';
import { hashFile, type HashPassOptions, type PassProgress } from './hash-pass.ts';
import { describeCompressedFile, hashCompressedFile, type CompressedFile } from './hash-compressed.ts';
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

/** What one pass read: the file's digests, and its content's for a compressed image. */
interface ReadDigests {
  readonly sizeBytes: number;
  readonly digests: HashDigests;
  readonly content: ContentDigests | null;
}

export async function hashImage(path: string, options: HashImageOptions): Promise<HashResult> {
  const startMs = performance.now();
  const algorithms = [...new Set(options.algorithms)];
  const before = await stat(path);
  // Devices have no meaningful version: their content changes without stat noticing, so never cache them.
  const identity: FileIdentity | null = fileIdentityOf(path, before);
  const compressed = before.isFile() ? await describeCompressedFile(path) : null;
  const cache: HashCache | null = options.dataDir !== null && identity !== null ? openHashCache(options.dataDir) : null;
  // The cache only saves time: one we cannot read is as good as an empty one.
  const known = cache && identity ? await cache.lookup(identity).catch(() => null) : null;
  const remembered = known ? rememberedFor(known, algorithms) : null;
  if (remembered && identity && options.cached === true && remembersAll(remembered, algorithms, compressed !== null)) {
    return { path, sizeBytes: identity.sizeBytes, digests: null, remembered, elapsedMs: performance.now() - startMs };
  }
  if (remembered) options.onRemembered?.(remembered);

  const pass = compressed ? await hashCompressed(path, compressed, algorithms, options) : await hashPlain(path, algorithms, options);
  if (cache && identity) {
    const after = fileIdentityOf(path, await stat(path));
    const unchanged = after !== null && isSameFileVersion(identity, after) && pass.sizeBytes === identity.sizeBytes;
    // A data folder we cannot write must not fail the hashing.
    if (unchanged) await cache.store(identity, pass.digests, pass.content?.digests).catch(() => undefined);
  }
  const content = pass.content ? { content: pass.content } : {};
  return { path, sizeBytes: pass.sizeBytes, digests: pass.digests, ...content, remembered, elapsedMs: performance.now() - startMs };
}

async function hashPlain(path: string, algorithms: readonly HashAlgorithm[], options: HashImageOptions): Promise<ReadDigests> {
  const pass = await hashFile(path, { ...options.pass, algorithms, ...jobPorts(options) });
  return { sizeBytes: pass.sizeBytes, digests: pass.digests, content: null };
}

async function hashCompressed(path: string, compressed: CompressedFile, algorithms: readonly HashAlgorithm[], options: HashImageOptions): Promise<ReadDigests> {
  const passOptions = { algorithms, ...jobPorts(options), ...pick(options.pass, ['chunkBytes', 'progressIntervalMs'] as const) };
  const pass = await hashCompressedFile(path, compressed.compression, passOptions);
  const content: ContentDigests = {
    digests: pass.contentDigests,
    decodedSizeBytes: pass.decodedSizeBytes,
    source: 'decoded-in-pass',
    contentName: compressed.contentName,
  };
  return { sizeBytes: pass.sizeBytes, digests: pass.digests, content };
}

function jobPorts(options: HashImageOptions): Pick<HashPassOptions, 'signal' | 'onProgress'> {
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
}

function pick<T extends object, K extends keyof T>(value: T | undefined, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value?.[key] !== undefined) picked[key] = value[key];
  return picked;
}

/** True when the remembered digests cover every algorithm asked (and the content's too, for a compressed image). */
function remembersAll(remembered: RememberedDigests, algorithms: readonly HashAlgorithm[], compressed: boolean): boolean {
  return algorithms.every((algorithm) => remembered.digests[algorithm] !== undefined && (!compressed || remembered.content?.[algorithm] !== undefined));
}

/** The remembered digests of the algorithms asked; null when the cache knows none of them. */
function rememberedFor(known: RememberedDigests, algorithms: readonly HashAlgorithm[]): RememberedDigests | null {
  const only = (digests: HashDigests): HashDigests => {
    const kept: HashDigests = {};
    for (const algorithm of algorithms) {
      const hex = digests[algorithm];
      if (hex !== undefined) kept[algorithm] = hex;
    }
    return kept;
  };
  const digests = only(known.digests);
  const content = known.content ? only(known.content) : {};
  if (Object.keys(digests).length === 0) return null;
  return { digests, ...(Object.keys(content).length > 0 ? { content } : {}), computedAtMs: known.computedAtMs };
}
