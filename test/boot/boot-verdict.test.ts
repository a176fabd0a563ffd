// The verdict rules as pure functions over hand-made structures.
import { describe, expect, it } from 'vitest';
import type { BootPartition, ElToritoEntry, GptReport, MbrReport } from '../../shared/boot.ts';
import { architecturesOf, judgeBoot, type VerdictInput } from '../../src-main/boot/boot-verdict.ts';

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
/** An ISO with nothing in it that boots; each test adds the structures it judges. */
const plainIso: VerdictInput = {
  isIso: true,
  elTorito: null,
  mbr: null,
  gpt: null,
  apm: null,
  espLoaders: [],
  partitions: [],
  biosChain: null,
  boards: { raspberryPi: null, uBoot: null },
};
const protectiveMbr: MbrReport = {
  hasBootCode: false,
  bootCodeKind: 'none',
  partitions: [{ index: 1, type: 0xee, bootable: false, startLba: 1, sectorCount: 99, withinImage: true }],
};
const emptyGpt: GptReport = {
  diskGuid: '',
  backupHeaderLba: 99,
  firstUsableLba: 34,
  lastUsableLba: 66,
  entriesLba: 2,
  entryCount: 128,
  entrySizeBytes: 128,
  partitions: [],
};

describe('boot verdict', () => {
  it('maps removable-media loader names to architectures, ignoring case', () => {
    expect(architecturesOf(['bootx64.efi', 'BOOTIA32.EFI', 'grubx64.efi'])).toEqual({ x64: true, ia32: true, aa64: false });
  });

  it('says nothing boots an image without El Torito, MBR or partitions', () => {
    const verdict = judgeBoot(plainIso);
    expect(verdict).toMatchObject({ usb: 'no', usbBios: false, usbUefi: none, opticalBios: false, opticalUefi: none });
    expect(verdict.reasons.map((reason) => reason.code)).not.toContain('non-hybrid-iso');
  });

  it('says no for USB and calls it non-hybrid when the only boot entry is El Torito for BIOS', () => {
    const verdict = judgeBoot({ ...plainIso, elTorito: { catalogLba: 33, validationId: '', entries: [biosEntry] } });
    expect(verdict).toMatchObject({ usb: 'no', usbBios: false, usbUefi: none, opticalBios: true, opticalUefi: none });
    expect(verdict.reasons.map((reason) => reason.code)).toContain('non-hybrid-iso');
  });

  it('says USB boot depends on the firmware, not no, when an El Torito EFI entry is the only UEFI loader', () => {
    const verdict = judgeBoot({ ...plainIso, elTorito: { catalogLba: 33, validationId: '', entries: [biosEntry, efiEntry] } });
    expect(verdict).toMatchObject({
      usb: 'depends-on-firmware',
      usbBios: false,
      usbUefi: none,
      opticalBios: true,
      opticalUefi: { x64: false, ia32: false, aa64: true },
    });
    const codes = verdict.reasons.map((reason) => reason.code);
    expect(codes).toContain('usb-uefi-el-torito-only');
    expect(codes).not.toContain('non-hybrid-iso');
    expect(codes).not.toContain('usb-uefi-no-esp');
    expect(verdict.reasons.find((reason) => reason.code === 'usb-uefi-el-torito-only')?.message).toMatch(/sector 41 holds BOOTAA64\.EFI.*EDK2/);
  });

  it('says no when a GPT with a protective MBR claims the disk, since EDK2 then never reads El Torito', () => {
    const verdict = judgeBoot({ ...plainIso, elTorito: { catalogLba: 33, validationId: '', entries: [efiEntry] }, mbr: protectiveMbr, gpt: emptyGpt });
    expect(verdict.usb).toBe('no');
    expect(verdict.reasons.map((reason) => reason.code)).toEqual(expect.arrayContaining(['usb-uefi-no-esp', 'non-hybrid-iso']));
  });

  it('says unknown, never no, for a disk image without PC boot code or EFI loader, naming its partitions', () => {
    const piMbr: MbrReport = {
      hasBootCode: false,
      bootCodeKind: 'none',
      partitions: [
        { index: 1, type: 0x0c, bootable: false, startLba: 8192, sectorCount: 1048576, withinImage: true },
        { index: 2, type: 0x83, bootable: false, startLba: 1056768, sectorCount: 4194304, withinImage: true },
      ],
    };
    const partitions: BootPartition[] = [
      {
        number: 1,
        scheme: 'mbr',
        logical: false,
        typeCode: '0x0c',
        typeName: 'W95 FAT32 (LBA)',
        offsetBytes: 8192 * 512,
        sizeBytes: 1048576 * 512,
        bootable: false,
        filesystem: 'fat32',
      },
      {
        number: 5,
        scheme: 'mbr',
        logical: true,
        typeCode: '0x83',
        typeName: null,
        offsetBytes: 1056768 * 512,
        sizeBytes: 4194304 * 512,
        bootable: false,
        filesystem: null,
      },
    ];
    const verdict = judgeBoot({ ...plainIso, isIso: false, mbr: piMbr, partitions });
    expect(verdict.usb).toBe('unknown');
    expect(verdict.reasons.find((reason) => reason.code === 'disk-image-unknown')?.message).toMatch(
      /MBR partition 1 \(W95 FAT32 \(LBA\), fat32\), MBR logical partition 5 \(0x83, no known file system\)/,
    );
    expect(verdict.reasons.map((reason) => reason.code)).not.toContain('non-hybrid-iso');
  });

  it('says yes for a disk image whose MBR carries boot code', () => {
    expect(judgeBoot({ ...plainIso, isIso: false, mbr: isohybridMbr }).usb).toBe('yes');
  });

  it('gives USB UEFI per architecture from the loaders each reachable ESP holds', () => {
    const verdict = judgeBoot({
      ...plainIso,
      mbr: isohybridMbr,
      espLoaders: [
        { via: 'mbr', partitionIndex: 2, loaders: ['BOOTX64.EFI'] },
        { via: 'gpt', partitionIndex: 3, loaders: ['BOOTIA32.EFI'] },
      ],
    });
    expect(verdict).toMatchObject({ usb: 'yes', usbBios: true, usbUefi: { x64: true, ia32: true, aa64: false } });
  });

  it('does not count a not-bootable EFI entry for optical UEFI', () => {
    const verdict = judgeBoot({ ...plainIso, elTorito: { catalogLba: 33, validationId: '', entries: [{ ...efiEntry, bootable: false }] } });
    expect(verdict.opticalUefi).toEqual(none);
  });

  it('says when an EFI boot image is not a FAT file system', () => {
    const { efiLoaders: _absent, ...notFat } = efiEntry;
    const verdict = judgeBoot({ ...plainIso, elTorito: { catalogLba: 33, validationId: '', entries: [notFat] } });
    expect(verdict.reasons.find((reason) => reason.code === 'optical-uefi-none')?.message).toMatch(/not a FAT file system/);
  });
});
