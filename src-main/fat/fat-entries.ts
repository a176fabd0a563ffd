// The 32-byte FAT directory entries (FAT spec 6 and 7) a writer lays down, and the FAT date and time
// fields (FAT spec 6.3) both ways. Times are written and read as UTC: FAT records a local time with no
// zone, and a stick made here must read back the same on any machine (Linux mounts it with tz=UTC).
import { directoryEntryBytes, directoryEntryFields as fields, fatAttributes, lastLongNameEntry, longNameFields, longNameUnitRuns } from './fat-fields.ts';
import { longNameUnitsPerEntry, shortNameChecksum } from './fat-names.ts';

// FAT spec 6.3: dates count years from 1980 in 7 bits, so 1980-01-01 .. 2107-12-31 are all a field can say.
const firstFatMs = Date.UTC(1980, 0, 1);
const lastFatMs = Date.UTC(2107, 11, 31, 23, 59, 59);

export interface FatTimestamp {
  /** DIR_WrtDate / DIR_CrtDate: bits 15-9 year - 1980, 8-5 month, 4-0 day. */
  readonly date: number;
  /** DIR_WrtTime / DIR_CrtTime: bits 15-11 hours, 10-5 minutes, 4-0 seconds / 2. */
  readonly time: number;
  /** DIR_CrtTimeTenth: 0-199 hundredths of a second on top of the 2-second time. */
  readonly hundredths: number;
}

/** `ms` (UTC) as FAT fields; times outside 1980-2107 are clamped to the nearest one FAT can hold. */
export function fatTimestamp(ms: number): FatTimestamp {
  const clamped = new Date(Math.min(lastFatMs, Math.max(firstFatMs, Number.isFinite(ms) ? ms : firstFatMs)));
  const date = ((clamped.getUTCFullYear() - 1980) << 9) | ((clamped.getUTCMonth() + 1) << 5) | clamped.getUTCDate();
  const time = (clamped.getUTCHours() << 11) | (clamped.getUTCMinutes() << 5) | (clamped.getUTCSeconds() >> 1);
  const hundredths = (clamped.getUTCSeconds() % 2) * 100 + Math.floor(clamped.getUTCMilliseconds() / 10);
  return { date, time, hundredths };
}

/** FAT date and time fields as UTC milliseconds; null for a zero or impossible date (never recorded). */
export function fatTimeMs(date: number, time: number, hundredths = 0): number | null {
  const year = 1980 + (date >> 9);
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = time >> 11;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  if (month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59 || hundredths > 199) return null;
  return Date.UTC(year, month - 1, day, hours, minutes, seconds) + hundredths * 10;
}

export interface ShortEntryFields {
  readonly shortName: Uint8Array;
  readonly attributes: number;
  readonly firstCluster: number;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
}

/** FAT spec 6: one short entry; created, written and accessed all say `modifiedMs`. */
export function shortEntry(values: ShortEntryFields): Uint8Array {
  const entry = new Uint8Array(directoryEntryBytes);
  const view = new DataView(entry.buffer);
  const stamp = fatTimestamp(values.modifiedMs);
  entry.set(values.shortName, fields.name);
  entry[fields.attributes] = values.attributes;
  entry[fields.createdHundredths] = stamp.hundredths;
  view.setUint16(fields.createdTime, stamp.time, true);
  view.setUint16(fields.createdDate, stamp.date, true);
  view.setUint16(fields.accessedDate, stamp.date, true);
  view.setUint16(fields.firstClusterHigh, values.firstCluster >>> 16, true);
  view.setUint16(fields.writtenTime, stamp.time, true);
  view.setUint16(fields.writtenDate, stamp.date, true);
  view.setUint16(fields.firstClusterLow, values.firstCluster & 0xffff, true);
  view.setUint32(fields.fileSize, values.sizeBytes, true);
  return entry;
}

/** The byte offset of each of a long-name entry's 13 UTF-16 units. */
const unitOffsets = longNameUnitRuns.flatMap(([start, count]) => Array.from({ length: count }, (_, index) => start + index * 2));

/**
 * FAT spec 7: the long-name entries for `name`, in the order they are stored (the last part first,
 * its ordinal marked 0x40), each with the checksum of the short name that follows them. The name is
 * UTF-16 units; after its last unit comes one 0x0000 when there is room, then 0xFFFF padding.
 */
export function longNameEntries(name: string, shortName: Uint8Array): Uint8Array[] {
  const count = Math.ceil(name.length / longNameUnitsPerEntry);
  const checksum = shortNameChecksum(shortName);
  const entries: Uint8Array[] = [];
  for (let ordinal = count; ordinal >= 1; ordinal -= 1) {
    const entry = new Uint8Array(directoryEntryBytes);
    const view = new DataView(entry.buffer);
    entry[longNameFields.ordinal] = ordinal === count ? ordinal | lastLongNameEntry : ordinal;
    entry[longNameFields.attributes] = fatAttributes.longName;
    entry[longNameFields.checksum] = checksum; // LDIR_Type and LDIR_FstClusLO stay 0
    for (const [index, at] of unitOffsets.entries()) {
      const unitIndex = (ordinal - 1) * longNameUnitsPerEntry + index;
      const unit = unitIndex < name.length ? name.charCodeAt(unitIndex) : unitIndex === name.length ? 0x0000 : 0xffff;
      view.setUint16(at, unit, true);
    }
    entries.push(entry);
  }
  return entries;
}
