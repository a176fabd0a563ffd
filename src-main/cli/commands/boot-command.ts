// `isotope boot IMAGE [--json]`: how an image boots, explained like xorriso's -report_el_torito and
// -report_system_area, followed by the verdict and its reasons.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BootReport, ElToritoEntry, UefiArchitectures, UsbBootability } from '../../../shared/boot.ts';
import { reportResult, type CliContext } from '../cli-context.ts';

export function registerBootCommand(program: Command, context: CliContext): void {
  program
    .command('boot')
    .description('explain how an image boots: El Torito, MBR/GPT/APM, EFI loaders, and a verdict')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const result = await context.createService().call('image:boot', { path: resolve(image) });
      context.setExitCode(reportResult(context, result, options.json === true, describeBoot));
    });
}

export function describeBoot(report: BootReport): string {
  const lines: string[] = [];
  if (report.elTorito) {
    lines.push(`El Torito catalog at sector ${report.elTorito.catalogLba}${report.elTorito.validationId ? ` (${report.elTorito.validationId})` : ''}`);
    for (const [index, entry] of report.elTorito.entries.entries()) lines.push(`  ${index + 1}. ${describeEntry(entry)}`);
  } else {
    lines.push('El Torito: none');
  }
  if (report.mbr) {
    lines.push(`MBR: boot code ${report.mbr.hasBootCode ? report.mbr.bootCodeKind : 'none'}`);
    for (const partition of report.mbr.partitions) {
      lines.push(
        `  ${partition.index}. type 0x${hex(partition.type, 2)}${partition.bootable ? ' bootable' : ''}, start ${partition.startLba}, ${partition.sectorCount} sectors${partition.withinImage ? '' : ' (past the end)'}`,
      );
    }
  } else {
    lines.push('MBR: none');
  }
  if (report.gpt) {
    lines.push(`GPT: disk ${report.gpt.diskGuid}, ${report.gpt.entryCount} entries at LBA ${report.gpt.entriesLba}`);
    for (const partition of report.gpt.partitions) {
      lines.push(
        `  ${partition.index}. ${partition.typeName ?? partition.typeGuid} "${partition.name}", LBA ${partition.firstLba}-${partition.lastLba}${partition.withinImage ? '' : ' (past the end)'}`,
      );
    }
  } else {
    lines.push('GPT: none');
  }
  if (report.apm) {
    lines.push(`APM: ${report.apm.blockSizeBytes}-byte blocks`);
    for (const partition of report.apm.partitions) {
      lines.push(`  ${partition.index}. ${partition.type} "${partition.name}", block ${partition.startBlock}, ${partition.blockCount} blocks`);
    }
  } else {
    lines.push('APM: none');
  }
  if (report.warnings.length > 0) lines.push('Warnings:', ...report.warnings.map((warning) => `  - ${warning.message}`));
  const { verdict } = report;
  lines.push(
    'Verdict:',
    `  USB stick:      ${usbWords[verdict.usb]}`,
    `  USB, BIOS:      ${yesNo(verdict.usbBios)}`,
    `  USB, UEFI:      ${verdict.usb === 'depends-on-firmware' ? `${usbWords[verdict.usb]} (El Torito only)` : architectures(verdict.usbUefi)}`,
    `  Optical, BIOS:  ${yesNo(verdict.opticalBios)}`,
    `  Optical, UEFI:  ${architectures(verdict.opticalUefi)}`,
    'Because:',
    ...verdict.reasons.map((reason) => `  - ${reason.message}`),
  );
  return `${lines.join('\n')}\n`;
}

const usbWords: Readonly<Record<UsbBootability, string>> = {
  yes: 'yes',
  no: 'no',
  'depends-on-firmware': 'depends on the firmware',
  unknown: 'unknown (a disk image: the device it is for decides)',
};

function describeEntry(entry: ElToritoEntry): string {
  const parts = [
    `${typeof entry.platform === 'number' ? `platform 0x${hex(entry.platform, 2)}` : entry.platform}`,
    entry.bootable ? 'bootable' : 'not bootable',
    `emulation ${entry.emulation}`,
    `load segment 0x${hex(entry.loadSegment, 4)}`,
    `${entry.sectorCount} sectors`,
    `image at sector ${entry.imageLba}`,
  ];
  if (entry.imagePath !== undefined) parts.push(entry.imagePath);
  if (entry.bootInfoTable) parts.push('boot-info-table');
  if (entry.efiLoaders !== undefined) parts.push(`EFI/BOOT: ${entry.efiLoaders.join(', ') || 'no .EFI files'}`);
  return parts.join(', ');
}

function architectures(value: UefiArchitectures): string {
  const names = [value.x64 ? 'x64' : null, value.ia32 ? 'ia32' : null, value.aa64 ? 'arm64' : null].filter((name) => name !== null);
  return names.length > 0 ? `yes (${names.join(', ')})` : 'no';
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
