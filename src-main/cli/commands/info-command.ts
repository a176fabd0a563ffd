// `isotope info IMAGE [--json]`: what the image is: formats found, label, sizes, dates, identifiers; for
// a disk image (or a hybrid ISO) its partition table, partitions and their file systems, and the space
// a target needs; for a compressed image how it is stored and its decoded size.
// Exit code 1 when the file is no image Isotope can read (the summary is still printed).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CompressionInfo, DiskImageInfo, DiskPartitionInfo, ImageNamespace, ImageSummary, UdfVolumeInfo } from '../../../shared/image.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

export function registerInfoCommand(program: Command, context: CliContext): void {
  program
    .command('info')
    .description('summarise an image: size, format, volume label')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image), options);
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
      const result = await context.createService().call('image:open', { path: resolve(image) });
      const exitCode = reportResult(context, result, options.json === true, describeImage);
      context.setExitCode(exitCode === exitCodes.ok && result.ok && result.value.format === 'unknown' ? exitCodes.failed : exitCode);
    });
}

function describeImage(image: ImageSummary): string {
  const lines = [`File:          ${image.path}`, `Size:          ${image.sizeBytes} bytes`, `Format:        ${formatName(image)}`];
  if (image.compression) lines.push(...describeCompression(image.compression));
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
  if (image.disk) lines.push(...describeDisk(image.disk, image.sizeBytes));
  return `${lines.join('\n')}\n`;
}

function formatName(image: ImageSummary): string {
  if (image.format === 'iso9660') return `ISO 9660${image.udf ? ' + UDF bridge' : ''}${image.disk ? ' (hybrid: also a disk with partitions)' : ''}`;
  if (image.format === 'udf') return 'UDF';
  if (image.format === 'disk') return image.disk?.partitionTable === 'none' ? 'disk image (one file system, no partition table)' : 'disk image';
  if (image.compression?.access === 'needs-decoding') return 'unknown until decoded (compressed, not readable at random)';
  return 'not an image Isotope can read (no ISO 9660, UDF, partition table or file system)';
}

const accessWords = { 'random-access': 'read at random', 'decoded-cache': 'read from its decoded copy', 'needs-decoding': 'must be decoded first' } as const;

function describeCompression(compression: CompressionInfo): string[] {
  const decoded = compression.decodedSizeBytes === null ? 'not recorded' : `${compression.decodedSizeBytes} bytes`;
  return [
    `Compressed:    ${compression.kind}${compression.entryName ? ` (entry ${compression.entryName})` : ''}, ${compression.compressedSizeBytes} bytes, ${accessWords[compression.access]}`,
    `Decoded size:  ${decoded}`,
  ];
}

function describeDisk(disk: DiskImageInfo, imageSizeBytes: number): string[] {
  const lines = [`Partitions:    ${disk.partitionTable === 'none' ? 'none (the whole image is one file system)' : disk.partitionTable.toUpperCase()}`];
  // Only a hint: whether the bytes past the partitions and volumes really are empty is checked when a drive is picked.
  const smaller =
    disk.requiredTargetBytes < imageSizeBytes
      ? `, or may need only ${disk.requiredTargetBytes} if the rest of the image is empty (checked when a drive is picked)`
      : '';
  lines.push(`Drive needs:   ${imageSizeBytes} bytes${smaller}`);
  for (const partition of disk.partitions) lines.push(...describePartition(partition));
  for (const warning of disk.warnings) lines.push(`Warning:       ${warning}`);
  return lines;
}

function describePartition(partition: DiskPartitionInfo): string[] {
  const type = partition.scheme === 'none' ? 'whole image' : `${partition.typeName ?? 'unknown type'} (${partition.typeCode})`;
  const flags = [partition.logical ? 'logical' : '', partition.bootable ? 'bootable' : '', partition.withinImage ? '' : 'ends past the image'].filter(
    (flag) => flag !== '',
  );
  const name = partition.name === null ? '' : ` "${partition.name}"`;
  const lines = [
    `  ${String(partition.number).padStart(3)}  ${type}${name}, at ${partition.offsetBytes}, ${partition.sizeBytes} bytes${flags.length > 0 ? `, ${flags.join(', ')}` : ''}`,
  ];
  const fs = partition.filesystem;
  if (!fs) lines.push('       no file system Isotope recognises');
  else {
    const label = fs.label === null ? 'no label' : `label "${fs.label}"`;
    const used = fs.usedBytes === null ? '' : `, ${fs.usedBytes} used`;
    lines.push(`       ${fs.kind}, ${label}, UUID ${fs.uuid ?? '(none)'}, ${fs.sizeBytes} bytes${used}`);
    if (!fs.browsable) lines.push(`       not browsable: ${fs.notBrowsableReason ?? 'unknown reason'}`);
  }
  if (partition.folderName !== '') lines.push(`       folder: /${partition.folderName}/`);
  return lines;
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
