// A download's checksum verdict as trust: what the history records as verify passed/failed and what
// the write-while-downloading judgement acts on. A revoked key vouches for nothing; a signer not in
// the keyring or an expired key cannot be judged, so neither passes.
import { describe, expect, it } from 'vitest';
import type { VerificationVerdict } from '../../shared/checksum.ts';
import { downloadTrust, type DownloadResult } from '../../shared/download.ts';
import { untrustedVerdict } from '../../src-main/flash/flash-from-download.ts';

function resultWith(verdict: VerificationVerdict): DownloadResult {
  return {
    url: 'https://example.org/image.iso',
    servedBy: 'https://example.org/image.iso',
    path: '/tmp/image.iso',
    sizeBytes: 4096,
    sha256: 'a'.repeat(64),
    resumedFromBytes: 0,
    verification:
      verdict === 'nothing-to-compare'
        ? null
        : ({ verdict, reasons: [`the sums said ${verdict}`], sumsFiles: [] } as unknown as DownloadResult['verification']),
    expectedSha256Matches: null,
  };
}

describe('downloadTrust', () => {
  it('passes only verified and matches-unsigned, fails a revoked key with the disagreements, and cannot judge the rest', () => {
    const trust = (verdict: VerificationVerdict) => downloadTrust(resultWith(verdict));
    expect(trust('verified')).toBe('passed');
    expect(trust('matches-unsigned')).toBe('passed');
    expect(trust('matches-revoked-key')).toBe('failed');
    expect(trust('mismatch')).toBe('failed');
    expect(trust('bad-signature')).toBe('failed');
    expect(trust('matches-unknown-signer')).toBeNull();
    expect(trust('matches-expired-key')).toBeNull();
    expect(trust('nothing-to-compare')).toBeNull();
  });
});

describe('untrustedVerdict (the write-while-downloading judgement)', () => {
  it('marks a download whose sums a revoked key signed as untrusted, naming the verdict', () => {
    expect(untrustedVerdict(resultWith('matches-revoked-key'))).toMatch(
      /do not vouch for the download \(matches-revoked-key: the sums said matches-revoked-key\)/,
    );
    expect(untrustedVerdict(resultWith('verified'))).toBeNull();
  });
});
