// A 1 GiB sparse disk image, compressed, is hashed with its decoded content in one pass by a child
// process whose peak RSS stays under 200 MiB: every decoder is pulled one piece at a time and nothing
// holds the image. The oracles are sha256sum of the compressed file and of what `gzip -dc` / `xz -dc`
// decode from it.
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { coreutilsDigest } from './coreutils.ts';

const repoRoot = join(import.meta.dirname, '../..');
const mib = 1024 * 1024;
const imageBytes = 1024 * mib;
const dir = mkdtempSync('/tmp/isotope-compressed-memory-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1 GiB: 4 MiB of varied bytes, then zeros (a sparse file, so making it costs no disk). */
function makeSparseImage(): string {
  const path = join(dir, 'disk.img');
  writeFileSync(path, deterministicBytes(4 * mib, 11));
  truncateSync(path, imageBytes);
  return path;
}

/**
 * The .img.xz as 64 concatenated xz streams of 16 MiB each (xz 2.2 allows concatenation), so it is
 * made in seconds; xz -dc decodes it to the image (checked below through the oracle digest).
 */
function makeXz(image: string): string {
  const blockBytes = 16 * mib;
  const head = join(dir, 'head.img');
  execSync(`head -c ${blockBytes} ${image} > ${head}`);
  const zeros = join(dir, 'zeros.img');
  writeFileSync(zeros, Buffer.alloc(0));
  truncateSync(zeros, blockBytes);
  const headXz = execFileSync('xz', ['-c', '-0', '-T1', head], { maxBuffer: 64 * mib });
  const tailXz = execFileSync('xz', ['-c', '-0', '-T1', zeros], { maxBuffer: 64 * mib });
  const path = join(dir, 'disk.img.xz');
  writeFileSync(path, Buffer.concat([headXz, ...Array.from({ length: imageBytes / blockBytes - 1 }, () => tailXz)]));
  return path;
}

function hashInChild(path: string): {
  digests: Record<string, string>;
  contentDigests: Record<string, string>;
  decodedSizeBytes: number;
  peakRssBytes: number;
} {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/checksum/tools/hash-compressed-image.ts'), path], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (child.status !== 0) throw new Error(`the pass failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ReturnType<typeof hashInChild>;
}

describe('a 1 GiB sparse image, compressed', () => {
  const image = makeSparseImage();
  const contentSha256 = coreutilsDigest('sha256', image);

  it.each([
    ['gzip', () => (execSync(`gzip -1 -c ${image} > ${image}.gz`), `${image}.gz`), 'gzip -dc'],
    ['xz', () => makeXz(image), 'xz -dc'],
  ] as const)('is hashed with its content in one pass with a peak RSS under 200 MiB (%s)', { timeout: 300_000 }, (kind, make, decoder) => {
    const path = make();
    // The oracle: what the real tool decodes is the image.
    expect(execSync(`${decoder} ${path} | sha256sum`, { encoding: 'utf8' }).slice(0, 64)).toBe(contentSha256);
    const result = hashInChild(path);
    expect(result.digests.sha256).toBe(coreutilsDigest('sha256', path));
    expect(result.contentDigests.sha256).toBe(contentSha256);
    expect(result.decodedSizeBytes).toBe(imageBytes);
    console.log(`${kind}: 1 GiB image, ${statSync(path).size} bytes compressed, peak RSS ${(result.peakRssBytes / mib).toFixed(1)} MiB`);
    expect(result.peakRssBytes).toBeLessThan(200 * mib);
  });
});
