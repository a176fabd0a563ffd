// The one read-and-compare loop (compare-pass.ts) that a flash verifying a raw image and verify-only
// share, on real files read back through openReadBack: the image read as a stream of unknown length
// or by position with its length known, mismatch ranges to the chunk or to the 64 KiB block, a short
// target, and an image that has shrunk since it was written.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareWithImage, type ComparedTarget } from '../../src-main/flash/compare-pass.ts';
import { allocateAlignedSlots } from '../../src-main/flash/target/aligned-memory.ts';
import { openReadBack, type ReadBackHandle } from '../../src-main/flash/target/target-device.ts';

const KiB = 1024;
/** Small chunks, so a few hundred KiB span many of them and the read-ahead wraps around the slot sets. */
const chunkBytes = 64 * KiB;
/** 5.5 chunks: the last chunk is short. */
const imageBytes = 5 * chunkBytes + 32 * KiB;

describe('the read-and-compare loop shared by the flash and verify-only', () => {
  let dir = '';
  let image: Buffer;
  let imagePath = '';
  const handles: (FileHandle | ReadBackHandle)[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-compare-'));
    image = randomBytes(imageBytes);
    imagePath = join(dir, 'image.img');
    writeFileSync(imagePath, image);
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const targetFile = async (name: string, bytes: Uint8Array): Promise<ComparedTarget> => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const readBack = await openReadBack(path);
    handles.push(readBack);
    return { path, readBack };
  };
  /** The image read in order, as a decoder's readNext would give it: offsets are not consulted. */
  const streamReader = async (): Promise<(into: Uint8Array) => Promise<number>> => {
    const handle = await open(imagePath, 'r');
    handles.push(handle);
    return async (into) => (await handle.read(into, 0, into.length, null)).bytesRead;
  };
  const positionalReader = async (): Promise<(into: Uint8Array, offsetBytes: number) => Promise<number>> => {
    const handle = await open(imagePath, 'r');
    handles.push(handle);
    return async (into, offsetBytes) => (await handle.read(into, 0, into.length, offsetBytes)).bytesRead;
  };
  const run = async (
    targets: ComparedTarget[],
    readImage: (into: Uint8Array, offsetBytes: number) => Promise<number>,
    knownBytes: number | null,
    withinBlockBytes?: number,
  ) => {
    const matchedUpTo = new Map<string, number>();
    const failedOnce: string[] = [];
    const result = await compareWithImage({
      imagePath,
      readImage,
      imageBytes: knownBytes,
      targets,
      slots: allocateAlignedSlots(2 * (targets.length + 1), chunkBytes).slots,
      signal: undefined,
      ...(withinBlockBytes === undefined ? {} : { withinBlockBytes }),
      onMatched: (target, bytesDone) => matchedUpTo.set(target.path, bytesDone),
      onFailed: (target) => failedOnce.push(target.path),
    });
    return { result, matchedUpTo, failedOnce };
  };

  it('compares an image of unknown length, read as a stream, to its last byte (a short last chunk included)', async () => {
    const target = await targetFile('same.img', image);
    const { result, matchedUpTo } = await run([target], await streamReader(), null);
    expect(result.imageBytes).toBe(imageBytes);
    expect(result.targets[0]).toMatchObject({ matched: true, failure: null, mismatch: null });
    expect(matchedUpTo.get(target.path)).toBe(imageBytes);
  });

  it('reports a mismatch from the first to the last differing byte of its chunk, or, with withinBlockBytes, up to the end of its block', async () => {
    const corrupt = Buffer.from(image);
    // Two differing bytes in the third chunk, 20 KiB apart: one range per chunk, one byte per block.
    const first = 2 * chunkBytes + 4 * KiB;
    const second = first + 20 * KiB;
    corrupt[first] = corrupt[first]! ^ 0xff;
    corrupt[second] = corrupt[second]! ^ 0xff;
    const target = await targetFile('corrupt.img', corrupt);
    const whole = await run([target], await positionalReader(), imageBytes);
    expect(whole.result.targets[0]!.mismatch).toEqual({ offsetBytes: first, lengthBytes: second - first + 1 });
    expect(whole.result.targets[0]!.failure).toMatchObject({ code: 'verification-mismatch', offsetBytes: first });
    expect(whole.matchedUpTo.get(target.path)).toBe(2 * chunkBytes);
    const perBlock = await run([target], await streamReader(), null, 16 * KiB);
    expect(perBlock.result.targets[0]!.mismatch).toEqual({ offsetBytes: first, lengthBytes: 1 });
  });

  it('fails a target that ends before the image with read-failed where it ends, while a whole target beside it matches', async () => {
    const endsAt = 3 * chunkBytes + 8 * KiB;
    const short = await targetFile('short.img', image.subarray(0, endsAt));
    const whole = await targetFile('whole.img', image);
    for (const [readImage, known] of [
      [await streamReader(), null],
      [await positionalReader(), imageBytes],
    ] as const) {
      const { result, failedOnce } = await run([short, whole], readImage, known);
      expect(result.targets.map((entry) => entry.matched)).toEqual([false, true]);
      expect(result.targets[0]!.failure).toMatchObject({
        code: 'read-failed',
        offsetBytes: endsAt,
        message: expect.stringContaining(`ended at byte ${endsAt}`),
      });
      expect(failedOnce).toEqual([short.path]);
    }
  });

  it('fails every target with source-unreadable when the image reads shorter than the length it was written with', async () => {
    const target = await targetFile('longer.img', Buffer.concat([image, randomBytes(chunkBytes)]));
    const { result } = await run([target], await positionalReader(), imageBytes + chunkBytes);
    expect(result.targets[0]).toMatchObject({ matched: false, mismatch: null });
    expect(result.targets[0]!.failure).toMatchObject({ code: 'source-unreadable', offsetBytes: imageBytes });
  });
});
