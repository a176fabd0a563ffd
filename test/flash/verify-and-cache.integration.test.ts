// How a flash verifies and where its SHA-256 comes from (root only, real loop devices): a raw image is
// verified by comparing the read-back bytes with the image read again (a 4 KiB corruption made between
// writing and verifying is reported to the byte), a compressed one by block digests taken while
// writing (reported to its 64 KiB block); and the SHA-256 is always that of the bytes the pass read
// and wrote, never one the hash cache remembers (issue 11 §1), as `isotope hash` and `check` read too.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashProgress } from '../../shared/flash.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { digestBlockBytes } from '../../src-main/flash/hasher.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { LoopDevices, isRoot, readBytes, rootSkipReason, sha256OfPrefix } from './loop-devices.ts';

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)(`verification and the SHA-256 of the pass (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let image = '';
  const imageBytes = 20 * MiB + 4096;

  const loopOver = (name: string): { loop: string; backing: string } => {
    const backing = join(dir, name);
    writeFileSync(backing, Buffer.alloc(24 * MiB));
    return { loop: loops.attach(backing), backing };
  };
  /** Flips 4 KiB at each offset of the target's backing file the moment verification starts (after the write and flush). */
  const corruptWhenVerifying = (backing: string, original: string, ...offsets: number[]) => {
    let done = false;
    return (progress: FlashProgress): void => {
      if (done || !progress.targets.some((target) => target.phase === 'verifying')) return;
      done = true;
      const fd = openSync(backing, 'r+');
      for (const offsetBytes of offsets) {
        const flipped = readBytes(original, offsetBytes, 4096).map((byte) => byte ^ 0xff);
        writeSync(fd, flipped, 0, flipped.length, offsetBytes);
      }
      closeSync(fd);
    };
  };

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-verify-cache-test-');
    image = join(dir, 'image.img');
    writeFileSync(image, randomBytes(imageBytes));
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a raw image by comparing bytes: a 4 KiB corruption after writing is reported to the exact byte range', async () => {
    const { loop, backing } = loopOver('compare.img');
    const corruptAt = 9 * MiB + 3 * 4096;
    const result = await flashImage({
      imagePath: image,
      targets: [{ path: loop }],
      verify: true,
      includeAll: true,
      eject: false,
      onProgress: corruptWhenVerifying(backing, image, corruptAt),
    });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: corruptAt });
    // Digests would only locate it to its 64 KiB block; the byte comparison finds the 4 KiB exactly.
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: corruptAt, lengthBytes: 4096 });
  });

  it('compares whole chunks: two corruptions 256 KiB apart in one 4 MiB chunk are reported as one range from the first bad byte to the last', async () => {
    const { loop, backing } = loopOver('compare-two.img');
    const first = 12 * MiB + 8192;
    const second = first + 256 * 1024;
    const result = await flashImage({
      imagePath: image,
      targets: [{ path: loop }],
      verify: true,
      includeAll: true,
      eject: false,
      onProgress: corruptWhenVerifying(backing, image, first, second),
    });
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: first });
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: first, lengthBytes: second + 4096 - first });
  });

  it('verifies a compressed image by its write-time block digests: a corruption is reported as its 64 KiB block', async () => {
    const archive = join(dir, 'image.img.gz');
    writeFileSync(archive, execFileSync('gzip', ['-1', '-c', image], { maxBuffer: 64 * MiB }));
    const { loop, backing } = loopOver('digests.img');
    const corruptAt = 9 * MiB + 3 * 4096;
    const result = await flashImage({
      imagePath: archive,
      targets: [{ path: loop }],
      verify: true,
      includeAll: true,
      eject: false,
      onProgress: corruptWhenVerifying(backing, image, corruptAt),
    });
    expect(result.source.compression).toBe('gzip');
    expect(result.outcome).toBe('failed');
    const blockStart = Math.floor(corruptAt / digestBlockBytes) * digestBlockBytes;
    expect(result.targets[0]!.error).toMatchObject({ code: 'verification-mismatch', offsetBytes: blockStart });
    expect(result.targets[0]!.mismatch).toEqual({ offsetBytes: blockStart, lengthBytes: digestBlockBytes });
  });

  it('hashes the bytes it read, never a remembered digest: a byte flipped under a loop device (bit rot, stat unchanged) shows in the flash, `isotope hash` and `isotope check`', async () => {
    // The image lives on an ext4 volume on a loop device; its bytes change in the backing file, under
    // the file system, as bit rot changes them: size, mtime, ctime and inode all stay as they were.
    const volume = join(dir, 'volume.ext4');
    writeFileSync(volume, Buffer.alloc(64 * MiB));
    execFileSync('mkfs.ext4', ['-q', volume]);
    const volumeLoop = loops.attach(volume);
    const mountPoint = join(dir, 'mnt');
    mkdirSync(mountPoint);
    execFileSync('mount', [volumeLoop, mountPoint]);
    try {
      const rotting = join(mountPoint, 'image.img');
      copyFileSync(image, rotting);
      writeFileSync(join(mountPoint, 'SHA256SUMS'), `${sha256OfPrefix(image, imageBytes)}  image.img\n`);
      process.env.ISOTOPE_HOME = join(dir, 'home-bit-rot');
      // Hashed and checked once: the hash cache now remembers this version of the file.
      expect((await isotope(['check', rotting])).code).toBe(0);
      const statBefore = statSync(rotting);

      execFileSync('umount', [mountPoint]);
      const flipAt = 7 * MiB + 123;
      const marker = readBytes(image, flipAt, 64);
      const volumeBytes = readFileSync(volume);
      const where = volumeBytes.indexOf(marker);
      expect(where).toBeGreaterThan(0);
      const fd = openSync(volume, 'r+');
      writeSync(fd, Buffer.from([marker[0]! ^ 0x01]), 0, 1, where);
      closeSync(fd);
      // Drop the loop device's own cached blocks, so the file system reads what the backing file holds now.
      execFileSync('blockdev', ['--flushbufs', volumeLoop]);
      execFileSync('mount', [volumeLoop, mountPoint]);

      const statAfter = statSync(rotting);
      expect([statAfter.size, statAfter.mtimeMs, statAfter.ctimeMs, statAfter.ino, statAfter.dev]).toEqual([
        statBefore.size,
        statBefore.mtimeMs,
        statBefore.ctimeMs,
        statBefore.ino,
        statBefore.dev,
      ]);
      const rotten = sha256OfPrefix(rotting, imageBytes); // the oracle: sha256sum of the file as it reads now
      expect(rotten).not.toBe(sha256OfPrefix(image, imageBytes));

      const check = await isotope(['check', rotting]);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`MISMATCH sha256 ${rotten}`);
      expect((await isotope(['hash', rotting, '--algorithm', 'sha256'])).stdout).toBe(`SHA256 (${rotting}) = ${rotten}\n`);
      // Only --cached hands out the remembered digest, and says that it did not read the file.
      expect((await isotope(['hash', rotting, '--algorithm', 'sha256', '--cached'])).stdout).toMatch(
        /^SHA256 \(.*\) = [0-9a-f]{64}\n# remembered from .*, not re-read/,
      );

      const { loop } = loopOver('bit-rot-target.img');
      const flashed = await flashImage({ imagePath: rotting, targets: [{ path: loop }], verify: true, includeAll: true, eject: false });
      expect(flashed.outcome).toBe('succeeded');
      expect(flashed.source.sha256Hex).toBe(rotten);
      expect(sha256OfPrefix(loop, imageBytes)).toBe(rotten);
    } finally {
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
    }
  });
});
