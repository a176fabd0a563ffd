// Compressed images decoded as streams (no temporary files): archives made by the real gzip, xz,
// bzip2, zstd and zip, written to regular-file targets (no root needed) and compared with the raw
// image; truncated archives fail with `corrupt-archive` and the decoded offset, never "success".
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBzip2Decoder, createBzip2ProcessDecoder, systemBzip2Paths } from '../../src-main/compression/decoders.ts';
import { flashImage, verifyDriveAgainstImage } from '../../src-main/flash/flash-image.ts';
import { detectCompression } from '../../src-main/compression/detect-compression.ts';
import { openFlashSource } from '../../src-main/flash/source/image-source.ts';
import { archiveKinds, flashArchivePath, flashImageSizeBytes, flashSourcePath } from '../fixtures/flash-images.ts';
import { sha256Hex } from './loop-devices.ts';
import { containerPaths } from '../fixtures/container-images.ts';

const compressionOf = { gz: 'gzip', xz: 'xz', bz2: 'bzip2', zst: 'zstd', zip: 'zip' } as const;

describe('compressed sources', () => {
  let dir = '';
  let raw: Buffer;
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-compressed-test-');
    raw = readFileSync(flashSourcePath());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(archiveKinds)('writes a .%s image decoded to the exact raw bytes, verified, with its SHA-256', async (kind) => {
    const target = join(dir, `out-${kind}.img`);
    writeFileSync(target, '');
    const result = await flashImage({ imagePath: flashArchivePath(kind), targets: [{ path: target }], verify: true, includeAll: false, eject: false });
    expect(result.outcome).toBe('succeeded');
    expect(result.source).toMatchObject({ compression: compressionOf[kind], sizeBytes: flashImageSizeBytes, sha256Hex: sha256Hex(raw) });
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: flashImageSizeBytes });
    expect(readFileSync(target).equals(raw)).toBe(true);
  });

  it.each(archiveKinds)('fails a truncated .%s archive with corrupt-archive and an offset, never success', async (kind) => {
    const target = join(dir, `broken-${kind}.img`);
    writeFileSync(target, '');
    const result = await flashImage({
      imagePath: flashArchivePath(kind, { truncated: true }),
      targets: [{ path: target }],
      verify: true,
      includeAll: false,
      eject: false,
    });
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]!.outcome).toBe('failed');
    expect(result.targets[0]!.error!.code).toBe('corrupt-archive');
    // Where decoding stopped; null only when the archive cannot even be opened (zip/xz: no central directory or index at the end).
    const offset = result.targets[0]!.error!.offsetBytes;
    if (kind === 'zip' || kind === 'xz') expect(offset).toBeNull();
    else expect(offset).toBeGreaterThan(0);
  });

  it.each(archiveKinds)('verify-only decodes a .%s image and finds the file written from it identical', async (kind) => {
    const result = await verifyDriveAgainstImage({ imagePath: flashArchivePath(kind), target: { path: flashSourcePath() }, includeAll: false });
    expect(result.outcome).toBe('succeeded');
  });

  it('decodes a .bz2 with the system bzip2 and, without one, with unbzip2-stream: the same bytes; damage fails both', async () => {
    const input = Buffer.concat([Buffer.alloc(8 * 1024 * 1024), randomBytes(1024 * 1024), Buffer.alloc(4 * 1024 * 1024)]);
    const archive = execFileSync('bzip2', ['-c'], { input, maxBuffer: 64 * 1024 * 1024 });
    const damaged = Buffer.from(archive);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    const tool = systemBzip2Paths.find((path) => existsSync(path))!;
    const decode = async (decoder: Duplex, bytes: Buffer): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      await pipeline(Readable.from([bytes]), decoder, async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) chunks.push(chunk);
      });
      return Buffer.concat(chunks);
    };
    expect(tool).toBeDefined();
    expect((await decode(createBzip2ProcessDecoder(tool), archive)).equals(input)).toBe(true);
    expect((await decode(createBzip2Decoder(), archive)).equals(input)).toBe(true);
    await expect(decode(createBzip2ProcessDecoder(tool), damaged)).rejects.toThrow(/bzip2 -dc: .*(CRC|integrity|corrupt)/i);
    await expect(decode(createBzip2Decoder(), damaged)).rejects.toThrow();
  });

  it('decodes an .xz that expands 1000-fold (zeros, then text; two concatenated streams by the real xz) to the exact bytes, verified', async () => {
    const zeros = Buffer.alloc(24 * 1024 * 1024 + 512);
    const text = Buffer.from('Isotope writes this line to USB sticks and reads it back.\n'.repeat(200_000));
    const archive = join(dir, 'expanding.img.xz');
    writeFileSync(
      archive,
      Buffer.concat([
        execFileSync('xz', ['-1', '-c'], { input: zeros, maxBuffer: 64 * 1024 * 1024 }),
        execFileSync('xz', ['-1', '-c'], { input: text, maxBuffer: 64 * 1024 * 1024 }),
      ]),
    );
    const expected = Buffer.concat([zeros, text]);
    const target = join(dir, 'expanding.img');
    writeFileSync(target, '');
    const result = await flashImage({ imagePath: archive, targets: [{ path: target }], verify: true, includeAll: false, eject: false });
    expect(result.outcome).toBe('succeeded');
    expect(result.source).toMatchObject({ compression: 'xz', sizeBytes: expected.length, sha256Hex: sha256Hex(expected) });
    expect(readFileSync(target).equals(expected)).toBe(true);
  });

  it('decodes a .zst of long zero runs between random data (RLE blocks, smaller input slices) to the exact bytes', async () => {
    const expected = Buffer.concat([Buffer.alloc(20 * 1024 * 1024), randomBytes(3 * 1024 * 1024 + 17), Buffer.alloc(9 * 1024 * 1024 + 3)]);
    const archive = join(dir, 'zero-runs.img.zst');
    writeFileSync(archive, execFileSync('zstd', ['-3', '-q', '-c'], { input: expected, maxBuffer: 64 * 1024 * 1024 }));
    const target = join(dir, 'zero-runs.img');
    writeFileSync(target, '');
    const result = await flashImage({ imagePath: archive, targets: [{ path: target }], verify: true, includeAll: false, eject: false });
    expect(result.outcome).toBe('succeeded');
    expect(result.source).toMatchObject({ compression: 'zstd', sizeBytes: expected.length, sha256Hex: sha256Hex(expected) });
    expect(readFileSync(target).equals(expected)).toBe(true);
  });

  it('picks the image entry of a zip, not the first entry (a readme comes first)', async () => {
    const source = await openFlashSource(flashArchivePath('zip'));
    try {
      expect(source.sizeBytes).toBe(flashImageSizeBytes);
    } finally {
      await source.close();
    }
  });

  it.each([
    ['a CUE sheet', 'mode1Cue', 'CUE/BIN'],
    ['a Nero image', 'nrgV2', 'Nero'],
  ] as const)('refuses to write %s raw, pointing to isotope convert', async (_case, fixture, kind) => {
    const failure = await openFlashSource(containerPaths()[fixture]).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'source-unreadable' });
    expect(String((failure as Error).message)).toContain(kind);
    expect(String((failure as Error).message)).toContain('isotope convert');
  });

  it('recognises formats by magic bytes, whatever the file is called', () => {
    for (const kind of archiveKinds) {
      expect(detectCompression(readFileSync(flashArchivePath(kind)).subarray(0, 8))).toBe(compressionOf[kind]);
    }
    expect(detectCompression(raw.subarray(0, 8))).toBeNull();
  });
});
