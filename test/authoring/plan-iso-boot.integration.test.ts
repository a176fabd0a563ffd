// planIso with El Torito and a hybrid system area, proven by booting: GRUB banner loaders (BIOS
// eltorito.img, EFI image in FAT) put in a hand-made tree, the image planned with BIOS + EFI entries,
// boot info tables, GRUB's boot_hybrid.img MBR and a GPT, then started in QEMU as a CD (SeaBIOS,
// OVMF) and as a USB stick (SeaBIOS through the MBR, OVMF through the GPT's EFI partition), each by
// the product's runner (tryInVm, through test/helpers/qemu-boot.ts): the firmware's hand-off to the
// medium, then the loader's banner on the serial console.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BootImageSpec, HybridSpec } from '../../src-main/authoring/iso-authoring.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { listWithIsotope, listWithPycdlib } from '../iso/reference-listing.ts';
import { bootBanner, writeBannerLoader } from '../fixtures/qemu-boot-images.ts';
import { grubBootHybridPath } from '../helpers/boot-reference-images.ts';
import { bootAndWatch, bootEvidence, booted } from '../helpers/qemu-boot.ts';
import { authoringOptions, directoryNode, fileNode, writePlannedIso } from './plan-iso-fixtures.ts';

const biosBanner = bootBanner('plan-iso-bios');
const efiBanner = bootBanner('plan-iso-efi');
const bootTimeoutMs = 90_000;

let workDir = '';
let biosLoader = new Uint8Array(0);
let efiImage = new Uint8Array(0);
const cleanups: (() => void)[] = [];

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'isotope-plan-iso-boot-'));
  writeBannerLoader(join(workDir, 'eltorito.img'), 'i386-pc-eltorito', biosBanner, workDir);
  writeBannerLoader(join(workDir, 'bootx64.efi'), 'x86_64-efi', efiBanner, workDir);
  const efiPath = join(workDir, 'efi.img');
  runTool('mkfs.fat', ['-C', efiPath, '2880']);
  runTool('mmd', ['-i', efiPath, '::/EFI', '::/EFI/BOOT']);
  runTool('mcopy', ['-i', efiPath, join(workDir, 'bootx64.efi'), '::/EFI/BOOT/BOOTX64.EFI']);
  biosLoader = readFileSync(join(workDir, 'eltorito.img'));
  efiImage = readFileSync(efiPath);
}, 120_000);

afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  rmSync(workDir, { recursive: true, force: true });
});

function bootTree(): AuthoringNode {
  return directoryNode('', [
    directoryNode('boot', [directoryNode('grub', [fileNode('eltorito.img', biosLoader), fileNode('efi.img', efiImage)])]),
    fileNode('README.TXT', 'a bootable image made by planIso\n'),
  ]);
}

const biosEntry: BootImageSpec = {
  platformId: 0x00,
  mediaType: 0,
  loadSegment: 0,
  systemType: 0,
  loadSectorCount: null,
  bootInfoTable: true,
  grub2BootInfo: true,
  image: { path: '/boot/grub/eltorito.img' },
  partition: false,
};
const efiEntry: BootImageSpec = {
  ...biosEntry,
  platformId: 0xef,
  bootInfoTable: false,
  grub2BootInfo: false,
  image: { path: '/boot/grub/efi.img' },
  partition: true,
};

async function writeBootImage(hybrid: HybridSpec | null): Promise<string> {
  const planned = await planIso(authoringOptions(bootTree(), { rockRidge: true, joliet: true, boot: { entries: [biosEntry, efiEntry], hybrid } }));
  const written = await writePlannedIso(planned);
  cleanups.push(written.remove);
  return written.path;
}

describe('planIso: El Torito', () => {
  test('xorriso reports the BIOS and EFI entries at the tree files their catalog names, with the boot info table', async () => {
    const path = await writeBootImage(null);
    const report = runTool('xorriso', ['-indev', path, '-report_el_torito', 'plain']);
    const lbaOf = (name: string): string =>
      new RegExp(`File data lba:\\s+0 ,\\s+(\\d+) ,.*'${name}'`).exec(runTool('xorriso', ['-indev', path, '-find', '/', '-exec', 'report_lba']))![1]!;
    expect(report).toMatch(new RegExp(`El Torito boot img :\\s+1\\s+BIOS\\s+y\\s+none\\s+0x0000\\s+0x00\\s+4\\s+${lbaOf('/boot/grub/eltorito.img')}`));
    expect(report).toMatch(new RegExp(`El Torito boot img :\\s+2\\s+UEFI\\s+y\\s+none\\s+0x0000\\s+0x00\\s+5760\\s+${lbaOf('/boot/grub/efi.img')}`));
    // The BIOS image's boot info table (El Torito / mkisofs): PVD at 16 and the image's own LBA.
    const image = readFileSync(path);
    const imageLba = Number(lbaOf('/boot/grub/eltorito.img'));
    const table = new DataView(image.buffer, image.byteOffset + imageLba * 2048 + 8, 8);
    expect([table.getUint32(0, true), table.getUint32(4, true)]).toEqual([16, imageLba]);
  });

  test('a hybrid image with a GPT is read alike by our reader and pycdlib, and xorriso reads every sector', async () => {
    const path = await writeBootImage({ mbrBootCode: readFileSync(grubBootHybridPath).subarray(0, 432), gpt: true, apm: false });
    const ours = await listWithIsotope(path, 'rockridge');
    expect(ours).toEqual(listWithPycdlib(path, 'rockridge'));
    expect(ours.map((entry) => entry.path)).toEqual(['/README.TXT', '/boot', '/boot/grub', '/boot/grub/efi.img', '/boot/grub/eltorito.img']);
    expect(runTool('xorriso', ['-indev', path, '-check_media', '--'])).toMatch(/Media region :\s+0 ,\s+\d+ , \+ good/);
    expect(runTool('isoinfo', ['-d', '-i', path])).toMatch(/El Torito VD version 1 found/);
  });

  test(
    'boots as a CD: SeaBIOS through the BIOS entry, OVMF through the EFI entry',
    async () => {
      const path = await writeBootImage(null);
      const bios = await bootAndWatch({ diskPath: path, medium: 'cdrom', firmware: 'bios', banner: biosBanner });
      expect(booted(bios), bootEvidence(bios)).toBe(true);
      const uefi = await bootAndWatch({ diskPath: path, medium: 'cdrom', firmware: 'uefi', banner: efiBanner });
      expect(booted(uefi), bootEvidence(uefi)).toBe(true);
    },
    2 * bootTimeoutMs,
  );

  test(
    'boots as a stick when hybrid: SeaBIOS through boot_hybrid.img, OVMF through the GPT EFI partition',
    async () => {
      const path = await writeBootImage({ mbrBootCode: readFileSync(grubBootHybridPath).subarray(0, 432), gpt: true, apm: false });
      const systemArea = runTool('xorriso', ['-indev', path, '-report_system_area', 'plain']);
      expect(systemArea).toMatch(/GPT partition name :\s+\d+\s+/);
      const bios = await bootAndWatch({ diskPath: path, medium: 'usb-stick', firmware: 'bios', banner: biosBanner });
      expect(booted(bios), bootEvidence(bios)).toBe(true);
      const uefi = await bootAndWatch({ diskPath: path, medium: 'usb-stick', firmware: 'uefi', banner: efiBanner });
      expect(booted(uefi), bootEvidence(uefi)).toBe(true);
    },
    2 * bootTimeoutMs,
  );
});
