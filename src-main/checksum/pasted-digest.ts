// A digest pasted by a user: tolerant of case, spaces, line breaks and an algorithm prefix
// (`sha256:…`, `SHA-512 = …`, `md5 …`); the algorithm is the prefix's, else inferred from the length.
import type { HashAlgorithm } from '../../shared/checksum.ts';
import { hexLengths, inferAlgorithmFromHexLength, parseAlgorithmName } from './algorithms.ts';
import { CodedError } from '../jobs/errors.ts';

export interface PastedDigest {
  readonly algorithm: HashAlgorithm;
  /** Lowercase hex. */
  readonly digest: string;
}

/** The pasted text is not a digest Isotope knows; the message says why, with the numbers. */
export class PastedDigestError extends CodedError {
  constructor(message: string) {
    super('invalid-request', message);
    this.name = 'PastedDigestError';
  }
}

/** Pasted text beyond this is not a digest (the longest, SHA-512, has 128 hex digits). */
const maxPastedLength = 1024;

export function parsePastedDigest(text: string): PastedDigest {
  if (text.length > maxPastedLength) throw new PastedDigestError(`pasted value has ${text.length} characters; a digest has at most 128`);
  let rest = text.trim();
  let named: HashAlgorithm | null = null;
  const prefix = /^([A-Za-z][A-Za-z0-9-]*?)\s*[:=\s]\s*(?=[0-9A-Fa-f\s]+$)/.exec(rest);
  // A "prefix" made only of hex digits is the start of a digest pasted in groups ("e3b0c442 98fc…").
  if (prefix?.[1] && !/^[0-9A-Fa-f]+$/.test(prefix[1])) {
    named = parseAlgorithmName(prefix[1]);
    if (!named) throw new PastedDigestError(`pasted value names an unknown algorithm "${prefix[1].slice(0, 32)}"`);
    rest = rest.slice(prefix[0].length);
  }
  const digest = rest.replace(/\s+/g, '').toLowerCase();
  if (digest === '') throw new PastedDigestError('pasted value is empty');
  if (!/^[0-9a-f]+$/.test(digest)) throw new PastedDigestError('pasted value is not hexadecimal (0-9, a-f)');
  if (named) {
    if (digest.length !== hexLengths[named]) {
      throw new PastedDigestError(`a ${named} digest has ${hexLengths[named]} hex digits; the pasted one has ${digest.length}`);
    }
    return { algorithm: named, digest };
  }
  const algorithm = inferAlgorithmFromHexLength(digest.length);
  if (!algorithm) {
    throw new PastedDigestError(`pasted digest has ${digest.length} hex digits; MD5 has 32, SHA-1 40, SHA-256 64, SHA-512 128`);
  }
  return { algorithm, digest };
}
