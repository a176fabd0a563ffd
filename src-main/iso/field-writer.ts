// The field encoders of the ISO 9660 writers (ECMA-119 7.1-7.4, 8.4.26.1, 9.1.5): the mirror of the
// readers in format/fields.ts. Each writes into a caller's buffer at a byte position, so a descriptor
// or a directory extent is one allocation however many fields it holds.

/** ECMA-119 7.2.1 / 7.3.1 little-endian. */
export function writeUint16Le(into: Uint8Array, at: number, value: number): void {
  into[at] = value & 0xff;
  into[at + 1] = (value >>> 8) & 0xff;
}

/** ECMA-119 7.2.2 big-endian. */
export function writeUint16Be(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 8) & 0xff;
  into[at + 1] = value & 0xff;
}

export function writeUint32Le(into: Uint8Array, at: number, value: number): void {
  into[at] = value & 0xff;
  into[at + 1] = (value >>> 8) & 0xff;
  into[at + 2] = (value >>> 16) & 0xff;
  into[at + 3] = (value >>> 24) & 0xff;
}

export function writeUint32Be(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 24) & 0xff;
  into[at + 1] = (value >>> 16) & 0xff;
  into[at + 2] = (value >>> 8) & 0xff;
  into[at + 3] = value & 0xff;
}

/** ECMA-119 7.2.3: 16-bit both-endian (little then big). */
export function writeBothEndianUint16(into: Uint8Array, at: number, value: number): void {
  writeUint16Le(into, at, value);
  writeUint16Be(into, at + 2, value);
}

/** ECMA-119 7.3.3: 32-bit both-endian (little then big). A value outside 32 bits is a layout bug. */
export function writeBothEndianUint32(into: Uint8Array, at: number, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} does not fit a 32-bit both-endian field`);
  writeUint32Le(into, at, value);
  writeUint32Be(into, at + 4, value);
}

/** ECMA-119 7.4: an a- or d-character field, its characters as given (already checked), space padded. */
export function writeAsciiField(into: Uint8Array, at: number, lengthBytes: number, text: string): void {
  into.fill(0x20, at, at + lengthBytes);
  for (let index = 0; index < Math.min(text.length, lengthBytes); index += 1) into[at + index] = text.charCodeAt(index) & 0x7f;
}

const msPerDay = 86_400_000;

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar, and back: H. Hinnant's
 * days_from_civil and civil_from_days ("chrono-Compatible Low-Level Date Algorithms"), which count
 * in 400-year eras of 146,097 days from a year starting in March, so February's leap day falls last.
 * Plain arithmetic: a Date per time was most of the cost of the dates of 50,000 files (four each).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The UTC calendar fields of a time (ms, truncated as a Date truncates), clamped to [`minYear`-01-01, `maxYear`-12-31 23:59:59.99]. */
function utcFields(
  timeMs: number,
  minYear: number,
  maxYear: number,
): { year: number; month: number; day: number; hour: number; minute: number; second: number; centiseconds: number } {
  const lowest = daysFromCivil(minYear, 1, 1) * msPerDay;
  const highest = (daysFromCivil(maxYear, 12, 31) + 1) * msPerDay - 10;
  const clamped = Number.isFinite(timeMs) ? Math.trunc(Math.min(Math.max(timeMs, lowest), highest)) : lowest;
  const days = Math.floor(clamped / msPerDay);
  const msOfDay = clamped - days * msPerDay;
  // civil_from_days
  const fromMarch0000 = days + 719_468;
  const era = Math.floor(fromMarch0000 / 146_097);
  const dayOfEra = fromMarch0000 - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    centiseconds: Math.floor((msOfDay % 1000) / 10),
  };
}

/**
 * ECMA-119 9.1.5: the 7-byte recording date (years since 1900, month, day, hour, minute, second, GMT
 * offset 0), in UTC as xorriso writes with -modification-date. Times outside 1900-2155 are clamped:
 * the field cannot say them.
 */
export function writeDirectoryRecordDate(into: Uint8Array, at: number, timeMs: number): void {
  if (timeMs !== lastRecordDateMs) {
    const fields = utcFields(timeMs, 1900, 2155);
    lastRecordDate[0] = fields.year - 1900;
    lastRecordDate[1] = fields.month;
    lastRecordDate[2] = fields.day;
    lastRecordDate[3] = fields.hour;
    lastRecordDate[4] = fields.minute;
    lastRecordDate[5] = fields.second;
    lastRecordDate[6] = 0; // GMT offset
    lastRecordDateMs = timeMs;
  }
  into.set(lastRecordDate, at);
}

/**
 * The last recording date made and its bytes: a record and its Rock Ridge TF write up to four dates,
 * a tree's files often share one (an unpacked archive, a reproducible image), and making each anew
 * was a tenth of the CPU of planning 50,000 files.
 */
let lastRecordDateMs = Number.NaN;
const lastRecordDate = new Uint8Array(7);

/** ECMA-119 8.4.26.1: the 17-byte date, "YYYYMMDDHHMMSScc" then the GMT offset 0; null: "not specified" (digits '0'). */
export function writeVolumeDescriptorDate(into: Uint8Array, at: number, timeMs: number | null): void {
  if (timeMs === null) {
    writeAsciiField(into, at, 16, '0'.repeat(16));
    into[at + 16] = 0;
    return;
  }
  const fields = utcFields(timeMs, 1, 9999);
  const two = (value: number): string => String(value).padStart(2, '0');
  const digits = `${String(fields.year).padStart(4, '0')}${two(fields.month)}${two(fields.day)}${two(fields.hour)}${two(fields.minute)}${two(fields.second)}${two(fields.centiseconds)}`;
  writeAsciiField(into, at, 16, digits);
  into[at + 16] = 0;
}
