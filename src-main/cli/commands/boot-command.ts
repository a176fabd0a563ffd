// `isotope boot IMAGE [--json]`: how an image boots, explained like xorriso's -report_el_torito and
// -report_system_area, followed by the verdict and its reasons.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  secureBootRevocations,
  type BootReport,
  type ElToritoEntry,
  type RaspberryPiGeneration,
  type SecureBootArchitectureVerdict,
  type SecureBootLoaderVerdict,
  type SecureBootReport,
  type UefiArchitectures,
  type UsbBootability,
} from '../../../shared/boot.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

export function registerBootCommand(program: Command, context: CliContext): void {
  program
    .command('boot')
    .description('explain how an image boots: El Torito, MBR/GPT/APM, EFI loaders, and a verdict')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image), options);
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
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
  lines.push(...describeDiskEvidence(report));
  if (report.secureBoot) lines.push(...describeSecureBoot(report.secureBoot));
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

/** A disk image's partitions, BIOS chain and board loaders (nothing for an ISO). */
function describeDiskEvidence(report: BootReport): string[] {
  const lines: string[] = [];
  if (report.partitions.length > 0) lines.push('Partitions:');
  for (const partition of report.partitions) {
    lines.push(
      `  ${partition.number}. ${partition.scheme.toUpperCase()}${partition.logical ? ' logical' : ''} ${partition.typeCode}${partition.typeName ? ` (${partition.typeName})` : ''}, ${partition.filesystem ?? 'no known file system'}, ${partition.sizeBytes} bytes at byte ${partition.offsetBytes}${partition.bootable ? ', active' : ''}`,
    );
  }
  const { biosChain, boards } = report.verdict;
  if (biosChain?.grubCoreSector !== null && biosChain?.grubCoreSector !== undefined) {
    lines.push(
      `BIOS chain: GRUB boot.img loads core.img from sector ${biosChain.grubCoreSector} (${biosChain.grubCoreLocation ?? 'elsewhere'}): ${biosChain.grubCoreFound === null ? "past the image's end" : biosChain.grubCoreFound ? 'found' : 'not there'}`,
    );
  } else if (biosChain) {
    const active =
      biosChain.activePartition === null
        ? 'no active partition'
        : `active partition ${biosChain.activePartition}${biosChain.activeHasBootSector === null ? " past the image's end" : biosChain.activeHasBootSector ? ' with a boot sector' : ' without a boot sector'}`;
    lines.push(`BIOS chain: ${biosChain.bootCode} boot code, ${active}`);
  }
  if (boards.raspberryPi) {
    lines.push(`Raspberry Pi: boot files on partition ${boards.raspberryPi.partitionNumber}`);
    for (const entry of boards.raspberryPi.generations) {
      lines.push(
        `  ${piGenerationNames[entry.generation]} (${entry.generation}): ${entry.files.join(', ')}${entry.missing.length > 0 ? `; missing ${entry.missing.join(', ')}` : ''}`,
      );
    }
    if (boards.raspberryPi.boards.length > 0) lines.push(`  device trees for: ${boards.raspberryPi.boards.join(', ')}`);
  }
  if (boards.uBoot) {
    const { uBoot } = boards;
    lines.push(`U-Boot: ${uBoot.family}${uBoot.board ? ` (${uBoot.board})` : ''} at byte ${uBoot.offsetBytes}${uBoot.version ? `, ${uBoot.version}` : ''}`);
  }
  return lines;
}

/** Issue 18: one line per loader (hash, revocations, verified signers) and one verdict per architecture. */
function describeSecureBoot(secureBoot: SecureBootReport): string[] {
  const lines = [`Secure Boot (revocation data of ${secureBoot.dataDate}):`];
  for (const warning of secureBoot.dataWarnings ?? []) lines.push(`  warning: ${warning}`);
  for (const loader of secureBoot.loaders) {
    lines.push(`  ${loader.path}: ${loader.architecture}, ${loaderWords[loader.verdict]}`);
    if (loader.error !== undefined) lines.push(`    ${loader.error}`);
    if (loader.authenticodeSha256 !== '') lines.push(`    Authenticode SHA-256 ${loader.authenticodeSha256}${loader.dbxRevoked ? ' (revoked by DBX)' : ''}`);
    if (loader.sbatRevoked.length > 0) lines.push(`    revoked by SBAT: ${loader.sbatRevoked.join(', ')}`);
    for (const signer of loader.signers) {
      lines.push(
        `    signed by ${signer.subjectCommonName} (issuer ${signer.issuerCommonName}, valid ${isoDay(signer.notBeforeMs)} to ${isoDay(signer.notAfterMs)})`,
      );
    }
  }
  for (const { architecture, verdict } of secureBoot.byArchitecture) lines.push(`  ${architecture}: ${architectureWords(verdict, architecture, secureBoot)}`);
  return lines;
}

const loaderWords: Readonly<Record<SecureBootLoaderVerdict, string>> = {
  revoked: 'revoked',
  unsigned: 'unsigned: boots only with Secure Boot off',
  'microsoft-2011-only': "signed by Microsoft's 2011 CA only",
  microsoft: "signed by Microsoft's 2023 CA",
  'other-signer': 'signed by a key firmware trusts only when enrolled (or through shim)',
  unreadable: 'unreadable',
};

function architectureWords(verdict: SecureBootArchitectureVerdict, architecture: string, secureBoot: SecureBootReport): string {
  if (verdict === 'refused') return `Secure Boot: will be refused (revoked by ${secureBootRevocations(secureBoot, architecture).join(' / ')})`;
  const words: Readonly<Record<Exclude<SecureBootArchitectureVerdict, 'refused'>, string>> = {
    microsoft: 'Secure Boot: OK',
    'microsoft-2011-only': 'Secure Boot: trusted by PCs with the 2011 CA only',
    unsigned: 'unsigned: disable Secure Boot to boot',
    'other-signer': 'Secure Boot: only where its signing key is enrolled',
    unreadable: 'Secure Boot: unknown (a loader could not be read)',
  };
  return words[verdict];
}

function isoDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** Raspberry Pi documentation, "Processors": the boards of each SoC. */
const piGenerationNames: Readonly<Record<RaspberryPiGeneration, string>> = {
  bcm2835: 'Pi 1, Zero, CM1',
  bcm2836: 'Pi 2',
  bcm2837: 'Pi 3, Zero 2 W, CM3, Pi 2 v1.2',
  bcm2711: 'Pi 4, Pi 400, CM4',
  bcm2712: 'Pi 5, Pi 500, CM5',
};

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
