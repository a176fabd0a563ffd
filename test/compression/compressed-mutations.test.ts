// A mutation sweep over small .xz and .zst files made by the real tools: bytes flipped at random in
// the index, footers, headers and data. Every mutant either opens and reads to the end or fails with
// a CorruptImageError (or a ByteRangeError) that names where; nothing else escapes, nothing hangs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createXzBlockSource } from '../../src-main/compression/xz-block-source.ts';
import { readXzIndex } from '../../src-main/compression/xz-index.ts';
import { createZstdFrameSource } from '../../src-main/compression/zstd-frame-source.ts';
import { readZstdLayout } from '../../src-main/compression/zstd-frames.ts';
import { ByteRangeError, type ByteSource } from '../../src-main/io/byte-source.ts';
import { CorruptImageError } from '../../src-main/io/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

const raw = Buffer.concat([randomBytes(100_000), Buffer.from('text '.repeat(40_000)), Buffer.alloc(150_000)]);
const xzFile = execFileSync('xz', ['-c', '-T1', '--block-size=32KiB'], { input: raw });
const zstdFile = Buffer.concat(
  Array.from({ length: Math.ceil(raw.length / 65536) }, (_, index) => {
    const piece = raw.subarray(index * 65536, (index + 1) * 65536);
    // --content-size needs the size up front: zstd takes it from --stream-size for a pipe.
    return execFileSync('zstd', ['-q', '-c', `--stream-size=${piece.length}`], { input: piece });
  }),
);

/** Half the mutants are hit in the last 200 bytes (index, footer, seek data), the rest anywhere. */
function mutant(file: Buffer, next: () => number): Buffer {
  const bytes = Buffer.from(file);
  const flips = 1 + Math.floor(next() * 3);
  for (let flip = 0; flip < flips; flip += 1) {
    const at = next() < 0.5 ? bytes.length - 1 - Math.floor(next() * 200) : Math.floor(next() * bytes.length);
    bytes[at] = Math.floor(next() * 256);
  }
  return next() < 0.1 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
}

async function readAll(source: ByteSource): Promise<void> {
  for (let at = 0; at < source.sizeBytes; at += 50_000) await source.read(at, Math.min(50_000, source.sizeBytes - at));
}

const isNamedDamage = (error: unknown): boolean =>
  (error instanceof CorruptImageError && /offset \d+|\(file offset/.test(error.message)) || error instanceof ByteRangeError;

describe('compressed mutation sweep', () => {
  it('gives every one of 300 .xz mutants a clean read or a named damage error', async () => {
    expect((await readXzIndex(createMemorySource(xzFile, 'good.xz'))).blockCount).toBeGreaterThan(10);
    const next = createSeededRandom(7);
    for (let index = 0; index < 300; index += 1) {
      const file = createMemorySource(mutant(xzFile, next), `mutant-${index}.xz`);
      try {
        const { blocks } = await readXzIndex(file);
        if (blocks) await readAll(createXzBlockSource(file, blocks));
      } catch (error) {
        expect(isNamedDamage(error), `mutant ${index}: ${String(error)}`).toBe(true);
      }
    }
  });

  it('gives every one of 300 .zst mutants a clean read or a named damage error', async () => {
    expect((await readZstdLayout(createMemorySource(zstdFile, 'good.zst'))).frames?.count).toBe(Math.ceil(raw.length / 65536));
    const next = createSeededRandom(11);
    for (let index = 0; index < 300; index += 1) {
      const file = createMemorySource(mutant(zstdFile, next), `mutant-${index}.zst`);
      try {
        const { frames } = await readZstdLayout(file);
        if (frames) await readAll(createZstdFrameSource(file, frames));
      } catch (error) {
        expect(isNamedDamage(error), `mutant ${index}: ${String(error)}`).toBe(true);
      }
    }
  });
});
