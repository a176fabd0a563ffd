// Opens an image file and summarises it: size, format, volume label, and for ISO 9660 the volume
// details (ECMA-119 8.4 identifiers and dates, Joliet, Rock Ridge, boot records), the UDF ones, a disk
// image's partitions with their file systems (also a hybrid ISO's), and how a compressed image is
// stored. A compressed image that must be decoded first still gets a summary: what its header says.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImageSummary, IsoVolumeInfo } from '../../shared/image.ts';
import { createCachedSource } from '../io/cached-source.ts';
import { openImageSource, type ImageSource } from '../container/open-image-source.ts';
import { NeedsDecodingError } from '../compression/needs-decoding-error.ts';
import { describeUdfVolume } from '../udf/describe-udf-volume.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { openImageTrees } from './open-image-trees.ts';
import { requiredTargetBytes } from './space-needed.ts';

export async function summarizeImage(path: string): Promise<ImageSummary> {
  let file: ImageSource;
  try {
    file = await openImageSource(path); // .iso, .img, .cue/.bin, .nrg, or compressed
  } catch (error) {
    if (error instanceof NeedsDecodingError) return needsDecodingSummary(path, error);
    throw error;
  }
  const source = createCachedSource(file);
  try {
    const trees = await openImageTrees(source, 'auto', { disk: true });
    const image = trees?.iso ?? null;
    const udf = trees?.udf ?? null;
    const disk = trees?.disk ?? null;
    const primary = image?.descriptors.primary;
    // A bare file system (no partition table) is named by its own label.
    const bareLabel = disk?.info.partitionTable === 'none' ? (disk.info.partitions[0]?.filesystem?.label ?? null) : null;
    return {
      path,
      fileName: basename(path),
      sizeBytes: file.sizeBytes,
      modifiedMs: file.modifiedMs,
      format: image ? 'iso9660' : udf ? 'udf' : disk ? 'disk' : 'unknown',
      volumeLabel: primary ? primary.volumeIdentifier : udf ? udf.logicalVolume.logicalVolumeIdentifier : bareLabel,
      volumeSizeBytes: primary ? primary.volumeSpaceSizeBlocks * primary.logicalBlockSizeBytes : null,
      iso: image ? describeVolume(image) : null,
      ...(trees && udf ? { udf: await describeUdfVolume(udf, trees.isoTreeIsStub) } : {}),
      ...(trees && (udf || disk) ? { namespaces: trees.namespaces } : {}),
      // A hybrid's partitions may end inside its ISO 9660 volume: the drive must hold the volume too.
      ...(disk ? { disk: { ...disk.info, requiredTargetBytes: await requiredTargetBytes(source, disk.info.requiredTargetBytes) } } : {}),
      ...(file.container.kind === 'iso' ? {} : { container: file.container }),
      ...(file.compression ? { compression: file.compression } : {}),
    };
  } finally {
    await source.close();
  }
}

/**
 * A compressed image nothing inside of which can be read yet: its format is 'unknown' until a decode
 * builds the cache (never a guess from the name), and `compression.access` says 'needs-decoding'.
 * `sizeBytes` is the decoded size where the format records it, else the compressed file's size.
 */
async function needsDecodingSummary(path: string, error: NeedsDecodingError): Promise<ImageSummary> {
  const { compression } = error;
  return {
    path,
    fileName: basename(path),
    sizeBytes: compression.decodedSizeBytes ?? compression.compressedSizeBytes,
    modifiedMs: (await stat(path)).mtimeMs,
    format: 'unknown',
    volumeLabel: null,
    volumeSizeBytes: null,
    iso: null,
    compression,
  };
}
export function describeVolume(image: IsoImage): IsoVolumeInfo {
  const { primary, supplementary, bootRecords } = image.descriptors;
  const joliet = supplementary.find((descriptor) => descriptor.jolietLevel !== null) ?? null;
  const formats = ['iso9660'];
  if (joliet) formats.push('joliet');
  if (image.namespaces.includes('rockridge')) formats.push('rockridge');
  if (supplementary.some((descriptor) => descriptor.kind === 'enhanced')) formats.push('iso9660-1999');
  if (bootRecords.some((record) => record.bootSystemIdentifier.startsWith('EL TORITO'))) formats.push('el-torito');
  return {
    formats,
    namespaces: image.namespaces,
    jolietLevel: joliet?.jolietLevel ?? null,
    jolietVolumeLabel: joliet?.volumeIdentifier ?? null,
    rockRidgeExtensions: image.rockRidgeExtensions,
    logicalBlockSizeBytes: primary.logicalBlockSizeBytes,
    systemIdentifier: primary.systemIdentifier,
    volumeSetIdentifier: primary.volumeSetIdentifier,
    publisherIdentifier: primary.publisherIdentifier,
    dataPreparerIdentifier: primary.dataPreparerIdentifier,
    applicationIdentifier: primary.applicationIdentifier,
    creationMs: primary.creationMs,
    modificationMs: primary.modificationMs,
    expirationMs: primary.expirationMs,
    effectiveMs: primary.effectiveMs,
    bootSystemIdentifiers: bootRecords.map((record) => record.bootSystemIdentifier),
  };
}
