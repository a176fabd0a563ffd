// The hybrid system area against xorriso's: for the layout of a real isohybrid image (ISOLINUX + EFI,
// -isohybrid-mbr isohdpfx.bin -isohybrid-gpt-basdat, and without the GPT), our sectors 0-15 and GPT
// backup are xorriso's byte for byte apart from the GUIDs (seeded, not random) and the CRCs over them;
// spliced into xorriso's image in place of its own, xorriso reports the same layout, and our readers
// (MBR, GPT, the boot report's verdict) read it back.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { gptEntryOffsets, gptHeaderOffsets } from '../../src-main/disk/guid-partition-table.ts';
import { buildHybridSystemArea, hybridAlignedSectorCount, hybridTailSectors, type HybridSystemAreaInput } from '../../src-main/disk/hybrid-system-area.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { runXorrisoReport, type XorrisoReport } from '../boot/xorriso-report.ts';
import { buildIsolinuxEfiTree, grubBootHybridPath, isohdpfxPath, isolinuxEfiBootArgs, run, xorrisoMkisofs } from '../helpers/boot-reference-images.ts';

const sectorBytes = 2048;
const systemAreaBytes = 16 * sectorBytes;
const scratch = mkdtempSync(join(tmpdir(), 'isotope-hybrid-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Reference {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly report: XorrisoReport;
  readonly input: HybridSystemAreaInput;
}

/** xorriso's hybrid image of the ISOLINUX + EFI tree, and the input that describes its layout to our writer. */
function buildReference(name: string, gpt: boolean, apm = false): Reference {
  const tree = join(scratch, `${name}-tree`);
  buildIsolinuxEfiTree(tree);
  const path = join(scratch, `${name}.iso`);
  const hybridArgs = [...(gpt ? ['-isohybrid-gpt-basdat'] : []), ...(apm ? ['-isohybrid-apm-hfsplus'] : [])];
  xorrisoMkisofs(tree, path, ['-isohybrid-mbr', isohdpfxPath, ...isolinuxEfiBootArgs, ...hybridArgs]);
  const bytes = new Uint8Array(readFileSync(path));
  const report = runXorrisoReport(path);
  const bios = report.bootImages.find((image) => image.platform === 'BIOS');
  const efi = report.bootImages.find((image) => image.platform === 'UEFI');
  if (!bios || !efi) throw new Error(`xorriso reported no BIOS + UEFI images for ${name}`);
  const input: HybridSystemAreaInput = {
    imageSectorCount: bytes.byteLength / sectorBytes,
    mbrBootCode: new Uint8Array(readFileSync(isohdpfxPath)),
    biosBootImageLba: bios.imageLba,
    // -isohybrid-gpt-basdat (and -isohybrid-apm-hfsplus) give the EFI image a partition; without them isohybrid gives it none.
    efiImage: gpt || apm ? { lba: efi.imageLba, sectorCount: statSectors(join(tree, 'efi.img')) } : null,
    gpt,
    apm,
    identitySeed: `seed ${name}`,
    diskSignature: new DataView(bytes.buffer).getUint32(440, true),
  };
  return { path, bytes, report, input };
}

function statSectors(path: string): number {
  return Math.ceil(readFileSync(path).byteLength / sectorBytes);
}

/** `theirs` with the GUIDs and CRCs taken from `ours`: what must then be equal byte for byte. */
function withOurIdentities(theirs: Uint8Array, ours: Uint8Array, headerOffsets: readonly number[], entriesOffset: number | null): Uint8Array {
  const copy = theirs.slice();
  const take = (at: number, length: number): void => copy.set(ours.subarray(at, at + length), at);
  for (const header of headerOffsets) {
    take(header + gptHeaderOffsets.headerCrc32, 4);
    take(header + gptHeaderOffsets.diskGuid, 16);
    take(header + gptHeaderOffsets.partitionEntryArrayCrc32, 4);
  }
  if (entriesOffset !== null) for (const index of [0, 1]) take(entriesOffset + index * 128 + gptEntryOffsets.uniquePartitionGuid, 16);
  return copy;
}

function spliced(reference: Reference, systemArea: Uint8Array, tail: Uint8Array | null): string {
  const path = join(scratch, `spliced-${reference.input.identitySeed.replace(/\W/g, '-')}.iso`);
  copyFileSync(reference.path, path);
  const bytes = new Uint8Array(readFileSync(path));
  bytes.set(systemArea, 0);
  if (tail) bytes.set(tail, bytes.byteLength - tail.byteLength);
  writeFileSync(path, bytes);
  return path;
}

/** The report with the GUIDs left out (ours are seeded, xorriso's random). */
function layoutOf(report: XorrisoReport): unknown {
  return {
    summary: report.summary,
    mbr: report.mbrPartitions,
    gptEntryArray: report.gptEntryArray,
    gptLbaRange: report.gptLbaRange,
    gpt: report.gptPartitions.map(({ partitionGuidHex: _guid, ...rest }) => rest),
    bootImages: report.bootImages,
  };
}

let withGpt: Reference;
let mbrOnly: Reference;
let withApm: Reference;
let apmOnly: Reference;
beforeAll(() => {
  withGpt = buildReference('gpt', true);
  mbrOnly = buildReference('mbr', false);
  withApm = buildReference('gpt-apm', true, true);
  apmOnly = buildReference('apm', false, true);
});

describe('buildHybridSystemArea', () => {
  it('writes the system area and GPT backup xorriso -isohybrid-gpt-basdat writes, apart from the GUIDs', () => {
    const { systemArea, tail } = buildHybridSystemArea(withGpt.input);
    expect(systemArea.byteLength).toBe(systemAreaBytes);
    if (!tail) throw new Error('a GPT layout has a tail');
    expect(tail.byteLength).toBe(hybridTailSectors(true) * sectorBytes);
    const theirs = withGpt.bytes.subarray(0, systemAreaBytes);
    expect(Buffer.from(systemArea).equals(Buffer.from(withOurIdentities(theirs, systemArea, [512], 1024)))).toBe(true);
    const theirTail = withGpt.bytes.subarray(withGpt.bytes.byteLength - tail.byteLength);
    const backupHeaderOffset = tail.byteLength - 512;
    expect(Buffer.from(tail).equals(Buffer.from(withOurIdentities(theirTail, tail, [backupHeaderOffset], 512)))).toBe(true);
  });

  it('writes the MBR xorriso -isohybrid-mbr writes without a GPT, byte for byte (partition type 0x17, no tail)', () => {
    const { systemArea, tail } = buildHybridSystemArea(mbrOnly.input);
    expect(tail).toBeNull();
    expect(Buffer.from(systemArea).equals(Buffer.from(mbrOnly.bytes.subarray(0, systemAreaBytes)))).toBe(true);
  });

  it('spliced into xorriso image, makes xorriso report the same hybrid layout, and our readers read it back', async () => {
    const { systemArea, tail } = buildHybridSystemArea(withGpt.input);
    const path = spliced(withGpt, systemArea, tail);
    const report = runXorrisoReport(path);
    expect(layoutOf(report)).toEqual(layoutOf(withGpt.report));
    expect(report.summary).toEqual(['MBR', 'isohybrid', 'cyl-align-on', 'GPT']);

    const source = await openFileSource(path);
    try {
      const ours = await readBootReport(source);
      expect(ours.mbr?.bootCodeKind).toBe('isohybrid');
      expect(ours.mbr?.partitions.map((partition) => [partition.type, partition.bootable, partition.startLba, partition.sectorCount])).toEqual([
        [0x00, true, 0, withGpt.input.imageSectorCount * 4],
        [0xef, false, (withGpt.input.efiImage?.lba ?? 0) * 4, (withGpt.input.efiImage?.sectorCount ?? 0) * 4],
      ]);
      expect(ours.gpt?.partitions.map((partition) => [partition.name, partition.typeName, partition.attributes])).toEqual([
        ['ISOHybrid', 'basic-data', '1000000000000001'],
        ['ISOHybrid1', 'basic-data', '1000000000000001'],
      ]);
      expect(ours.espLoaders.flatMap((esp) => esp.loaders)).toContain('BOOTX64.EFI');
      expect(ours.verdict.usbBios).toBe(true);
    } finally {
      await source.close();
    }
    // sfdisk reads the same MBR (the GPT's partition 1 overlaps its own header, as xorriso's does, so sgdisk refuses both alike).
    expect(run('sfdisk', ['-d', path])).toMatch(/start=\s*0, size=\s*\d+, type=0, bootable[\s\S]*type=ef/);
  });

  it('writes the Apple Partition Map, MBR and GPT xorriso -isohybrid-apm-hfsplus -isohybrid-gpt-basdat writes (entries from LBA 12, a 14-sector tail), apart from the GUIDs', () => {
    const { systemArea, tail } = buildHybridSystemArea(withApm.input);
    if (!tail) throw new Error('a GPT layout has a tail');
    expect(tail.byteLength).toBe(hybridTailSectors(true, true) * sectorBytes);
    expect(hybridTailSectors(true, true)).toBe(14);
    const theirs = withApm.bytes.subarray(0, systemAreaBytes);
    expect(Buffer.from(systemArea).equals(Buffer.from(withOurIdentities(theirs, systemArea, [512], 12 * 512)))).toBe(true);
    const theirTail = withApm.bytes.subarray(withApm.bytes.byteLength - tail.byteLength);
    expect(Buffer.from(tail).equals(Buffer.from(withOurIdentities(theirTail, tail, [tail.byteLength - 512], tail.byteLength - 512 - 52 * 512)))).toBe(true);
  });

  it('writes the Apple Partition Map and MBR of xorriso -isohybrid-apm-hfsplus without a GPT, plus the EFI image\u2019s 0xEF MBR partition, and xorriso and our APM reader read it', async () => {
    const { systemArea, tail } = buildHybridSystemArea(apmOnly.input);
    expect(tail).toBeNull();
    const theirs = apmOnly.bytes.subarray(0, systemAreaBytes).slice();
    const partition2 = 446 + 16;
    expect(theirs.subarray(partition2, partition2 + 16).every((byte) => byte === 0)).toBe(true);
    theirs.set(systemArea.subarray(partition2, partition2 + 16), partition2);
    expect(Buffer.from(systemArea).equals(Buffer.from(theirs))).toBe(true);

    const path = spliced(apmOnly, systemArea, null);
    const report = runXorrisoReport(path);
    expect(report.summary).toEqual(['MBR', 'isohybrid', 'cyl-align-on', 'APM']);
    expect(report.apmPartitions).toEqual(runXorrisoReport(apmOnly.path).apmPartitions);
    const source = await openFileSource(path);
    try {
      const ours = await readBootReport(source);
      expect(ours.apm?.partitions.map((partition) => [partition.name, partition.type])).toEqual([
        ['Apple', 'Apple_partition_map'],
        ['EFI', 'Apple_HFS'],
      ]);
    } finally {
      await source.close();
    }
  });

  it('gives equal bytes for equal seeds and different GUIDs for different seeds', () => {
    const first = buildHybridSystemArea(withGpt.input);
    const again = buildHybridSystemArea(withGpt.input);
    const other = buildHybridSystemArea({ ...withGpt.input, identitySeed: 'another seed' });
    expect(Buffer.from(first.systemArea).equals(Buffer.from(again.systemArea))).toBe(true);
    expect(Buffer.from(first.tail ?? []).equals(Buffer.from(again.tail ?? []))).toBe(true);
    const diskGuid = (area: Uint8Array): string => Buffer.from(area.subarray(512 + 56, 512 + 72)).toString('hex');
    expect(diskGuid(other.systemArea)).not.toBe(diskGuid(first.systemArea));
  });

  it("patches GRUB's boot_hybrid.img with core.img's 512-byte sector (eltorito.img's LBA * 4 + 4), as xorriso --grub2-mbr does", () => {
    const code = new Uint8Array(readFileSync(grubBootHybridPath));
    const { systemArea } = buildHybridSystemArea({ ...mbrOnly.input, mbrBootCode: code, biosBootImageLba: 34 });
    expect(Buffer.from(systemArea.subarray(0, 432)).equals(Buffer.from(code.subarray(0, 432)))).toBe(true);
    expect(new DataView(systemArea.buffer).getBigUint64(432, true)).toBe(34n * 4n + 4n);
  });

  it('refuses what it cannot write, naming why', () => {
    expect(() => buildHybridSystemArea({ ...mbrOnly.input, apm: true })).toThrow(/Apple Partition Map .* describes the EFI boot image/);
    expect(() => buildHybridSystemArea({ ...withGpt.input, efiImage: null })).toThrow(/needs an EFI boot image/);
    expect(() => buildHybridSystemArea({ ...mbrOnly.input, mbrBootCode: new Uint8Array(100) })).toThrow(/100 bytes is shorter than the 432/);
    expect(() => buildHybridSystemArea({ ...mbrOnly.input, biosBootImageLba: null })).toThrow(/needs the El Torito BIOS boot image/);
    expect(() => buildHybridSystemArea({ ...withGpt.input, efiImage: { lba: withGpt.input.imageSectorCount - 2, sectorCount: 4 } })).toThrow(/not inside/);
  });
});

describe('hybridAlignedSectorCount', () => {
  it('pads to the cylinders xorriso pads to: 1 MiB (64 heads) for small images, more heads past 1 GiB', () => {
    expect(hybridAlignedSectorCount(withGpt.input.imageSectorCount)).toBe(withGpt.input.imageSectorCount); // xorriso's own image is aligned
    expect(hybridAlignedSectorCount(700)).toBe(1024);
    expect(hybridAlignedSectorCount(1024)).toBe(1024);
    // xorriso made a 1,154,236,416-byte image (563,592 sectors) of 69 heads x 32 sectors for 1.1 GiB of data.
    expect(hybridAlignedSectorCount(563_100)).toBe(563_592);
  });

  it("gives that image partition 1's CHS end in 69 heads, as xorriso wrote it (3f 20 01 for 1 MiB cylinders, 44 e0 fc there)", () => {
    const entryOf = (imageSectorCount: number): string => {
      const { systemArea } = buildHybridSystemArea({ ...mbrOnly.input, imageSectorCount });
      return Buffer.from(systemArea.subarray(446, 462)).toString('hex');
    };
    // Bytes 446-461 of xorriso's 1,154,236,416-byte isohybrid image: active, CHS 0/0/1, type 0x17, CHS end 1020/68/32, LBA 0, 2,254,368 sectors.
    expect(entryOf(563_592)).toBe('80000100' + '1744e0fc' + '00000000' + '20662200');
    expect(entryOf(1024)).toBe(Buffer.from(mbrOnly.bytes.subarray(446, 462)).toString('hex'));
  });
});
