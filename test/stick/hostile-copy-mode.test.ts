// Copy-files mode over crafted hostile images: the plan fails with a corrupt-image error naming where,
// never a crash or a hang, and one extent named by many files costs no more than the stick holds.
import { describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions, type CopyModeOptions } from '../../shared/stick.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { composeCopyModeStick } from '../../src-main/stick/compose-stick.ts';
import { buildIso, directoryExtent, directoryRecord, sector } from '../iso/iso-builder.ts';

const copy: CopyModeOptions = { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions };
const deviceSizeBytes = 64 * 1024 * 1024;

/** An image whose root (lba 20) holds `records`. */
function imageWith(records: Uint8Array[], options: { rootSectors?: number; sectorCount?: number } = {}): Uint8Array {
  const rootSectors = options.rootSectors ?? 1;
  const root = directoryExtent({ selfLba: 20, parentLba: 20, sectors: rootSectors, records });
  return buildIso({ sectorCount: options.sectorCount ?? 40, rootLba: 20, rootSizeBytes: rootSectors * sector, sectors: new Map([[20, root]]) });
}

function compose(image: Uint8Array, signal?: AbortSignal): Promise<unknown> {
  return composeCopyModeStick(createMemorySource(image, 'hostile.iso'), { deviceSizeBytes, copy, ...(signal ? { signal } : {}) });
}

describe('copy-files mode over hostile images', () => {
  it('refuses a folder that contains the root again (a loop) as corrupt, naming the sector', async () => {
    const loop = directoryRecord({ identifier: 'LOOP', lba: 20, sizeBytes: sector, flags: 2 });
    await expect(compose(imageWith([loop]))).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringMatching(/directory loop.*sector \d+/s),
    });
  });

  it('refuses a file whose extent runs past the end of the image as corrupt, before anything is written', async () => {
    const past = directoryRecord({ identifier: 'PAST.BIN;1', lba: 35, sizeBytes: 10 * sector });
    await expect(compose(imageWith([past]))).rejects.toMatchObject({
      name: 'CorruptImageError',
      message: expect.stringMatching(/runs past the image end .*sector 20, offset \d+/),
    });
  });

  it('plans 2000 files naming one 1 MiB extent only up to the stick: target-too-small, not 2 GB of work', async () => {
    const rootSectors = 60; // room for 2000 records of about 42 bytes
    const sharedLba = 20 + rootSectors;
    const names = Array.from({ length: 2000 }, (_, index) => directoryRecord({ identifier: `F${index}.BIN;1`, lba: sharedLba, sizeBytes: 1024 * 1024 }));
    const image = imageWith(names, { rootSectors, sectorCount: sharedLba + 512 });
    await expect(compose(image)).rejects.toMatchObject({ code: 'target-too-small' });
  });

  it('stops planning when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const file = directoryRecord({ identifier: 'A.TXT;1', lba: 30, sizeBytes: 10 });
    await expect(compose(imageWith([file]), controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
