// The El Torito writer against xorriso: for the boot entries xorriso wrote into a real image, our
// catalog and Boot Record are the same bytes, our boot info table patches isolinux.bin exactly as
// xorriso -boot-info-table did, and our readers (boot-catalog.ts, boot-record.ts, boot-info-table.ts)
// read back what was written.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBootCatalog } from '../../src-main/boot/boot-catalog.ts';
import { hasBootInfoTable } from '../../src-main/boot/boot-info-table.ts';
import { parseBootRecord } from '../../src-main/boot/boot-record.ts';
import {
  buildBootCatalog,
  buildBootRecordDescriptor,
  withBootInfoTable,
  withGrub2BootInfo,
  type CatalogEntryWrite,
} from '../../src-main/boot/el-torito-writer.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { buildGrubEltorito, buildIsolinuxEfiTree, isolinuxBinPath, isolinuxEfiBootArgs, xorrisoMkisofs } from '../helpers/boot-reference-images.ts';
import { runXorrisoReport, type XorrisoReport } from './xorriso-report.ts';

const sectorBytes = 2048;
const scratch = mkdtempSync(join(tmpdir(), 'isotope-eltorito-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Reference {
  readonly image: Uint8Array;
  readonly report: XorrisoReport;
}

function sector(image: Uint8Array, lba: number): Uint8Array {
  return image.subarray(lba * sectorBytes, (lba + 1) * sectorBytes);
}

/** The entries xorriso reports, as the writer takes them. */
function entriesOf(report: XorrisoReport): CatalogEntryWrite[] {
  return report.bootImages.map((image) => ({
    platformId: image.platform === 'UEFI' ? 0xef : 0,
    mediaType: 0,
    loadSegment: image.loadSegment,
    systemType: image.systemType,
    loadSectorCount512: image.sectorCount,
    imageLba: image.imageLba,
    bootable: image.bootable,
  }));
}

function buildReference(name: string, bootArgs: readonly string[]): Reference {
  const tree = join(scratch, `${name}-tree`);
  buildIsolinuxEfiTree(tree);
  const output = join(scratch, `${name}.iso`);
  xorrisoMkisofs(tree, output, bootArgs);
  return { image: new Uint8Array(readFileSync(output)), report: runXorrisoReport(output) };
}

let biosAndEfi: Reference;
let fourEntries: Reference;
beforeAll(() => {
  biosAndEfi = buildReference('bios-efi', isolinuxEfiBootArgs);
  // BIOS, EFI, EFI, BIOS: xorriso groups the two EFI entries into one section (0x90), the last BIOS one into another (0x91).
  fourEntries = buildReference('four', [
    ...isolinuxEfiBootArgs,
    '-eltorito-alt-boot',
    '-e',
    'EFI/BOOT/BOOTX64.EFI',
    '-no-emul-boot',
    '-eltorito-alt-boot',
    '-b',
    'EFI/BOOT/BOOTX64.EFI',
    '-no-emul-boot',
    '-boot-load-size',
    '8',
  ]);
});

describe('buildBootCatalog', () => {
  it('writes the same catalog sector as xorriso for a BIOS + EFI image', () => {
    const catalogLba = biosAndEfi.report.catalogLba as number;
    const ours = buildBootCatalog(entriesOf(biosAndEfi.report));
    expect(Buffer.from(ours).equals(Buffer.from(sector(biosAndEfi.image, catalogLba)))).toBe(true);
  });

  it('groups consecutive entries of one platform into one section, as xorriso does for four entries', () => {
    const catalogLba = fourEntries.report.catalogLba as number;
    expect(fourEntries.report.bootImages).toHaveLength(4);
    const ours = buildBootCatalog(entriesOf(fourEntries.report));
    expect(Buffer.from(ours).equals(Buffer.from(sector(fourEntries.image, catalogLba)))).toBe(true);
    expect(ours[2 * 32]).toBe(0x90);
    expect(ours[5 * 32]).toBe(0x91);
  });

  it('is read back by our catalog reader with every field as written', () => {
    const entries: CatalogEntryWrite[] = [
      { platformId: 0, mediaType: 0, loadSegment: 0x7c0, systemType: 0, loadSectorCount512: 4, imageLba: 40, bootable: true },
      { platformId: 0xef, mediaType: 0, loadSegment: 0, systemType: 0, loadSectorCount512: 5760, imageLba: 41, bootable: true },
      { platformId: 0, mediaType: 4, loadSegment: 0, systemType: 0x0c, loadSectorCount512: 1, imageLba: 42, bootable: false },
    ];
    const catalog = parseBootCatalog(buildBootCatalog(entries), 33);
    expect(
      catalog.entries.map((entry) => [
        entry.platform,
        entry.emulation,
        entry.loadSegment,
        entry.systemType,
        entry.sectorCount,
        entry.imageLba,
        entry.bootable,
        entry.section,
      ]),
    ).toEqual([
      ['x86', 'none', 0x7c0, 0, 4, 40, true, 0],
      ['efi', 'none', 0, 0, 5760, 41, true, 1],
      ['x86', 'hard-disk', 0, 0x0c, 1, 42, false, 2],
    ]);
  });

  it('refuses entries that do not fit one catalog sector, naming the record count', () => {
    const entry: CatalogEntryWrite = { platformId: 0, mediaType: 0, loadSegment: 0, systemType: 0, loadSectorCount512: 4, imageLba: 20, bootable: true };
    // 1 + 62 entries of one platform: validation + default + one header + 61 = 64 records fit; one more does not.
    expect(buildBootCatalog(Array.from({ length: 62 }, () => entry)).byteLength).toBe(sectorBytes);
    expect(() => buildBootCatalog(Array.from({ length: 63 }, () => entry))).toThrow(/need 65 catalog records; one 2048-byte catalog sector holds 64/);
    expect(() => buildBootCatalog([])).toThrow(/at least one boot entry/);
    expect(() => buildBootCatalog([{ ...entry, loadSectorCount512: 70_000 }])).toThrow(/load sector count 70000 is outside 0-65535/);
  });
});

describe('buildBootRecordDescriptor', () => {
  it('writes the same Boot Record as xorriso, and boot-record.ts finds the catalog in it', () => {
    const catalogLba = biosAndEfi.report.catalogLba as number;
    const ours = buildBootRecordDescriptor(catalogLba);
    expect(Buffer.from(ours).equals(Buffer.from(sector(biosAndEfi.image, 17)))).toBe(true);
    expect(parseBootRecord(ours, 17)).toEqual({ descriptorLba: 17, catalogLba });
  });
});

describe('withBootInfoTable', () => {
  it('patches isolinux.bin exactly as xorriso -boot-info-table did, and boot-info-table.ts accepts it', async () => {
    const bios = biosAndEfi.report.bootImages.find((image) => image.platform === 'BIOS');
    if (!bios) throw new Error('xorriso reported no BIOS image');
    const original = new Uint8Array(readFileSync(isolinuxBinPath));
    const ours = withBootInfoTable(original, { primaryDescriptorLba: 16, imageLba: bios.imageLba });
    const theirs = biosAndEfi.image.subarray(bios.imageLba * sectorBytes, bios.imageLba * sectorBytes + original.byteLength);
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    expect(Buffer.from(original).equals(Buffer.from(ours))).toBe(false); // a copy: the input is untouched
    expect(Buffer.from(original.subarray(64)).equals(Buffer.from(ours.subarray(64)))).toBe(true);

    const placed = new Uint8Array((bios.imageLba + 20) * sectorBytes);
    placed.set(ours, bios.imageLba * sectorBytes);
    expect(await hasBootInfoTable(createMemorySource(placed), bios.imageLba)).toBe(true);
    expect(await hasBootInfoTable(createMemorySource(placed), bios.imageLba + 1)).toBe(false);
  });

  it('refuses an image too short to hold the table', () => {
    expect(() => withBootInfoTable(new Uint8Array(63), { primaryDescriptorLba: 16, imageLba: 30 })).toThrow(/63 bytes cannot hold a boot info table/);
  });
});

describe('withGrub2BootInfo', () => {
  it("patches GRUB's eltorito.img as xorriso -boot-info-table --grub2-boot-info did", () => {
    const tree = join(scratch, 'grub-tree');
    mkdirSync(join(tree, 'boot', 'grub', 'i386-pc'), { recursive: true });
    const eltoritoPath = join(tree, 'boot', 'grub', 'i386-pc', 'eltorito.img');
    buildGrubEltorito(eltoritoPath);
    const output = join(scratch, 'grub.iso');
    xorrisoMkisofs(tree, output, ['-b', 'boot/grub/i386-pc/eltorito.img', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info']);
    const [bios] = runXorrisoReport(output).bootImages;
    if (!bios) throw new Error('xorriso reported no boot image');
    expect(bios.options).toContain('grub2-boot-info');
    const original = new Uint8Array(readFileSync(eltoritoPath));
    const ours = withBootInfoTable(withGrub2BootInfo(original, bios.imageLba), { primaryDescriptorLba: 16, imageLba: bios.imageLba });
    const image = new Uint8Array(readFileSync(output));
    const theirs = image.subarray(bios.imageLba * sectorBytes, bios.imageLba * sectorBytes + original.byteLength);
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    expect(new DataView(ours.buffer).getBigUint64(2548, true)).toBe(BigInt(bios.imageLba) * 4n + 5n);
    expect(() => withGrub2BootInfo(new Uint8Array(2555), 30)).toThrow(/2555 bytes cannot be GRUB's eltorito.img/);
  });
});
