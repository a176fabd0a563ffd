import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashAlgorithms, type HashAlgorithm } from '../../shared/checksum.ts';
import { assignAlgorithms, defaultChunkBytes, hashFile } from '../../src-main/checksum/hash-pass.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import type { PassProgress } from '../../src-main/checksum/hash-pass.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { coreutilsDigests } from './coreutils.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-hash-'));
const allFour: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];

function writeSample(sizeBytes: number): string {
  const path = join(dir, `sample-${sizeBytes}.bin`);
  writeFileSync(path, deterministicBytes(sizeBytes, sizeBytes + 7));
  return path;
}

describe('one read pass, several hashes', () => {
  // Small chunks and a 3-slot ring, so every boundary (chunk, ring wrap, inline limit) is a few KiB away.
  const chunkBytes = 4096;
  const ringSlotCount = 3;
  const sizes = [
    0,
    1,
    chunkBytes - 1,
    chunkBytes,
    chunkBytes + 1,
    2 * chunkBytes,
    ringSlotCount * chunkBytes - 1,
    ringSlotCount * chunkBytes,
    ringSlotCount * chunkBytes + 1,
    7 * chunkBytes + 13,
  ];

  it.each(sizes)('equals md5sum, sha1sum, sha256sum and sha512sum on %i bytes (workers, small chunks)', async (sizeBytes) => {
    const path = writeSample(sizeBytes);
    const result = await hashFile(path, { algorithms: allFour, chunkBytes, ringSlotCount, inlineMaxBytes: 0, maxWorkers: 2 });
    expect(result.digests).toEqual(coreutilsDigests(path, allFour));
    expect(result.sizeBytes).toBe(sizeBytes);
    // An empty file needs no worker whatever the limit: there is nothing to spread.
    expect(result.workerCount).toBe(sizeBytes === 0 ? 0 : 2);
  });

  it.each([0, 1, chunkBytes, chunkBytes + 1])('equals the coreutils tools on %i bytes hashed in the calling thread', async (sizeBytes) => {
    const path = writeSample(sizeBytes);
    const result = await hashFile(path, { algorithms: allFour, chunkBytes, inlineMaxBytes: Number.MAX_SAFE_INTEGER });
    expect(result.workerCount).toBe(0);
    expect(result.digests).toEqual(coreutilsDigests(path, allFour));
  });

  it.each([defaultChunkBytes, defaultChunkBytes + 1])('equals the coreutils tools around the default chunk size (%i bytes)', async (sizeBytes) => {
    const path = writeSample(sizeBytes);
    const result = await hashFile(path, { algorithms: allFour });
    expect(result.workerCount).toBe(sizeBytes > defaultChunkBytes ? Math.min(4, availableParallelism()) : 0);
    expect(result.digests).toEqual(coreutilsDigests(path, allFour));
  });

  it('computes BLAKE2b-512 as b2sum does, with one worker per algorithm', async () => {
    const path = writeSample(3 * 4096 + 5);
    const result = await hashFile(path, { algorithms: ['blake2b', 'sha256'], chunkBytes: 4096, inlineMaxBytes: 0, maxWorkers: 2 });
    expect(result.digests).toEqual(coreutilsDigests(path, ['blake2b', 'sha256']));
  });

  it('reports progress that only grows, ends at the size, and carries a rate and an ETA', async () => {
    const path = writeSample(64 * 4096);
    const reports: PassProgress[] = [];
    await hashFile(path, {
      algorithms: ['sha256'],
      chunkBytes: 4096,
      inlineMaxBytes: 0,
      progressIntervalMs: 0,
      onProgress: (progress) => reports.push(progress),
    });
    expect(reports.length).toBeGreaterThan(10);
    for (const [index, report] of reports.entries()) {
      expect(report.totalBytes).toBe(64 * 4096);
      if (index > 0) expect(report.bytesHashed).toBeGreaterThanOrEqual(reports[index - 1]?.bytesHashed ?? 0);
    }
    const last = reports.at(-1);
    expect(last?.bytesHashed).toBe(64 * 4096);
    expect(last?.etaMs).toBe(0);
    expect(last?.bytesPerSecond).toBeGreaterThan(0);
  });

  it('stops with CancelledError when cancelled mid-pass, in both paths', async () => {
    const path = writeSample(256 * 4096);
    for (const inlineMaxBytes of [0, Number.MAX_SAFE_INTEGER]) {
      const controller = new AbortController();
      const pass = hashFile(path, {
        algorithms: allFour,
        chunkBytes: 4096,
        inlineMaxBytes,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.bytesHashed >= 8 * 4096) controller.abort();
        },
      });
      await expect(pass).rejects.toBeInstanceOf(CancelledError);
    }
  });

  it('fails with the OS error for a missing file', async () => {
    await expect(hashFile(join(dir, 'missing.bin'), { algorithms: ['md5'] })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('assignAlgorithms', () => {
  it.each([1, 2, 3, 4, 8])('gives every algorithm to exactly one of at most %i workers', (workerCount) => {
    const groups = assignAlgorithms(hashAlgorithms, workerCount);
    expect(groups.length).toBe(Math.min(workerCount, hashAlgorithms.length));
    expect(groups.flat().sort()).toEqual([...hashAlgorithms].sort());
    for (const group of groups) expect(group.length).toBeGreaterThan(0);
  });
});
