// "Write while downloading" (issue 19): a stick is marked unusable only when the medium written is the
// one still at its path. Real loop devices; the swap happens after the write and before the marking.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlashFailure } from '../../src-main/flash/flash-error.ts';
import { GrowingFile } from '../../src-main/flash/source/growing-file-source.ts';
import { writeArrivingImage } from '../../src-main/flash/write-arriving-image.ts';
import { LoopDevices, isRoot, readBytes, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;

/** A download that, once the sticks are written, runs `beforeEnd` and then fails. */
class FailingAfterWrite extends GrowingFile {
  constructor(private readonly beforeEnd: () => void) {
    super();
  }
  override async settled(): Promise<void> {
    if (this.failure === null) {
      this.beforeEnd();
      this.failed(new FlashFailure('source-unreadable', 'the download failed at its end (test)'));
    }
    return super.settled();
  }
}

describe.skipIf(!isRoot)(`marking sticks unusable after a failed download (${rootSkipReason})`, () => {
  const dir = mkdtempSync('/dev/shm/isotope-arriving-');
  const loops = new LoopDevices();
  let swappedIn: string | null = null;
  afterAll(() => {
    if (swappedIn !== null) execFileSync('losetup', ['-d', swappedIn], { stdio: 'ignore' });
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves alone a stick swapped in at the same device path before the download ended, and says so', async () => {
    const image = randomBytes(4 * MiB);
    const imagePath = join(dir, 'image.img');
    writeFileSync(imagePath, image);
    const written = join(dir, 'written.bin');
    const other = join(dir, 'other.bin');
    writeFileSync(written, Buffer.alloc(8 * MiB, 0xa5));
    writeFileSync(other, Buffer.alloc(8 * MiB, 0x5a));
    const stick = loops.attach(written);
    const growing = new FailingAfterWrite(() => {
      // The stick is pulled out and another one takes its /dev node (same major:minor).
      execFileSync('losetup', ['-d', stick]);
      execFileSync('losetup', [stick, other]);
      swappedIn = stick;
    });
    growing.opened(imagePath);
    growing.knowTotal(image.length);
    growing.onDisk(image.length);
    growing.landed(0, image.length);

    const result = await writeArrivingImage(growing, { targets: [{ path: stick }], verify: true, includeAll: true });

    expect(result.outcome).toBe('failed');
    expect(result.download?.unusableTargets).toEqual([]);
    expect(result.targets[0]?.error?.message).toMatch(/marking it unusable failed: .*now holds another medium .*removed or swapped/);
    // The stick now at that path keeps every byte; the one written was not touched after its write either.
    expect(readBytes(stick, 0, MiB).equals(Buffer.alloc(MiB, 0x5a))).toBe(true);
    expect(readBytes(stick, 7 * MiB, MiB).equals(Buffer.alloc(MiB, 0x5a))).toBe(true);
    expect(readBytes(written, 0, MiB).equals(image.subarray(0, MiB))).toBe(true);
  });
});
