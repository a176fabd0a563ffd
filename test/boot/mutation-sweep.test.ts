// A seeded mutation sweep: random bytes of a real hybrid image (system area, descriptors, catalog and
// the head of the EFI FAT image) are changed; the boot report must answer or throw CorruptImageError,
// never crash with anything else or hang.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';

const sweptBytes = 80 * 1024; // sectors 0-39: MBR, GPT, APM, descriptors, catalog (33), FAT head (34+)
/** Where the structures' fields lie in this fixture, so most edits hit a field rather than padding. */
const fieldRegions: readonly (readonly [number, number])[] = [
  [0, 16], // DDM / MBR code start
  [432, 80], // MBR boot-image pointer, partition table and signature
  [512, 96], // GPT header
  [2048, 96], // APM entry 1
  [4096, 96], // APM entry 2
  [6144, 256], // GPT entries 1-2
  [16 * 2048, 96], // primary volume descriptor
  [17 * 2048, 96], // El Torito boot record
  [33 * 2048, 128], // boot catalog
  [34 * 2048, 64], // EFI image: FAT boot sector
  [34 * 2048 + 510, 2], // its signature
  [34 * 2048 + 512, 32], // its first FAT
];
const offsetArbitrary = fc.oneof(
  fc.nat(sweptBytes - 1),
  fc.constantFrom(...fieldRegions).chain(([start, length]) => fc.integer({ min: start, max: start + length - 1 })),
);

describe('boot report under random damage', () => {
  it('answers or throws CorruptImageError for 1000 seeded mutations of a hybrid APM/GPT/MBR image', async () => {
    const image = new Uint8Array(readFileSync(bootFixturePath('hybridApm')));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ at: offsetArbitrary, value: fc.nat(255) }), { minLength: 1, maxLength: 12 }), async (edits) => {
        const damaged = image.slice();
        for (const { at, value } of edits) damaged[at] = value;
        try {
          const report = await readBootReport(createMemorySource(damaged));
          expect(report.verdict.reasons.length).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof CorruptImageError)) throw error;
        }
      }),
      { seed: 20261129, numRuns: 1000 },
    );
  });
});
