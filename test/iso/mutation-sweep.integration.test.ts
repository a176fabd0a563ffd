// Seeded mutation sweep: 10,000 mutated copies of small real and built seed images. Each must give a
// result or a typed error (CorruptImageError / ByteRangeError), never an uncaught exception, and never
// take over 2 s or grow memory by 256 MiB. Set ISOTOPE_SWEEP_SEED to replay or explore another run;
// a failure names the seed and iteration.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { genisoimageFeaturesIsoPath, plainIsoPath, zisofsIsoPath } from '../fixtures/iso-images.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { exploreImage } from './explore-image.ts';
import { buildSeedIso, sector } from './iso-builder.ts';
import { zisofsBody } from './zisofs-builder.ts';

const iterations = Number(process.env.ISOTOPE_SWEEP_ITERATIONS ?? 10_000);
const seed = Number(process.env.ISOTOPE_SWEEP_SEED ?? 0x15070e);

interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Byte range holding the metadata (descriptors, directories, SUSP areas): most mutations land here. */
  readonly hotStart: number;
  readonly hotEnd: number;
}

function seeds(): Seed[] {
  const zisofsText = new TextEncoder().encode('mutation sweep '.repeat(5000));
  const built = buildSeedIso({ stored: zisofsBody(zisofsText), uncompressedBytes: zisofsText.byteLength });
  const real = (name: string, path: string, hotSectors: number): Seed => {
    const bytes = new Uint8Array(readFileSync(path));
    return { name, bytes, hotStart: 16 * sector, hotEnd: Math.min(bytes.byteLength, (16 + hotSectors) * sector) };
  };
  return [
    { name: 'built seed (RR, CE, multi-extent, zisofs)', bytes: built, hotStart: 16 * sector, hotEnd: built.byteLength },
    real('hello.iso (xorriso -R -J)', helloIsoPath(), 24),
    real('plain.iso (genisoimage)', plainIsoPath(), 12),
    real('features-genisoimage.iso (CL/PL/RE)', genisoimageFeaturesIsoPath(), 40),
    real('zisofs.iso (xorriso zisofs)', zisofsIsoPath(), 40),
    // UDF bridge: volume descriptors from sector 32, the anchor at 256, file structures after it.
    real('udf-small.iso (genisoimage -udf)', udfSmallIsoPath(), 260),
  ];
}

type Undo = { at: number; previous: number }[];

/** Applies 1-6 mutations in place and returns how to undo them. */
function mutate(target: Seed, random: () => number): Undo {
  const undo: Undo = [];
  const set = (at: number, value: number): void => {
    if (at < 0 || at >= target.bytes.byteLength) return;
    undo.push({ at, previous: target.bytes[at] as number });
    target.bytes[at] = value & 0xff;
  };
  const position = (): number =>
    random() < 0.9 ? target.hotStart + Math.floor(random() * (target.hotEnd - target.hotStart)) : Math.floor(random() * target.bytes.byteLength);
  const count = 1 + Math.floor(random() * 6);
  for (let index = 0; index < count; index += 1) {
    const at = position();
    const kind = Math.floor(random() * 6);
    if (kind === 0) set(at, Math.floor(random() * 256));
    else if (kind === 1) set(at, (target.bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8)));
    else if (kind === 2) set(at, [0, 0xff, 0x7f, 0x80, 1][Math.floor(random() * 5)] as number);
    else if (kind === 3) {
      // A both-endian 32-bit field set to one interesting value (both halves agree, so parsing goes on).
      const value = [0, 1, 16, 17, 20, 0xffff_ffff, 0x7fff_ffff, Math.floor(random() * 4096), Math.floor(random() * 0xffff_ffff)][
        Math.floor(random() * 9)
      ] as number;
      const base = at - (at % 2);
      for (let byte = 0; byte < 4; byte += 1) {
        set(base + byte, value >>> (8 * byte));
        set(base + 7 - byte, value >>> (8 * byte));
      }
    } else if (kind === 4) {
      // A length byte made larger or smaller.
      set(at, (target.bytes[at] ?? 0) + (random() < 0.5 ? 1 : -1) * (1 + Math.floor(random() * 40)));
    } else {
      // Copy a byte run from elsewhere in the hot range (pointers that point at metadata).
      const from = position();
      const length = 1 + Math.floor(random() * 16);
      for (let byte = 0; byte < length; byte += 1) set(at + byte, target.bytes[from + byte] ?? 0);
    }
  }
  return undo;
}

describe('mutation sweep', () => {
  it(`survives ${iterations} mutated images with a result or a typed error, each under 2 s`, async () => {
    const all = seeds();
    for (const item of all) expect((await exploreImage(item.bytes)).kind, item.name).toBe('listed');
    const random = createSeededRandom(seed);
    const baselineRss = process.memoryUsage().rss;
    let slowestMs = 0;
    let peakRss = baselineRss;
    const counts = { listed: 0, corrupt: 0, 'not-iso': 0 };
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const target = all[iteration % all.length] as Seed;
      const undo = mutate(target, random);
      const started = performance.now();
      try {
        const outcome = await exploreImage(target.bytes, { maxContentBytes: 64 * 1024 });
        counts[outcome.kind] += 1;
      } catch (error) {
        throw new Error(`seed ${seed} iteration ${iteration} (${target.name}): uncaught ${String(error)}`, { cause: error });
      } finally {
        for (let index = undo.length - 1; index >= 0; index -= 1) target.bytes[(undo[index] as Undo[number]).at] = (undo[index] as Undo[number]).previous;
      }
      const elapsedMs = performance.now() - started;
      if (elapsedMs > 2000) throw new Error(`seed ${seed} iteration ${iteration} (${target.name}) took ${Math.round(elapsedMs)} ms`);
      slowestMs = Math.max(slowestMs, elapsedMs);
      if (iteration % 250 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    expect(peakRss - baselineRss).toBeLessThan(256 * 1024 * 1024);
    // Both outcomes must occur, or the sweep is not reaching the parsers.
    expect(counts.listed).toBeGreaterThan(iterations / 10);
    expect(counts.corrupt).toBeGreaterThan(iterations / 50);
    console.log(`mutation sweep seed ${seed}: ${JSON.stringify(counts)}, slowest ${slowestMs.toFixed(1)} ms`);
  }, 180_000);
});
