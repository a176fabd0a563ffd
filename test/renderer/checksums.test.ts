// The Checksums tab's state (src-renderer/state/checksums.svelte.ts) over the real engine, on an ISO
// with a SHA256SUMS signed by a throwaway gpg key: one pass finds the sums file and its signature,
// a pasted digest is compared with the digests read, and importing the signer's key (a two-step
// change the engine confirms) turns "unknown signer" into "verified" by reading the image again,
// and a sums file altered after signing into "bad signature".
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Checksums } from '../../src-renderer/state/checksums.svelte.ts';
import { signedSumsDir } from '../fixtures/ui-images.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { inProcessEngine } from './in-process-engine.ts';

// The keyring and hash cache of this run only ($ISOTOPE_HOME, src-main/io/data-dir.ts).
const home = mkdtempSync(join(tmpdir(), 'isotope-renderer-checksums-'));
beforeAll(() => void vi.stubEnv('ISOTOPE_HOME', home));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

const newChecksums = (): Checksums => {
  const { client } = inProcessEngine();
  return new Checksums(client, new JobStore(client));
};

const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';

describe('Checksums', () => {
  it('reads the image once, finds its signed sums file, and compares a pasted digest with the digests read', async () => {
    const image = join(signedSumsDir(), 'signed', 'disc.iso');
    const checksums = newChecksums();
    checksums.reset(image);
    checksums.setPasted(sha256sum(image).toUpperCase());
    expect(checksums.pastedVerdict).toEqual({ kind: 'pending' });

    await checksums.verify();

    expect(checksums.running).toBe(false);
    expect(checksums.error).toBeNull();
    expect(checksums.digests?.sha256).toBe(sha256sum(image));
    expect(checksums.report).toMatchObject({ verdict: 'matches-unknown-signer', trusted: false });
    // The verdict shown is the engine's, judged on the digests its pass read.
    await vi.waitFor(() => expect(checksums.pastedVerdict).toMatchObject({ kind: 'match', algorithm: 'sha256' }));
    checksums.setPasted(`sha256: ${'0'.repeat(64)}`);
    expect(checksums.pastedVerdict).toEqual({ kind: 'pending' });
    await vi.waitFor(() => expect(checksums.pastedVerdict).toMatchObject({ kind: 'mismatch', algorithm: 'sha256', actual: sha256sum(image) }));
    checksums.setPasted('not a digest');
    expect(checksums.pastedVerdict).toEqual({ kind: 'unrecognised' });
  });

  it('says a .img.gz matched by its content when SHA256SUMS names foo.img, and a pasted content digest is matched on the content', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'isotope-renderer-gz-'));
    try {
      const raw = join(folder, 'foo.img');
      writeFileSync(raw, 'a small disk image\n'.repeat(4096));
      truncateSync(raw, 1024 * 1024);
      const contentSha256 = sha256sum(raw);
      // gzip, not xz: this project resolves node-liblzma to its browser (WASM) build.
      execFileSync('gzip', [raw]);
      writeFileSync(join(folder, 'SHA256SUMS'), `${contentSha256}  foo.img\n`);
      const checksums = newChecksums();
      checksums.reset(`${raw}.gz`);
      await checksums.verify();
      expect(checksums.error).toBeNull();
      expect(checksums.report).toMatchObject({ verdict: 'matches-unsigned', matchedOn: ['content'] });
      expect(checksums.report?.sumsFiles[0]?.comparisons).toEqual([expect.objectContaining({ subject: 'content', matches: true })]);
      checksums.setPasted(contentSha256);
      await vi.waitFor(() => expect(checksums.pastedVerdict).toMatchObject({ kind: 'match', matchedOn: 'content', actual: contentSha256 }));

      // With the file gone, checksum:compare fails: the comparison made here stands, and it compares
      // the content's digests too, so the content digest is no "mismatch" the engine never gave.
      rmSync(`${raw}.gz`);
      checksums.setPasted(contentSha256.toUpperCase());
      await vi.waitFor(() => expect(checksums.pastedVerdict).toMatchObject({ kind: 'match', matchedOn: 'content', actual: contentSha256 }));
      checksums.setPasted('0'.repeat(64));
      await vi.waitFor(() => expect(checksums.pastedVerdict).toMatchObject({ kind: 'mismatch', matchedOn: null }));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("imports the signer's key only once confirmed, then verifies the image again as verified (and a tampered sums file as bad)", async () => {
    const image = join(signedSumsDir(), 'signed', 'disc.iso');
    const checksums = newChecksums();
    checksums.reset(image);
    await checksums.verify();
    await checksums.loadKeys();
    expect(checksums.keys).toEqual([]);

    checksums.keyPath = join(signedSumsDir(), 'signer.asc');
    await checksums.importKeys();
    expect(checksums.keysError).toBeNull();
    expect(checksums.pendingKeyChange).toMatchObject({ kind: 'import', keys: [{ userIds: [expect.stringContaining('signer@isotope.test')] }] });
    await checksums.loadKeys();
    expect(checksums.keys).toEqual([]); // nothing is trusted before the user confirms

    await checksums.confirmKeyChange();
    expect(checksums.keys).toHaveLength(1);
    expect(checksums.keysNotice).toBe(checksums.keys[0]?.fingerprint);
    expect(checksums.report).toMatchObject({ verdict: 'verified', trusted: true });

    // With the signer known, a sums file altered after it was signed is judged, and fails.
    checksums.reset(join(signedSumsDir(), 'tampered', 'disc.iso'));
    await checksums.verify();
    expect(checksums.report?.verdict).toBe('bad-signature');
  });
});
