// The boot of an image made end to end (createAuthoringOptions: tree walked from disk, boot detected and
// resolved; planIso: laid out and written) against xorriso's own image of the same tree with the same
// boot options: `xorriso -report_el_torito plain -report_system_area plain` reports the same layout
// for both (no QEMU: the boot tests that start the images live in plan-iso-boot.integration.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoBootOptions } from '../../shared/authoring.ts';
import { createAuthoringOptions } from '../../src-main/authoring/create-request.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { runXorrisoReport, type XorrisoReport } from '../boot/xorriso-report.ts';
import { buildIsolinuxEfiTree, isohdpfxPath, isolinuxEfiBootArgs, seededBytes, xorrisoMkisofs } from '../helpers/boot-reference-images.ts';
import { sha256 } from '../fat/fat-test-volumes.ts';
import { writePlannedIso } from './plan-iso-fixtures.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-boot-vs-xorriso-'));
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

async function ourImage(sources: readonly string[], boot: IsoBootOptions, name: string): Promise<string> {
  const options = await createAuthoringOptions({ sources, outputPath: join(scratch, name), options: { label: 'BOOTTEST', boot, reproducible: true } });
  const written = await writePlannedIso(await planIso(options), name);
  cleanups.push(written.remove);
  return written.path;
}

/** What must agree: everything but the LBAs (each writer lays out files its own way) and the GUIDs (ours seeded, xorriso's random). */
function layoutOf(report: XorrisoReport): unknown {
  return {
    summary: report.summary,
    mbr: report.mbrPartitions.map(({ index, status, type }) => ({ index, status, type })),
    gptEntryArray: report.gptEntryArray,
    gpt: report.gptPartitions.map(({ index, name, typeGuidHex, flags }) => ({ index, name, typeGuidHex, flags })),
    bootImages: report.bootImages.map(({ imageLba: _lba, ...image }) => image),
  };
}

/** The partitions' places as reported, and as they must follow from the image's size and its EFI image's LBA. */
function placesOf(report: XorrisoReport, imageBytes: number): { actual: unknown; expected: unknown } {
  const diskSectors = imageBytes / 512;
  const efi = report.bootImages.find((image) => image.platform === 'UEFI');
  return {
    actual: {
      mbr: report.mbrPartitions.map(({ start, blocks }) => ({ start, blocks })),
      gpt: report.gptPartitions.map(({ start, size }) => ({ start, size })),
      lbaRange: report.gptLbaRange,
    },
    expected: {
      mbr: [
        { start: 0, blocks: diskSectors },
        { start: (efi?.imageLba ?? 0) * 4, blocks: efi?.sectorCount },
      ],
      gpt: [
        { start: 0, size: diskSectors - 64 },
        { start: (efi?.imageLba ?? 0) * 4, size: efi?.sectorCount },
      ],
      lbaRange: { firstUsable: 64, lastUsable: diskSectors - 64, backupHeader: diskSectors - 1 },
    },
  };
}

describe('the boot of a created image, reported by xorriso', () => {
  it('is the layout xorriso -isohybrid-mbr isohdpfx.bin ... -isohybrid-gpt-basdat makes of the same ISOLINUX + EFI tree', async () => {
    const tree = join(scratch, 'isolinux-efi');
    buildIsolinuxEfiTree(tree);
    const reference = join(scratch, 'xorriso.iso');
    xorrisoMkisofs(tree, reference, ['-isohybrid-mbr', isohdpfxPath, ...isolinuxEfiBootArgs, '-isohybrid-gpt-basdat']);
    const ours = await ourImage([tree], { hybridMbrPath: isohdpfxPath, gpt: true }, 'ours.iso');

    const theirReport = runXorrisoReport(reference);
    const ourReport = runXorrisoReport(ours);
    expect(theirReport.summary).toEqual(['MBR', 'isohybrid', 'cyl-align-on', 'GPT']);
    expect(layoutOf(ourReport)).toEqual(layoutOf(theirReport));
    const places = placesOf(ourReport, readFileSync(ours).byteLength);
    expect(places.actual).toEqual(places.expected);
  });

  it('is the layout xorriso -isohybrid-apm-hfsplus -isohybrid-gpt-basdat makes, with an Apple Partition Map kept (as a remaster keeps one)', async () => {
    const tree = join(scratch, 'isolinux-efi-apm');
    buildIsolinuxEfiTree(tree);
    const reference = join(scratch, 'xorriso-apm.iso');
    xorrisoMkisofs(tree, reference, ['-isohybrid-mbr', isohdpfxPath, ...isolinuxEfiBootArgs, '-isohybrid-gpt-basdat', '-isohybrid-apm-hfsplus']);
    const created = await createAuthoringOptions({
      sources: [tree],
      outputPath: join(scratch, 'ours-apm.iso'),
      options: { label: 'BOOTTEST', boot: { hybridMbrPath: isohdpfxPath, gpt: true }, reproducible: true },
    });
    const hybrid = created.boot.hybrid;
    if (!hybrid) throw new Error('expected a hybrid');
    const written = await writePlannedIso(await planIso({ ...created, boot: { ...created.boot, hybrid: { ...hybrid, apm: true } } }), 'ours-apm.iso');
    cleanups.push(written.remove);

    const ourReport = runXorrisoReport(written.path);
    expect(layoutOf(ourReport)).toEqual(layoutOf(runXorrisoReport(reference)));
    expect(ourReport.summary).toEqual(['MBR', 'isohybrid', 'cyl-align-on', 'GPT', 'APM']);
    expect(ourReport.apmPartitions.map(({ name, type }) => ({ name, type }))).toEqual([{ name: 'EFI', type: 'Apple_HFS' }]);
    // The backup header in the last sector, its entries (208, from LBA 12) right before it.
    const image = readFileSync(written.path);
    const diskSectors = image.byteLength / 512;
    expect(ourReport.gptLbaRange).toEqual({ firstUsable: 64, lastUsable: diskSectors - 54, backupHeader: diskSectors - 1 });
    const backupHeader = image.subarray(image.byteLength - 512);
    expect(backupHeader.subarray(0, 8).toString('latin1')).toBe('EFI PART');
    expect(backupHeader.readBigUInt64LE(24)).toBe(BigInt(diskSectors - 1)); // MyLBA
    const entryBytes = 208 * 128;
    expect(image.subarray(image.byteLength - 512 - entryBytes, image.byteLength - 512).equals(image.subarray(12 * 512, 12 * 512 + entryBytes))).toBe(true);
  });

  it('is the El Torito layout xorriso makes without a hybrid (BIOS default entry, EFI section), detected from the tree alone', async () => {
    const tree = join(scratch, 'plain');
    buildIsolinuxEfiTree(tree);
    const reference = join(scratch, 'xorriso-plain.iso');
    xorrisoMkisofs(tree, reference, isolinuxEfiBootArgs);
    const ours = await ourImage([tree], {}, 'ours-plain.iso');
    expect(layoutOf(runXorrisoReport(ours))).toEqual(layoutOf(runXorrisoReport(reference)));
  });

  it('is byte-identical when reproducible, with an EFI image generated from EFI/BOOT/ whose files have other times', async () => {
    const images: string[] = [];
    for (const seconds of [1_000_000, 2_000_000]) {
      const tree = join(scratch, `generated-${seconds}`);
      mkdirSync(join(tree, 'EFI', 'BOOT'), { recursive: true });
      const loader = join(tree, 'EFI', 'BOOT', 'BOOTX64.EFI');
      writeFileSync(loader, seededBytes(40_000, 11));
      utimesSync(loader, seconds, seconds);
      const path = await ourImage([tree], { efiImagePath: 'generate' }, `generated-${seconds}.iso`);
      expect(runXorrisoReport(path).bootImages.map((image) => image.platform)).toEqual(['UEFI']);
      images.push(sha256(readFileSync(path)));
    }
    expect(images[0]).toBe(images[1]);
  });
});
