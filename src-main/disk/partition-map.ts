// A disk image's partitions as one list, whatever table holds them: the MBR's primary partitions and
// the logical ones chained inside an extended partition, or the GPT when the MBR is protective (or a
// hybrid that also names 0xEE). Numbers follow Linux (primaries 1-4 by slot, logicals 5, 6, ... in
// chain order; GPT by entry index), so "partition 5" means here what it means to `fdisk -l`.
// Hostile tables are bounded: the EBR chain stops at a loop or after maxLogicalPartitions, GPT arrays
// at 1 MiB (guid-partition-table.ts); odd but readable tables give warnings, and a CorruptImageError
// comes only when the GPT a protective MBR points to is damaged (nothing sane is left to list).
import type { DiskPartitionInfo } from '../../shared/image.ts';
import type { BootWarning, GptReport, MbrPartition } from '../../shared/boot.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { workCosts, type WorkBudget } from '../format/work-budget.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { FieldReader, readRegion } from '../format/fields.ts';
import {
  diskSectorBytes,
  hasProtectivePartition,
  mbrEntryOffsets,
  partitionEntryBytes,
  partitionTableOffset,
  readMasterBootRecord,
} from './master-boot-record.ts';
import { readGuidPartitionTable } from './guid-partition-table.ts';
import { gptPartitionTypeName } from './guid.ts';
import { mbrPartitionTypeName } from './mbr-partition-types.ts';

export type PartitionMapEntry = Omit<DiskPartitionInfo, 'filesystem' | 'folderName'>;

export interface PartitionMap {
  readonly table: 'mbr' | 'gpt' | 'none';
  readonly partitions: readonly PartitionMapEntry[];
  /** Where the last partition (or the GPT backup header the image holds) ends; never more than the image. */
  readonly requiredTargetBytes: number;
  readonly warnings: readonly string[];
}

/**
 * Leniency limit on the EBR chain: Linux's parse_extended (block/partitions/msdos.c) gives up after
 * 100 EBRs as a guard against loops; Isotope lists up to 256 logicals, and a longer chain is hostile
 * or broken and is cut there.
 */
export const maxLogicalPartitions = 256;
/** Overlap and past-the-end warnings beyond this many are summed up in one line (a hostile GPT may hold 8,192 entries). */
const maxListedWarnings = 16;
/** MBR types of an extended partition (DOS 0x05, Windows LBA 0x0f, Linux 0x85). */
const extendedTypes = new Set([0x05, 0x0f, 0x85]);
/** MBR types xorriso, isohybrid and mkisofs give the partition that is the whole hybrid ISO, from sector 0 on. */
const wholeIsoTypes = new Set([0x00, 0x17, 0xcd]);

export async function readPartitionMap(source: ByteSource, budget?: WorkBudget): Promise<PartitionMap> {
  const mbr = await readMasterBootRecord(source);
  if (!mbr || mbr.partitions.length === 0 || (await isVolumeBootRecord(source)))
    return { table: 'none', partitions: [], requiredTargetBytes: source.sizeBytes, warnings: [] };
  const warnings: string[] = [];
  if (hasProtectivePartition(mbr)) {
    const gpt = await readGptPartitions(source, warnings, mbr.partitions.length > 1);
    if (gpt) return finish(source, 'gpt', gpt.partitions, gpt.extent, warnings);
  }
  const partitions: PartitionMapEntry[] = [];
  const extended: MbrPartition[] = [];
  for (const primary of mbr.partitions) {
    budget?.spend(workCosts.entryBytes, 'MBR partition entry');
    // Linux (block/partitions/msdos.c) skips a slot of no sectors whatever its type: no empty folder for it.
    if (primary.sectorCount === 0) continue;
    if (extendedTypes.has(primary.type)) extended.push(primary);
    else if (primary.type !== 0xee) partitions.push(mbrEntry(source, primary.index, primary, 0, false));
  }
  if (extended.length > 1) warnings.push(`the MBR names ${extended.length} extended partitions; only the first (slot ${extended[0]?.index}) is read`);
  if (extended[0]) partitions.push(...(await readLogicalPartitions(source, extended[0], warnings, budget)));
  return finish(source, 'mbr', partitions, { tableEndBytes: diskSectorBytes, backupEndBytes: 0 }, warnings);
}

/**
 * A FAT or NTFS boot sector also ends in 0x55 0xAA, and its code bytes may pass as partition
 * entries: a volume made without a partition table (mkfs.fat on a whole stick) is no MBR.
 */
async function isVolumeBootRecord(source: ByteSource): Promise<boolean> {
  const sector = await source.read(0, diskSectorBytes);
  const text = (at: number, length: number): string => String.fromCharCode(...sector.subarray(at, at + length));
  const jumps = sector[0] === 0xeb || sector[0] === 0xe9;
  // Microsoft FAT spec 3.1/3.3: BS_FilSysType "FAT12   "/"FAT16   " at 54, "FAT32   " at 82 (informational, but every formatter writes it).
  return jumps && (text(3, 8) === 'NTFS    ' || text(3, 8) === 'EXFAT   ' || text(54, 3) === 'FAT' || text(82, 5) === 'FAT32');
}

function mbrEntry(
  source: ByteSource,
  number: number,
  entry: Pick<MbrPartition, 'type' | 'bootable' | 'startLba' | 'sectorCount'>,
  baseLba: number,
  logical: boolean,
): PartitionMapEntry {
  const offsetBytes = (baseLba + entry.startLba) * diskSectorBytes;
  const sizeBytes = entry.sectorCount * diskSectorBytes;
  return {
    number,
    scheme: 'mbr',
    logical,
    typeCode: `0x${entry.type.toString(16).padStart(2, '0')}`,
    typeName: mbrPartitionTypeName(entry.type),
    name: null,
    offsetBytes,
    sizeBytes,
    bootable: entry.bootable,
    withinImage: offsetBytes + sizeBytes <= source.sizeBytes,
  };
}

/**
 * The logical partitions of an extended partition: a chain of EBRs, each holding one logical
 * partition (entry 1, relative to that EBR) and the link to the next EBR (entry 2, relative to the
 * extended partition's start). A loop, a link outside the image or a missing 0x55 0xAA ends the chain
 * with a warning; the logicals read so far stay.
 */
async function readLogicalPartitions(
  source: ByteSource,
  extended: MbrPartition,
  warnings: string[],
  budget: WorkBudget | undefined,
): Promise<PartitionMapEntry[]> {
  const logicals: PartitionMapEntry[] = [];
  const visited = new Set<number>();
  let ebrLba = extended.startLba;
  for (let links = 0; ; links += 1) {
    if (visited.has(ebrLba)) {
      warnings.push(`the chain of logical partitions loops back to the EBR at sector ${ebrLba}; it is read up to there`);
      break;
    }
    if (links >= maxLogicalPartitions) {
      warnings.push(`the chain of logical partitions is longer than ${maxLogicalPartitions} links; the rest (from sector ${ebrLba}) is not read`);
      break;
    }
    visited.add(ebrLba);
    budget?.spend(workCosts.entryBytes + diskSectorBytes, `EBR at sector ${ebrLba}`);
    const ebr = await readEbr(source, ebrLba, warnings);
    if (!ebr) break;
    if (ebr.data.sectorCount > 0) logicals.push(mbrEntry(source, 5 + logicals.length, ebr.data, ebrLba, true));
    if (ebr.next.sectorCount === 0 || !extendedTypes.has(ebr.next.type)) break;
    ebrLba = extended.startLba + ebr.next.startLba;
  }
  return logicals;
}

type EbrEntry = Pick<MbrPartition, 'type' | 'bootable' | 'startLba' | 'sectorCount'>;

async function readEbr(source: ByteSource, ebrLba: number, warnings: string[]): Promise<{ data: EbrEntry; next: EbrEntry } | null> {
  const offsetBytes = ebrLba * diskSectorBytes;
  if (offsetBytes + diskSectorBytes > source.sizeBytes) {
    warnings.push(`an EBR is named at sector ${ebrLba}, past the end of the image (${source.sizeBytes} bytes); the logical partitions stop there`);
    return null;
  }
  const sector = await readRegion(source, { offsetBytes, sectorBytes: diskSectorBytes }, diskSectorBytes, 'EBR');
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    warnings.push(`the EBR at sector ${ebrLba} has no 0x55 0xAA signature; the logical partitions stop there`);
    return null;
  }
  const fields = new FieldReader(sector, { offsetBytes, sectorBytes: diskSectorBytes });
  const entry = (slot: number): EbrEntry => {
    const at = partitionTableOffset + slot * partitionEntryBytes;
    return {
      type: fields.uint8(at + mbrEntryOffsets.osType, 'EBR partition type'),
      bootable: fields.uint8(at + mbrEntryOffsets.bootIndicator, 'EBR partition status') === 0x80,
      startLba: fields.uint32Le(at + mbrEntryOffsets.startingLba, 'EBR partition starting LBA'),
      sectorCount: fields.uint32Le(at + mbrEntryOffsets.sizeInLba, 'EBR partition size in sectors'),
    };
  };
  return { data: entry(0), next: entry(1) };
}

/**
 * The GPT's partitions, from the primary header or, when that is damaged or missing, the backup at
 * the image's last sector. Damage of both is a CorruptImageError for a purely protective MBR (nothing
 * else to list); a hybrid MBR's own partitions are listed instead, with a warning.
 */
async function readGptPartitions(
  source: ByteSource,
  warnings: string[],
  mbrHasOtherPartitions: boolean,
): Promise<{ partitions: PartitionMapEntry[]; extent: TableExtent } | null> {
  let found: Awaited<ReturnType<typeof readGptOrBackup>>;
  try {
    found = await readGptOrBackup(source, warnings);
  } catch (error) {
    if (!(error instanceof CorruptImageError) || !mbrHasOtherPartitions) throw error;
    warnings.push(`the GPT is damaged (${error.message}); the hybrid MBR's partitions are listed instead`);
    return null;
  }
  if (!found) {
    if (!mbrHasOtherPartitions) warnings.push('the MBR is protective (type 0xEE) but neither sector 1 nor the last sector holds a GPT header');
    return null;
  }
  const { gpt, headerLba } = found;
  const fromBackup = headerLba !== 1;
  // UEFI 2.10 5.3.2: the backup header is the disk's last sector; the image "has it" when it holds that sector.
  const backupEndBytes = (fromBackup ? headerLba : gpt.backupHeaderLba) * diskSectorBytes + diskSectorBytes;
  // The primary copy: the header at LBA 1 and the entry array after it (where the backup says it would be).
  const tableEndBytes = Math.max(2 * diskSectorBytes, (fromBackup ? 2 : gpt.entriesLba) * diskSectorBytes + gpt.entryCount * gpt.entrySizeBytes);
  const partitions = gpt.partitions.map((partition): PartitionMapEntry => {
    const offsetBytes = partition.firstLba * diskSectorBytes;
    const sizeBytes = (partition.lastLba - partition.firstLba + 1) * diskSectorBytes;
    return {
      number: partition.index,
      scheme: 'gpt',
      logical: false,
      typeCode: partition.typeGuid,
      typeName: gptPartitionTypeName(partition.typeGuid),
      name: partition.name === '' ? null : partition.name,
      offsetBytes,
      sizeBytes,
      // UEFI 2.10 table 5-8: attribute bit 2, LegacyBIOSBootable.
      bootable: (Number.parseInt(partition.attributes.slice(-1), 16) & 0b100) !== 0,
      withinImage: partition.withinImage,
    };
  });
  return { partitions, extent: { tableEndBytes, backupEndBytes: backupEndBytes <= source.sizeBytes ? backupEndBytes : 0 } };
}

/**
 * The primary GPT, else (damaged or absent) the backup header at the image's last sector, which UEFI
 * 2.10 5.3.2 keeps for exactly that; the primary's damage stays a warning. Throws the primary's
 * CorruptImageError when the backup cannot stand in for it.
 */
async function readGptOrBackup(source: ByteSource, warnings: string[]): Promise<{ gpt: GptReport; headerLba: number } | null> {
  const gptWarnings: BootWarning[] = [];
  let primaryDamage: CorruptImageError | null = null;
  try {
    const primary = await readGuidPartitionTable(source, gptWarnings);
    if (primary) {
      warnings.push(...gptWarnings.map((warning) => warning.message));
      return { gpt: primary, headerLba: 1 };
    }
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    primaryDamage = error;
  }
  const lastLba = Math.floor(source.sizeBytes / diskSectorBytes) - 1;
  let backup: GptReport | null = null;
  try {
    backup = lastLba > 2 ? await readGuidPartitionTable(source, gptWarnings.splice(0), lastLba) : null;
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
  }
  if (!backup) {
    if (primaryDamage) throw primaryDamage;
    return null;
  }
  const why = primaryDamage ? `is damaged (${primaryDamage.message})` : 'is missing';
  warnings.push(`the primary GPT ${why}; the backup GPT at sector ${lastLba} is read instead`, ...gptWarnings.map((warning) => warning.message));
  return { gpt: backup, headerLba: lastLba };
}

/** Where a table lies: its primary copy ends at tableEndBytes; a GPT backup the image holds ends at backupEndBytes (else 0). */
interface TableExtent {
  readonly tableEndBytes: number;
  readonly backupEndBytes: number;
}

/** The map with its warnings about partitions past the end, over the table itself and overlapping, and the target size. */
function finish(source: ByteSource, table: 'mbr' | 'gpt', partitions: PartitionMapEntry[], extent: TableExtent, warnings: string[]): PartitionMap {
  const problems: string[] = [];
  for (const partition of partitions) {
    const endBytes = partition.offsetBytes + partition.sizeBytes;
    if (!partition.withinImage) problems.push(`partition ${partition.number} ends at byte ${endBytes}, past the end of the image (${source.sizeBytes} bytes)`);
    // A hybrid ISO's MBR names the whole ISO from sector 0 on, table included, on purpose.
    const isWholeHybridIso = table === 'mbr' && wholeIsoTypes.has(Number.parseInt(partition.typeCode, 16));
    if (partition.sizeBytes > 0 && partition.offsetBytes < extent.tableEndBytes && !isWholeHybridIso) {
      problems.push(
        `partition ${partition.number} starts at byte ${partition.offsetBytes}, inside the partition table itself (which ends at byte ${extent.tableEndBytes})`,
      );
    }
  }
  // A hybrid ISO's whole-ISO partition holds the others (its ESP) by design: only the rest may not overlap.
  problems.push(
    ...overlaps(
      partitions.filter((partition) => !(table === 'mbr' && partition.offsetBytes === 0 && wholeIsoTypes.has(Number.parseInt(partition.typeCode, 16)))),
    ),
  );
  if (problems.length > maxListedWarnings) {
    const rest = problems.length - maxListedWarnings;
    problems.splice(maxListedWarnings, rest, `and ${rest} more such problems`);
  }
  warnings.push(...problems);
  const lastEndBytes = partitions.reduce(
    (end, partition) => Math.max(end, partition.offsetBytes + partition.sizeBytes),
    Math.max(extent.tableEndBytes, extent.backupEndBytes),
  );
  return { table, partitions, requiredTargetBytes: Math.min(lastEndBytes, source.sizeBytes), warnings };
}

/** Overlapping pairs, found by one sweep in start order (n log n: a hostile GPT may hold 8,192 entries). */
function overlaps(partitions: readonly PartitionMapEntry[]): string[] {
  const byStart = partitions.filter((partition) => partition.sizeBytes > 0).sort((a, b) => a.offsetBytes - b.offsetBytes || a.number - b.number);
  const found: string[] = [];
  let reaching: PartitionMapEntry | null = null;
  for (const partition of byStart) {
    if (reaching && partition.offsetBytes < reaching.offsetBytes + reaching.sizeBytes) {
      found.push(
        `partitions ${reaching.number} and ${partition.number} overlap: ${reaching.number} ends at byte ${reaching.offsetBytes + reaching.sizeBytes}, ${partition.number} starts at byte ${partition.offsetBytes}`,
      );
      if (found.length > maxListedWarnings) break;
    }
    if (!reaching || partition.offsetBytes + partition.sizeBytes > reaching.offsetBytes + reaching.sizeBytes) reaching = partition;
  }
  return found;
}
