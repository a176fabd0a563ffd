// Verify-only of a copy-files stick (issue 14). Copy mode writes a new partition table and a FAT32
// holding the image's files, not the image's bytes, so a byte comparison with the image says "differs
// at byte 0" of a stick that is right. Such a stick is judged as its write judged it: the stick is
// composed again (deterministic: the same image, partition and options give the same files) and each
// copied file is read back through our FAT reader and compared with the image's.
import { stat } from 'node:fs/promises';
import type { FlashProgress, SourceCompression, TargetResult } from '../../shared/flash.ts';
import { defaultWimPartBytes, noWindowsOptions, type PartitionTableChoice, type WriteModeRequest } from '../../shared/stick.ts';
import { readGuidPartitionTable } from '../disk/guid-partition-table.ts';
import { diskSectorBytes, hasProtectivePartition, readMasterBootRecord } from '../disk/master-boot-record.ts';
import { singlePartitionLayout } from '../disk/partition-table-writer.ts';
import { openFatTree } from '../fat/fat-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { openFileSource } from '../io/file-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { composeCopyModeStick, type ComposedStick } from '../stick/compose-stick.ts';
import { autounattendFileName } from '../stick/windows-unattend.ts';
import { differingRange, mismatchFailure, type ByteRange } from './differing-range.ts';
import { FlashFailure } from './flash-error.ts';
import { digestBlockBytes } from './hasher.ts';
import { TargetRateMeter } from './target-rate-meter.ts';
import { readBackSource } from './target/read-back-source.ts';
import { deviceSizeBytes, openReadBack, type ExpectedDevice } from './target/target-device.ts';
import { checkCopiedFiles } from './write-input.ts';

/** FAT32 with LBA addressing (0x0C) or CHS (0x0B): the MBR types a FAT32 partition carries. */
const fat32MbrTypes: ReadonlySet<number> = new Set([0x0b, 0x0c]);

export interface CopiedStickVerifyRequest {
  readonly imagePath: string;
  /** The image as verify-only opened it: a compressed image was never written in copy mode. */
  readonly compression: SourceCompression;
  readonly targetPath: string;
  readonly expected: ExpectedDevice;
  /** raw: never a copied stick; copy: always; auto: when the drive holds one (copiedStickPartition). */
  readonly mode: WriteModeRequest;
  /** Opens the image with the invoking user's rights (the elevated helper's scope). */
  readonly asUser: <T>(open: () => Promise<T>) => Promise<T>;
  readonly signal?: AbortSignal | undefined;
  readonly jobId?: string | undefined;
  readonly onProgress?: ((progress: FlashProgress) => void) | undefined;
}

/** The target judged as a copy-files stick, or null when it is to be compared with the image byte for byte. */
export async function verifyCopiedStick(request: CopiedStickVerifyRequest): Promise<{ target: TargetResult; imageBytes: number } | null> {
  if (request.mode === 'raw' || (request.mode === 'auto' && request.compression !== 'none')) return null;
  if (request.compression !== 'none') {
    throw new FlashFailure('refused', `${request.imagePath} is ${request.compression}-compressed: copy mode copies the files of an uncompressed image only`);
  }
  const image = await request.asUser(() => openFileSource(request.imagePath));
  try {
    const sizeBytes = await targetSizeBytes(request.targetPath); // before the open: nothing to close if it fails
    const target = readBackSource(await openReadBack(request.targetPath, request.expected), request.targetPath, sizeBytes);
    try {
      const judged = await judgeStick(image, target, request);
      return judged === null ? null : { target: judged, imageBytes: image.sizeBytes };
    } finally {
      await target.close();
    }
  } finally {
    await image.close();
  }
}

/** The stick composed again and compared: its partition table and the gap before the partition byte for byte, then each file. */
async function judgeStick(image: ByteSource, target: ByteSource, request: CopiedStickVerifyRequest): Promise<TargetResult | null> {
  const partition = await copiedStickPartition(target, image);
  if (partition === null && request.mode === 'auto') return null;
  const composedFor = composedForBytes(target.sizeBytes, partition);
  const stick = await composeAgain(image, composedFor, partition?.table ?? 'mbr', request.mode);
  if (stick === null) return null;
  // A stick written together with a smaller drive carries that drive's table (its size in the GPT
  // header and the protective MBR): the table is compared only where the stick was made for this drive.
  const headRange = composedFor === target.sizeBytes ? await differingHead(target, stick) : null;
  const extraPaths = await optionAddedFiles(target, stick);
  const failure =
    headRange !== null
      ? mismatchFailure(target.name, `the stick the files of ${request.imagePath} make`, headRange)
      : await checkCopiedFiles(target, stick, { signal: request.signal, toleratedExtraPaths: new Set(extraPaths), ...progressOf(request, stick) });
  // Cancelled, the file check stops at its next chunk and reports that as its failure: the verify was cancelled, not failed.
  const cancelled = request.signal?.aborted === true;
  return {
    target: request.targetPath,
    outcome: cancelled ? 'cancelled' : failure !== null ? 'failed' : 'verified',
    bytesWritten: 0,
    error: cancelled ? { code: 'cancelled', message: 'verification cancelled', offsetBytes: null } : (failure?.toFlashError() ?? null),
    mismatch: headRange,
    refusals: [],
    copiedFiles: { fileCount: stick.files.size, extraPaths },
  };
}

/** Where the drive's first bytes, up to the partition (the table, SYSLINUX's MBR code, the zeroed gap), differ from the composed stick's. */
async function differingHead(target: ByteSource, stick: ComposedStick): Promise<ByteRange | null> {
  const lengthBytes = stick.partitionOffsetBytes;
  const [expected, actual] = await Promise.all([stick.body.read(0, lengthBytes), target.read(0, lengthBytes)]);
  return differingRange(expected, actual, 0, { withinBlockBytes: digestBlockBytes });
}

/** The flash's meter for the one target: the copied files' bytes, counted as each file is found equal. */
function progressOf(request: CopiedStickVerifyRequest, stick: ComposedStick): { onFileMatched: (sizeBytes: number) => void } {
  const meter = new TargetRateMeter(request.jobId ?? '', [request.targetPath], (progress) => request.onProgress?.(progress));
  let totalBytes = 0;
  for (const file of stick.files.values()) totalBytes += file.sizeBytes;
  meter.setPhase([request.targetPath], 'verifying', totalBytes);
  let doneBytes = 0;
  return {
    onFileMatched: (sizeBytes) => {
      doneBytes += sizeBytes;
      meter.update(request.targetPath, doneBytes);
      if (doneBytes === totalBytes) meter.report(true); // the last file: said at once, past the throttle
    },
  };
}

async function targetSizeBytes(path: string): Promise<number> {
  const stats = await stat(path);
  return stats.isBlockDevice() ? deviceSizeBytes(path) : stats.size;
}

/** The one partition a copy-files write makes: its table and where it lies, in 512-byte sectors. */
interface StickPartition {
  readonly table: PartitionTableChoice;
  readonly firstLba: number;
  readonly sectorCount: number;
}

/**
 * The drive's partition when it holds what copy mode writes (UEFI 2.10 5.2.1 and 5.3: an MBR with one
 * FAT32 partition, or a protective MBR and a GPT with one partition) and its first sector is not the
 * image's own (a disk image written raw carries its table with it); else null.
 */
export async function copiedStickPartition(target: ByteSource, image: ByteSource): Promise<StickPartition | null> {
  if (target.sizeBytes < diskSectorBytes || image.sizeBytes < diskSectorBytes) return null;
  const [targetHead, imageHead] = await Promise.all([target.read(0, diskSectorBytes), image.read(0, diskSectorBytes)]);
  if (Buffer.from(targetHead).equals(imageHead)) return null;
  try {
    const mbr = await readMasterBootRecord(target);
    if (mbr === null) return null;
    if (hasProtectivePartition(mbr)) {
      const gpt = await readGuidPartitionTable(target, []);
      const [only, ...others] = gpt?.partitions ?? [];
      if (!only || others.length > 0) return null;
      return { table: 'gpt', firstLba: only.firstLba, sectorCount: only.lastLba - only.firstLba + 1 };
    }
    const [only, ...others] = mbr.partitions;
    if (!only || others.length > 0 || !fat32MbrTypes.has(only.type)) return null;
    return { table: 'mbr', firstLba: only.startLba, sectorCount: only.sectorCount };
  } catch (error) {
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return null; // no table we could have written
    throw error;
  }
}

/**
 * The stick composed again with the write's defaults for a drive of `deviceSizeBytes` (composedForBytes).
 * Null when auto finds the image holds no files to copy.
 */
async function composeAgain(image: ByteSource, deviceSizeBytes: number, table: PartitionTableChoice, mode: WriteModeRequest): Promise<ComposedStick | null> {
  const copy = { table, wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions };
  try {
    return await composeCopyModeStick(image, { deviceSizeBytes, copy });
  } catch (error) {
    const damaged = error instanceof NotAnImageError || error instanceof CorruptImageError || error instanceof ByteRangeError;
    if (mode === 'auto' && damaged) return null;
    const why = `${image.name}: the stick its files make cannot be composed: ${(error as Error).message}`;
    // A refusal (no room, a file FAT32 cannot hold): copy mode never wrote this image's files to this drive.
    throw new FlashFailure(damaged || !(error instanceof CodedError) ? 'source-unreadable' : 'verification-mismatch', why);
  }
}

/**
 * The drive size the stick on the target was composed for: its own, or (written together with a
 * smaller drive, it holds the smaller's partition) one that gives that partition back, since
 * singlePartitionLayout ends the partition 1 MiB-aligned at least 1 MiB before the drive's end.
 */
function composedForBytes(driveBytes: number, partition: StickPartition | null): number {
  if (partition === null) return driveBytes;
  const own = singlePartitionLayout(driveBytes, partition.table);
  if (own.firstLba === partition.firstLba && own.sectorCount === partition.sectorCount) return driveBytes;
  const alignmentSectors = own.firstLba;
  const madeForBytes = (partition.firstLba + partition.sectorCount + alignmentSectors) * diskSectorBytes;
  return Math.min(madeForBytes, driveBytes);
}

/**
 * Files a write adds by option that the image lacks: autounattend.xml (Windows options). Verify
 * cannot know the options chosen, so such a file is reported by name rather than compared or failed.
 */
async function optionAddedFiles(target: ByteSource, stick: ComposedStick): Promise<string[]> {
  const inImage = [...stick.files.keys()].some((path) => path.toLowerCase() === `/${autounattendFileName}`);
  if (inImage) return [];
  // A stick our reader cannot open has no extra files to report: checkCopiedFiles names the failure.
  const tree = await openFatTree(target, { offsetBytes: stick.partitionOffsetBytes }).catch(() => null);
  const entry = await tree?.lookup(`/${autounattendFileName}`);
  return entry?.type === 'file' ? [entry.path] : [];
}
