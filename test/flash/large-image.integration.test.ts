// A 1 GiB image written to a loop device over /dev/shm (memory speed, so this measures our overhead,
// not a disk), byte-identical by cmp, with the SHA-256 openssl computes, and memory use bounded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason } from './loop-devices.ts';

const GiB = 1024 * 1024 * 1024;

describe.skipIf(!isRoot)(`a 1 GiB image (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let image = '';
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-1g-');
    image = join(dir, 'image.img');
    // Random bytes from openssl's CTR stream: incompressible and fast to make.
    execFileSync('sh', ['-c', 'openssl enc -aes-128-ctr -nosalt -pass pass:isotope -in /dev/zero 2>/dev/null | head -c "$1" > "$2"', 'sh', String(GiB), image]);
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and verifies 1 GiB byte-identical, with RSS growing by less than 150 MiB', async () => {
    const backing = join(dir, 'target.img');
    execFileSync('truncate', ['-s', String(GiB), backing]);
    const loop = loops.attach(backing);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    try {
      const result = await flashImage({ imagePath: image, targets: [{ path: loop }], verify: true, includeAll: true, eject: false });
      expect(result.outcome).toBe('succeeded');
      expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: GiB });
      const opensslDigest = execFileSync('openssl', ['dgst', '-sha256', '-r', image], { encoding: 'utf8' }).split(' ')[0];
      expect(result.source.sha256Hex).toBe(opensslDigest);
    } finally {
      clearInterval(timer);
    }
    expect(cmpIdentical(image, loop, GiB)).toBe(true);
    expect(peakRss - rssBefore).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);
});
