// Opens an image file and summarises it for the first screen: size, format, volume label.
import { basename } from 'node:path';
import type { ImageSummary } from '../../shared/image.ts';
import { openFileSource } from '../io/file-source.ts';
import { readPrimaryVolumeDescriptor } from '../iso/primary-volume-descriptor.ts';

export async function summarizeImage(path: string): Promise<ImageSummary> {
  const source = await openFileSource(path);
  try {
    const descriptor = await readPrimaryVolumeDescriptor(source);
    return {
      path,
      fileName: basename(path),
      sizeBytes: source.sizeBytes,
      modifiedMs: source.modifiedMs,
      format: descriptor ? 'iso9660' : 'unknown',
      volumeLabel: descriptor ? descriptor.volumeIdentifier : null,
      volumeSizeBytes: descriptor ? descriptor.volumeSpaceSizeBlocks * descriptor.logicalBlockSizeBytes : null,
    };
  } finally {
    await source.close();
  }
}
