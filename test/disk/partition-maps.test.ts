// MBR, GPT and APM rules on real images built by xorriso, and on copies damaged on purpose: each
// damage gives a CorruptImageError naming sector and offset, or a result that says what is wrong.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { readApplePartitionMap } from '../../src-main/disk/apple-partition-map.ts';
import { readGuidPartitionTable } from '../../src-main/disk/guid-partition-table.ts';
import { parseMasterBootRecord, readMasterBootRecord } from '../../src-main/disk/master-boot-record.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';

const gptHeaderOffset = 512;

function imageBytes(name: 'hybridGpt' | 'hybridApm'): Uint8Array {
  return new Uint8Array(readFileSync(bootFixturePath(name)));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Recomputes the GPT header CRC after an edit, so the damage under test is the only one. */
function resealGptHeader(image: Uint8Array): void {
  const headerBytes = view(image).getUint32(gptHeaderOffset + 12, true);
  view(image).setUint32(gptHeaderOffset + 16, 0, true);
  view(image).setUint32(gptHeaderOffset + 16, crc32(image.subarray(gptHeaderOffset, gptHeaderOffset + headerBytes)), true);
}

async function corruptionOf(promise: Promise<unknown>): Promise<CorruptImageError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptImageError);
  return error as CorruptImageError;
}

describe('GUID partition table', () => {
  it('refuses a header whose CRC32 does not match, naming LBA 1 and the CRC field', async () => {
    const image = imageBytes('hybridGpt');
    image[gptHeaderOffset + 40] = (image[gptHeaderOffset + 40] as number) ^ 0xff;
    const error = await corruptionOf(readGuidPartitionTable(createMemorySource(image), []));
    expect(error.message).toMatch(/GPT header CRC32/);
    expect(error.where).toMatchObject({ sectorLba: 1, sectorBytes: 512, offsetBytes: gptHeaderOffset + 16 });
  });

  it('refuses a partition entry array whose CRC32 does not match', async () => {
    const image = imageBytes('hybridGpt');
    const entriesLba = Number(view(image).getBigUint64(gptHeaderOffset + 72, true));
    image[entriesLba * 512 + 56] = 0x41; // a letter of partition 1's name
    const error = await corruptionOf(readGuidPartitionTable(createMemorySource(image), []));
    expect(error.message).toMatch(/entry array CRC32/);
    expect(error.where).toMatchObject({ sectorLba: entriesLba });
  });

  it('refuses an absurd entry count before reading the array', async () => {
    const image = imageBytes('hybridGpt');
    view(image).setUint32(gptHeaderOffset + 80, 0xffffffff, true);
    resealGptHeader(image);
    const error = await corruptionOf(readGuidPartitionTable(createMemorySource(image), []));
    expect(error.message).toMatch(/4294967295 partition entries/);
  });

  it('refuses an entry size that is not 128 x 2^n', async () => {
    const image = imageBytes('hybridGpt');
    view(image).setUint32(gptHeaderOffset + 84, 100, true);
    resealGptHeader(image);
    expect((await corruptionOf(readGuidPartitionTable(createMemorySource(image), []))).message).toMatch(/100 bytes each/);
  });

  it('refuses an entry array that lies past the end of the image', async () => {
    const image = imageBytes('hybridGpt');
    view(image).setBigUint64(gptHeaderOffset + 72, 1n << 40n, true);
    resealGptHeader(image);
    expect((await corruptionOf(readGuidPartitionTable(createMemorySource(image), []))).message).toMatch(/outside the image/);
  });

  it('is absent when LBA 1 lacks the EFI PART signature', async () => {
    const image = imageBytes('hybridGpt');
    image[gptHeaderOffset] = 0;
    expect(await readGuidPartitionTable(createMemorySource(image), [])).toBeNull();
  });
});

describe('master boot record', () => {
  it('marks partitions that end past the end of a truncated image, and the verdict says so', async () => {
    const image = imageBytes('hybridGpt').subarray(0, 1024 * 1024);
    const source = createMemorySource(image);
    const mbr = await readMasterBootRecord(source);
    expect(mbr?.partitions.map((partition) => partition.withinImage)).toEqual([false, false]);
    const report = await readBootReport(source);
    expect(report.verdict.reasons.map((reason) => reason.code)).toContain('partition-past-end');
    expect(report.verdict.usbUefi.x64).toBe(false); // the ESP is cut off
  });

  it('keeps a partition at the very end of the 32-bit range without overflowing', () => {
    const sector = new Uint8Array(512);
    sector[510] = 0x55;
    sector[511] = 0xaa;
    sector[446 + 4] = 0xef;
    view(sector).setUint32(446 + 8, 0xffffffff, true);
    view(sector).setUint32(446 + 12, 0xffffffff, true);
    const mbr = parseMasterBootRecord(sector, { imageSizeBytes: 4096 });
    expect(mbr?.partitions).toEqual([{ index: 1, type: 0xef, bootable: false, startLba: 0xffffffff, sectorCount: 0xffffffff, withinImage: false }]);
    expect(mbr?.hasBootCode).toBe(false);
  });

  it('is absent when a status byte is neither 0x80 nor 0x00 (not an MBR)', () => {
    const sector = new Uint8Array(512);
    sector[510] = 0x55;
    sector[511] = 0xaa;
    sector[446] = 0x12;
    expect(parseMasterBootRecord(sector, { imageSizeBytes: 512 })).toBeNull();
  });
});

describe('Apple partition map', () => {
  it('refuses a map declaring more entries than any real map', async () => {
    const image = imageBytes('hybridApm');
    view(image).setUint32(2048 + 4, 100_000, false);
    const error = await corruptionOf(readApplePartitionMap(createMemorySource(image)));
    expect(error.message).toMatch(/100000 entries/);
    expect(error.where).toMatchObject({ offsetBytes: 2048 + 4 });
  });

  it('refuses a map whose later entry lacks its PM signature', async () => {
    const image = imageBytes('hybridApm');
    image[2 * 2048] = 0;
    expect((await corruptionOf(readApplePartitionMap(createMemorySource(image)))).message).toMatch(/entry 2 of 2/);
  });
});

describe('a raw disk image (an SD card for a board)', () => {
  /** sgdisk's view of the MBR partitions: number, first and last sector, from `sgdisk -p`. */
  function sgdiskPartitions(path: string): { index: number; firstLba: number; lastLba: number }[] {
    const output = execFileSync('sgdisk', ['-p', path], { encoding: 'utf8' });
    return [...output.matchAll(/^\s+(\d+)\s+(\d+)\s+(\d+)\s/gm)].map((match) => ({
      index: Number(match[1]),
      firstLba: Number(match[2]),
      lastLba: Number(match[3]),
    }));
  }

  it('lists its partitions as sgdisk does and says unknown, naming the FAT32 boot partition, never that it will not boot', async () => {
    const path = bootFixturePath('sdCard');
    const source = await openFileSource(path);
    try {
      const report = await readBootReport(source);
      expect(
        report.mbr?.partitions.map((partition) => ({
          index: partition.index,
          firstLba: partition.startLba,
          lastLba: partition.startLba + partition.sectorCount - 1,
        })),
      ).toEqual(sgdiskPartitions(path));
      expect(report.mbr?.hasBootCode).toBe(false);
      expect(report.verdict.usb).toBe('unknown');
      const codes = report.verdict.reasons.map((reason) => reason.code);
      // Its first FAT partition holds a Pi's firmware: the Pi reason stands where the bare partition list would.
      expect(codes).toContain('raspberry-pi');
      expect(codes).not.toContain('non-hybrid-iso');
      // mdir reads the same FAT volume at partition 1's offset; the verdict names it.
      execFileSync('mdir', ['-i', `${path}@@${(report.mbr?.partitions[0]?.startLba ?? 0) * 512}`, '::/config.txt'], {
        env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
      });
      expect(report.partitions.map((partition) => [partition.number, partition.typeCode, partition.filesystem])).toEqual([
        [1, '0x0c', 'fat32'],
        [2, '0x83', 'ext4'],
      ]);
      expect(report.verdict.reasons.find((reason) => reason.code === 'raspberry-pi')?.message).toMatch(/FAT partition 1 holds Raspberry Pi boot files/);
    } finally {
      await source.close();
    }
  });
});
