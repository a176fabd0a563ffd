// Joliet identifiers of a new image's files and directories (Joliet specification, Microsoft 1995:
// UCS-2 big-endian, the characters it forbids, names of at most 128 bytes), unique within each
// directory (directory-names.ts) and sorted as ECMA-119 9.3 sorts the records of a volume.
import { namesForDirectory, type NamedChild, type Translation } from './directory-names.ts';
import { compareIdentifierParts, splitIdentifier } from './iso-names.ts';

/**
 * Joliet "Relaxation of ISO 9660 restrictions": a file identifier of at most 128 bytes, 64 UCS-2
 * units. 103 is what mkisofs -joliet-long allows (and Windows reads): the record still fits its
 * 255 bytes.
 *
 * Files carry no version (';1'): ECMA-119 9.1.11 asks for one, but xorriso and genisoimage record
 * Joliet names without it ('hello.txt'), Windows and Linux show the name as recorded, and the 64
 * units go to the name itself, so a long name is cut where theirs are.
 */
const maxUnits = 64;
const maxUnitsLong = 103;

/** A cut name keeps its extension when that takes at most this part of the room ('report.pdf' stays a '.pdf'). */
const maxExtensionShare = 0.5;

/**
 * Joliet identifiers (UCS-2 as JS strings, no version), in the order given: at most 64 units
 * (103 with `long`), characters Joliet forbids (control characters, * / : ; ? \) and characters
 * outside UCS-2 (an emoji: UCS-2 has no surrogates) replaced by '_'. Unique, case-sensitive as
 * Joliet compares: a taken name gets '~1', '~2', ... before its extension.
 */
export function jolietNamesForDirectory(children: readonly NamedChild[], options: { long: boolean }): string[] {
  const limit = options.long ? maxUnitsLong : maxUnits;
  return namesForDirectory(children, {
    namespace: 'Joliet',
    validKept: (kept) => validKeptIdentifier(kept, limit),
    translate: (child) => jolietTranslation(toUcs2Name(child.name), limit),
  });
}

/** Joliet "Allowed character set": every UCS-2 code point but 0x00-0x1F, * / : ; ? and \. */
function isForbidden(code: number): boolean {
  return code < 0x20 || code === 0x2a || code === 0x2f || code === 0x3a || code === 0x3b || code === 0x3f || code === 0x5c;
}

/**
 * A name in allowed UCS-2 characters: each forbidden one, lone surrogate or character beyond U+FFFF
 * becomes one '_'. A name with none of them is answered as it is, not rebuilt: the Joliet tree of
 * 50,000 files then shares its names with the source tree (3 MB, issue 15).
 */
function toUcs2Name(name: string): string {
  if (isAllowedUcs2(name)) return name;
  let result = '';
  for (const character of name) {
    const code = character.codePointAt(0) as number;
    const isSurrogate = code >= 0xd800 && code <= 0xdfff;
    result += code > 0xffff || isSurrogate || isForbidden(code) ? '_' : character;
  }
  return result;
}

/** True when every code unit is an allowed character of the Basic Multilingual Plane (no surrogate: a pair is a character beyond it). */
function isAllowedUcs2(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if ((code >= 0xd800 && code <= 0xdfff) || isForbidden(code)) return false;
  }
  return true;
}

function jolietTranslation(name: string, limit: number): Translation {
  const lastDot = name.lastIndexOf('.');
  const extension = lastDot > 0 && name.length - lastDot <= limit * maxExtensionShare ? name.slice(lastDot) : '';
  const stem = name.slice(0, name.length - extension.length);
  return {
    identifier: name.length <= limit ? name : stem.slice(0, limit - extension.length) + extension,
    withCounter(counter) {
      const suffix = `~${counter}`;
      const stemRoom = limit - extension.length - suffix.length;
      if (stemRoom < 1) return null;
      return stem.slice(0, stemRoom) + suffix + extension;
    },
  };
}

/**
 * A remastered image's Joliet name, or null when it is too long or holds a forbidden character. A
 * version some writers add (';1') is dropped: our reader strips it, and this writer records none.
 */
function validKeptIdentifier(kept: string, limit: number): string | null {
  const bare = kept.replace(/;\d+$/, '');
  if (bare === '' || bare.length > limit || toUcs2Name(bare) !== bare) return null;
  return bare;
}

/**
 * Sort order of Joliet identifiers: ECMA-119 9.3 (name, extension padded with spaces, version)
 * applied to UCS-2 code units, then the plain code-unit order, so that names equal under space
 * padding ('a' and 'a ') still sort one way whatever order they came in.
 */
export function compareJolietIdentifiers(a: string, b: string): number {
  const byParts = compareIdentifierParts(splitIdentifier(a), splitIdentifier(b));
  if (byParts !== 0) return byParts;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** UCS-2 big-endian bytes of a Joliet identifier (no terminator); its code units must be UCS-2 (no surrogates). */
export function encodeUcs2(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    bytes[index * 2] = unit >> 8;
    bytes[index * 2 + 1] = unit & 0xff;
  }
  return bytes;
}
