// `isotope info IMAGE [--json]`: what the image is: formats found, label, sizes, dates, identifiers.
// Exit code 1 when the file is neither an ISO 9660 nor a UDF image (the summary is still printed).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ImageNamespace, ImageSummary, UdfVolumeInfo } from '../../../shared/image.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';

export function registerInfoCommand(program: Command, context: CliContext): void {
  program
    .command('info')
    .description('summarise an image: size, format, volume label')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const result = await context.createService().call('image:open', { path: resolve(image) });
      const exitCode = reportResult(context, result, options.json === true, describeImage);
      context.setExitCode(exitCode === exitCodes.ok && result.ok && result.value.format === 'unknown' ? exitCodes.failed : exitCode);
    });
}

function describeImage(image: ImageSummary): string {
  const lines = [
    `File:          ${image.path}`,
    `Size:          ${image.sizeBytes} bytes`,
    `Format:        ${image.format === 'iso9660' ? `ISO 9660${image.udf ? ' + UDF bridge' : ''}` : image.format === 'udf' ? 'UDF' : 'not an ISO 9660 or UDF image'}`,
  ];
  if (image.volumeLabel !== null) lines.push(`Volume label:  ${image.volumeLabel}`);
  if (image.volumeSizeBytes !== null) lines.push(`Volume size:   ${image.volumeSizeBytes} bytes`);
  const iso = image.iso;
  if (iso) {
    const date = (ms: number | null): string => (ms === null ? '(not set)' : new Date(ms).toISOString());
    lines.push(`Formats:       ${iso.formats.join(', ')}`, `Namespaces:    ${iso.namespaces.join(', ')}`);
    if (iso.jolietVolumeLabel !== null) lines.push(`Joliet label:  ${iso.jolietVolumeLabel} (level ${iso.jolietLevel})`);
    if (iso.rockRidgeExtensions.length > 0) lines.push(`Rock Ridge:    ${iso.rockRidgeExtensions.join(', ')}`);
    lines.push(
      `Block size:    ${iso.logicalBlockSizeBytes} bytes`,
      `System:        ${iso.systemIdentifier}`,
      `Volume set:    ${iso.volumeSetIdentifier}`,
      `Publisher:     ${iso.publisherIdentifier}`,
      `Preparer:      ${iso.dataPreparerIdentifier}`,
      `Application:   ${iso.applicationIdentifier}`,
      `Created:       ${date(iso.creationMs)}`,
      `Modified:      ${date(iso.modificationMs)}`,
      `Expires:       ${date(iso.expirationMs)}`,
      `Effective:     ${date(iso.effectiveMs)}`,
    );
    for (const boot of iso.bootSystemIdentifiers) lines.push(`Boot record:   ${boot}`);
  }
  if (image.udf) lines.push(...describeUdf(image.udf, image.namespaces ?? []));
  return `${lines.join('\n')}\n`;
}

function describeUdf(udf: UdfVolumeInfo, namespaces: readonly ImageNamespace[]): string[] {
  const lines = [
    `UDF revision:  ${udf.revision}`,
    `UDF volume:    ${udf.logicalVolumeIdentifier}`,
    `UDF maps:      ${udf.partitionMaps.join(', ')}`,
    `UDF files:     ${udf.fileCount}`,
  ];
  if (namespaces.length > 0) lines.push(`All names:     ${namespaces.join(', ')}${udf.isoTreeIsStub ? ' (the ISO 9660 tree is a stub)' : ''}`);
  if (udf.largestFile)
    lines.push(
      `Largest file:  ${udf.largestFile.path} (${udf.largestFile.sizeBytes} bytes${udf.largestFile.sizeBytes >= 2 ** 32 ? ', too large for FAT32' : ''})`,
    );
  const windows = udf.windowsInstaller;
  if (windows) {
    const parts = [`${windows.installImagePath} (${windows.installImageSizeBytes} bytes)`];
    if (windows.hasBootmgr) parts.push('bootmgr');
    if (windows.hasEfiBoot) parts.push('efi/boot/bootx64.efi');
    lines.push(`Windows setup: ${parts.join(', ')}`);
  } else lines.push('Windows setup: not recognised');
  return lines;
}
