import { describe, expect, it } from 'vitest';
import { parsePastedDigest, PastedDigestError } from '../../src-main/checksum/pasted-digest.ts';

const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parsePastedDigest', () => {
  it.each([
    [sha256, 'sha256'],
    [`  ${sha256.toUpperCase()}\n`, 'sha256'],
    [sha256.match(/.{8}/g)?.join(' ') ?? '', 'sha256'],
    [`sha256:${sha256}`, 'sha256'],
    [`SHA-256 = ${sha256}`, 'sha256'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1'],
    ['f'.repeat(128), 'sha512'],
    [`blake2b: ${'f'.repeat(128)}`, 'blake2b'],
  ])('reads %j as %s', (text, algorithm) => {
    const parsed = parsePastedDigest(text);
    expect(parsed.algorithm).toBe(algorithm);
    expect(parsed.digest).toMatch(/^[0-9a-f]+$/);
  });

  it.each([
    ['', 'empty'],
    ['xyz', 'not hexadecimal'],
    ['abc', '3 hex digits'],
    [`md5:${sha256}`, 'md5 digest has 32'],
    [`whirlpool:${sha256}`, 'unknown algorithm'],
    ['a'.repeat(2000), 'at most 128'],
  ])('rejects %j, saying %j', (text, mentions) => {
    expect(() => parsePastedDigest(text)).toThrow(PastedDigestError);
    expect(() => parsePastedDigest(text)).toThrow(mentions);
  });
});
