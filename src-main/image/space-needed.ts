// The space a raw write of an image needs when the image's last bytes may be empty. A partition table
// alone cannot say it: an xorriso hybrid's MBR may list only the EFI system partition, which lies
// inside the ISO 9660 volume, while the volume itself runs on to the end of the image. So the space is
// the larger of where the partitions end and where any ISO 9660 or UDF volume ends; whether the bytes
// past it really are empty is the drive's check (flash/partition-fit.ts), made when a drive is picked.
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { readVolumeDescriptorSet } from '../iso/volume-descriptors.ts';
import { findAnchorPointer, readVolumeDescriptorSequence } from '../udf/volume-descriptors.ts';

/**
 * Bytes a drive needs to hold every partition (`partitionsEndBytes`, from the partition map) and every
 * ISO 9660 or UDF volume of `source`, never more than the image. A volume whose descriptors cannot be
 * read (damaged, hostile) leaves the whole image needed: never a smaller claim than the bytes allow.
 */
export async function requiredTargetBytes(source: ByteSource, partitionsEndBytes: number): Promise<number> {
  try {
    return Math.min(source.sizeBytes, Math.max(partitionsEndBytes, await volumesEndBytes(source)));
  } catch (error) {
    // Unreadable descriptors are the summary's and assessment's own findings; here they only mean
    // the volume's end is unknown, so the whole image is needed.
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return source.sizeBytes;
    throw error;
  }
}

/** Where the ISO 9660 volume (ECMA-119 8.4.8, 8.4.12) and the UDF partitions (ECMA-167 3/10.5) end; 0 when there are none. */
async function volumesEndBytes(source: ByteSource): Promise<number> {
  let endBytes = 0;
  const iso = await readVolumeDescriptorSet(source);
  if (iso) endBytes = iso.primary.volumeSpaceSizeBlocks * iso.primary.logicalBlockSizeBytes;
  const anchor = await findAnchorPointer(source);
  if (anchor) {
    const sequence = await readVolumeDescriptorSequence(source, anchor.anchor, anchor.blockBytes);
    for (const partition of sequence.partitions) {
      endBytes = Math.max(endBytes, (partition.startSector + partition.lengthBlocks) * anchor.blockBytes);
    }
  }
  return endBytes;
}
