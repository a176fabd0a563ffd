// Random access: opening and listing a 4 GiB image reads only the sectors it needs, through the
// block cache; field parsers decode ECMA-119 dates with their time zones and both-endian numbers.
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { createCachedSource } from '../../src-main/io/cached-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { daysSinceEpoch, parseDirectoryRecordDate, parseVolumeDescriptorDate, readBothEndianUint32 } from '../../src-main/format/fields.ts';
import { readVolumeDescriptorSet } from '../../src-main/iso/volume-descriptors.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { xorrisoVolumeId } from '../helpers/iso-tools.ts';
import { buildSeedIso } from './iso-builder.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-random-access-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function counting(inner: ByteSource): ByteSource & { bytesRead: number } {
  const wrapper = {
    name: inner.name,
    sizeBytes: inner.sizeBytes,
    bytesRead: 0,
    async read(offsetBytes: number, lengthBytes: number) {
      wrapper.bytesRead += lengthBytes;
      return inner.read(offsetBytes, lengthBytes);
    },
    close: () => inner.close(),
  };
  return wrapper;
}

describe('random access', () => {
  it('opens a 4 GiB image and lists its root reading under 1 MiB', async () => {
    const big = join(scratch, 'big.iso');
    copyFileSync(helloIsoPath(), big);
    truncateSync(big, 4 * 1024 ** 3 + 4096); // sparse: a 4 GiB file that costs no disk
    const file = counting(await openFileSource(big));
    const source = createCachedSource(file);
    try {
      const image = await openIsoImage(source);
      const names = (await image!.listDirectory(image!.root)).map((entry) => entry.name);
      expect(names).toEqual(['docs', 'README.TXT']); // recorded order: ISO 9660 identifiers sorted (DOCS < README.TXT)
      const readme = await image!.lookup('/README.TXT');
      const chunks: Uint8Array[] = [];
      for await (const chunk of readEntryContent(source, readme!)) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe('Hello from Isotope.\n');
      expect(source.sizeBytes).toBe(4 * 1024 ** 3 + 4096);
      expect(file.bytesRead).toBeLessThan(1024 * 1024);
    } finally {
      await source.close();
    }
  });

  it('serves repeated reads of a sector from the cache', async () => {
    const inner = counting(createMemorySource(new Uint8Array(1024 * 1024).map((_, index) => index % 256)));
    const source = createCachedSource(inner, { blockBytes: 32 * 1024, maxBlocks: 4 });
    for (let round = 0; round < 10; round += 1) expect(Array.from(await source.read(40_000, 4))).toEqual([64, 65, 66, 67]);
    expect(inner.bytesRead).toBe(32 * 1024);
    // A read spanning two blocks joins them.
    expect(Array.from(await source.read(32 * 1024 - 2, 4))).toEqual([254, 255, 0, 1]);
    await expect(source.read(1024 * 1024 - 2, 4)).rejects.toThrow(/outside/);
  });

  it('reads the whole descriptor set of a real image', async () => {
    const source = await openFileSource(helloIsoPath());
    try {
      const set = await readVolumeDescriptorSet(source);
      expect(set?.primary.volumeIdentifier).toBe(xorrisoVolumeId(helloIsoPath()));
      expect(set?.supplementary.map((descriptor) => descriptor.jolietLevel)).toEqual([3]);
      expect(set?.terminatorLba).toBeGreaterThan(16);
    } finally {
      await source.close();
    }
  });

  it('reads a multi-extent file as one file of both extents', async () => {
    const source = createMemorySource(buildSeedIso());
    const image = await openIsoImage(source);
    const multi = await image!.lookup('/multi.bin');
    expect(multi).toMatchObject({ sizeBytes: 2148, extents: [{ sizeBytes: 2048 }, { sizeBytes: 100 }] });
    const chunks: Uint8Array[] = [];
    for await (const chunk of readEntryContent(source, multi!, { chunkBytes: 1000 })) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.from(new Uint8Array(2148).map((_, index) => index % 251)))).toBe(true);
  });
});

describe('ECMA-119 fields', () => {
  const place = { offsetBytes: 0 };
  it('decodes a 7-byte recording date with its GMT offset (9.1.5)', () => {
    expect(parseDirectoryRecordDate(Uint8Array.of(124, 6, 15, 12, 30, 0, 4), 0, place)).toBe(Date.UTC(2024, 5, 15, 11, 30, 0));
    expect(parseDirectoryRecordDate(Uint8Array.of(124, 6, 15, 12, 30, 0, 0xf8), 0, place)).toBe(Date.UTC(2024, 5, 15, 14, 30, 0));
    expect(parseDirectoryRecordDate(new Uint8Array(7), 0, place)).toBeNull();
    expect(parseDirectoryRecordDate(Uint8Array.of(124, 13, 15, 12, 30, 0, 0), 0, place)).toBeNull();
  });
  it('dates every possible 7-byte recording date exactly as Date.UTC does, day overflow included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: -48, max: 52 }),
        (years, month, day, hour, minute, second, quarterHours) => {
          const bytes = Uint8Array.of(years, month, day, hour, minute, second, quarterHours & 0xff);
          expect(parseDirectoryRecordDate(bytes, 0, place)).toBe(Date.UTC(1900 + years, month - 1, day, hour, minute, second) - quarterHours * 15 * 60_000);
        },
      ),
      { numRuns: 20_000 },
    );
    expect(daysSinceEpoch(1970, 1, 1)).toBe(0);
    expect(daysSinceEpoch(2000, 2, 29)).toBe(Date.UTC(2000, 1, 29) / 86_400_000);
    expect(daysSinceEpoch(2100, 2, 29)).toBe(Date.UTC(2100, 2, 1) / 86_400_000); // 2100 is not a leap year
  });
  it('decodes a 17-byte volume descriptor date with hundredths and GMT offset (8.4.26.1)', () => {
    const bytes = new Uint8Array(17);
    bytes.set(new TextEncoder().encode('2024061512300050'));
    bytes[16] = -8 & 0xff; // GMT-2
    expect(parseVolumeDescriptorDate(bytes, 0, place)).toBe(Date.UTC(2024, 5, 15, 14, 30, 0, 500));
    expect(parseVolumeDescriptorDate(new TextEncoder().encode('0000000000000000\0'), 0, place)).toBeNull();
  });
  it('rejects both-endian numbers whose halves disagree, naming sector and offset (7.3.3)', () => {
    const bytes = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 2);
    expect(() => readBothEndianUint32(bytes, 0, { offsetBytes: 34816 }, 'test field')).toThrow(
      /test field disagrees: little-endian 1, big-endian 2 \(sector 17, offset 34816\)/,
    );
    expect(readBothEndianUint32(bytes, 0, place, 'lenient', { preferLittleEndian: true })).toBe(1);
  });
});
