// readXzIndex on files made by the real xz: the decoded size and block table of a one-block and a
// many-block stream, and of concatenated streams with stream padding between them (xz 2.2), which
// xz -dc decodes to the same total.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readXzIndex } from '../../src-main/compression/xz-index.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';

const xz = (bytes: Buffer, args: string[] = []): Buffer => execFileSync('xz', ['-c', '-T1', ...args], { input: bytes, maxBuffer: 64 * 1024 * 1024 });

describe('readXzIndex', () => {
  it('reads the size and blocks of a one-block stream and of a many-block stream (--block-size)', async () => {
    const bytes = Buffer.alloc(3_000_001, 7);
    const one = await readXzIndex(createMemorySource(xz(bytes), 'one.xz'));
    expect(one).toMatchObject({ decodedSizeBytes: 3_000_001, streamCount: 1, blockCount: 1 });
    const many = await readXzIndex(createMemorySource(xz(bytes, ['--block-size=65536']), 'blocks.xz'));
    expect(many).toMatchObject({ decodedSizeBytes: 3_000_001, streamCount: 1, blockCount: Math.ceil(3_000_001 / 65536) });
    expect(Array.from(many.blocks?.decodedOffsetBytes.subarray(0, 3) ?? [])).toEqual([0, 65536, 131072]);
    expect(many.blocks?.compressedOffsetBytes[0]).toBe(12); // right after the stream header
  });

  it('adds up concatenated streams with stream padding between them, each block after its own stream header', async () => {
    const first = xz(Buffer.alloc(1000, 1));
    const second = xz(Buffer.alloc(2345, 2));
    const file = Buffer.concat([first, Buffer.alloc(8), second, Buffer.alloc(4)]);
    const index = await readXzIndex(createMemorySource(file, 'two.xz'));
    expect(index).toMatchObject({ decodedSizeBytes: 3345, streamCount: 2, blockCount: 2 });
    expect(Array.from(index.blocks?.streamOffsetBytes ?? [])).toEqual([0, first.length + 8]);
    expect(execFileSync('xz', ['-dc'], { input: file }).length).toBe(3345);
  });
});
