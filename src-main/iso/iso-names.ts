// ISO 9660 identifiers of a new image's files and directories (ECMA-119 7.4-7.6 characters and
// lengths, 9.3 record order), made from POSIX names: deterministic (they depend only on the set of
// names in the directory, never on the order a walk met them) and unique within each directory.
import type { IsoLevel } from '../../shared/authoring.ts';
import { namesForDirectory, type NamedChild, type Translation } from './directory-names.ts';

/** ECMA-119 7.5.1 and 7.6.3: identifier lengths per interchange level (10.1-10.3). */
interface NameLimits {
  /** File name + extension characters (the '.' and ';1' not counted). */
  readonly fileCharacters: number;
  /** Level 1 only: the 8 and 3 of "8.3". */
  readonly baseCharacters: number;
  readonly extensionCharacters: number;
  readonly directoryCharacters: number;
}

const limitsByLevel: Readonly<Record<IsoLevel, NameLimits>> = {
  1: { fileCharacters: 11, baseCharacters: 8, extensionCharacters: 3, directoryCharacters: 8 },
  // ECMA-119 7.5.1: "the sum of the lengths of the File Name and the File Name Extension shall not exceed 30".
  2: { fileCharacters: 30, baseCharacters: 30, extensionCharacters: 30, directoryCharacters: 31 },
  3: { fileCharacters: 30, baseCharacters: 30, extensionCharacters: 30, directoryCharacters: 31 },
};

/** Levels 2/3: a shortened file name keeps at least this much of its base before the extension is cut. */
const minimumBaseKept = 8;

/** ECMA-119 7.4.1 d-characters. */
const dCharacters = /^[A-Z0-9_]*$/;

/** ECMA-119 9.1.11: the version of every file identifier we record. */
const fileVersion = ';1';

/**
 * ISO 9660 file identifiers of one directory's children, in the order given: files 'NAME.EXT;1'
 * (a file without extension is 'NAME.;1', as mkisofs and xorriso record it), directories 'NAME'
 * (d-characters only, no '.', ECMA-119 7.6). Unique (directory-names.ts): a taken translation gets
 * a counter in place of its base's tail, 'LONGFI_1.TXT;1', 'LONGFI_2.TXT;1'.
 */
export function isoNamesForDirectory(children: readonly NamedChild[], level: IsoLevel): string[] {
  const limits = limitsByLevel[level];
  return namesForDirectory(children, {
    namespace: 'ISO 9660',
    validKept: (kept, child) => validKeptIdentifier(kept, child.isDirectory, limits),
    translate: (child) => isoTranslation(translateName(child.name, child.isDirectory, limits), child.isDirectory, limits),
  });
}

function isoTranslation(name: TranslatedName, isDirectory: boolean, limits: NameLimits): Translation {
  return {
    identifier: identifierOf(name, isDirectory),
    withCounter(counter) {
      const suffix = `_${counter}`;
      // The counter takes the base's tail; a long extension gives up its own tail when the base has no
      // room left for the counter and one character of its own ('A.<29 characters>' at level 2).
      const baseNeeds = suffix.length + Math.min(name.base.length, 1);
      const extensionRoom = limits.fileCharacters - baseNeeds;
      const extension = name.extension.length > extensionRoom ? name.extension.slice(0, Math.max(0, extensionRoom)) : name.extension;
      const baseRoom = isDirectory ? limits.directoryCharacters : Math.min(limits.baseCharacters, limits.fileCharacters - extension.length);
      if (suffix.length > baseRoom) return null;
      return identifierOf({ base: name.base.slice(0, baseRoom - suffix.length) + suffix, extension }, isDirectory);
    },
  };
}

interface TranslatedName {
  readonly base: string;
  /** Files only ('' when none); directories have no extension. */
  readonly extension: string;
}

function identifierOf(name: TranslatedName, isDirectory: boolean): string {
  return isDirectory ? name.base : `${name.base}.${name.extension}${fileVersion}`;
}

/**
 * A POSIX name in d-characters, cut to the level's limits. A file's extension is what follows its
 * last '.' (not a leading one: '.bashrc' has none); every other '.' becomes '_'.
 */
function translateName(name: string, isDirectory: boolean, limits: NameLimits): TranslatedName {
  if (isDirectory) return { base: toDCharacters(name).slice(0, limits.directoryCharacters), extension: '' };
  const lastDot = name.lastIndexOf('.');
  const hasExtension = lastDot > 0;
  let base = toDCharacters(hasExtension ? name.slice(0, lastDot) : name);
  let extension = hasExtension ? toDCharacters(name.slice(lastDot + 1)) : '';
  const extensionRoom = Math.min(limits.extensionCharacters, limits.fileCharacters - Math.min(base.length, minimumBaseKept));
  extension = extension.slice(0, extensionRoom);
  base = base.slice(0, Math.min(limits.baseCharacters, limits.fileCharacters - extension.length));
  // ECMA-119 7.5.1: a file needs a name or an extension; a source name is never '' (nor '.').
  if (base === '' && extension === '') base = '_';
  return { base, extension };
}

/**
 * ECMA-119 7.4.1 d-characters (A-Z 0-9 _) of any text: letters lose their accents (Unicode
 * canonical decomposition, the combining marks dropped: 'Ü' is 'U'), a-z become A-Z, and every
 * other code point (a space, a '-', an emoji) becomes one '_'.
 */
export function toDCharacters(text: string): string {
  let result = '';
  for (const character of text.normalize('NFD')) {
    const code = character.codePointAt(0) as number;
    if (code >= 0x300 && code <= 0x36f) continue; // combining diacritical marks
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f) result += character;
    else if (code >= 0x61 && code <= 0x7a) result += String.fromCharCode(code - 0x20);
    else result += '_';
  }
  return result;
}

/** A remastered image's identifier, normalized to carry ';1' on files, or null when it breaks this level's rules. */
function validKeptIdentifier(kept: string, isDirectory: boolean, limits: NameLimits): string | null {
  const bare = kept.replace(/;\d+$/, '');
  if (isDirectory) return bare !== '' && bare.length <= limits.directoryCharacters && dCharacters.test(bare) ? bare : null;
  const dot = bare.indexOf('.');
  const base = dot === -1 ? bare : bare.slice(0, dot);
  const extension = dot === -1 ? '' : bare.slice(dot + 1);
  if (!dCharacters.test(base) || !dCharacters.test(extension) || base.length + extension.length === 0) return null;
  if (base.length > limits.baseCharacters || extension.length > limits.extensionCharacters) return null;
  if (base.length + extension.length > limits.fileCharacters) return null;
  return identifierOf({ base, extension }, false);
}

/**
 * ECMA-119 8.4.6 volume identifier (at most 32 characters). The standard asks for d-characters, but
 * every mastering tool records the label as given, and systems find their boot medium by it
 * (Fedora's root=live:CDLABEL=Fedora-WS-Live-39, byte for byte): printable ASCII is kept as is,
 * anything else becomes '_'.
 */
export function isoVolumeIdentifier(label: string): string {
  return printableAscii(label).slice(0, 32);
}

function printableAscii(text: string): string {
  let result = '';
  for (const character of text.normalize('NFD')) {
    const code = character.codePointAt(0) as number;
    if (code >= 0x300 && code <= 0x36f) continue;
    result += code >= 0x20 && code <= 0x7e ? character : '_';
  }
  return result;
}

/** ECMA-119 7.4.1 a-characters: d-characters, space and !"%&'()*+,-./:;<=>? */
const aCharacterPunctuation = ' !"%&\'()*+,-./:;<=>?';

/** An a-characters field (publisher, preparer, application: ECMA-119 8.4.20-22), upper-cased, at most `maxLength`. */
export function isoACharacters(text: string, maxLength: number): string {
  let result = '';
  for (const character of printableAscii(text)) {
    const upper = character >= 'a' && character <= 'z' ? character.toUpperCase() : character;
    result += dCharacters.test(upper) || aCharacterPunctuation.includes(upper) ? upper : '_';
  }
  return result.slice(0, maxLength);
}

/**
 * ECMA-119 9.3: records in order of file name, then extension (the shorter padded with spaces, 0x20),
 * then version, highest first. Directories have no extension. '\0' ('.') and '\x01' ('..') sort first.
 */
export function compareIsoIdentifiers(a: string, b: string): number {
  const byParts = compareIdentifierParts(splitIdentifier(a), splitIdentifier(b));
  if (byParts !== 0) return byParts;
  return a < b ? -1 : a > b ? 1 : 0; // equal parts of different text ('A;1' and 'A;01'): still one order
}

export interface IdentifierParts {
  readonly base: string;
  readonly extension: string;
  readonly version: number;
}

/** Splits 'NAME.EXT;1' (or a directory's 'NAME') into its ECMA-119 7.5 parts. */
export function splitIdentifier(identifier: string): IdentifierParts {
  const semicolon = identifier.lastIndexOf(';');
  const version = semicolon === -1 ? 0 : Number(identifier.slice(semicolon + 1)) || 0;
  const nameAndExtension = semicolon === -1 ? identifier : identifier.slice(0, semicolon);
  const dot = nameAndExtension.lastIndexOf('.');
  if (dot === -1) return { base: nameAndExtension, extension: '', version };
  return { base: nameAndExtension.slice(0, dot), extension: nameAndExtension.slice(dot + 1), version };
}

/** ECMA-119 9.3 on split identifiers, by code units (UCS-2 for Joliet, whose identifiers hold no surrogates). */
export function compareIdentifierParts(a: IdentifierParts, b: IdentifierParts): number {
  const byBase = comparePaddedWithSpaces(a.base, b.base);
  if (byBase !== 0) return byBase;
  const byExtension = comparePaddedWithSpaces(a.extension, b.extension);
  if (byExtension !== 0) return byExtension;
  return b.version - a.version;
}

/** ECMA-119 9.3 b/c: the shorter text is compared as if padded with spaces (0x20). */
function comparePaddedWithSpaces(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const left = index < a.length ? a.charCodeAt(index) : 0x20;
    const right = index < b.length ? b.charCodeAt(index) : 0x20;
    if (left !== right) return left - right;
  }
  return 0;
}
