// The boot a remaster keeps (src-main/authoring/kept-boot.ts via remasterAuthoringOptions): every El
// Torito entry and the hybrid system area of real bootable images, compared with what xorriso's
// -report_el_torito and -report_system_area read in the same originals.
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RemasterEdit } from '../../shared/authoring.ts';
import type { BootImageSpec } from '../../src-main/authoring/iso-authoring.ts';
import { findAuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { bootFixturePath, isohybridMbr, isolinuxBin } from '../fixtures/boot-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { patchedCopy, recordExtentPatches, withOptions } from './remaster-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ipxeIsoPath = '/usr/lib/ipxe/ipxe.iso';
const grubRescueIsoPath = '/usr/lib/grub-rescue/grub-rescue-cdrom.iso';

const platformIds: Record<string, number> = { BIOS: 0, PPC: 1, Mac: 2, UEFI: 0xef };
const mediaTypes: Record<string, number> = { none: 0, 'fd1.2': 1, 'fd1.4': 2, 'fd2.8': 3, hd: 4 };

interface ReportedEntry {
  readonly spec: Omit<BootImageSpec, 'image' | 'partition'>;
  readonly lba: number;
  readonly path: string | null;
  /** xorriso's own judgment of an image outside the tree ("El Torito img blks"), in bytes. */
  readonly hiddenSizeBytes: number | null;
}

/** The entries `xorriso -report_el_torito plain` reads in `imagePath`. */
function reportedEntries(imagePath: string): ReportedEntry[] {
  const report = runTool('xorriso', ['-indev', imagePath, '-report_el_torito', 'plain']);
  const field = (what: string, index: number): string | null =>
    new RegExp(`^El Torito ${what}\\s*:\\s+${index}\\s+(.*)$`, 'm').exec(report)?.[1]?.trim() ?? null;
  const entries: ReportedEntry[] = [];
  for (const line of report.matchAll(/^El Torito boot img :\s+(\d+)\s+(\S+)\s+([yn])\s+(\S+)\s+0x(\w+)\s+0x(\w+)\s+(\d+)\s+(\d+)$/gm)) {
    const [, index, platform, bootable, emulation, loadSegment, systemType, loadSize, lba] = line as unknown as string[];
    const options = field('img opts', Number(index)) ?? '';
    const blocks = field('img blks', Number(index));
    entries.push({
      spec: {
        platformId: platformIds[platform as string] as number,
        mediaType: mediaTypes[emulation as string] as number,
        loadSegment: Number.parseInt(loadSegment as string, 16),
        systemType: Number.parseInt(systemType as string, 16),
        loadSectorCount: Number(loadSize),
        bootable: bootable === 'y',
        bootInfoTable: options.split(' ').includes('boot-info-table'),
        grub2BootInfo: options.split(' ').includes('grub2-boot-info'),
      },
      lba: Number(lba),
      path: field('img path', Number(index)),
      hiddenSizeBytes: blocks === null ? null : Number(blocks) * 2048,
    });
  }
  return entries;
}

/** The kept entries in the report's shape (the LBAs are the original's, from the report). */
function keptAsReported(entries: readonly BootImageSpec[], reported: readonly ReportedEntry[]): ReportedEntry[] {
  return entries.map(({ image, partition, ...spec }, index) => {
    void partition;
    return {
      spec,
      lba: reported[index]?.lba ?? -1,
      path: 'path' in image ? image.path : null,
      hiddenSizeBytes: 'path' in image ? null : image.source.sizeBytes,
    };
  });
}

function firstBytes(path: string, lengthBytes: number, offsetBytes = 0): Buffer {
  const bytes = Buffer.alloc(lengthBytes);
  const descriptor = openSync(path, 'r');
  try {
    readSync(descriptor, bytes, 0, lengthBytes, offsetBytes);
  } finally {
    closeSync(descriptor);
  }
  return bytes;
}

describe('the boot a remaster keeps', () => {
  it.each([
    ['the xorriso isolinux + EFI hybrid', bootFixturePath('hybridGpt')],
    ['ipxe.iso', ipxeIsoPath],
    ['grub-rescue-cdrom.iso', grubRescueIsoPath],
    ['the six-entry BIOS, floppy, hard disk, EFI, PPC and Mac image', bootFixturePath('multiEntry')],
    ['the genisoimage BIOS + EFI image with a not-bootable floppy entry', bootFixturePath('plainGenisoimage')],
  ])('keeps every El Torito entry of %s as xorriso reports it', async (_name, imagePath) => {
    const reported = reportedEntries(imagePath);
    const kept = await withOptions(imagePath, async (options) => keptAsReported(options.boot.entries, reported));
    expect(reported.length).toBeGreaterThan(0);
    expect(kept).toEqual(reported);
  });

  it('keeps the isohybrid MBR boot code and the GPT of the hybrid, and gives the EFI image the partition it had', async () => {
    const imagePath = bootFixturePath('hybridGpt');
    const boot = await withOptions(imagePath, async (options) => options.boot);
    expect(Buffer.from(boot.hybrid?.mbrBootCode ?? [])).toEqual(readFileSync(isohybridMbr).subarray(0, 432));
    expect({ gpt: boot.hybrid?.gpt, apm: boot.hybrid?.apm }).toEqual({ gpt: true, apm: false });
    expect(boot.entries.map((entry) => entry.partition)).toEqual([false, true]);
  });

  it("keeps ipxe.iso's and grub-rescue's MBR boot code (no GPT), and an Apple partition map where the original has one", async () => {
    const codes = { [ipxeIsoPath]: "SYSLINUX's isohybrid MBR boot code", [grubRescueIsoPath]: "GRUB 2's MBR boot code" };
    for (const [imagePath, code] of Object.entries(codes)) {
      const { hybrid, detected } = await withOptions(imagePath, async (options) => ({ hybrid: options.boot.hybrid, detected: options.bootDetected }));
      expect(Buffer.from(hybrid?.mbrBootCode ?? [])).toEqual(firstBytes(imagePath, 432));
      expect({ gpt: hybrid?.gpt, apm: hybrid?.apm }).toEqual({ gpt: false, apm: false });
      expect(detected).toContain(`kept from the original: hybrid system area: ${code}`);
    }
    const apm = await withOptions(bootFixturePath('hybridApm'), async (options) => options.boot.hybrid);
    expect({ gpt: apm?.gpt, apm: apm?.apm }).toEqual({ gpt: true, apm: true });
  });

  it('reads an EFI image outside the tree (an appended partition) from the original, sized by its partition as xorriso sizes it', async () => {
    const imagePath = bootFixturePath('appendedEsp');
    const reported = reportedEntries(imagePath);
    const hidden = await withOptions(imagePath, async (options) => {
      const entry = options.boot.entries[1] as BootImageSpec;
      if ('path' in entry.image) throw new Error(`the EFI image is the tree's ${entry.image.path}`);
      const source = entry.image.source;
      return {
        sizeBytes: source.sizeBytes,
        head: Buffer.from(await source.read(0, 64 * 1024)),
        description: entry.image.description,
        partition: entry.partition,
      };
    });
    expect(hidden.sizeBytes).toBe(reported[1]?.hiddenSizeBytes);
    expect(hidden.head).toEqual(firstBytes(imagePath, 64 * 1024, 512 * 2048));
    expect(hidden.description).toMatch(/hidden image from the original, 34\.0 MiB at LBA 512 \(its partition\)/);
    expect(hidden.partition).toBe(true);
  });

  it("leaves out the file of the original's boot catalog, which the new image makes anew, and says so", async () => {
    const found = await withOptions(bootFixturePath('hybridGpt'), async (options) => ({
      isolinux: findAuthoringNode(options.root, '/isolinux')
        ?.children?.map((child) => child.name)
        .sort(),
      detected: options.bootDetected,
    }));
    expect(found.isolinux).toEqual(['isolinux.bin', 'ldlinux.c32']);
    expect(found.detected).toContain("the original's boot catalog /isolinux/boot.cat is not copied: the new image records its own");
  });

  it('sizes boot images no tree file records by their boot info table, as a diskette, by their own MBR and by the gap to the next extent', async () => {
    // The six-entry image with the isolinux, floppy, hard-disk, PPC and Mac images' records pointed at README.TXT:
    // their El Torito images are then in no file of the tree, only in the catalog.
    const imagePath = bootFixturePath('multiEntry');
    const names = ['isolinux.bin', 'floppy.img', 'disk.img', 'ppc.img', 'mac.img'];
    const source = await openFileSource(imagePath);
    let patches: { offsetBytes: number; bytes: Uint8Array }[];
    try {
      const iso = (await openIsoImage(source, { namespace: 'iso9660' }))!;
      const readme = (await iso.lookup('/README.TXT'))!;
      const boot = [...(await iso.listDirectory((await iso.lookup('/BOOT'))!)), ...(await iso.listDirectory((await iso.lookup('/ISOLINUX'))!))];
      patches = boot
        .filter((entry) => names.includes(entry.name.toLowerCase()))
        .flatMap((entry) => recordExtentPatches(entry.recordOffsetBytes, { lba: readme.extentLba, sizeBytes: readme.sizeBytes }));
    } finally {
      await source.close();
    }
    const patched = patchedCopy(imagePath, join(scratch, 'tree-less.iso'), patches);
    const reported = reportedEntries(imagePath);
    const hidden = await withOptions(patched, async (options) =>
      Promise.all(
        options.boot.entries.map(async (entry, index) => {
          if ('path' in entry.image) return { index, path: entry.image.path };
          const lba = reported[index]!.lba;
          const bytes = Buffer.from(await entry.image.source.read(0, entry.image.source.sizeBytes));
          return {
            index,
            sizeBytes: bytes.byteLength,
            same: bytes.equals(firstBytes(imagePath, bytes.byteLength, lba * 2048)),
            how: entry.image.description.replace(/.*\(/, '('),
          };
        }),
      ),
    );
    expect(hidden).toEqual([
      { index: 0, sizeBytes: statSync(isolinuxBin).size, same: true, how: '(its boot info table)' },
      { index: 1, sizeBytes: 1_474_560, same: true, how: '(floppy-1.44 diskette)' },
      { index: 2, sizeBytes: 1024 * 1024, same: true, how: '(its own MBR)' },
      { index: 3, path: '/boot/efi16.img' },
      { index: 4, sizeBytes: 4096, same: true, how: '(up to the next extent)' },
      { index: 5, sizeBytes: 4096, same: true, how: '(up to the next extent)' },
    ]);
  });

  it('keeps a not-bootable entry of the original not bootable in the written copy, as xorriso reads both', async () => {
    const original = bootFixturePath('plainGenisoimage');
    const copy = join(scratch, 'not-bootable-kept.iso');
    const remastered = await isotope(['remaster', original, '-o', copy]);
    expect(remastered.code, remastered.stderr).toBe(0);
    const bootableOf = (imagePath: string): boolean[] => reportedEntries(imagePath).map((entry) => entry.spec.bootable ?? true);
    expect(bootableOf(original)).toEqual([true, true, false]);
    expect(bootableOf(copy)).toEqual([true, true, false]);
    const { warnings, detected } = await withOptions(original, async (options) => ({ warnings: options.warnings, detected: options.bootDetected }));
    expect(warnings.filter((warning) => warning.includes('bootable'))).toEqual([]);
    expect(detected.filter((note) => note.includes('not bootable'))).toEqual([expect.stringContaining('/boot/floppy.img')]);
  });
});

describe('the boot a remaster keeps, after its edits', () => {
  const imagePath = (): string => bootFixturePath('hybridGpt');
  const biosImage = (entries: readonly BootImageSpec[]): BootImageSpec => entries[0] as BootImageSpec;

  it('refuses to remove the BIOS boot image, naming it', async () => {
    const edits: RemasterEdit[] = [{ kind: 'remove', imagePath: '/isolinux' }];
    await expect(withOptions(imagePath(), async () => null, edits)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('the boot image /isolinux/isolinux.bin was removed'),
    });
  });

  it('follows a boot image whose folder is renamed', async () => {
    const edits: RemasterEdit[] = [{ kind: 'rename', imagePath: '/isolinux', newImagePath: '/bios' }];
    const entry = await withOptions(imagePath(), async (options) => biosImage(options.boot.entries), edits);
    expect(entry.image).toEqual({ path: '/bios/isolinux.bin' });
    expect(entry.loadSectorCount).toBe(4);
  });

  it('boots an added file that replaces the boot image, its load size computed anew', async () => {
    const replacement = join(scratch, 'isolinux.bin');
    writeFileSync(replacement, readFileSync('/usr/lib/ISOLINUX/isolinux.bin'));
    const edits: RemasterEdit[] = [{ kind: 'add', sourcePath: replacement, imagePath: '/isolinux/isolinux.bin' }];
    const entry = await withOptions(imagePath(), async (options) => biosImage(options.boot.entries), edits);
    expect(entry.image).toEqual({ path: '/isolinux/isolinux.bin' });
    expect(entry.loadSectorCount).toBeNull();
    expect(entry.bootInfoTable).toBe(true);
  });
});
