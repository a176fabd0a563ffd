// Whether a raw write of a disk image fits a drive smaller than the image, read from real images made
// by sfdisk and sgdisk: an MBR card whose partitions end before its zero tail fits down to their end;
// a byte past them, a GPT whose backup header lies at the image's end, a bare file system and an ISO
// do not; a compressed image that can only be streamed is unknown until unpacked (refused, with why),
// and one with a decoded cache file is judged from it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeToCache } from '../../src-main/container/decoded-cache.ts';
import { firstBytesOf, judgePartitionFit } from '../../src-main/flash/partition-fit.ts';
import { openFlashSource } from '../../src-main/flash/source/image-source.ts';
import { plainIsoPath } from '../fixtures/iso-images.ts';

const MiB = 1024 * 1024;
let dir = '';

beforeAll(() => {
  dir = mkdtempSync('/tmp/isotope-partition-fit-');
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** A 32 MiB MBR image by sfdisk: partition 1 at 1-9 MiB, partition 2 at 9-20 MiB, zeros from there on. */
export function mbrCard(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(0));
  truncateSync(path, 32 * MiB);
  execFileSync('sfdisk', ['--quiet', path], { input: 'label: dos\nstart=2048, size=16384, type=c\nstart=18432, size=22528, type=83\n' });
  return path;
}

function writeByteAt(path: string, offsetBytes: number, value: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([value]), 0, 1, offsetBytes);
  } finally {
    closeSync(fd);
  }
}

describe('judgePartitionFit', () => {
  it('lets an MBR card whose bytes past its last partition are all zero fit a drive down to where that partition ends', async () => {
    const card = mbrCard('card.img');
    // Damage inside a partition is no concern of the fit: only the bytes past the partitions are.
    writeByteAt(card, 15 * MiB, 0x5a);
    expect(await judgePartitionFit(card)).toEqual({ imageSizeBytes: 32 * MiB, requiredTargetBytes: 20 * MiB, refusal: null });
  });

  it('refuses a smaller fit when one byte past the last partition is not zero, naming the byte', async () => {
    const card = mbrCard('card-tail.img');
    writeByteAt(card, 31 * MiB + 7, 0x01);
    const fit = await judgePartitionFit(card);
    expect(fit).toMatchObject({ imageSizeBytes: 32 * MiB, requiredTargetBytes: 20 * MiB });
    expect(fit?.refusal).toContain(`byte ${31 * MiB + 7} of the image, past where its partitions end (byte ${20 * MiB}), is not zero`);
  });

  it('refuses a GPT by sgdisk, whose backup header is the image last sector, past its partitions', async () => {
    const path = join(dir, 'gpt.img');
    writeFileSync(path, Buffer.alloc(32 * MiB));
    execFileSync('sgdisk', ['-n', '1:2048:+8M', '-t', '1:ef00', path], { stdio: 'ignore' });
    const fit = await judgePartitionFit(path);
    const partitionEndBytes = (2048 + 16384) * 512;
    expect(fit).toMatchObject({ imageSizeBytes: 32 * MiB, requiredTargetBytes: partitionEndBytes });
    expect(fit?.refusal).toContain(`its GPT backup header ends at byte ${32 * MiB}, past where its partitions end (byte ${partitionEndBytes})`);
  });

  it('lets a GPT made for a 12 MiB disk, then padded with zeros to 32 MiB, fit down to its backup header at 12 MiB', async () => {
    const path = join(dir, 'gpt-moved.img');
    writeFileSync(path, Buffer.alloc(12 * MiB));
    execFileSync('sgdisk', ['-n', '1:2048:+8M', '-t', '1:0700', path], { stdio: 'ignore' });
    // Grow the file (zeros): the backup stays where sgdisk put it, now inside the image, not at its end.
    truncateSync(path, 32 * MiB);
    const fit = await judgePartitionFit(path);
    expect(fit).toEqual({ imageSizeBytes: 32 * MiB, requiredTargetBytes: 12 * MiB, refusal: null });
  });

  it('offers no smaller fit for a bare FAT file system or an ISO 9660 volume, which no partition table bounds', async () => {
    const fat = join(dir, 'fat.img');
    writeFileSync(fat, Buffer.alloc(0));
    truncateSync(fat, 8 * MiB);
    execFileSync('mkfs.fat', [fat], { stdio: 'ignore' });
    expect(await judgePartitionFit(fat)).toBeNull();
    expect(await judgePartitionFit(plainIsoPath())).toBeNull();
  });

  it('refuses a streamed-only .img.zst (its size in its frame header) as unknown until unpacked, then judges it from its decoded cache file', async () => {
    const card = mbrCard('card-zst.img');
    const zst = join(dir, 'card.img.zst');
    writeFileSync(zst, execFileSync('zstd', ['-q', '-c', card], { maxBuffer: 64 * MiB }));
    const streamed = await judgePartitionFit(zst);
    expect(streamed).toMatchObject({ imageSizeBytes: 32 * MiB, requiredTargetBytes: null });
    expect(streamed?.refusal).toContain('must be unpacked before Isotope can tell');
    await decodeToCache(zst, { freeSpace: () => Promise.resolve(1024 ** 4), reserveBytes: 0 });
    expect(await judgePartitionFit(zst)).toEqual({ imageSizeBytes: 32 * MiB, requiredTargetBytes: 20 * MiB, refusal: null });
  });

  it('reads a multi-block .img.xz at random: its tail is checked without a decoded copy', async () => {
    const card = mbrCard('card-xz.img');
    writeByteAt(card, 30 * MiB, 0xff);
    const xz = join(dir, 'card.img.xz');
    writeFileSync(xz, execFileSync('xz', ['-1', '-T2', '--block-size=1MiB', '-c', card], { maxBuffer: 64 * MiB }));
    const fit = await judgePartitionFit(xz);
    expect(fit?.refusal).toContain(`byte ${30 * MiB} of the image`);
  });
});

describe('firstBytesOf', () => {
  it('gives the first bytes of a source, by stream and at random, and nothing past them', async () => {
    const card = mbrCard('card-first.img');
    const source = firstBytesOf(await openFlashSource(card), 3 * MiB + 5);
    try {
      expect(source.sizeBytes).toBe(3 * MiB + 5);
      const chunk = new Uint8Array(2 * MiB);
      expect(await source.readNext(chunk)).toBe(2 * MiB);
      expect(await source.readNext(chunk)).toBe(MiB + 5);
      expect(await source.readNext(chunk)).toBe(0);
      expect(await source.readAt(new Uint8Array(MiB), 3 * MiB)).toBe(5);
    } finally {
      await source.close();
    }
  });
});
