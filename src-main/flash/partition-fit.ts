// Whether a raw write of a disk image fits a drive smaller than the image: RPI Imager users ask why a
// 7.9 GB card refuses an 8 GB image whose partitions end at 6 GB. Decided from the image's bytes
// read in this run, and offered only when nothing is lost by stopping where the partitions end:
// - the image has an MBR or a GPT (a bare file system or an ISO 9660/UDF volume is not bounded by a
//   partition table, so it must fit whole);
// - a GPT's backup header lies within that point (UEFI 2.10 5.3.2: the backup is the disk's last LBA;
//   written short of it, the drive would have no backup of the table), and
// - every byte past that point is zero (read in full: a sparse or random-access source makes it cheap;
//   a compressed image that can only be streamed is unknown until it is unpacked, and so refused).
// The bytes past the partitions are then not written, and the write is verified over what it wrote.
import type { PartitionFit } from '../../shared/drive.ts';
import type { BootWarning } from '../../shared/boot.ts';
import { NeedsDecodingError } from '../compression/needs-decoding-error.ts';
import { openImageSource } from '../container/open-image-source.ts';
import { diskSectorBytes } from '../disk/master-boot-record.ts';
import { readGuidPartitionTable } from '../disk/guid-partition-table.ts';
import { readPartitionMap, type PartitionMap } from '../disk/partition-map.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { readVolumeDescriptorHeader, volumeDescriptorSetStartLba } from '../iso/volume-descriptors.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { CancelledError, throwIfCancelled } from '../jobs/errors.ts';
import { findAnchorPointer } from '../udf/volume-descriptors.ts';
import { FlashFailure } from './flash-error.ts';
import type { FlashSource } from './source/image-source.ts';

/** The zero check reads this much at a time: large enough to be fast, small enough to stay in memory. */
const zeroCheckChunkBytes = 4 * 1024 * 1024;
const isoSectorBytes = 2048;

/**
 * The fit of the image at `imagePath` (raw or compressed) on a smaller drive; null when there is no
 * smaller fit to offer: the partitions (or the volume) reach the image's end, or it is no disk image.
 */
export async function judgePartitionFit(imagePath: string, signal?: AbortSignal): Promise<PartitionFit | null> {
  let source: ByteSource;
  try {
    source = await openImageSource(imagePath);
  } catch (error) {
    if (!(error instanceof NeedsDecodingError)) throw error;
    const decoded = error.compression.decodedSizeBytes;
    if (decoded === null) return null;
    // Streamed only: what lies past the partitions is unknown until it is unpacked, so no smaller drive is offered.
    const refusal = `this ${error.compression.kind} image must be unpacked before Isotope can tell whether the bytes past its partitions are empty`;
    return { imageSizeBytes: decoded, requiredTargetBytes: null, refusal };
  }
  try {
    return await judgeSourceFit(source, signal);
  } catch (error) {
    // A damaged table gives no fit: the drive must hold the whole image, and the assessment names the damage.
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return null;
    throw error;
  } finally {
    await source.close();
  }
}

/** The fit of a decoded image (see judgePartitionFit). */
export async function judgeSourceFit(source: ByteSource, signal?: AbortSignal): Promise<PartitionFit | null> {
  const imageSizeBytes = source.sizeBytes;
  if (await hasIsoOrUdfVolume(source)) return null;
  const map = await readPartitionMap(source);
  if (map.table === 'none') return null;
  const gptRefusal = map.table === 'gpt' ? await gptBackupRefusal(source, map) : null;
  if (gptRefusal !== null) return gptRefusal.partitionsEndBytes < imageSizeBytes ? { imageSizeBytes, ...gptRefusal.fit } : null;
  const requiredTargetBytes = map.requiredTargetBytes;
  if (requiredTargetBytes >= imageSizeBytes) return null;
  const nonZeroAtBytes = await firstNonZeroByte(source, requiredTargetBytes, signal);
  const refusal =
    nonZeroAtBytes === null
      ? null
      : `byte ${nonZeroAtBytes} of the image, past where its partitions end (byte ${requiredTargetBytes}), is not zero: a smaller drive would lose it`;
  return { imageSizeBytes, requiredTargetBytes, refusal };
}

/**
 * A GPT whose backup header the write would not hold: at the image's end (where sgdisk and every
 * partitioner put it, the disk's last sector), or past it. Null when it lies within where the write
 * stops (a GPT made for a smaller disk, then padded with zeros).
 */
async function gptBackupRefusal(
  source: ByteSource,
  map: PartitionMap,
): Promise<{ partitionsEndBytes: number; fit: Omit<PartitionFit, 'imageSizeBytes'> } | null> {
  const gpt = await readGuidPartitionTable(source, [] as BootWarning[]);
  const backupEndBytes = gpt === null ? null : (gpt.backupHeaderLba + 1) * diskSectorBytes;
  if (backupEndBytes !== null && backupEndBytes <= map.requiredTargetBytes && map.requiredTargetBytes < source.sizeBytes) return null;
  // UEFI 2.10 5.3.3: the entry array follows the primary header; nothing of the table may be cut.
  const tableEndBytes = gpt === null ? diskSectorBytes * 2 : gpt.entriesLba * diskSectorBytes + gpt.entryCount * gpt.entrySizeBytes;
  const partitionsEndBytes = Math.max(tableEndBytes, ...map.partitions.map((partition) => partition.offsetBytes + partition.sizeBytes));
  const where = backupEndBytes === null ? 'is not recorded' : `ends at byte ${backupEndBytes}`;
  const refusal = `its GPT backup header ${where}, past where its partitions end (byte ${partitionsEndBytes}): a smaller drive would lose it`;
  return { partitionsEndBytes, fit: { requiredTargetBytes: partitionsEndBytes, refusal } };
}

/** The offset of the first non-zero byte from `startBytes` to the source's end, or null when all are zero. */
export async function firstNonZeroByte(source: ByteSource, startBytes: number, signal?: AbortSignal): Promise<number | null> {
  for (let offsetBytes = startBytes; offsetBytes < source.sizeBytes; offsetBytes += zeroCheckChunkBytes) {
    throwIfCancelled(signal, 'the check of the bytes past the partitions');
    const chunk = await source.read(offsetBytes, Math.min(zeroCheckChunkBytes, source.sizeBytes - offsetBytes));
    const at = firstNonZeroIndex(chunk);
    if (at !== -1) return offsetBytes + at;
  }
  return null;
}

/** Scans eight bytes at a time where the chunk is aligned for it, then byte by byte to find the exact one. */
function firstNonZeroIndex(chunk: Uint8Array): number {
  const wordCount = chunk.byteOffset % 8 === 0 ? Math.floor(chunk.byteLength / 8) : 0;
  const words = new BigUint64Array(chunk.buffer, chunk.byteOffset, wordCount);
  let from = wordCount * 8;
  for (let index = 0; index < wordCount; index += 1) {
    if (words[index] !== 0n) {
      from = index * 8;
      break;
    }
  }
  for (let at = from; at < chunk.byteLength; at += 1) if (chunk[at] !== 0) return at;
  return -1;
}

/** An ISO 9660 descriptor at sector 16 or a UDF anchor: a volume the partition table does not bound. */
async function hasIsoOrUdfVolume(source: ByteSource): Promise<boolean> {
  const descriptorOffsetBytes = volumeDescriptorSetStartLba * isoSectorBytes;
  if (source.sizeBytes >= descriptorOffsetBytes + isoSectorBytes) {
    if (readVolumeDescriptorHeader(await source.read(descriptorOffsetBytes, isoSectorBytes)) !== null) return true;
  }
  return (await findAnchorPointer(source)) !== null;
}

/**
 * The fit a raw write goes by, read by the writing process itself: needed when a target is smaller
 * than the image (`needed`) or a confirmed plan bound a shorter write (`boundBytes`), which the bytes
 * must still allow, to the byte: else a FlashFailure refuses the write.
 */
export async function fitForRawWrite(
  imagePath: string,
  needs: { readonly needed: boolean; readonly boundBytes: number | undefined },
  signal?: AbortSignal,
): Promise<PartitionFit | null> {
  if (!needs.needed && needs.boundBytes === undefined) return null;
  const fit = await judgePartitionFit(imagePath, signal).catch((error: unknown) => {
    if (error instanceof CancelledError) throw new FlashFailure('cancelled', `cancelled while reading ${imagePath} past its partitions`);
    // Unreadable here (the write reports its own read errors): no smaller fit, so the drive stays too small.
    return null;
  });
  if (needs.boundBytes !== undefined && (fit?.refusal !== null || fit.requiredTargetBytes !== needs.boundBytes)) {
    const now = fit === null ? 'no smaller write' : (fit.refusal ?? `partitions ending at byte ${fit.requiredTargetBytes}`);
    throw new FlashFailure(
      'refused',
      `the plan wrote the first ${needs.boundBytes} bytes of ${imagePath}, but its bytes now give ${now}; prepare the write again`,
    );
  }
  return fit;
}

/** The first `lengthBytes` of a source: a write to a drive that holds every partition of a larger image. */
export function firstBytesOf(source: FlashSource, lengthBytes: number): FlashSource {
  let positionBytes = 0;
  return {
    path: source.path,
    compression: source.compression,
    sizeBytes: lengthBytes,
    isSeekable: source.isSeekable,
    async readNext(into) {
      const wantedBytes = Math.min(into.length, lengthBytes - positionBytes);
      if (wantedBytes <= 0) return 0;
      const count = await source.readNext(into.subarray(0, wantedBytes));
      positionBytes += count;
      return count;
    },
    readAt: (into, offsetBytes) => source.readAt(into.subarray(0, Math.max(0, Math.min(into.length, lengthBytes - offsetBytes))), offsetBytes),
    close: () => source.close(),
  };
}
