// openCompressedSource on files made by the real tools: the decoded bytes equal the raw image (SHA-256)
// and random reads equal the raw file's bytes where the format allows random access (multi-block xz,
// zstd frames with their sizes or a seek table, a stored zip entry); the others say needs-decoding
// with the sizes they record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCompressedSource } from '../../src-main/compression/compressed-source.ts';
import { compressionMagicBytes, detectCompression } from '../../src-main/compression/detect-compression.ts';
import type { UnitSource } from '../../src-main/compression/unit-source.ts';
import type { ImageCompression } from '../../shared/image.ts';
import { makeCompressedFixtures, sha256, type CompressedFixtures, type CompressedVariant } from './compressed-fixtures.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

let fixtures: CompressedFixtures;
beforeAll(() => {
  fixtures = makeCompressedFixtures();
}, 120_000);
afterAll(() => fixtures.remove());

const kindOf = (variant: CompressedVariant): ImageCompression =>
  variant.startsWith('xz') ? 'xz' : variant.startsWith('zstd') ? 'zstd' : variant.startsWith('zip') ? 'zip' : (variant as ImageCompression);

describe('openCompressedSource', () => {
  const randomAccess: CompressedVariant[] = ['xz-blocks', 'zstd-frames', 'zstd-seekable', 'zip-stored'];
  for (const variant of randomAccess) {
    it(`reads a ${variant} image at random: every byte equals the raw image's`, async () => {
      const path = fixtures.paths[variant];
      const compressed = await openCompressedSource(path, kindOf(variant));
      try {
        expect(compressed.info).toMatchObject({ kind: kindOf(variant), access: 'random-access', decodedSizeBytes: fixtures.raw.length });
        const source = compressed.source;
        if (source === null) throw new Error('no source');
        expect(source.sizeBytes).toBe(fixtures.raw.length);
        const next = createSeededRandom(16);
        for (let read = 0; read < 300; read += 1) {
          const offset = Math.floor(next() * fixtures.raw.length);
          const length = Math.min(fixtures.raw.length - offset, Math.floor(next() * (read % 10 === 0 ? 3 * 1024 * 1024 : 9000)));
          expect(Buffer.from(await source.read(offset, length)).equals(fixtures.raw.subarray(offset, offset + length)), `read of ${length} at ${offset}`).toBe(
            true,
          );
        }
        expect(sha256(await source.read(0, source.sizeBytes))).toBe(fixtures.rawSha256);
      } finally {
        await compressed.close();
      }
    });
  }

  it('decodes only the xz blocks a read needs, and keeps at most 64 MiB of them', async () => {
    const compressed = await openCompressedSource(fixtures.paths['xz-blocks'], 'xz');
    try {
      const source = compressed.source as UnitSource;
      await source.read(5 * 1024 * 1024 + 10, 100);
      await source.read(5 * 1024 * 1024 + 5000, 100);
      expect(source.decodedUnitCount).toBe(1);
      expect(source.decodedUnitBytes).toBe(1024 * 1024);
      await source.read(1024 * 1024 - 50, 100); // across the boundary of blocks 0 and 1
      expect(source.decodedUnitCount).toBe(3);
    } finally {
      await compressed.close();
    }
  });

  const needsDecoding: [CompressedVariant, number | null, string][] = [
    ['xz-one-block', 9 * 1024 * 1024 + 1234, 'one xz block'],
    ['zstd-pzstd', null, 'Frame_Content_Size'],
    ['zstd-one-frame', 9 * 1024 * 1024 + 1234, 'one zstd frame'],
    ['zip-deflated', 9 * 1024 * 1024 + 1234, 'compressed (method 8)'],
    ['gzip', null, 'gzip'],
    ['bzip2', null, 'bzip2'],
  ];
  for (const [variant, decodedSizeBytes, why] of needsDecoding) {
    it(`says a ${variant} image needs decoding, with the decoded size it records (${decodedSizeBytes})`, async () => {
      const compressed = await openCompressedSource(fixtures.paths[variant], kindOf(variant));
      try {
        expect(compressed.source).toBeNull();
        expect(compressed.info).toMatchObject({ access: 'needs-decoding', decodedSizeBytes });
        expect(compressed.refusal).toContain(why);
      } finally {
        await compressed.close();
      }
    });
  }

  it('says a pzstd image needs decoding from its first frame header, without reading the rest of the file', async () => {
    const { readFileSync } = await import('node:fs');
    const { createMemorySource } = await import('../../src-main/io/memory-source.ts');
    const { readZstdLayout } = await import('../../src-main/compression/zstd-frames.ts');
    const bytes = readFileSync(fixtures.paths['zstd-pzstd']);
    const file = createMemorySource(bytes, 'pzstd.img.zst');
    let bytesRead = 0;
    const counted = { ...file, read: (offsetBytes: number, lengthBytes: number) => ((bytesRead += lengthBytes), file.read(offsetBytes, lengthBytes)) };
    const layout = await readZstdLayout(counted);
    expect(layout).toMatchObject({ frames: null, decodedSizeBytes: null });
    expect(layout.refusal).toContain('Frame_Content_Size');
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    expect(bytesRead).toBeLessThanOrEqual(2 * 64 * 1024 + 9); // the seek table footer, then one or two 64 KiB blocks
  });

  it('recognises every variant by its magic bytes, a pzstd file (it starts with a skippable frame) as zstd too', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [variant, path] of Object.entries(fixtures.paths) as [CompressedVariant, string][]) {
      expect(detectCompression(readFileSync(path).subarray(0, compressionMagicBytes)), variant).toBe(kindOf(variant));
    }
    expect(detectCompression(fixtures.raw.subarray(0, compressionMagicBytes))).toBeNull();
  });

  it('names the zip entry it reads as the image', async () => {
    const compressed = await openCompressedSource(fixtures.paths['zip-stored'], 'zip');
    await compressed.close();
    expect(compressed.info.entryName).toBe('disk.img');
  });
});
