// FAT names (Microsoft "FAT: General Overview of On-Disk Format" 1.03, sections 6.1 and 7): which names
// fit an 8.3 short entry as they are, which a long name may hold, the deterministic short name ("BASIS~N")
// a long-named file gets, the checksum tying them, and a volume label. Shared by the reader and the writer.
import { CodedError } from '../jobs/errors.ts';

/** FAT spec 7: a long name holds at most 255 UTF-16 units. */
export const maxLongNameUnits = 255;
/** FAT spec 7: each long-name entry carries 13 UTF-16 units. */
export const longNameUnitsPerEntry = 13;

// FAT spec 6.1: the characters a short name may hold besides upper-case letters and digits (bytes
// above 127 are OEM code page characters, which a writer cannot rely on, so none are produced).
const shortNameSymbols = "$%'-_@~`!(){}^#&";
const shortNameChar = /^[A-Z0-9$%'\-_@~`!(){}^#&]$/;
const upperShortName = new RegExp(`^[A-Z0-9${escapeClass(shortNameSymbols)}]{1,8}(\\.[A-Z0-9${escapeClass(shortNameSymbols)}]{1,3})?$`);
// FAT spec 7 ("Long Directory Entries", legal characters): these and control characters never appear in a long name.
const forbiddenLongNameChars = '"*/:<>?\\|';

function hasForbiddenLongNameChar(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    if (name.charCodeAt(index) < 0x20 || forbiddenLongNameChars.includes(name.charAt(index))) return true;
  }
  return false;
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\-\]^]/g, '\\$&');
}

/** True when `name` is stored as its own short entry with no long name: upper-case 8.3 of legal characters. */
export function isUpperShortName(name: string): boolean {
  return upperShortName.test(name);
}

/**
 * Refuses a name a FAT volume cannot hold, naming the path: "." and "..", characters FAT spec 7 forbids,
 * a trailing period or space (Windows drops them, so the file would be found under another name), or
 * more than 255 UTF-16 units. An image's file with such a name cannot be copied faithfully.
 */
export function checkLongName(name: string, path: string): void {
  const problem =
    name === '' || name === '.' || name === '..'
      ? 'is not a file name'
      : hasForbiddenLongNameChar(name)
        ? 'holds a character FAT forbids (" * / : < > ? \\ | or a control character)'
        : /[. ]$/.test(name)
          ? 'ends with a period or a space'
          : name.length > maxLongNameUnits
            ? `is ${name.length} UTF-16 units long, FAT allows ${maxLongNameUnits}`
            : null;
  if (problem) throw new CodedError('unsupported', `${path}: the name "${name}" ${problem}, so a FAT volume cannot hold it`);
}

/** 11 bytes: base padded with spaces to 8, extension to 3 (FAT spec 6.1, DIR_Name). */
export function shortNameBytes(base: string, extension: string): Uint8Array {
  const bytes = new Uint8Array(11).fill(0x20);
  for (let index = 0; index < base.length; index += 1) bytes[index] = base.charCodeAt(index);
  for (let index = 0; index < extension.length; index += 1) bytes[8 + index] = extension.charCodeAt(index);
  return bytes;
}

/**
 * The short names of one directory. Names that are upper-case 8.3 already are reserved first (they
 * keep their names); a name that is 8.3 but for its case takes its upper-case form when free; every
 * other name gets FAT spec 7's basis name with the first free numeric tail ("LONGFI~1.TXT"), in the
 * order asked, so the same input always gives the same names. Each basis keeps its next tail, so a
 * directory of many alike names costs linear time.
 */
export class ShortNames {
  private readonly taken = new Set<string>();
  private readonly nextTail = new Map<string, number>();

  constructor(names: readonly string[]) {
    for (const name of names) if (isUpperShortName(name)) this.taken.add(name);
  }

  /** The 11-byte short name for `name`; `path` names it in the error when the tails run out. */
  claim(name: string, path: string): Uint8Array {
    if (isUpperShortName(name)) {
      const dot = name.indexOf('.');
      return dot < 0 ? shortNameBytes(name, '') : shortNameBytes(name.slice(0, dot), name.slice(dot + 1));
    }
    const { base, extension } = basisName(name);
    const key = `${base}.${extension}`;
    // FAT spec 7: a name that only differs from its basis in case keeps the basis as it is ("bootx64.efi"
    // is BOOTX64.EFI, as Windows names it), so firmware that matches short names alone still finds it.
    const plain = extension ? `${base}.${extension}` : base;
    if (isLosslessBasis(name) && !this.taken.has(plain)) {
      this.taken.add(plain);
      return shortNameBytes(base, extension);
    }
    // FAT spec 7: tails run ~1 .. ~999999; the base is cut so base + "~N" fits in 8 characters.
    for (let tail = this.nextTail.get(key) ?? 1; tail <= 999_999; tail += 1) {
      const suffix = `~${tail}`;
      const candidate = base.slice(0, 8 - suffix.length) + suffix;
      const full = extension ? `${candidate}.${extension}` : candidate;
      if (this.taken.has(full)) continue;
      this.taken.add(full);
      this.nextTail.set(key, tail + 1);
      return shortNameBytes(candidate, extension);
    }
    throw new CodedError('unsupported', `${path}: no free short name is left for "${name}" in its directory`);
  }
}

/** True when upper-casing alone makes `name` a valid 8.3 name (plain ASCII, so no character is lost). */
function isLosslessBasis(name: string): boolean {
  return /^[\x21-\x7e]+$/.test(name) && isUpperShortName(name.toUpperCase());
}

/**
 * FAT spec 7 ("Basis-Name Generation"): upper-case, characters a short name cannot hold become "_",
 * spaces and leading periods go, then up to 8 characters before the last period and 3 after it.
 */
function basisName(name: string): { base: string; extension: string } {
  const mapped = Array.from(name.toUpperCase(), (char) => (char === '.' || char === ' ' || shortNameChar.test(char) ? char : '_'))
    .join('')
    .replace(/ /g, '')
    .replace(/^\.+/, '');
  const lastDot = mapped.lastIndexOf('.');
  const base = (lastDot < 0 ? mapped : mapped.slice(0, lastDot)).replace(/\./g, '').slice(0, 8);
  const extension = lastDot < 0 ? '' : mapped.slice(lastDot + 1).slice(0, 3);
  return { base: base === '' ? '_' : base, extension };
}

/** FAT spec 7.2 (ChkSum): the byte every long-name entry carries, computed over the 11-byte short name. */
export function shortNameChecksum(shortName: Uint8Array): number {
  let sum = 0;
  for (const byte of shortName) sum = (((sum & 1) << 7) + (sum >> 1) + byte) & 0xff;
  return sum;
}

/**
 * A FAT volume label made of an image's name (FAT spec 3.1 BS_VolLab, 6.1 ATTR_VOLUME_ID): upper-case,
 * characters a short name cannot hold become "_" (spaces stay), at most 11 bytes, trailing spaces
 * dropped. Null when nothing is left: the volume then has no label ("NO NAME" in the boot sector).
 */
export function fatVolumeLabel(label: string): string | null {
  const mapped = Array.from(label.toUpperCase(), (char) => (char === ' ' || shortNameChar.test(char) ? char : '_'))
    .join('')
    .slice(0, 11)
    .trimEnd();
  return mapped === '' ? null : mapped;
}
