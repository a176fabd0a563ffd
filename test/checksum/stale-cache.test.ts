// Issue 11 §1: no verdict from a stale cache. A file hashed once, then changed with its mtime set back
// (`touch -r`, as `cp -p` and `rsync -t` also leave it), must get the digest of its new bytes and a
// mismatch from every verdict path: `isotope hash`, `isotope check`, `checksum:compare` and
// `checksum:verify`. sha256sum is the oracle. Only `isotope hash --cached` may print a remembered
// digest, and it says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HashResult, VerificationReport } from '../../shared/checksum.ts';
import { testService } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { coreutilsDigest } from './coreutils.ts';
import { runIsotope } from './run-cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-stale-cache-'));
  process.env.ISOTOPE_HOME = join(dir, 'home');
  return () => rmSync(dir, { recursive: true, force: true });
});

/** XORs one byte of the file in place (no truncation, no other write). */
function flipByte(path: string, offsetBytes: number): void {
  const fd = openSync(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offsetBytes);
    byte[0] = byte[0]! ^ 0x01;
    writeSync(fd, byte, 0, 1, offsetBytes);
  } finally {
    closeSync(fd);
  }
}

/** An image with a SHA256SUMS beside it made by sha256sum, hashed and checked once (so the cache knows it). */
async function hashedImage(): Promise<{ image: string; sums: string; oldSha256: string }> {
  const image = join(dir, 'image.iso');
  writeFileSync(image, deterministicBytes(6 * 1024 * 1024 + 5, 11));
  const sums = join(dir, 'SHA256SUMS');
  writeFileSync(sums, execFileSync('sha256sum', ['image.iso'], { cwd: dir, encoding: 'utf8' }));
  const oldSha256 = coreutilsDigest('sha256', image);
  expect((await runIsotope(['hash', image, '--algorithm', 'sha256', '--json'])).json()).toEqual({ sha256: oldSha256 });
  expect((await runIsotope(['check', image])).exitCode).toBe(0);
  return { image, sums, oldSha256 };
}

/** Changes one byte in the middle and puts the mtime back with the real `touch -r`. */
function changeKeepingMtime(image: string): string {
  const reference = join(dir, 'reference');
  execFileSync('cp', ['-p', image, reference]);
  flipByte(image, 3 * 1024 * 1024 + 17);
  execFileSync('touch', ['-r', reference, image]);
  // The oracle: coreutils sees the change.
  expect(spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' }).stdout).toBe('image.iso: FAILED\n');
  return coreutilsDigest('sha256', image);
}

describe('a file changed with its mtime kept', () => {
  it('isotope hash prints the digest of the new bytes, with and without --cached', async () => {
    const { image, oldSha256 } = await hashedImage();
    const newSha256 = changeKeepingMtime(image);
    expect(newSha256).not.toBe(oldSha256);
    // The ctime in the cache key: even --cached does not take this version for the one it remembers.
    const cached = await runIsotope(['hash', image, '--algorithm', 'sha256', '--cached']);
    expect(cached.stdout).toBe(`SHA256 (${image}) = ${newSha256}\n`);
    expect((await runIsotope(['hash', image, '--algorithm', 'sha256', '--json'])).json()).toEqual({ sha256: newSha256 });
  });

  it('isotope check reports a mismatch (exit 1) with the actual digest of the new bytes', async () => {
    const { image } = await hashedImage();
    const newSha256 = changeKeepingMtime(image);
    const run = await runIsotope(['check', image, '--json']);
    expect(run.exitCode).toBe(1);
    const report = run.json<VerificationReport>();
    expect(report.verdict).toBe('mismatch');
    expect(report.digests.sha256).toBe(newSha256);
  });

  it('checksum:compare and checksum:verify compare the new bytes: no match with the old digest', async () => {
    const { image, sums, oldSha256 } = await hashedImage();
    const newSha256 = changeKeepingMtime(image);
    const service = testService();
    const compared = await runJob(service, 'compare', 'checksum:compare', { path: image, expected: oldSha256 });
    expect(compared).toEqual({ ok: true, value: { path: image, algorithm: 'sha256', expected: oldSha256, actual: newSha256, matches: false } });
    const verified = await runJob(service, 'verify', 'checksum:verify', { path: image, sumsPath: sums });
    expect(verified.ok && verified.value.verdict).toBe('mismatch');
    expect(verified.ok && verified.value.digests.sha256).toBe(newSha256);
    const pasted = await runJob(service, 'verify', 'checksum:verify', { path: image, expected: oldSha256 });
    expect(pasted.ok && pasted.value.verdict).toBe('mismatch');
  });
});

describe('isotope hash --cached', () => {
  it('prints the remembered digests of an unchanged file and says they were not re-read', async () => {
    const { image, oldSha256 } = await hashedImage();
    const run = await runIsotope(['hash', image, '--algorithm', 'sha256', '--cached']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^SHA256 \\(${image.replaceAll('/', '\\/')}\\) = ${oldSha256}\\n# remembered from \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, not re-read`),
    );
    const json = (await runIsotope(['hash', image, '--algorithm', 'sha256', '--cached', '--json'])).json<{ remembered: HashResult['remembered'] }>();
    expect(json).toEqual({ remembered: { digests: { sha256: oldSha256 }, computedAtMs: expect.any(Number) } });
  });

  it('reads the file when the cache does not remember every algorithm asked', async () => {
    const { image } = await hashedImage();
    const run = await runIsotope(['hash', image, '--algorithm', 'sha256,md5', '--cached', '--json']);
    expect(run.json()).toEqual({ md5: coreutilsDigest('md5', image), sha256: coreutilsDigest('sha256', image) });
  });
});
