// The verdict rules as pure functions over hand-made structures.
import { describe, expect, it } from 'vitest';
import type { ElToritoEntry, MbrReport } from '../../shared/boot.ts';
import { architecturesOf, judgeBoot } from '../../src-main/boot/boot-verdict.ts';

const biosEntry: ElToritoEntry = {
  platform: 'x86',
  bootable: true,
  emulation: 'none',
  loadSegment: 0,
  systemType: 0,
  sectorCount: 4,
  imageLba: 40,
  bootInfoTable: true,
  section: 0,
};
const efiEntry: ElToritoEntry = { ...biosEntry, platform: 'efi', imageLba: 41, bootInfoTable: false, section: 1, efiLoaders: ['BOOTAA64.EFI'] };
const isohybridMbr: MbrReport = {
  hasBootCode: true,
  bootCodeKind: 'isohybrid',
  partitions: [{ index: 1, type: 0x00, bootable: true, startLba: 0, sectorCount: 100, withinImage: true }],
};
const none = { x64: false, ia32: false, aa64: false };

describe('boot verdict', () => {
  it('maps removable-media loader names to architectures, ignoring case', () => {
    expect(architecturesOf(['bootx64.efi', 'BOOTIA32.EFI', 'grubx64.efi'])).toEqual({ x64: true, ia32: true, aa64: false });
  });

  it('says nothing boots an image without El Torito, MBR or partitions', () => {
    const verdict = judgeBoot({ elTorito: null, mbr: null, gpt: null, apm: null, espLoaders: [] });
    expect(verdict).toMatchObject({ usbBios: false, usbUefi: none, opticalBios: false, opticalUefi: none });
    expect(verdict.reasons.map((reason) => reason.code)).not.toContain('non-hybrid-iso');
  });

  it('calls an El Torito image without MBR boot code or ESP non-hybrid', () => {
    const verdict = judgeBoot({ elTorito: { catalogLba: 33, validationId: '', entries: [biosEntry, efiEntry] }, mbr: null, gpt: null, apm: null, espLoaders: [] });
    expect(verdict).toMatchObject({ usbBios: false, usbUefi: none, opticalBios: true, opticalUefi: { x64: false, ia32: false, aa64: true } });
    expect(verdict.reasons.map((reason) => reason.code)).toContain('non-hybrid-iso');
  });

  it('gives USB UEFI per architecture from the loaders each reachable ESP holds', () => {
    const verdict = judgeBoot({
      elTorito: null,
      mbr: isohybridMbr,
      gpt: null,
      apm: null,
      espLoaders: [
        { via: 'mbr', partitionIndex: 2, loaders: ['BOOTX64.EFI'] },
        { via: 'gpt', partitionIndex: 3, loaders: ['BOOTIA32.EFI'] },
      ],
    });
    expect(verdict).toMatchObject({ usbBios: true, usbUefi: { x64: true, ia32: true, aa64: false } });
  });

  it('does not count a not-bootable EFI entry for optical UEFI', () => {
    const verdict = judgeBoot({ elTorito: { catalogLba: 33, validationId: '', entries: [{ ...efiEntry, bootable: false }] }, mbr: null, gpt: null, apm: null, espLoaders: [] });
    expect(verdict.opticalUefi).toEqual(none);
  });

  it('says when an EFI boot image is not a FAT file system', () => {
    const { efiLoaders: _absent, ...notFat } = efiEntry;
    const verdict = judgeBoot({ elTorito: { catalogLba: 33, validationId: '', entries: [notFat] }, mbr: null, gpt: null, apm: null, espLoaders: [] });
    expect(verdict.reasons.find((reason) => reason.code === 'optical-uefi-none')?.message).toMatch(/not a FAT file system/);
  });
});
