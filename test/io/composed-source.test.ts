import { describe, expect, it } from 'vitest';
import { readIntoBuffer, type ByteSource } from '../../src-main/io/byte-source.ts';
import { composeSource } from '../../src-main/io/composed-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';

/** A source that counts its reads and has no readInto, as a generated FAT region. */
function countingSource(bytes: Uint8Array): ByteSource & { reads: number } {
  const inner = createMemorySource(bytes, 'counted');
  const counted = {
    name: inner.name,
    sizeBytes: inner.sizeBytes,
    reads: 0,
    read(offsetBytes: number, lengthBytes: number) {
      counted.reads++;
      return inner.read(offsetBytes, lengthBytes);
    },
    close: () => inner.close(),
  };
  return counted;
}

const fileBytes = Uint8Array.from({ length: 64 }, (_, index) => 100 + index);

function layout(): ByteSource {
  const file = composeSource('file', 64, [{ offsetBytes: 0, lengthBytes: 64, source: createMemorySource(fileBytes, 'image'), sourceOffsetBytes: 0 }]);
  return composeSource('stick', 200, [
    { offsetBytes: 10, bytes: Uint8Array.of(1, 2, 3) },
    { offsetBytes: 50, lengthBytes: 40, source: file, sourceOffsetBytes: 20 },
    { offsetBytes: 150, lengthBytes: 8, source: countingSource(fileBytes), sourceOffsetBytes: 0 },
  ]);
}

describe('composeSource', () => {
  it('fills a reused buffer with the same bytes read() gives, zeroing the gaps the buffer held junk in', async () => {
    const source = layout();
    for (const [offsetBytes, lengthBytes] of [
      [0, 200],
      [11, 50],
      [55, 100],
      [149, 51],
    ] as const) {
      const into = new Uint8Array(lengthBytes).fill(0xee);
      await readIntoBuffer(source, into, offsetBytes);
      expect(into).toEqual(await source.read(offsetBytes, lengthBytes));
    }
    const whole = await source.read(0, 200);
    expect([...whole.subarray(9, 14)]).toEqual([0, 1, 2, 3, 0]);
    expect([...whole.subarray(50, 52)]).toEqual([120, 121]);
    expect(whole[49]).toBe(0);
    expect(whole[90]).toBe(0);
  });

  it('refuses a read past its end and pieces that overlap', async () => {
    await expect(readIntoBuffer(layout(), new Uint8Array(10), 195)).rejects.toThrow(/outside stick/);
    expect(() =>
      composeSource('bad', 100, [
        { offsetBytes: 0, bytes: new Uint8Array(10) },
        { offsetBytes: 5, bytes: new Uint8Array(10) },
      ]),
    ).toThrow(/overlaps/);
  });

  it('reads files that lie close together in the image with one read, through a layout of layouts, placing each where its layout says', async () => {
    // 100 "files" of 1000 bytes, each padded to a 2048-byte sector in the image (as an ISO lays them
    // out), each a composed source of its own, placed 4096 bytes apart in a volume (as FAT clusters).
    const image = Uint8Array.from({ length: 100 * 2048 }, (_, index) => (index * 7) % 251);
    const counted = countingSource(image);
    const files = Array.from({ length: 100 }, (_, index) =>
      composeSource(`file ${index}`, 1000, [{ offsetBytes: 0, lengthBytes: 1000, source: counted, sourceOffsetBytes: index * 2048 }]),
    );
    const volume = composeSource(
      'volume',
      100 * 4096,
      files.map((file, index) => ({ offsetBytes: index * 4096, lengthBytes: 1000, source: file, sourceOffsetBytes: 0 })),
    );
    const into = new Uint8Array(volume.sizeBytes).fill(0xee);
    await readIntoBuffer(volume, into, 0);
    for (let index = 0; index < 100; index++) {
      expect(into.subarray(index * 4096, index * 4096 + 1000)).toEqual(image.subarray(index * 2048, index * 2048 + 1000));
      expect(into.subarray(index * 4096 + 1000, (index + 1) * 4096).every((byte) => byte === 0)).toBe(true);
    }
    expect(counted.reads).toBe(1);
  });
});
