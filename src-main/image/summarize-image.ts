// Opens an image file and summarises it: size, format, volume label, and for ISO 9660 the volume
// details (ECMA-119 8.4 identifiers and dates, Joliet, Rock Ridge, boot records) and the UDF ones.
import { basename } from 'node:path';
import type { ImageSummary, IsoVolumeInfo } from '../../shared/image.ts';
import { createCachedSource } from '../io/cached-source.ts';
import { openImageSource } from '../container/open-image-source.ts';
import { describeUdfVolume } from '../udf/describe-udf-volume.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { openImageTrees } from './open-image-trees.ts';

export async function summarizeImage(path: string): Promise<ImageSummary> {
  const file = await openImageSource(path); // .iso, .cue/.bin or .nrg
  const source = createCachedSource(file);
  try {
    const trees = await openImageTrees(source);
    const image = trees?.iso ?? null;
    const udf = trees?.udf ?? null;
    const primary = image?.descriptors.primary;
    return {
      path,
      fileName: basename(path),
      sizeBytes: file.sizeBytes,
      modifiedMs: file.modifiedMs,
      format: image ? 'iso9660' : udf ? 'udf' : 'unknown',
      volumeLabel: primary ? primary.volumeIdentifier : udf ? udf.logicalVolume.logicalVolumeIdentifier : null,
      volumeSizeBytes: primary ? primary.volumeSpaceSizeBlocks * primary.logicalBlockSizeBytes : null,
      iso: image ? describeVolume(image) : null,
      ...(trees && udf ? { udf: await describeUdfVolume(udf, trees.isoTreeIsStub), namespaces: trees.namespaces } : {}),
      ...(file.container.kind === 'iso' ? {} : { container: file.container }),
    };
  } finally {
    await source.close();
  }
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
