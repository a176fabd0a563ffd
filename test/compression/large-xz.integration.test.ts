// A 2 GiB .img.xz of sparse content (an ISO 9660 volume, then zeros) is inspected, opened and its root
// listed, by a child process whose peak RSS stays under 200 MiB: the xz blocks a listing needs are
// decoded one at a time through the index, never the whole image. The file is 128 concatenated xz
// streams of one 16 MiB block each (xz 2.2 allows concatenation), so it is made in a second, not by
// compressing 2 GiB; xz itself checks it decodes to the image.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../..');
const mib = 1024 * 1024;
const blockBytes = 16 * mib;
const imageBytes = 2048 * mib;
const dir = mkdtempSync('/tmp/isotope-large-xz-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeLargeXz(): string {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'boot'), { recursive: true });
  writeFileSync(join(tree, 'README.TXT'), 'a 2 GiB image, mostly empty\n');
  writeFileSync(join(tree, 'boot', 'config.txt'), 'arm_64bit=1\n');
  const iso = join(dir, 'head.img');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'LARGE', '-o', iso, tree], { stdio: 'ignore' });
  truncateSync(iso, blockBytes);
  const zeros = join(dir, 'zeros.img');
  writeFileSync(zeros, Buffer.alloc(0));
  truncateSync(zeros, blockBytes);
  const head = execFileSync('xz', ['-c', '-0', '-T1', iso], { maxBuffer: 64 * mib });
  const tail = execFileSync('xz', ['-c', '-0', '-T1', zeros], { maxBuffer: 64 * mib });
  const path = join(dir, 'large.img.xz');
  writeFileSync(path, Buffer.concat([head, ...Array.from({ length: imageBytes / blockBytes - 1 }, () => tail)]));
  return path;
}

describe('a 2 GiB .img.xz', () => {
  it('is opened and its root listed with a peak RSS under 200 MiB', { timeout: 180_000 }, () => {
    const path = makeLargeXz();
    // The oracle: xz's own listing says 2 GiB decoded.
    expect(execFileSync('xz', ['--robot', '-l', path], { encoding: 'utf8' })).toMatch(new RegExp(`^totals\\t128\\t128\\t\\d+\\t${imageBytes}\\t`, 'm'));
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/compression/tools/list-compressed-image.ts'), path], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (child.status !== 0) throw new Error(`the listing failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout) as { names: string[]; sizeBytes: number; peakRssBytes: number };
    expect(result.names.sort()).toEqual(['README.TXT', 'boot']); // Rock Ridge names
    expect(result.sizeBytes).toBe(imageBytes);
    console.log(`2 GiB .img.xz: ${statSync(path).size} bytes compressed, peak RSS ${(result.peakRssBytes / mib).toFixed(1)} MiB`);
    expect(result.peakRssBytes).toBeLessThan(200 * mib);
  });
});
