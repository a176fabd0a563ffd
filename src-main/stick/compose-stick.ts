// A copy-files or freshly formatted stick as bytes to write (issue 14): a new partition table, one
// partition from 1 MiB, and a FAT32 (or, formatted, exFAT) file system planned from metadata. The
// body is a lazy composed source, the partition table then zeros to the partition (wiping old
// signatures in the first MiB) then the volume up to its last used cluster, so the flash pipeline
// writes it like any image; the tail wipes the last MiB (an old GPT backup) and holds the new one.
// Where copy mode installs SYSLINUX (stick/bios-boot.ts), its MBR code and its boot sector code are
// laid over the new MBR and the volume's first sector.
import { createHash } from 'node:crypto';
import type { CopyModeOptions, NewFileSystem, PartitionTableChoice } from '../../shared/stick.ts';
import { diskSectorBytes } from '../disk/master-boot-record.ts';
import { buildPartitionTable, signatureWipeRanges, singlePartitionLayout, type PartitionTableWrite } from '../disk/partition-table-writer.ts';
import { planExfatVolume } from '../fat/exfat-writer.ts';
import { planFat32Volume, type PlannedVolume } from '../fat/fat32-writer.ts';
import { openFatTree } from '../fat/fat-tree.ts';
import { entryContentSource } from '../format/entry-source.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { readIntoBuffer, type ByteSource } from '../io/byte-source.ts';
import { composeSource } from '../io/composed-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { openImageTrees, type ImageTrees } from '../image/open-image-trees.ts';
import { planBiosBoot } from './bios-boot.ts';
import { planCopyModeFiles } from './copy-mode-files.ts';

export interface TailPiece {
  readonly offsetBytes: number;
  readonly bytes: Uint8Array;
}

export interface ComposedStick {
  /** The drive's bytes from its first byte to the end of what is used: partition table, gap, file system, files. */
  readonly body: ByteSource;
  /** Written after the body: the wiped last MiB and, for GPT, the backup table (offsets from the drive's start). */
  readonly tail: readonly TailPiece[];
  readonly label: string;
  /** Where the partition (and its file system) starts on the drive. */
  readonly partitionOffsetBytes: number;
  /** The files copied, by path on the stick (verify reads each back through openFatTree and compares). */
  readonly files: ReadonlyMap<string, ByteSource>;
}

/** The stick's partition and its file system (FAT32 or exFAT), laid out for a drive of `deviceSizeBytes`. */
interface StickLayout {
  readonly deviceSizeBytes: number;
  readonly table: PartitionTableChoice;
  readonly fileSystem: NewFileSystem;
  readonly label: string;
  /** Seeds the volume serial and the GPT disk id, so the same image on the same drive size gives the same bytes. */
  readonly identitySeed: string;
  /** The file system planned at the partition (first LBA, sector count, serial). */
  readonly planVolume: (partition: { firstLba: number; sectorCount: number; volumeId: number }) => PlannedVolume;
}

/**
 * Plans a copy-files stick of `image` for a drive of `deviceSizeBytes`, reading only metadata. Every
 * refusal (`file-too-large`, `target-too-small`, `volume-too-large`, a name FAT cannot hold) comes
 * from here, before anything is written.
 */
export async function composeCopyModeStick(
  image: ByteSource,
  options: { deviceSizeBytes: number; copy: CopyModeOptions; signal?: AbortSignal },
): Promise<ComposedStick> {
  const trees = await openImageTrees(image);
  if (!trees) throw new NotAnImageError(image.name, 'no ISO 9660 or UDF file tree to copy files from');
  const { label, recordedMs } = describeVolume(trees);
  const { entries, files } = await planCopyModeFiles(image, trees.image, { copy: options.copy, recordedMs, signal: options.signal });
  // PC BIOS boots through SYSLINUX's mbr.bin, which only an MBR stick carries.
  const bios = options.copy.table === 'mbr' ? await planBiosBoot(trees.image, recordedMs) : null;
  const allEntries = bios ? [...entries, ...bios.entries] : entries;
  const allFiles = new Map(files);
  for (const entry of bios?.entries ?? []) if (entry.content) allFiles.set(entry.path, entry.content);
  const layout: StickLayout = {
    deviceSizeBytes: options.deviceSizeBytes,
    table: options.copy.table,
    fileSystem: 'fat32',
    label,
    identitySeed: `${label}\0${image.sizeBytes}\0${recordedMs}`,
    planVolume: ({ firstLba, sectorCount, volumeId }) =>
      planFat32Volume({ volumeSizeBytes: sectorCount * diskSectorBytes, hiddenSectors: firstLba, label, volumeId, entries: allEntries }),
  };
  const planned = planStick(layout, allFiles.size > 0);
  const bootCode = bios ? await bios.install(planned.volume) : null;
  return assembleStick(layout, planned, allFiles, bootCode);
}

/** An empty stick: one partition holding an empty FAT32 or exFAT file system ("restore to a normal stick"). */
export function composeFormattedStick(options: {
  deviceSizeBytes: number;
  fileSystem: NewFileSystem;
  label: string;
  table: PartitionTableChoice;
}): ComposedStick {
  const { deviceSizeBytes, fileSystem, label, table } = options;
  const layout: StickLayout = {
    deviceSizeBytes,
    table,
    fileSystem,
    label,
    identitySeed: `${label}\0${deviceSizeBytes}\0${Date.now()}`,
    planVolume: ({ firstLba, sectorCount, volumeId }) => {
      const volume = { volumeSizeBytes: sectorCount * diskSectorBytes, hiddenSectors: firstLba, label, volumeId };
      return fileSystem === 'exfat' ? planExfatVolume(volume) : planFat32Volume({ ...volume, entries: [] });
    },
  };
  return assembleStick(layout, planStick(layout, false), new Map(), null);
}

interface PlannedStick {
  readonly partitionOffsetBytes: number;
  readonly volume: PlannedVolume;
  readonly written: PartitionTableWrite;
}

function planStick(layout: StickLayout, hasFiles: boolean): PlannedStick {
  const partition = singlePartitionLayout(layout.deviceSizeBytes, layout.table);
  const identity = createHash('sha256').update(layout.identitySeed).digest();
  const volume = layout.planVolume({ ...partition, volumeId: identity.readUInt32LE(0) });
  const written = buildPartitionTable({
    table: layout.table,
    diskSizeBytes: layout.deviceSizeBytes,
    // UEFI 2.10 5.2.3: on GPT the partition firmware boots from is an EFI System Partition; an
    // empty restored stick is plain data. MBR marks its one partition active either way.
    partition: { ...partition, fileSystem: layout.fileSystem, esp: layout.table === 'gpt' && hasFiles, name: layout.label },
    diskId: new Uint8Array(identity.subarray(4, 20)),
  });
  return { partitionOffsetBytes: partition.firstLba * diskSectorBytes, volume, written };
}

/** Boot code laid over the new MBR's code area (bytes 0-439) and the volume's boot sector. */
interface BootCode {
  readonly mbrCode: Uint8Array;
  readonly volumeBootSector: Uint8Array;
}

function assembleStick(layout: StickLayout, planned: PlannedStick, files: ReadonlyMap<string, ByteSource>, bootCode: BootCode | null): ComposedStick {
  const { partitionOffsetBytes, volume, written } = planned;
  const bodyBytes = partitionOffsetBytes + volume.source.sizeBytes;
  const head = new Uint8Array(written.head);
  const bootSectorBytes = bootCode ? bootCode.volumeBootSector.byteLength : 0;
  if (bootCode) head.set(bootCode.mbrCode.subarray(0, 440));
  const body = composeSource(`new ${layout.fileSystem} stick`, bodyBytes, [
    { offsetBytes: 0, bytes: head },
    ...(bootCode ? [{ offsetBytes: partitionOffsetBytes, bytes: bootCode.volumeBootSector }] : []),
    {
      offsetBytes: partitionOffsetBytes + bootSectorBytes,
      lengthBytes: volume.source.sizeBytes - bootSectorBytes,
      source: volume.source,
      sourceOffsetBytes: bootSectorBytes,
    },
  ]);
  return { body, tail: tailPieces(layout.deviceSizeBytes, bodyBytes, written), label: layout.label, partitionOffsetBytes, files };
}

/**
 * Zeros over each signature range past the body (the last MiB, where an old GPT backup lies), with
 * the new GPT backup laid over them; the body itself already zeroes the first MiB.
 */
function tailPieces(deviceSizeBytes: number, bodyBytes: number, written: PartitionTableWrite): TailPiece[] {
  const pieces: TailPiece[] = [];
  for (const range of signatureWipeRanges(deviceSizeBytes)) {
    const offsetBytes = Math.max(range.offsetBytes, bodyBytes);
    const endBytes = range.offsetBytes + range.lengthBytes;
    if (endBytes > offsetBytes) pieces.push({ offsetBytes, bytes: new Uint8Array(endBytes - offsetBytes) });
  }
  const backup = written.tail;
  if (backup) {
    const holder = pieces.find(
      (piece) => backup.offsetBytes >= piece.offsetBytes && backup.offsetBytes + backup.bytes.byteLength <= piece.offsetBytes + piece.bytes.byteLength,
    );
    if (holder) holder.bytes.set(backup.bytes, backup.offsetBytes - holder.offsetBytes);
    else pieces.push(backup);
  }
  return pieces;
}

/** The label of the volume copied (UDF's logical volume identifier for UDF, else the ISO PVD's) and its recording time. */
function describeVolume(trees: ImageTrees): { label: string; recordedMs: number } {
  if (trees.image === trees.udf) {
    return { label: trees.udf.logicalVolume.logicalVolumeIdentifier, recordedMs: trees.udf.primary.recordedMs ?? 0 };
  }
  const primary = trees.iso?.descriptors.primary;
  return { label: primary?.volumeIdentifier ?? '', recordedMs: trees.image.root.mtimeMs ?? 0 };
}

/** The first way a written stick's files differ from what was composed. */
export interface CopiedFileDifference {
  readonly path: string;
  /** The first differing byte within the file; null when the file is missing, extra or of another size. */
  readonly offsetBytes: number | null;
  readonly reason: string;
}

/** Compared a chunk at a time: memory stays bounded whatever the file's size. */
const compareChunkBytes = 4 * 1024 * 1024;
/** Files compared at once: at most this many chunk pairs (32 MiB) in memory. */
const filesComparedAtOnce = 4;

export interface VerifyCopiedFilesOptions {
  readonly signal?: AbortSignal | undefined;
  /** Files the stick may hold beyond those composed, as the stick names them: neither compared nor failed. */
  readonly toleratedExtraPaths?: ReadonlySet<string>;
  /** Called with each file's size as it is found equal (progress). */
  readonly onFileMatched?: (sizeBytes: number) => void;
}

/**
 * Reads the written stick back through our FAT reader (the partition at its offset) and compares
 * every file's bytes with what was composed, and that no file is missing or extra (but for
 * `toleratedExtraPaths`, as the stick names them): null when all match, else the first difference.
 */
export async function verifyCopiedFiles(
  target: ByteSource,
  stick: ComposedStick,
  options: VerifyCopiedFilesOptions = {},
): Promise<CopiedFileDifference | null> {
  const { signal, toleratedExtraPaths = new Set<string>() } = options;
  const tree = await openFatTree(target, { offsetBytes: stick.partitionOffsetBytes, ...(signal ? { signal } : {}) });
  const seen = new Set<string>();
  for await (const batch of tree.walkBatches()) {
    const files = batch.filter((entry) => entry.type === 'file' && !toleratedExtraPaths.has(entry.path));
    // A few files at a time: a folder of small files costs one read-back latency per group, not per file.
    for (let first = 0; first < files.length; first += filesComparedAtOnce) {
      const group = files.slice(first, first + filesComparedAtOnce);
      const differences = await Promise.all(
        group.map(async (entry): Promise<CopiedFileDifference | null> => {
          const expected = stick.files.get(entry.path);
          if (!expected) return { path: entry.path, offsetBytes: null, reason: `the stick holds ${entry.path}, which was not copied` };
          seen.add(entry.path);
          const difference = await compareContent(entryContentSource(target, entry), expected, signal);
          if (difference === null) options.onFileMatched?.(expected.sizeBytes);
          return difference ? { path: entry.path, ...difference } : null;
        }),
      );
      const difference = differences.find((found) => found !== null);
      if (difference) return difference;
    }
  }
  for (const path of stick.files.keys()) {
    if (!seen.has(path)) return { path, offsetBytes: null, reason: `${path} is missing from the stick` };
  }
  return null;
}

async function compareContent(actual: ByteSource, expected: ByteSource, signal: AbortSignal | undefined): Promise<Omit<CopiedFileDifference, 'path'> | null> {
  if (actual.sizeBytes !== expected.sizeBytes) {
    return { offsetBytes: null, reason: `the stick's copy holds ${actual.sizeBytes} bytes, the image's file ${expected.sizeBytes}` };
  }
  // Two buffers per file, filled again for each chunk: a fresh 4 MiB pair per chunk kept the garbage collector busier than the reads.
  const chunkBytes = Math.min(compareChunkBytes, expected.sizeBytes);
  const gotBuffer = new Uint8Array(chunkBytes);
  const wantBuffer = new Uint8Array(chunkBytes);
  for (let offsetBytes = 0; offsetBytes < expected.sizeBytes; offsetBytes += compareChunkBytes) {
    throwIfCancelled(signal, 'verifying the copied files');
    const lengthBytes = Math.min(compareChunkBytes, expected.sizeBytes - offsetBytes);
    const got = gotBuffer.subarray(0, lengthBytes);
    const want = wantBuffer.subarray(0, lengthBytes);
    await Promise.all([readIntoBuffer(actual, got, offsetBytes), readIntoBuffer(expected, want, offsetBytes)]);
    // Buffer.equals is one memcmp; the byte loop runs only to name the first difference.
    if (Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(want)) continue;
    const index = got.findIndex((byte, at) => byte !== want[at]);
    return { offsetBytes: offsetBytes + index, reason: `byte ${offsetBytes + index} differs` };
  }
  return null;
}
