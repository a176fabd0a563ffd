// The hash algorithms Isotope computes: their OpenSSL names in Node's crypto, digest lengths, and how a
// bare hex digest (pasted, or a GNU sums line) names its algorithm by its length.
import type { HashAlgorithm } from '../../shared/checksum.ts';
import { hashAlgorithms } from '../../shared/checksum.ts';

/** Node's crypto (OpenSSL) names; OpenSSL has the fastest code paths here (SHA-NI, AVX2). */
export const opensslNames: Readonly<Record<HashAlgorithm, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha512: 'sha512',
  blake2b: 'blake2b512',
};

export const hexLengths: Readonly<Record<HashAlgorithm, number>> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
  blake2b: 128,
};

/**
 * The algorithm a bare hex digest of this length most likely is. 128 hex digits are SHA-512: BLAKE2b-512
 * has the same length and is only chosen when a sums file names it (BSD tag, Gentoo header, B2SUMS).
 */
export function inferAlgorithmFromHexLength(hexLength: number): HashAlgorithm | null {
  switch (hexLength) {
    case 32:
      return 'md5';
    case 40:
      return 'sha1';
    case 64:
      return 'sha256';
    case 128:
      return 'sha512';
    default:
      return null;
  }
}

/** Algorithm names as sums files and users spell them: `SHA256`, `sha-256`, `SHA2-256`, `BLAKE2b`, `b2`. */
export function parseAlgorithmName(name: string): HashAlgorithm | null {
  const compact = name.toLowerCase().replace(/[-_\s]/g, '');
  const aliases: Readonly<Record<string, HashAlgorithm>> = {
    md5: 'md5',
    sha1: 'sha1',
    sha256: 'sha256',
    sha2256: 'sha256',
    sha512: 'sha512',
    sha2512: 'sha512',
    blake2b: 'blake2b',
    blake2b512: 'blake2b',
    b2: 'blake2b',
  };
  return aliases[compact] ?? null;
}

export function isHashAlgorithm(value: string): value is HashAlgorithm {
  return (hashAlgorithms as readonly string[]).includes(value);
}
