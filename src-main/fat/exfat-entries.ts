// exFAT directory entries (exFAT spec 6.2-6.4 and 7): the file directory entry sets (File 7.4, Stream
// Extension 7.6, File Name 7.7) with their SetChecksum (6.3.3), and the root directory's critical
// primaries: allocation bitmap (7.1), up-case table (7.2) and volume label (7.3). Parsing only: where the
// clusters lie is exfat-tree.ts's business.
import { corruptAt, FieldReader, type Place } from '../format/fields.ts';
import { exfatSetChecksum } from './exfat-checksum.ts';

const entryBytes = 32;

/** 6.2.1: EntryType values (TypeCode, TypeImportance, TypeCategory and InUse together). */
export const exfatEntryTypes = {
  endOfDirectory: 0x00,
  allocationBitmap: 0x81,
  upcaseTable: 0x82,
  volumeLabel: 0x83,
  file: 0x85,
  streamExtension: 0xc0,
  fileName: 0xc1,
} as const;
const inUseBit = 0x80;
const secondaryCategoryBit = 0x40;

/** 7.4.4: FileAttributes bits. */
export const exfatAttributeBits = { readOnly: 0x01, hidden: 0x02, system: 0x04, directory: 0x10, archive: 0x20 } as const;

/** 7.6.2 GeneralSecondaryFlags: bit 0 AllocationPossible, bit 1 NoFatChain. */
const noFatChainBit = 0x02;
/** 7.7.3: a File Name entry holds 15 UTF-16 units. */
const unitsPerNameEntry = 15;
/** 7.4.2: a file's SecondaryCount is 2 (stream + one name entry) to 18 (stream + 17 name entries for 255 units). */
const secondaryCountRange = { min: 2, max: 18 } as const;

export interface ExfatFileRecord {
  readonly name: string;
  /** 7.4.4 FileAttributes. */
  readonly attributes: number;
  readonly modifiedMs: number | null;
  readonly firstCluster: number;
  /** 7.6.8: DataLength, the bytes allocated; 7.6.6: ValidDataLength, those written (the rest reads as zeros). */
  readonly dataLengthBytes: number;
  readonly validDataLengthBytes: number;
  /** 7.6.2: the clusters are contiguous and the FAT is not consulted. */
  readonly noFatChain: boolean;
  /** Where the File entry lies in the directory's bytes. */
  readonly atBytes: number;
}

/** A root directory's critical primary (7.1, 7.2): its first cluster and length. */
export interface ExfatMetadataRecord {
  readonly firstCluster: number;
  readonly dataLengthBytes: number;
  readonly atBytes: number;
}

export interface ExfatDirectory {
  readonly files: readonly ExfatFileRecord[];
  readonly bitmap: ExfatMetadataRecord | null;
  readonly upcaseTable: ExfatMetadataRecord | null;
  readonly label: string | null;
}

/**
 * The entries of a directory's bytes, up to the end-of-directory entry (6.2.1). `place` says where
 * byte 0 lies, so errors name the entry's offset. A set whose SecondaryCount runs past the directory,
 * whose checksum does not match, or that lacks its Stream Extension is a CorruptImageError.
 */
export function parseExfatDirectory(bytes: Uint8Array, place: Place): ExfatDirectory {
  const fields = new FieldReader(bytes, place);
  const files: ExfatFileRecord[] = [];
  let bitmap: ExfatMetadataRecord | null = null;
  let upcaseTable: ExfatMetadataRecord | null = null;
  let label: string | null = null;
  for (let at = 0; at + entryBytes <= bytes.byteLength; at += entryBytes) {
    const type = fields.uint8(at, 'EntryType');
    if (type === exfatEntryTypes.endOfDirectory) break;
    // 6.2.1.4: an entry not in use (deleted), and 6.2.1.3: a secondary outside a set, are skipped.
    if ((type & inUseBit) === 0 || (type & secondaryCategoryBit) !== 0) continue;
    if (type === exfatEntryTypes.file) {
      const record = parseFileSet(fields, at);
      files.push(record.file);
      at = record.endBytes - entryBytes;
    } else if (type === exfatEntryTypes.allocationBitmap) {
      // 7.1.2: the first bitmap (bit 0 of BitmapFlags clear) belongs to the first FAT; TexFAT's second is not read.
      if ((fields.uint8(at + 1, 'BitmapFlags') & 1) === 0 && !bitmap) bitmap = metadataRecord(fields, at);
    } else if (type === exfatEntryTypes.upcaseTable) {
      upcaseTable ??= metadataRecord(fields, at);
    } else if (type === exfatEntryTypes.volumeLabel) {
      label ??= volumeLabel(fields, at);
    } else {
      // 6.3.2: any other primary (Volume GUID, TexFAT padding, a vendor's) names how many secondaries follow it.
      at += fields.uint8(at + 1, 'SecondaryCount') * entryBytes;
    }
  }
  return { files, bitmap, upcaseTable, label };
}

function metadataRecord(fields: FieldReader, at: number): ExfatMetadataRecord {
  return { firstCluster: fields.uint32Le(at + 20, 'FirstCluster'), dataLengthBytes: fields.uint64Le(at + 24, 'DataLength'), atBytes: at };
}

/** 7.3.2-7.3.3: up to 11 UTF-16 units; null when empty. */
function volumeLabel(fields: FieldReader, at: number): string | null {
  const count = fields.uint8(at + 1, 'CharacterCount');
  if (count > 11) throw corruptAt(fields.place, at + 1, `exFAT volume label claims ${count} characters, more than 11`);
  let text = '';
  for (let index = 0; index < count; index += 1) text += String.fromCharCode(fields.uint16Le(at + 2 + index * 2, 'VolumeLabel'));
  return text === '' ? null : text;
}

/** One File directory entry set (7.4, 7.6, 7.7) starting at `at`, and where the entry after it starts. */
function parseFileSet(fields: FieldReader, at: number): { file: ExfatFileRecord; endBytes: number } {
  const secondaryCount = fields.uint8(at + 1, 'SecondaryCount');
  if (secondaryCount < secondaryCountRange.min || secondaryCount > secondaryCountRange.max) {
    throw corruptAt(
      fields.place,
      at + 1,
      `exFAT file entry has SecondaryCount ${secondaryCount}, outside ${secondaryCountRange.min}-${secondaryCountRange.max}`,
    );
  }
  const endBytes = at + (1 + secondaryCount) * entryBytes;
  if (endBytes > fields.bytes.byteLength) {
    throw corruptAt(
      fields.place,
      at + 1,
      `exFAT file entry's SecondaryCount ${secondaryCount} runs ${endBytes - fields.bytes.byteLength} bytes past the end of its ${fields.bytes.byteLength}-byte directory`,
    );
  }
  const recorded = fields.uint16Le(at + 2, 'SetChecksum');
  const computed = exfatSetChecksum(fields.bytes.subarray(at, endBytes));
  if (recorded !== computed) {
    throw corruptAt(
      fields.place,
      at + 2,
      `exFAT file entry set's SetChecksum is 0x${recorded.toString(16)}, its ${1 + secondaryCount} entries sum to 0x${computed.toString(16)}`,
    );
  }
  const stream = at + entryBytes;
  // 7.4: the Stream Extension is the first secondary of a file's set.
  if (fields.uint8(stream, 'EntryType') !== exfatEntryTypes.streamExtension) {
    throw corruptAt(
      fields.place,
      stream,
      `exFAT file entry is not followed by its stream extension entry (type 0x${fields.uint8(stream, 'EntryType').toString(16)})`,
    );
  }
  const dataLengthBytes = fields.uint64Le(stream + 24, 'DataLength');
  const validDataLengthBytes = fields.uint64Le(stream + 8, 'ValidDataLength');
  if (validDataLengthBytes > dataLengthBytes) {
    throw corruptAt(fields.place, stream + 8, `exFAT ValidDataLength ${validDataLengthBytes} is past DataLength ${dataLengthBytes}`);
  }
  const file: ExfatFileRecord = {
    name: fileName(fields, stream, endBytes),
    attributes: fields.uint16Le(at + 4, 'FileAttributes'),
    modifiedMs: exfatTimeMs(
      fields.uint32Le(at + 12, 'LastModifiedTimestamp'),
      fields.uint8(at + 21, 'LastModified10msIncrement'),
      fields.uint8(at + 23, 'LastModifiedUtcOffset'),
    ),
    firstCluster: fields.uint32Le(stream + 20, 'FirstCluster'),
    dataLengthBytes,
    validDataLengthBytes,
    noFatChain: (fields.uint8(stream + 1, 'GeneralSecondaryFlags') & noFatChainBit) !== 0,
    atBytes: at,
  };
  return { file, endBytes };
}

/** 7.6.3 NameLength units from the File Name entries (7.7) that follow the stream extension. */
function fileName(fields: FieldReader, stream: number, endBytes: number): string {
  const nameLength = fields.uint8(stream + 3, 'NameLength');
  const nameEntries = Math.ceil(nameLength / unitsPerNameEntry);
  if (nameLength === 0 || stream + (1 + nameEntries) * entryBytes > endBytes) {
    throw corruptAt(
      fields.place,
      stream + 3,
      `exFAT NameLength ${nameLength} needs ${nameEntries} file name entries, the set holds ${(endBytes - stream) / entryBytes - 1}`,
    );
  }
  const units: number[] = [];
  for (let entry = 0; entry < nameEntries; entry += 1) {
    const at = stream + (1 + entry) * entryBytes;
    if (fields.uint8(at, 'EntryType') !== exfatEntryTypes.fileName) {
      throw corruptAt(fields.place, at, `exFAT file name entry ${entry + 1} of ${nameEntries} has type 0x${fields.uint8(at, 'EntryType').toString(16)}`);
    }
    for (let unit = 0; unit < unitsPerNameEntry && units.length < nameLength; unit += 1) units.push(fields.uint16Le(at + 2 + unit * 2, 'FileName'));
  }
  return String.fromCharCode(...units);
}

/**
 * 7.4.8 Timestamp (bits 0-4 two-second count, 5-10 minute, 11-15 hour, 16-20 day, 21-24 month, 25-31
 * years since 1980), 7.4.9 10msIncrement (0-199) and 7.4.10 UtcOffset (bit 7: valid; bits 0-6: signed
 * quarter hours east of UTC). A local time with no valid offset is taken as UTC, as the FAT reader does.
 * Null for an impossible date (never recorded).
 */
export function exfatTimeMs(timestamp: number, tenMsIncrement: number, utcOffset: number): number | null {
  const seconds = (timestamp & 0x1f) * 2;
  const minutes = (timestamp >>> 5) & 0x3f;
  const hours = (timestamp >>> 11) & 0x1f;
  const day = (timestamp >>> 16) & 0x1f;
  const month = (timestamp >>> 21) & 0x0f;
  const year = 1980 + (timestamp >>> 25);
  if (month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59 || tenMsIncrement > 199) return null;
  const localMs = Date.UTC(year, month - 1, day, hours, minutes, seconds) + tenMsIncrement * 10;
  if ((utcOffset & 0x80) === 0) return localMs;
  const quarterHours = utcOffset & 0x40 ? (utcOffset & 0x7f) - 0x80 : utcOffset & 0x7f;
  return localMs - quarterHours * 15 * 60 * 1000;
}
