// Several running hashes fed the same bytes: what one hashing worker (or the small-file path in the
// calling thread) owns. Node's crypto is OpenSSL, the fastest implementation of these digests here.
import { createHash, type Hash } from 'node:crypto';
import type { HashAlgorithm, HashDigests } from '../../shared/checksum.ts';
import { opensslNames } from './algorithms.ts';

export interface HashGroup {
  update(bytes: Uint8Array): void;
  /** Finishes every hash; the group cannot be updated afterwards. */
  digest(): HashDigests;
}

export function createHashGroup(algorithms: readonly HashAlgorithm[]): HashGroup {
  const hashes: ReadonlyArray<readonly [HashAlgorithm, Hash]> = algorithms.map((algorithm) => [algorithm, createHash(opensslNames[algorithm])]);
  return {
    update(bytes) {
      for (const [, hash] of hashes) hash.update(bytes);
    },
    digest() {
      const digests: HashDigests = {};
      for (const [algorithm, hash] of hashes) digests[algorithm] = hash.digest('hex');
      return digests;
    },
  };
}
