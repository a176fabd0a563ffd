// The empty exFAT volume planExfatVolume lays out, written to sparse files and judged by the tools
// that know exFAT: fsck.exfat (which checks the boot checksum, FAT chains, bitmap and up-case table),
// blkid, dump.exfat and exfatlabel, and byte for byte against what mkfs.exfat 1.2.0 writes.
// (7-Zip cannot open exFAT at all: its FAT handler knows FAT12/16/32 only, so it is no judge here.)
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlannedVolume } from '../../src-main/fat/fat32-writer.ts';
import { exfatLabel, planExfatVolume } from '../../src-main/fat/exfat-writer.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-exfat-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;

/** Writes the planned bytes at `offsetBytes` of a sparse file of `fileSizeBytes`: the rest stays holes, as a stick's free space stays unwritten. */
async function writeVolume(path: string, volume: PlannedVolume, fileSizeBytes: number, offsetBytes = 0): Promise<void> {
  execFileSync('truncate', ['-s', String(fileSizeBytes), path]);
  const file = openSync(path, 'r+');
  try {
    const bytes = await volume.source.read(0, volume.source.sizeBytes);
    writeSync(file, bytes, 0, bytes.byteLength, offsetBytes);
  } finally {
    closeSync(file);
  }
}

function fsckExfat(path: string): { status: number | null; output: string } {
  const result = spawnSync('fsck.exfat', ['-n', path], { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

function blkid(path: string): Record<string, string> {
  const output = execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'utf8' });
  return Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

/** The first `lengthBytes` bytes of a file, without reading the rest. */
function readHead(path: string, lengthBytes: number): Buffer {
  const file = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(lengthBytes);
    readSync(file, bytes, 0, lengthBytes, 0);
    return bytes;
  } finally {
    closeSync(file);
  }
}

/** The offset of the first byte where two equally long ranges differ, or null (a byte-wise toEqual of megabytes is slow and prints a wall of numbers). */
function firstDifference(ours: Uint8Array, theirs: Uint8Array, fromBytes: number, toBytes: number): number | null {
  for (let at = fromBytes; at < toBytes; at += 1) if (ours[at] !== theirs[at]) return at;
  return null;
}

function bootField32(image: Uint8Array, at: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(at, true);
}

describe('planExfatVolume', () => {
  it.each([
    { sizeBytes: 64 * mebibyte, clusterBytes: 4096 },
    { sizeBytes: gibibyte, clusterBytes: 32 * 1024 },
    { sizeBytes: 64 * gibibyte, clusterBytes: 128 * 1024 },
  ])('an empty $sizeBytes-byte volume passes fsck.exfat and blkid, with $clusterBytes-byte clusters', async ({ sizeBytes, clusterBytes }) => {
    const path = join(scratch, `alone-${sizeBytes}.img`);
    const volume = planExfatVolume({ volumeSizeBytes: sizeBytes, hiddenSectors: 0, label: 'ISOTOPE', volumeId: 0x1234abcd });
    await writeVolume(path, volume, sizeBytes);

    const fsck = fsckExfat(path);
    expect(fsck.output).toContain('clean. directories 1, files 0');
    expect(fsck.status).toBe(0);
    expect(blkid(path)).toMatchObject({ TYPE: 'exfat', LABEL: 'ISOTOPE', UUID: '1234-ABCD' });
    expect(volume.clusterBytes).toBe(clusterBytes);
    expect(execFileSync('dump.exfat', [path], { encoding: 'utf8' })).toMatch(new RegExp(`Cluster size:\\s+${clusterBytes}\\n`));
    expect(volume.fileOffsets.size).toBe(0);
  });

  it('ends where the root directory cluster ends, so the free heap is never read or written', async () => {
    const volume = planExfatVolume({ volumeSizeBytes: 64 * gibibyte, hiddenSectors: 2048, label: 'BIG', volumeId: 1 });
    const boot = await volume.source.read(0, 512);
    const heapOffsetBytes = bootField32(boot, 88) * 512;
    const rootCluster = bootField32(boot, 96);
    expect(volume.source.sizeBytes).toBe(heapOffsetBytes + (rootCluster - 1) * volume.clusterBytes);
    expect(volume.source.sizeBytes).toBeLessThan(8 * mebibyte);
  });

  it('writes the same metadata as mkfs.exfat 1.2.0 for the same size and label, serial and boot code aside', async () => {
    const sizeBytes = 300 * mebibyte;
    const ours = join(scratch, 'ours.img');
    const theirs = join(scratch, 'theirs.img');
    const volume = planExfatVolume({ volumeSizeBytes: sizeBytes, hiddenSectors: 0, label: 'SAME', volumeId: 7 });
    await writeVolume(ours, volume, sizeBytes);
    execFileSync('truncate', ['-s', String(sizeBytes), theirs]);
    execFileSync('mkfs.exfat', ['-L', 'SAME', theirs], { stdio: 'ignore' });

    const oursBytes = readHead(ours, volume.source.sizeBytes);
    const theirsBytes = readHead(theirs, volume.source.sizeBytes);
    // Boot sector fields up to the serial, then after it up to the boot code (exFAT spec 3.1.1-3.1.18).
    expect(firstDifference(oursBytes, theirsBytes, 0, 100)).toBeNull();
    expect(firstDifference(oursBytes, theirsBytes, 104, 120)).toBeNull();
    // Extended boot sectors (3.2) and the reserved sector; then the FAT, bitmap, up-case table and root
    // directory. The OEM parameters sector (3.3) is left out: 1.2.0 fills it with 0xFF, exfatprogs
    // 1.2.1 and later with zeros (commit 3547d6d "mkfs: fill oem sector with zero"), as this writer does.
    expect(firstDifference(oursBytes, theirsBytes, 512, 9 * 512)).toBeNull();
    expect(oursBytes.subarray(9 * 512, 10 * 512).every((byte) => byte === 0)).toBe(true);
    expect(firstDifference(oursBytes, theirsBytes, 10 * 512, 11 * 512)).toBeNull();
    expect(firstDifference(oursBytes, theirsBytes, 24 * 512, volume.source.sizeBytes)).toBeNull();
    // The backup boot region repeats the main one (table 3), checksum sector included.
    expect(oursBytes.subarray(12 * 512, 24 * 512).equals(oursBytes.subarray(0, 12 * 512))).toBe(true);
  });

  it('keeps a volume inside a partition whole: fsck.exfat passes it with its partition offset', async () => {
    const path = join(scratch, 'offset.img');
    const volume = planExfatVolume({ volumeSizeBytes: gibibyte, hiddenSectors: 2048, label: 'STICK', volumeId: 42 });
    await writeVolume(path, volume, gibibyte);
    expect(new DataView((await volume.source.read(64, 8)).buffer).getBigUint64(0, true)).toBe(2048n); // 3.1.4 PartitionOffset
    expect(fsckExfat(path).status).toBe(0);
  });

  it('a changed byte in the boot region fails fsck.exfat: the checksum the writer computes is checked', async () => {
    const path = join(scratch, 'damaged.img');
    const volume = planExfatVolume({ volumeSizeBytes: 64 * mebibyte, hiddenSectors: 0, label: 'X', volumeId: 3 });
    await writeVolume(path, volume, 64 * mebibyte);
    execFileSync('dd', ['of=' + path, 'bs=1', 'seek=600', 'conv=notrunc', 'status=none'], { input: Buffer.from([1]) });
    const fsck = fsckExfat(path);
    expect(fsck.status).not.toBe(0);
    expect(fsck.output).toMatch(/checksum of boot region is not correct/);
  });

  it('makes a valid label: at most 11 UTF-16 units, no character a file name may not hold, no half surrogate pair', async () => {
    expect(exfatLabel('Été 2026: *Win?11*')).toBe('Été 2026 Wi');
    expect(exfatLabel('0123456789😀')).toBe('0123456789');
    expect(exfatLabel('tab\there')).toBe('tabhere');
    const path = join(scratch, 'label.img');
    await writeVolume(path, planExfatVolume({ volumeSizeBytes: 64 * mebibyte, hiddenSectors: 0, label: 'Été 2026 ★ Stick', volumeId: 5 }), 64 * mebibyte);
    expect(execFileSync('exfatlabel', [path], { encoding: 'utf8' })).toContain('label: Été 2026 ★ \n');
  });

  it('refuses a volume past the 0xFFFFFFF5 clusters exFAT allows (over 512 TiB at 128 KiB), naming the count', () => {
    expect(() => planExfatVolume({ volumeSizeBytes: 600 * 1024 * 1024 * mebibyte, hiddenSectors: 2048, label: '', volumeId: 0 })).toThrow(
      expect.objectContaining({ code: 'volume-too-large', message: expect.stringMatching(/needs \d+ clusters, more than exFAT's 4294967285/) }),
    );
  });

  it('refuses a partition too small for the metadata, naming both sizes', () => {
    expect(() => planExfatVolume({ volumeSizeBytes: 2 * mebibyte, hiddenSectors: 0, label: '', volumeId: 0 })).toThrow(
      expect.objectContaining({ code: 'target-too-small', message: expect.stringMatching(/needs \d+ bytes, the partition has 2097152/) }),
    );
  });
});
