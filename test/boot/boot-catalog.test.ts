// El Torito boot record and catalog rules on hand-built images: what parses, and what is refused
// with a CorruptImageError naming the sector and offset (never a crash or hang).
import { describe, expect, it } from 'vitest';
import { maxCatalogRecords } from '../../src-main/boot/boot-catalog.ts';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { bootEntry, buildElToritoImage, extensionRecord, sectionHeader, validationEntry } from './hand-built-iso.ts';

const catalogLba = 20;

function report(image: Uint8Array) {
  return readBootReport(createMemorySource(image, 'hand-built.iso'));
}

async function corruptionOf(image: Uint8Array): Promise<CorruptImageError> {
  const error: unknown = await report(image).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptImageError);
  return error as CorruptImageError;
}

describe('El Torito boot catalog', () => {
  it('reads the initial entry and every section entry, skipping extension records', async () => {
    const image = buildElToritoImage({
      totalSectors: 40,
      catalogLba,
      catalog: [
        validationEntry({ id: 'ISOTOPE' }),
        bootEntry({ imageLba: 30, sectorCount: 4, loadSegment: 0x7c0 }),
        sectionHeader({ final: false, platformId: 0xef, entryCount: 1 }),
        bootEntry({ imageLba: 31, mediaType: 0x20, sectorCount: 0 }), // bit 5: an extension follows
        extensionRecord(true),
        extensionRecord(false),
        sectionHeader({ final: true, platformId: 0x01, entryCount: 2 }),
        bootEntry({ imageLba: 32, mediaType: 2 }),
        bootEntry({ imageLba: 33, mediaType: 4, bootable: false }),
      ],
    });
    const { elTorito } = await report(image);
    expect(elTorito?.catalogLba).toBe(catalogLba);
    expect(elTorito?.validationId).toBe('ISOTOPE');
    expect(elTorito?.entries.map((entry) => [entry.platform, entry.bootable, entry.emulation, entry.imageLba, entry.section])).toEqual([
      ['x86', true, 'none', 30, 0],
      ['efi', true, 'none', 31, 1],
      ['ppc', true, 'floppy-1.44', 32, 2],
      ['ppc', false, 'hard-disk', 33, 2],
    ]);
    expect(elTorito?.entries[0]?.loadSegment).toBe(0x7c0);
  });

  it('reports an unknown platform id as its number', async () => {
    const image = buildElToritoImage({
      totalSectors: 40,
      catalogLba,
      catalog: [validationEntry({ platformId: 0x42 }), bootEntry({ imageLba: 30 })],
    });
    expect((await report(image)).elTorito?.entries[0]?.platform).toBe(0x42);
  });

  it('refuses a validation entry whose checksum does not sum to zero, naming the catalog sector', async () => {
    const image = buildElToritoImage({ totalSectors: 40, catalogLba, catalog: [validationEntry({ breakChecksum: true }), bootEntry({ imageLba: 30 })] });
    const error = await corruptionOf(image);
    expect(error.message).toMatch(/checksum/);
    expect(error.where).toMatchObject({ sectorLba: catalogLba, offsetBytes: catalogLba * 2048 + 28 });
  });

  it('refuses a validation entry without its 55 AA key bytes', async () => {
    const entry = validationEntry();
    entry[31] = 0;
    const error = await corruptionOf(buildElToritoImage({ totalSectors: 40, catalogLba, catalog: [entry, bootEntry({ imageLba: 30 })] }));
    expect(error.message).toMatch(/55 AA/);
  });

  it('refuses a boot catalog pointer past the end of the image, naming the boot record', async () => {
    const image = buildElToritoImage({ totalSectors: 30, catalogLba: 5000, catalog: [] });
    const error = await corruptionOf(image);
    expect(error.message).toMatch(/sector 5000/);
    expect(error.where).toMatchObject({ sectorLba: 16, offsetBytes: 16 * 2048 + 71 });
  });

  it('refuses a section declaring 10,000 entries without reading them all', async () => {
    const records = [validationEntry(), bootEntry({ imageLba: 30 }), sectionHeader({ final: true, platformId: 0, entryCount: 10_000 })];
    for (let index = 0; index < 10_000; index += 1) records.push(bootEntry({ imageLba: 30 }));
    const image = buildElToritoImage({ totalSectors: catalogLba + 200, catalogLba, catalog: records });
    const error = await corruptionOf(image);
    expect(error.message).toMatch(new RegExp(`${maxCatalogRecords}`));
  });

  it('refuses a catalog of endless non-final section headers', async () => {
    const records = [validationEntry(), bootEntry({ imageLba: 30 })];
    for (let index = 0; index < 10_000; index += 1) records.push(sectionHeader({ final: false, platformId: 0, entryCount: 0 }));
    const error = await corruptionOf(buildElToritoImage({ totalSectors: catalogLba + 200, catalogLba, catalog: records }));
    expect(error.message).toMatch(/final section header/);
  });

  it('refuses a section whose entries run past the end of the image', async () => {
    const records = [validationEntry(), bootEntry({ imageLba: 1 }), sectionHeader({ final: true, platformId: 0, entryCount: 500 })];
    const error = await corruptionOf(buildElToritoImage({ totalSectors: catalogLba + 1, catalogLba, catalog: records }));
    expect(error.message).toMatch(/declares 500 entries/);
  });

  it('refuses a boot indicator other than 0x88 or 0x00, and a media type above 4', async () => {
    const badIndicator = buildElToritoImage({ totalSectors: 40, catalogLba, catalog: [validationEntry(), bootEntry({ imageLba: 30, indicator: 0x42 })] });
    expect((await corruptionOf(badIndicator)).where).toMatchObject({ offsetBytes: catalogLba * 2048 + 32 });
    const badMedia = buildElToritoImage({ totalSectors: 40, catalogLba, catalog: [validationEntry(), bootEntry({ imageLba: 30, mediaType: 7 })] });
    expect((await corruptionOf(badMedia)).message).toMatch(/media type 7/);
  });

  it('answers with entries whose images lie past the end, without reading them', async () => {
    const image = buildElToritoImage({
      totalSectors: 40,
      catalogLba,
      catalog: [
        validationEntry(),
        bootEntry({ imageLba: 0xffffffff }),
        sectionHeader({ final: true, platformId: 0xef, entryCount: 1 }),
        bootEntry({ imageLba: 0x7fffffff }),
      ],
    });
    const result = await report(image);
    expect(result.elTorito?.entries.map((entry) => [entry.bootInfoTable, entry.efiLoaders])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
    expect(result.verdict.reasons.map((reason) => reason.code)).toContain('non-hybrid-iso');
  });
});
