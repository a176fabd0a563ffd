// Differential tests: Isotope's boot report against xorriso's -report_el_torito / -report_system_area
// on hybrid images built by xorriso and genisoimage, and on the images Debian packages ship; EFI
// loader lists against mtools' `mdir`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BootReport, ElToritoEntry } from '../../shared/boot.ts';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { createService } from '../../src-main/service/service.ts';
import { bootFixturePath, debianBootImages, type BootFixtureName } from '../fixtures/boot-images.ts';
import { guidFromDiskHex, runXorrisoFileLbas, runXorrisoReport } from './xorriso-report.ts';

async function bootReportOf(path: string): Promise<BootReport> {
  const source = await openFileSource(path);
  try {
    return await readBootReport(source);
  } finally {
    await source.close();
  }
}

const xorrisoPlatform = (platform: ElToritoEntry['platform']): string =>
  typeof platform === 'number' ? `0x${platform.toString(16).padStart(2, '0')}` : { x86: 'BIOS', efi: 'UEFI', ppc: 'PPC', mac: 'Mac' }[platform];

const xorrisoEmulation: Record<ElToritoEntry['emulation'], string> = {
  none: 'none',
  'floppy-1.2': 'fd1.2',
  'floppy-1.44': 'fd1.4',
  'floppy-2.88': 'fd2.8',
  'hard-disk': 'hd',
};

/** Every field xorriso reports must agree with Isotope's. */
async function expectAgreementWithXorriso(path: string): Promise<BootReport> {
  const report = await bootReportOf(path);
  const xorriso = runXorrisoReport(path);

  // El Torito: catalog and every boot image, in catalog order.
  expect(report.elTorito?.catalogLba ?? null).toBe(xorriso.catalogLba);
  expect(
    (report.elTorito?.entries ?? []).map((entry, index) => ({
      index: index + 1,
      platform: xorrisoPlatform(entry.platform),
      bootable: entry.bootable,
      emulation: xorrisoEmulation[entry.emulation],
      loadSegment: entry.loadSegment,
      systemType: entry.systemType,
      sectorCount: entry.sectorCount,
      imageLba: entry.imageLba,
      bootInfoTable: entry.bootInfoTable,
    })),
  ).toEqual(
    xorriso.bootImages.map((image) => ({
      index: image.index,
      platform: image.platform,
      bootable: image.bootable,
      emulation: image.emulation,
      loadSegment: image.loadSegment,
      systemType: image.systemType,
      sectorCount: image.sectorCount,
      imageLba: image.imageLba,
      bootInfoTable: image.options.includes('boot-info-table'),
    })),
  );

  // MBR partition table.
  expect(
    (report.mbr?.partitions ?? []).map((partition) => ({
      index: partition.index,
      status: partition.bootable ? 0x80 : 0,
      type: partition.type,
      start: partition.startLba,
      blocks: partition.sectorCount,
    })),
  ).toEqual(xorriso.mbrPartitions);
  expect(report.mbr?.bootCodeKind === 'isohybrid').toBe(xorriso.summary.includes('isohybrid'));

  // GPT: header fields and every partition.
  expect(report.gpt !== null).toBe(xorriso.gptDiskGuidHex !== null);
  if (report.gpt && xorriso.gptDiskGuidHex) {
    expect(report.gpt.diskGuid).toBe(guidFromDiskHex(xorriso.gptDiskGuidHex));
    expect({ lba: report.gpt.entriesLba, count: report.gpt.entryCount }).toEqual(xorriso.gptEntryArray);
    expect({ firstUsable: report.gpt.firstUsableLba, lastUsable: report.gpt.lastUsableLba, backupHeader: report.gpt.backupHeaderLba }).toEqual(
      xorriso.gptLbaRange,
    );
    expect(
      report.gpt.partitions.map((partition) => ({
        index: partition.index,
        name: partition.name,
        partitionGuid: partition.partitionGuid,
        typeGuid: partition.typeGuid,
        flags: `0x${partition.attributes}`,
        start: partition.firstLba,
        size: partition.lastLba - partition.firstLba + 1,
      })),
    ).toEqual(
      xorriso.gptPartitions
        .filter((partition) => partition.size !== 0)
        .map((partition) => ({
          index: partition.index,
          name: partition.name,
          partitionGuid: guidFromDiskHex(partition.partitionGuidHex ?? ''),
          typeGuid: guidFromDiskHex(partition.typeGuidHex ?? ''),
          flags: partition.flags,
          start: partition.start,
          size: partition.size,
        })),
    );
  }

  // A zero-size GPT entry (xorriso lists it with size 0) is left out of the partitions and named in a warning.
  expect(report.warnings.map((warning) => warning.code === 'gpt-entry-anomaly' && /GPT partition (\d+) ends/.exec(warning.message)?.[1])).toEqual(
    xorriso.gptPartitions.filter((partition) => partition.size === 0).map((partition) => String(partition.index)),
  );

  // APM: xorriso lists the entries after the map's own (Apple_partition_map) entry.
  expect(report.apm?.blockSizeBytes ?? null).toBe(xorriso.apmBlockSize);
  expect(
    (report.apm?.partitions ?? [])
      .filter((partition) => partition.type !== 'Apple_partition_map')
      .map((partition, index) => ({ index: index + 1, name: partition.name, type: partition.type, start: partition.startBlock, size: partition.blockCount })),
  ).toEqual(xorriso.apmPartitions);
  return report;
}

/** The .EFI files of EFI/BOOT inside the FAT volume at `offsetBytes`, as mtools lists them. */
function mtoolsEfiLoaders(path: string, offsetBytes: number): string[] {
  const output = execFileSync('mdir', ['-b', '-i', `${path}@@${offsetBytes}`, '::/EFI/BOOT'], {
    encoding: 'utf8',
    env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
  });
  return output
    .split('\n')
    .map((line) => line.trim().replace(/^::\/EFI\/BOOT\//i, ''))
    .filter((name) => /\.efi$/i.test(name))
    .sort();
}

function expectLoadersAgreeWithMtools(path: string, report: BootReport): void {
  const efiEntries = (report.elTorito?.entries ?? []).filter((entry) => entry.platform === 'efi');
  for (const entry of efiEntries) {
    if (entry.efiLoaders === undefined) expect(() => mtoolsEfiLoaders(path, entry.imageLba * 2048)).toThrow(/non DOS media/);
    else expect([...entry.efiLoaders].sort()).toEqual(mtoolsEfiLoaders(path, entry.imageLba * 2048));
  }
  for (const esp of report.espLoaders) {
    const startLba =
      esp.via === 'gpt'
        ? report.gpt?.partitions.find((partition) => partition.index === esp.partitionIndex)?.firstLba
        : report.mbr?.partitions.find((partition) => partition.index === esp.partitionIndex)?.startLba;
    expect([...esp.loaders].sort()).toEqual(mtoolsEfiLoaders(path, (startLba ?? -1) * 512));
  }
}

type ExpectedVerdict = Pick<BootReport['verdict'], 'usb' | 'usbBios' | 'usbUefi' | 'opticalBios' | 'opticalUefi'>;

const built: readonly { name: Exclude<BootFixtureName, 'sdCard'>; verdict: ExpectedVerdict }[] = [
  // Verdicts follow from how each image was built (test/fixtures/boot-images.ts).
  {
    name: 'hybridGpt',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: true, ia32: true, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: true, aa64: false },
    },
  },
  {
    name: 'hybridApm',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: true, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
  {
    name: 'appendedEsp',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: true, ia32: false, aa64: true },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: true },
    },
  },
  // El Torito EFI entries and no partition table: EDK2 starts them from USB, other firmware does not.
  {
    name: 'multiEntry',
    verdict: {
      usb: 'depends-on-firmware',
      usbBios: false,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
  {
    name: 'plainGenisoimage',
    verdict: {
      usb: 'depends-on-firmware',
      usbBios: false,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
  {
    name: 'plainBiosOnly',
    verdict: {
      usb: 'no',
      usbBios: false,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: false, ia32: false, aa64: false },
    },
  },
  // GPT partition 3 is xorriso's zero-size entry for the 1 KiB stub; the ESP (partition 2) still boots.
  {
    name: 'zeroSizeGptEntry',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: true, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
];

describe('boot report on images built by xorriso and genisoimage', () => {
  for (const { name, verdict } of built) {
    it(`agrees with xorriso and mtools on ${name}, and gives the verdict its construction implies`, async () => {
      const path = bootFixturePath(name);
      const report = await expectAgreementWithXorriso(path);
      expectLoadersAgreeWithMtools(path, report);
      expect(report.verdict).toMatchObject(verdict);
    });
  }

  it('names the ISO path of each boot image through the lookup it is given, as xorriso does', async () => {
    const path = bootFixturePath('multiEntry');
    const lbas = runXorrisoFileLbas(path);
    const source = await openFileSource(path);
    try {
      const report = await readBootReport(source, { lookupPath: (lba) => Promise.resolve(lbas.get(lba) ?? null) });
      expect(report.elTorito?.entries.map((entry) => entry.imagePath ?? null)).toEqual(runXorrisoReport(path).bootImages.map((image) => image.path));
    } finally {
      await source.close();
    }
  });

  it('names the ISO path of each boot image through image:boot (the ISO tree wired in), as xorriso does', async () => {
    const service = createService({ shell: 'cli', version: 'test', log: () => undefined });
    for (const name of ['multiEntry', 'hybridGpt', 'appendedEsp'] as const) {
      const path = bootFixturePath(name);
      const result = await service.invoke('image:boot', { path });
      if (!result.ok) throw new Error(result.error.message);
      const report = result.value as BootReport;
      const paths = report.elTorito?.entries.map((entry) => entry.imagePath ?? null);
      expect(paths).toEqual(runXorrisoReport(path).bootImages.map((image) => image.path));
      expect(paths?.some((imagePath) => imagePath !== null)).toBe(true);
    }
  });

  it('says USB boot of a non-hybrid ISO with an El Torito EFI entry depends on the firmware, not that it will not boot', async () => {
    const report = await bootReportOf(bootFixturePath('plainGenisoimage'));
    const codes = report.verdict.reasons.map((reason) => reason.code);
    expect(codes).toEqual(expect.arrayContaining(['usb-uefi-el-torito-only', 'usb-bios-no-boot-code']));
    expect(codes).not.toContain('non-hybrid-iso');
    expect(codes).not.toContain('usb-uefi-no-esp');
  });

  it('says a non-hybrid BIOS-only ISO will not boot when written raw to USB, and why', async () => {
    const report = await bootReportOf(bootFixturePath('plainBiosOnly'));
    const codes = report.verdict.reasons.map((reason) => reason.code);
    expect(codes).toEqual(expect.arrayContaining(['non-hybrid-iso', 'usb-bios-no-boot-code', 'usb-uefi-no-esp']));
  });

  it('keeps the zero-size GPT entry out of the partitions and names its LBAs as xorriso reports them', async () => {
    const path = bootFixturePath('zeroSizeGptEntry');
    const report = await bootReportOf(path);
    const zeroSize = runXorrisoReport(path).gptPartitions.find((partition) => partition.size === 0);
    expect(zeroSize).toMatchObject({ index: 3 });
    expect(report.gpt?.partitions.map((partition) => partition.index)).toEqual([1, 2]);
    expect(report.warnings).toEqual([
      {
        code: 'gpt-entry-anomaly',
        message: expect.stringContaining(`GPT partition 3 ends at LBA ${(zeroSize?.start ?? 0) - 1}, before its start ${zeroSize?.start}`) as unknown,
      },
    ]);
    expect(report.espLoaders).toContainEqual({ via: 'gpt', partitionIndex: 2, loaders: ['BOOTX64.EFI'] });
  });

  it('reports the not-bootable genisoimage entry as such, and a hard-disk emulation entry with its partition type', async () => {
    const plain = await bootReportOf(bootFixturePath('plainGenisoimage'));
    expect(plain.elTorito?.entries.some((entry) => !entry.bootable && entry.emulation === 'floppy-1.44')).toBe(true);
    const multi = await bootReportOf(bootFixturePath('multiEntry'));
    expect(multi.elTorito?.entries.find((entry) => entry.emulation === 'hard-disk')?.systemType).toBe(0x01);
  });
});

// Verdicts of the images Debian ships, from what each package documents and contains.
const debian: readonly { name: keyof typeof debianBootImages; verdict: ExpectedVerdict }[] = [
  // ipxe.iso: isohybrid MBR (BIOS from USB), EFI image inside the ISO only (no partition reaches it).
  {
    name: 'ipxe',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
  // GRUB rescue: BIOS only (grub2 MBR and El Torito), no EFI.
  {
    name: 'grubRescueCdrom',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: false, ia32: false, aa64: false },
    },
  },
  {
    name: 'grubRescueUsb',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: false, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: false, ia32: false, aa64: false },
    },
  },
  // memtest86+: floppy-emulation BIOS entry, MBR boot code, an appended 0xEF ESP shared with El Torito.
  {
    name: 'memtestX64',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: true, ia32: false, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: true, ia32: false, aa64: false },
    },
  },
  {
    name: 'memtestIa32',
    verdict: {
      usb: 'yes',
      usbBios: true,
      usbUefi: { x64: false, ia32: true, aa64: false },
      opticalBios: true,
      opticalUefi: { x64: false, ia32: true, aa64: false },
    },
  },
];

describe('boot report on the images Debian packages ship', () => {
  for (const { name, verdict } of debian) {
    const path = debianBootImages[name];
    it(`agrees with xorriso and mtools on ${path} and gives the right verdict`, async () => {
      if (!existsSync(path)) throw new Error(`${path} is missing: test/setup/system-tools.sh installs its package`);
      const report = await expectAgreementWithXorriso(path);
      expectLoadersAgreeWithMtools(path, report);
      expect(report.verdict).toMatchObject(verdict);
    });
  }
});
