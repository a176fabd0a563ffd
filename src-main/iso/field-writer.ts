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

/** The UTC calendar fields of a time, clamped to [`minYear`-01-01, `maxYear`-12-31 23:59:59.99]. */
function utcFields(
  timeMs: number,
  minYear: number,
  maxYear: number,
): { year: number; month: number; day: number; hour: number; minute: number; second: number; centiseconds: number } {
  const lowest = Date.UTC(minYear, 0, 1);
  const highest = Date.UTC(maxYear, 11, 31, 23, 59, 59, 990);
  const clamped = Number.isFinite(timeMs) ? Math.min(Math.max(timeMs, lowest), highest) : lowest;
  const date = new Date(clamped);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    centiseconds: Math.floor(date.getUTCMilliseconds() / 10),
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
    lastRecordDate.set([fields.year - 1900, fields.month, fields.day, fields.hour, fields.minute, fields.second, 0]);
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
