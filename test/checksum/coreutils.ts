// What the real coreutils tools say about a file: the expected answers of the checksum tests.
import { execFileSync } from 'node:child_process';
import type { HashAlgorithm } from '../../shared/checksum.ts';

const tools: Readonly<Record<HashAlgorithm, string>> = { md5: 'md5sum', sha1: 'sha1sum', sha256: 'sha256sum', sha512: 'sha512sum', blake2b: 'b2sum' };

/** The digest `md5sum`/`sha1sum`/`sha256sum`/`sha512sum`/`b2sum` prints for `path`. */
export function coreutilsDigest(algorithm: HashAlgorithm, path: string): string {
  const output = execFileSync(tools[algorithm], ['--', path], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  // A name with a backslash or newline makes coreutils prefix the line with "\".
  const match = /^\\?([0-9a-f]+) /.exec(output);
  if (!match?.[1]) throw new Error(`${tools[algorithm]} printed no digest: ${output}`);
  return match[1];
}

export function coreutilsDigests(path: string, algorithms: readonly HashAlgorithm[]): Partial<Record<HashAlgorithm, string>> {
  return Object.fromEntries(algorithms.map((algorithm) => [algorithm, coreutilsDigest(algorithm, path)]));
}
