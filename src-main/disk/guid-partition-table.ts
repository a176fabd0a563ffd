// The GUID partition table (UEFI 2.10 5.3): the primary header at LBA 1 (512-byte sectors), both
// CRC32s checked, and the partition entry array it points to. The boot report reads the primary only:
// a damaged primary is reported as corrupt, which is what a flashing tool needs to know; the disk
// image view (partition-map.ts) falls back to the backup header at the last LBA, as firmware does. One bad
// partition entry is not a damaged table: it becomes a warning and the other entries still count.
import { crc32 } from 'node:zlib'; // CRC-32 of IEEE 802.3, the one UEFI 2.10 5.3.2 specifies for GPT
import type { BootWarning, GptPartition, GptReport } from '../../shared/boot.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { formatGuid, isZeroGuid, knownPartitionTypes } from './guid.ts';
import { diskSectorBytes } from './master-boot-record.ts';
import { corruptAt, FieldReader, readRegion, type Place } from '../format/fields.ts';

export const gptHeaderLba = 1;
export const gptSignature = 'EFI PART';
/** UEFI 2.10 table 5-5: HeaderSize is at least 92 and at most the logical block size. */
export const minimumHeaderBytes = 92;
/** UEFI 2.10 table 5-5: the fields of the GPT header, by offset in it. */
export const gptHeaderOffsets = {
  signature: 0,
  revision: 8,
  headerSize: 12,
  headerCrc32: 16,
  myLba: 24,
  alternateLba: 32,
  firstUsableLba: 40,
  lastUsableLba: 48,
  diskGuid: 56,
  partitionEntryLba: 72,
  numberOfPartitionEntries: 80,
  sizeOfPartitionEntry: 84,
  partitionEntryArrayCrc32: 88,
} as const;
/** UEFI 2.10 table 5-6: the fields of a partition entry, by offset in it; PartitionName is 72 bytes. */
export const gptEntryOffsets = { partitionTypeGuid: 0, uniquePartitionGuid: 16, startingLba: 32, endingLba: 40, attributes: 48, partitionName: 56 } as const;
export const gptPartitionNameBytes = 72;
/** Leniency limit: real arrays are 16 KiB (128 x 128); refuse anything over 1 MiB as absurd. */
const maxEntryArrayBytes = 1024 * 1024;

/** Parses the header sector at `headerLba` (LBA 1, or the backup's last LBA); null when it lacks the "EFI PART" signature. */
export function parseGptHeader(sector: Uint8Array, headerLba = gptHeaderLba): (Omit<GptReport, 'partitions'> & { entriesCrc32: number }) | null {
  const place: Place = { offsetBytes: headerLba * diskSectorBytes, sectorBytes: diskSectorBytes };
  const fields = new FieldReader(sector, place);
  const at = gptHeaderOffsets;
  if (fields.ascii(at.signature, 8, 'GPT signature') !== gptSignature) return null;

  // UEFI 2.10 5.3.2: HeaderSize must be >= 92 and <= the block size.
  const headerBytes = fields.uint32Le(at.headerSize, 'GPT HeaderSize');
  if (headerBytes < minimumHeaderBytes || headerBytes > diskSectorBytes) {
    throw corruptAt(place, at.headerSize, `GPT header declares a size of ${headerBytes} bytes, not within ${minimumHeaderBytes}-${diskSectorBytes}`);
  }
  // UEFI 2.10 5.3.2: the header CRC32 covers HeaderSize bytes with the CRC field itself zeroed.
  const storedCrc = fields.uint32Le(at.headerCrc32, 'GPT HeaderCRC32');
  const covered = fields.slice(0, headerBytes, 'GPT header').slice();
  covered.fill(0, at.headerCrc32, at.headerCrc32 + 4);
  const computedCrc = crc32(covered);
  if (computedCrc !== storedCrc) {
    throw corruptAt(place, at.headerCrc32, `GPT header CRC32 is 0x${hex32(storedCrc)}, the header's bytes give 0x${hex32(computedCrc)}`);
  }
  // UEFI 2.10 5.3.2: MyLBA must be the LBA the header was read from.
  const myLba = fields.uint64Le(at.myLba, 'GPT MyLBA');
  if (myLba !== headerLba) throw corruptAt(place, at.myLba, `GPT header at LBA ${headerLba} says it is at LBA ${myLba}`);

  const entryCount = fields.uint32Le(at.numberOfPartitionEntries, 'GPT NumberOfPartitionEntries');
  const entrySizeBytes = fields.uint32Le(at.sizeOfPartitionEntry, 'GPT SizeOfPartitionEntry');
  // UEFI 2.10 table 5-5: SizeOfPartitionEntry is 128 x 2^n.
  if (entrySizeBytes < 128 || entrySizeBytes > 4096 || (entrySizeBytes & (entrySizeBytes - 1)) !== 0) {
    throw corruptAt(place, at.sizeOfPartitionEntry, `GPT partition entries are ${entrySizeBytes} bytes each, not 128 x 2^n`);
  }
  if (entryCount * entrySizeBytes > maxEntryArrayBytes) {
    throw corruptAt(
      place,
      at.numberOfPartitionEntries,
      `GPT declares ${entryCount} partition entries of ${entrySizeBytes} bytes, more than the ${maxEntryArrayBytes} bytes Isotope accepts`,
    );
  }
  return {
    diskGuid: formatGuid(fields.slice(at.diskGuid, 16, 'GPT DiskGUID')),
    backupHeaderLba: fields.uint64Le(at.alternateLba, 'GPT AlternateLBA'),
    firstUsableLba: fields.uint64Le(at.firstUsableLba, 'GPT FirstUsableLBA'),
    lastUsableLba: fields.uint64Le(at.lastUsableLba, 'GPT LastUsableLBA'),
    entriesLba: fields.uint64Le(at.partitionEntryLba, 'GPT PartitionEntryLBA'),
    entryCount,
    entrySizeBytes,
    entriesCrc32: fields.uint32Le(at.partitionEntryArrayCrc32, 'GPT PartitionEntryArrayCRC32'),
  };
}

/**
 * Parses the partition entry array (UEFI 2.10 table 5-6), after checking its CRC32. An entry that
 * cannot be a partition (it ends before it starts, or its LBAs are beyond any image) is left out and
 * reported in `warnings`: xorriso writes zero-size entries (start = end + 1) for El Torito images
 * it also lists in the GPT, and such images boot.
 */
export function parseGptEntries(
  array: Uint8Array,
  header: { entriesLba: number; entryCount: number; entrySizeBytes: number; entriesCrc32: number },
  options: { imageSizeBytes: number; warnings: BootWarning[] },
): GptPartition[] {
  const place: Place = { offsetBytes: header.entriesLba * diskSectorBytes, sectorBytes: diskSectorBytes };
  const computedCrc = crc32(array);
  if (computedCrc !== header.entriesCrc32) {
    throw corruptAt(place, 0, `GPT partition entry array CRC32 is 0x${hex32(header.entriesCrc32)} in the header, its bytes give 0x${hex32(computedCrc)}`);
  }
  const fields = new FieldReader(array, place);
  const partitions: GptPartition[] = [];
  for (let index = 0; index < header.entryCount; index += 1) {
    const at = index * header.entrySizeBytes;
    const typeBytes = fields.slice(at + gptEntryOffsets.partitionTypeGuid, 16, 'GPT PartitionTypeGUID');
    if (isZeroGuid(typeBytes)) continue; // UEFI 2.10 table 5-6: an unused entry
    try {
      partitions.push(parseEntry(fields, place, at, index + 1, typeBytes, options.imageSizeBytes));
    } catch (error) {
      if (!(error instanceof CorruptImageError)) throw error;
      options.warnings.push({ code: 'gpt-entry-anomaly', message: `${error.message}; the entry is left out` });
    }
  }
  return partitions;
}

function parseEntry(fields: FieldReader, place: Place, at: number, index: number, typeBytes: Uint8Array, imageSizeBytes: number): GptPartition {
  const firstLba = fields.uint64Le(at + gptEntryOffsets.startingLba, `GPT partition ${index} StartingLBA`);
  const lastLba = fields.uint64Le(at + gptEntryOffsets.endingLba, `GPT partition ${index} EndingLBA`);
  // UEFI 2.10 5.3.3: EndingLBA is inclusive and not before StartingLBA.
  if (lastLba < firstLba) {
    const zeroSize = lastLba + 1 === firstLba ? ' (a zero-size entry, as xorriso writes them)' : '';
    throw corruptAt(place, at + gptEntryOffsets.startingLba, `GPT partition ${index} ends at LBA ${lastLba}, before its start ${firstLba}${zeroSize}`);
  }
  const typeGuid = formatGuid(typeBytes);
  return {
    index,
    typeGuid,
    typeName: knownPartitionTypes[typeGuid] ?? null,
    partitionGuid: formatGuid(fields.slice(at + gptEntryOffsets.uniquePartitionGuid, 16, 'GPT UniquePartitionGUID')),
    name: utf16Name(fields.slice(at + gptEntryOffsets.partitionName, gptPartitionNameBytes, 'GPT PartitionName')),
    firstLba,
    lastLba,
    attributes: fields.hex64Le(at + gptEntryOffsets.attributes, 'GPT Attributes'),
    withinImage: (lastLba + 1) * diskSectorBytes <= imageSizeBytes,
  };
}

/**
 * Reads the GPT of an image; null when LBA 1 has no GPT header. Entries that cannot be partitions
 * go to `warnings` (see parseGptEntries); a damaged header or entry array is still corrupt.
 */
export async function readGuidPartitionTable(source: ByteSource, warnings: BootWarning[], headerLba = gptHeaderLba): Promise<GptReport | null> {
  if (source.sizeBytes < (headerLba + 1) * diskSectorBytes) return null;
  const sector = await readRegion(source, { offsetBytes: headerLba * diskSectorBytes, sectorBytes: diskSectorBytes }, diskSectorBytes, 'GPT header');
  const header = parseGptHeader(sector, headerLba);
  if (!header) return null;
  const array = await readRegion(
    source,
    { offsetBytes: header.entriesLba * diskSectorBytes, sectorBytes: diskSectorBytes },
    header.entryCount * header.entrySizeBytes,
    'GPT partition entry array',
  );
  const partitions = parseGptEntries(array, header, { imageSizeBytes: source.sizeBytes, warnings });
  const { entriesCrc32: _checked, ...report } = header;
  return { ...report, partitions };
}

// UEFI 2.10 table 5-6: PartitionName is 36 UTF-16LE code units, NUL-terminated when shorter.
function utf16Name(bytes: Uint8Array): string {
  const units: number[] = [];
  for (let at = 0; at + 1 < bytes.byteLength; at += 2) {
    const unit = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    if (unit === 0) break;
    units.push(unit);
  }
  return String.fromCharCode(...units);
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}
