// Hostile compressed files: every index, table and header is checked against the file before it is
// trusted, and damage is a CorruptImageError naming the structure and its file offset: a truncated xz
// index, index sizes that do not add up, a damaged xz block, zstd frame headers claiming 2^60 bytes, a
// seek table whose frames do not fill the file, a zip whose local header points outside.
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCompressedSource } from '../../src-main/compression/compressed-source.ts';
import { readXzIndex } from '../../src-main/compression/xz-index.ts';
import { CorruptImageError } from '../../src-main/io/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { makeCompressedFixtures, patched, seekTable, type CompressedFixtures } from './compressed-fixtures.ts';

let fixtures: CompressedFixtures;
beforeAll(() => {
  fixtures = makeCompressedFixtures();
}, 120_000);
afterAll(() => fixtures.remove());

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error('no failure'),
    (error: unknown) => error,
  );

/** Where the index of the (single-stream, unpadded) xz file `bytes` lies: xz 2.1.2.2 Backward Size. */
function xzIndexRange(bytes: Buffer): { start: number; end: number } {
  const end = bytes.length - 12;
  return { start: end - (bytes.readUInt32LE(end + 4) + 1) * 4, end };
}

describe('hostile .xz files', () => {
  it('calls every truncation damaged, naming the file offset', async () => {
    const whole = readFileSync(fixtures.paths['xz-blocks']);
    for (const keep of [whole.length - 1, whole.length - 12, whole.length - 40, Math.floor(whole.length / 2), 30]) {
      const failure = await failureOf(readXzIndex(createMemorySource(whole.subarray(0, keep), `cut-${keep}.xz`)));
      expect(failure, `cut at ${keep}`).toBeInstanceOf(CorruptImageError);
      expect(String((failure as Error).message)).toMatch(/not a complete \.xz file: .* \(file offset \d+\)/);
    }
  });

  it('refuses an index whose record sizes do not add up to the blocks before it (CRC32 made right)', async () => {
    const withRecordZeroGrownBy = (deltaBytes: number): Promise<unknown> => {
      const bytes = Buffer.from(readFileSync(fixtures.paths['xz-blocks']));
      const { start, end } = xzIndexRange(bytes);
      // Index indicator, record count, then record 0's unpadded size: a multi-byte integer whose first byte changes.
      bytes[start + 2] = (bytes[start + 2] as number) + deltaBytes;
      bytes.writeUInt32LE(crc32(bytes.subarray(start, end - 4)), end - 4);
      return failureOf(readXzIndex(createMemorySource(bytes, 'sizes.xz')));
    };
    const { start } = xzIndexRange(readFileSync(fixtures.paths['xz-blocks']));
    const shorter = await withRecordZeroGrownBy(-4);
    expect(shorter).toBeInstanceOf(CorruptImageError);
    expect(String((shorter as Error).message)).toContain(`the index's block sizes lead to byte 4, where no matching stream header lies (file offset ${start})`);
    const longer = await withRecordZeroGrownBy(4);
    expect(String((longer as Error).message)).toContain(`bytes of blocks, more than the ${start} bytes before it (file offset ${start})`);
  });

  it('refuses an index whose CRC32 does not match, and one claiming more records than it has bytes', async () => {
    const path = fixtures.paths['xz-blocks'];
    const { start, end } = xzIndexRange(readFileSync(path));
    const flipped = patched(fixtures, path, 'crc.xz', start + 3, new Uint8Array([0xff]));
    expect(String(((await failureOf(openCompressedSource(flipped, 'xz'))) as Error).message)).toContain(
      `the index CRC32 does not match (file offset ${start})`,
    );
    const bytes = Buffer.from(readFileSync(path));
    bytes.set([0xff, 0xff, 0xff, 0x7f], start + 1); // a record count of 2^28 - 1 in a few dozen bytes
    bytes.writeUInt32LE(crc32(bytes.subarray(start, end - 4)), end - 4);
    const failure = await failureOf(readXzIndex(createMemorySource(bytes, 'count.xz')));
    expect(String((failure as Error).message)).toContain(`the index claims 268435455 records in ${end - start} bytes`);
  });

  it('names the damaged block when a read reaches it, and still reads the other blocks', async () => {
    const path = fixtures.paths['xz-blocks'];
    const index = await readXzIndex(createMemorySource(readFileSync(path), path));
    const blockOffset = index.blocks?.compressedOffsetBytes[2] as number;
    const damaged = patched(fixtures, path, 'block.xz', blockOffset + 5000, new Uint8Array([0x55, 0xaa, 0x55, 0xaa]));
    const compressed = await openCompressedSource(damaged, 'xz');
    try {
      const source = compressed.source;
      if (!source) throw new Error('no source');
      const failure = await failureOf(source.read(2 * 1024 * 1024 + 100, 10));
      expect(failure).toBeInstanceOf(CorruptImageError);
      expect(String((failure as Error).message)).toContain(`xz block 2 (file offset ${blockOffset}) is damaged`);
      expect(Buffer.from(await source.read(5 * 1024 * 1024, 100)).equals(fixtures.raw.subarray(5 * 1024 * 1024, 5 * 1024 * 1024 + 100))).toBe(true);
    } finally {
      await compressed.close();
    }
  });
});

/** A zstd frame (RFC 8878 3.1.1) with an 8-byte Frame_Content_Size of `claimedBytes` and one raw 4-byte last block. */
function zstdFrameClaiming(claimedBytes: bigint): Buffer {
  const header = Buffer.alloc(4 + 1 + 8);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0xe0; // FCS field 8 bytes, single segment, no checksum, no dictionary
  header.writeBigUInt64LE(claimedBytes, 5);
  const block = Buffer.from([1 | (0 << 1) | (4 << 3), 0, 0, 1, 2, 3, 4]); // last, raw, 4 bytes
  return Buffer.concat([header, block]);
}

/** A zstd frame of `blockCount` RLE blocks of 128 KiB zeros (4 bytes each), recording `claimedBytes` when given, else no size. */
function zstdZeroFrame(blockCount: number, claimedBytes: bigint | null): Buffer {
  const header = Buffer.alloc(claimedBytes === null ? 6 : 13);
  header.writeUInt32LE(0xfd2fb528, 0);
  if (claimedBytes === null) {
    header[4] = 0x00; // no FCS field, not single segment: a window descriptor follows
    header[5] = 0x58; // Window_Descriptor: exponent 11, window 2^21 bytes (RFC 8878 3.1.1.1.2)
  } else {
    header[4] = 0xe0; // FCS field 8 bytes, single segment
    header.writeBigUInt64LE(claimedBytes, 5);
  }
  const blocks = Buffer.alloc(blockCount * 4);
  for (let block = 0; block < blockCount; block += 1) {
    const last = block === blockCount - 1 ? 1 : 0;
    blocks.writeUIntLE(last | (1 << 1) | ((128 * 1024) << 3), block * 4, 3); // RLE, 128 KiB of the next byte (0)
  }
  return Buffer.concat([header, blocks]);
}

describe('hostile .zst files', () => {
  const gibibyteBlocks = 8192; // 8192 blocks of 128 KiB: 1 GiB of zeros in 32 KiB

  it('refuses a seek table entry of 1 MiB over a frame whose header records 1 GiB, before decoding it', async () => {
    const big = zstdZeroFrame(gibibyteBlocks, 2n ** 30n);
    const small = zstdFrameClaiming(4n);
    const bytes = Buffer.concat([big, small, seekTable([big.length, small.length], [1024 * 1024, 4])]);
    const { readZstdLayout } = await import('../../src-main/compression/zstd-frames.ts');
    const failure = await failureOf(readZstdLayout(createMemorySource(bytes, 'gibibyte.zst')));
    expect(failure).toBeInstanceOf(CorruptImageError);
    expect(String((failure as Error).message)).toContain('the frame header records 1073741824 decoded bytes, the seek table 1048576 (file offset 0)');
  });

  it('decodes a seek-table frame into a buffer of the size the table records: 1 GiB of zeros behind a 1 MiB entry is refused without growing memory', async () => {
    // No Frame_Content_Size in the header, so only the decode itself can find the lie.
    const big = zstdZeroFrame(gibibyteBlocks, null);
    const small = zstdFrameClaiming(4n);
    const bytes = Buffer.concat([big, small, seekTable([big.length, small.length], [1024 * 1024, 4])]);
    const file = createMemorySource(bytes, 'unsized.zst');
    const { readZstdLayout } = await import('../../src-main/compression/zstd-frames.ts');
    const { createZstdFrameSource } = await import('../../src-main/compression/zstd-frame-source.ts');
    const { frames, refusal } = await readZstdLayout(file);
    if (!frames) throw new Error(`no frame table: ${refusal}`);
    const source = createZstdFrameSource(file, frames);
    const peakBeforeKiB = process.resourceUsage().maxRSS;
    const failure = await failureOf(source.read(0, 16));
    const peakGrowthBytes = (process.resourceUsage().maxRSS - peakBeforeKiB) * 1024;
    expect(failure).toBeInstanceOf(CorruptImageError);
    expect(String((failure as Error).message)).toMatch(/unsized\.zst: zstd frame 0 \(file offset 0\) is damaged: .*too small/i);
    expect(peakGrowthBytes).toBeLessThan(128 * 1024 * 1024);
  });

  it('refuses a frame header claiming 2^60 decoded bytes, and one claiming more than its blocks can hold', async () => {
    const huge = createMemorySource(Buffer.concat([zstdFrameClaiming(2n ** 60n), zstdFrameClaiming(4n)]), 'huge.zst');
    const { readZstdLayout } = await import('../../src-main/compression/zstd-frames.ts');
    const failure = await failureOf(readZstdLayout(huge));
    expect(failure).toBeInstanceOf(CorruptImageError);
    expect(String((failure as Error).message)).toContain('the frame header claims 1152921504606846976 decoded bytes, beyond 2^53 (file offset 0)');
    const lying = createMemorySource(Buffer.concat([zstdFrameClaiming(4n), zstdFrameClaiming(2n ** 40n)]), 'lying.zst');
    const lie = await failureOf(readZstdLayout(lying));
    expect(String((lie as Error).message)).toContain('claims 1099511627776 decoded bytes, more than its 1 blocks can hold (file offset 20)');
  });

  it('refuses a seek table whose frames do not end where the table starts', async () => {
    const frames = [zstdFrameClaiming(4n), zstdFrameClaiming(4n)];
    const bytes = Buffer.concat([...frames, seekTable([20, 19], [4, 4])]);
    const { readZstdLayout } = await import('../../src-main/compression/zstd-frames.ts');
    const failure = await failureOf(readZstdLayout(createMemorySource(bytes, 'table.zst')));
    expect(String((failure as Error).message)).toContain("the seek table's frames take 39 bytes, but the table starts at byte 40");
  });
});

describe('hostile .zip files', () => {
  /** The central directory's offset (APPNOTE 4.3.16: end record, no comment) and the entry's local header offset field. */
  const localHeaderField = (bytes: Buffer): number => bytes.readUInt32LE(bytes.length - 22 + 16) + 42;

  it('refuses an entry whose local header lies outside the file, or is not a local header', async () => {
    const path = fixtures.paths['zip-stored'];
    const bytes = readFileSync(path);
    const field = localHeaderField(bytes);
    const outside = new Uint8Array(4);
    new DataView(outside.buffer).setUint32(0, bytes.length + 100, true);
    const failure = await failureOf(openCompressedSource(patched(fixtures, path, 'outside.zip', field, outside), 'zip'));
    expect(failure).toBeInstanceOf(CorruptImageError);
    expect(String((failure as Error).message)).toContain(
      `the local header of disk.img (file offset ${bytes.length + 100}) lies outside the ${bytes.length}-byte file`,
    );
    const inside = new Uint8Array([0x00, 0x10, 0x00, 0x00]); // byte 4096: image data, not a header
    const notHeader = await failureOf(openCompressedSource(patched(fixtures, path, 'inside.zip', field, inside), 'zip'));
    expect(String((notHeader as Error).message)).toContain('(file offset 4096) has no local file header signature');
  });
});
