// Seeded UDF mutation sweep: mutations land inside real descriptors of UDF images (found by their
// valid tags) and the tag is then re-sealed, so the parsers behind the CRC check see the damage.
// Each mutated image must list or fail with a typed error, under 2 s. ISOTOPE_UDF_SWEEP_SEED replays.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { crc16, hasValidTagChecksum } from '../../src-main/udf/udf-fields.ts';
import { udfMkudffsPath, udfSmallIsoPath, udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';
import { exploreImage } from '../iso/explore-image.ts';
import { toMetadataPartition } from './udf-metadata-builder.ts';
import { getUint16, resealTag } from './udf-patching.ts';

const iterations = Number(process.env.ISOTOPE_UDF_SWEEP_ITERATIONS ?? 3000);
const seed = Number(process.env.ISOTOPE_UDF_SWEEP_SEED ?? 0x0d15c);

const knownTags = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266]);

/** Offsets of every descriptor tag with a valid checksum and CRC (FIDs included: 4-byte aligned). */
function findTags(bytes: Uint8Array, limitBytes: number): { at: number; lengthBytes: number }[] {
  const tags: { at: number; lengthBytes: number }[] = [];
  for (let at = 16 * 2048; at + 16 <= Math.min(bytes.byteLength, limitBytes); at += 4) {
    if (!knownTags.has(getUint16(bytes, at)) || !hasValidTagChecksum(bytes, at)) continue;
    const crcLength = getUint16(bytes, at + 10);
    if (at + 16 + crcLength > bytes.byteLength || crc16(bytes, at + 16, crcLength) !== getUint16(bytes, at + 8)) continue;
    tags.push({ at, lengthBytes: 16 + crcLength });
  }
  return tags;
}

describe('UDF mutation sweep', () => {
  it(`survives ${iterations} images with re-sealed damaged descriptors`, async () => {
    const seeds = [
      { name: 'udf-small.iso', bytes: new Uint8Array(readFileSync(udfSmallIsoPath())) },
      { name: 'udf-windows-stub.iso', bytes: new Uint8Array(readFileSync(udfWindowsStubIsoPath())) },
      { name: 'udf-mkudffs-2.01.img', bytes: new Uint8Array(readFileSync(udfMkudffsPath('2.01'))) },
      { name: 'metadata partition (2.50, rewritten udf-small.iso)', bytes: (await toMetadataPartition(new Uint8Array(readFileSync(udfSmallIsoPath())))).bytes },
    ].map((item) => ({ ...item, tags: findTags(item.bytes, 8 * 1024 * 1024) }));
    for (const item of seeds) {
      expect(item.tags.length, item.name).toBeGreaterThan(10);
      expect((await exploreImage(item.bytes)).kind, item.name).toBe('listed');
    }
    const random = createSeededRandom(seed);
    const counts = { listed: 0, corrupt: 0, 'not-iso': 0 };
    let slowestMs = 0;
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const target = seeds[iteration % seeds.length] as (typeof seeds)[number];
      const tag = target.tags[Math.floor(random() * target.tags.length)] as { at: number; lengthBytes: number };
      const original = target.bytes.slice(tag.at, tag.at + tag.lengthBytes);
      const changes = 1 + Math.floor(random() * 4);
      for (let change = 0; change < changes; change += 1) {
        const at = tag.at + 16 + Math.floor(random() * Math.max(1, tag.lengthBytes - 16));
        const kind = random();
        target.bytes[at] =
          kind < 0.4
            ? Math.floor(random() * 256)
            : kind < 0.7
              ? (target.bytes[at] as number) ^ (1 << Math.floor(random() * 8))
              : ([0, 0xff, 1, 0x80][Math.floor(random() * 4)] as number);
      }
      resealTag(target.bytes, tag.at);
      const started = performance.now();
      try {
        counts[(await exploreImage(target.bytes, { maxContentBytes: 64 * 1024 })).kind] += 1;
      } catch (error) {
        throw new Error(`seed ${seed} iteration ${iteration} (${target.name}, tag at ${tag.at}): uncaught ${String(error)}`, { cause: error });
      } finally {
        target.bytes.set(original, tag.at);
      }
      const elapsedMs = performance.now() - started;
      if (elapsedMs > 2000) throw new Error(`seed ${seed} iteration ${iteration} (${target.name}) took ${Math.round(elapsedMs)} ms`);
      slowestMs = Math.max(slowestMs, elapsedMs);
    }
    expect(counts.listed).toBeGreaterThan(iterations / 20);
    expect(counts.corrupt).toBeGreaterThan(iterations / 20);
    console.log(`UDF mutation sweep seed ${seed}: ${JSON.stringify(counts)}, slowest ${slowestMs.toFixed(1)} ms`);
  }, 180_000);
});
