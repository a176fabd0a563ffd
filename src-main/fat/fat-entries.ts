// The 32-byte FAT directory entries (FAT spec 6 and 7) a writer lays down, and the FAT date and time
// fields (FAT spec 6.3) both ways. Times are written and read as UTC: FAT records a local time with no
// zone, and a stick made here must read back the same on any machine (Linux mounts it with tz=UTC).
import { longNameUnitsPerEntry, shortNameChecksum } from './fat-names.ts';

export const directoryEntryBytes = 32;

/** FAT spec 6 (DIR_Attr). */
export const fatAttributes = { readOnly: 0x01, hidden: 0x02, system: 0x04, volumeId: 0x08, directory: 0x10, archive: 0x20, longName: 0x0f } as const;

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
export function shortEntry(fields: ShortEntryFields): Uint8Array {
  const entry = new Uint8Array(directoryEntryBytes);
  const view = new DataView(entry.buffer);
  const stamp = fatTimestamp(fields.modifiedMs);
  entry.set(fields.shortName, 0);
  entry[11] = fields.attributes;
  entry[13] = stamp.hundredths; // DIR_CrtTimeTenth
  view.setUint16(14, stamp.time, true); // DIR_CrtTime
  view.setUint16(16, stamp.date, true); // DIR_CrtDate
  view.setUint16(18, stamp.date, true); // DIR_LstAccDate
  view.setUint16(20, fields.firstCluster >>> 16, true); // DIR_FstClusHI
  view.setUint16(22, stamp.time, true); // DIR_WrtTime
  view.setUint16(24, stamp.date, true); // DIR_WrtDate
  view.setUint16(26, fields.firstCluster & 0xffff, true); // DIR_FstClusLO
  view.setUint32(28, fields.sizeBytes, true); // DIR_FileSize
  return entry;
}

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
    entry[0] = ordinal === count ? ordinal | 0x40 : ordinal; // LDIR_Ord
    entry[11] = fatAttributes.longName; // LDIR_Attr
    entry[13] = checksum; // LDIR_Chksum
    // LDIR_Name1 (5 units at 1), LDIR_Name2 (6 at 14), LDIR_Name3 (2 at 28); LDIR_Type and LDIR_FstClusLO stay 0.
    const offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    for (const [index, at] of offsets.entries()) {
      const unitIndex = (ordinal - 1) * longNameUnitsPerEntry + index;
      const unit = unitIndex < name.length ? name.charCodeAt(unitIndex) : unitIndex === name.length ? 0x0000 : 0xffff;
      view.setUint16(at, unit, true);
    }
    entries.push(entry);
  }
  return entries;
}
