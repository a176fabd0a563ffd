// Parsers for checksum ("sums") files: GNU coreutils lines (`HASH  name`, `HASH *name`, `\`-escaped
// names; coreutils md5sum.c split_3 and the "--tag"-less output of *sum), BSD/--tag lines
// (`SHA256 (name) = HASH`; coreutils --tag, BSD md5(1), openssl dgst), Gentoo `.DIGESTS` headers, and
// the OpenPGP cleartext signature framework around either (RFC 9580 section 7). Pure: text in, entries out.
import type { HashAlgorithm, SumsFormat } from '../../shared/checksum.ts';
import { hexLengths, inferAlgorithmFromHexLength, parseAlgorithmName } from './algorithms.ts';
import { CodedError } from '../jobs/errors.ts';

export interface SumsEntry {
  /** 1-based line in the file as stored (counting the cleartext header lines of a clear-signed file). */
  readonly lineNumber: number;
  readonly algorithm: HashAlgorithm;
  /** Lowercase hex. */
  readonly digest: string;
  /** The file name, unescaped. */
  readonly fileName: string;
  readonly format: SumsFormat;
}

export interface ParsedSums {
  readonly entries: readonly SumsEntry[];
  /** Lines that are not blank, a comment or an entry (sha256sum -c warns about these; we count them). */
  readonly ignoredLineCount: number;
  /** True when the entries come from the signed part of an OpenPGP clear-signed file. */
  readonly clearSigned: boolean;
}

export interface ParseSumsOptions {
  /** The sums file's own name: `B2SUMS` or `*.b2` means 128-hex GNU lines are BLAKE2b, not SHA-512. */
  readonly sumsFileName?: string;
}

/** Larger files are not sums files; refusing them bounds memory and time. */
export const maxSumsFileBytes = 16 * 1024 * 1024;
/** Every loop over the file's lines stops here (a distribution's sums file has a few hundred). */
export const maxSumsLines = 200_000;

export class SumsFileError extends CodedError {
  constructor(message: string) {
    super('invalid-request', message);
    this.name = 'SumsFileError';
  }
}

const beginSignedMessage = '-----BEGIN PGP SIGNED MESSAGE-----';
const beginSignature = '-----BEGIN PGP SIGNATURE-----';

export function parseSumsFile(text: string, options: ParseSumsOptions = {}): ParsedSums {
  if (text.length > maxSumsFileBytes) {
    throw new SumsFileError(`sums file of ${text.length} characters exceeds the ${maxSumsFileBytes}-byte limit`);
  }
  const allLines = text.split('\n');
  if (allLines.length > maxSumsLines) throw new SumsFileError(`sums file has ${allLines.length} lines, more than ${maxSumsLines}`);
  const signed = findClearSignedBody(allLines);
  const b2Hint = /(^|[._-])b2(sums?)?$/i.test(options.sumsFileName ?? '') || /^b2sums?/i.test(options.sumsFileName ?? '');

  const entries: SumsEntry[] = [];
  let ignoredLineCount = 0;
  // Set by a Gentoo header; 'unsupported' (e.g. WHIRLPOOL, also 128 hex digits) skips the lines below it.
  let headerAlgorithm: HashAlgorithm | 'unsupported' | null = null;
  // A clear-signed file: only the signed body counts. Lines outside it are exactly what an attacker
  // could add without breaking the signature, so they are ignored, never parsed.
  const firstIndex = signed ? signed.firstLineIndex : 0;
  const endIndex = signed ? signed.endLineIndex : allLines.length;
  if (signed) ignoredLineCount += countNonBlank(allLines.slice(0, signed.headerStartIndex)) + countNonBlank(allLines.slice(signed.signatureEndIndex + 1));

  for (let index = firstIndex; index < endIndex; index += 1) {
    let line = (allLines[index] ?? '').replace(/\r$/, '');
    // RFC 9580 7.2: dash-escaped lines start with "- " in the cleartext.
    if (signed && line.startsWith('- ')) line = line.slice(2);
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      // Gentoo .DIGESTS: "# SHA512 HASH" names the algorithm of the lines that follow.
      const header = /^#\s*([A-Za-z0-9-]+)\s+HASH\s*$/i.exec(line);
      if (header?.[1]) headerAlgorithm = parseAlgorithmName(header[1]) ?? 'unsupported';
      continue;
    }
    if (headerAlgorithm === 'unsupported') continue;
    const entry = parseBsdLine(line, index + 1) ?? parseGnuLine(line, index + 1, headerAlgorithm, b2Hint);
    if (entry) entries.push(entry);
    else ignoredLineCount += 1;
  }
  return { entries, ignoredLineCount, clearSigned: signed !== null };
}

interface ClearSignedBody {
  readonly headerStartIndex: number;
  readonly firstLineIndex: number;
  /** Exclusive: the index of the BEGIN PGP SIGNATURE line. */
  readonly endLineIndex: number;
  readonly signatureEndIndex: number;
}

/** Where the signed text of a cleartext signature lies (RFC 9580 7: header, "Hash:" lines, blank line). */
function findClearSignedBody(lines: readonly string[]): ClearSignedBody | null {
  const headerStartIndex = lines.findIndex((line) => line.replace(/\r$/, '').trimEnd() === beginSignedMessage);
  if (headerStartIndex < 0) return null;
  let index = headerStartIndex + 1;
  // RFC 9580 7: armor headers ("Hash: SHA256") up to the first empty line.
  while (index < lines.length && (lines[index] ?? '').replace(/\r$/, '').trim() !== '') index += 1;
  const firstLineIndex = index + 1;
  let endLineIndex = firstLineIndex;
  while (endLineIndex < lines.length && (lines[endLineIndex] ?? '').replace(/\r$/, '').trimEnd() !== beginSignature) endLineIndex += 1;
  let signatureEndIndex = endLineIndex;
  while (signatureEndIndex < lines.length && !(lines[signatureEndIndex] ?? '').startsWith('-----END PGP SIGNATURE-----')) signatureEndIndex += 1;
  return { headerStartIndex, firstLineIndex, endLineIndex, signatureEndIndex };
}

/** True when the text is an OpenPGP clear-signed message (RFC 9580 7). */
export function isClearSigned(text: string): boolean {
  return text.split('\n', maxSumsLines).some((line) => line.replace(/\r$/, '').trimEnd() === beginSignedMessage);
}

/**
 * BSD / coreutils --tag: `SHA256 (name) = HASH`; openssl dgst: `SHA2-256(name)= HASH`. coreutils
 * prefixes the line with `\` when the name is escaped. The name runs to the last `) = `.
 */
function parseBsdLine(line: string, lineNumber: number): SumsEntry | null {
  const escaped = line.startsWith('\\');
  const match = /^([A-Za-z0-9-]+) ?\((.*)\) ?= ?([0-9A-Fa-f]+)\s*$/.exec(escaped ? line.slice(1) : line);
  if (!match?.[1] || match[2] === undefined || !match[3]) return null;
  const algorithm = parseAlgorithmName(match[1]);
  const digest = match[3].toLowerCase();
  if (!algorithm || digest.length !== hexLengths[algorithm]) return null;
  const fileName = escaped ? unescapeName(match[2]) : match[2];
  if (fileName === null || fileName === '') return null;
  return { lineNumber, algorithm, digest, fileName, format: 'bsd' };
}

/**
 * GNU: `HASH  name` (text mode), `HASH *name` (binary mode), `HASH name` (reversed BSD, md5 -r);
 * leading blanks skipped as coreutils does; a leading `\` means the name is escaped.
 */
function parseGnuLine(line: string, lineNumber: number, headerAlgorithm: HashAlgorithm | null, b2Hint: boolean): SumsEntry | null {
  let rest = line.replace(/^[ \t]+/, '');
  const escaped = rest.startsWith('\\');
  if (escaped) rest = rest.slice(1);
  const match = /^([0-9A-Fa-f]+)[ \t]([ *]?)(.*)$/.exec(rest);
  if (!match?.[1] || match[3] === undefined) return null;
  const digest = match[1].toLowerCase();
  let algorithm = inferAlgorithmFromHexLength(digest.length);
  if (digest.length === hexLengths.blake2b && (headerAlgorithm === 'blake2b' || (b2Hint && headerAlgorithm === null))) algorithm = 'blake2b';
  if (headerAlgorithm !== null && hexLengths[headerAlgorithm] === digest.length) algorithm = headerAlgorithm;
  if (!algorithm) return null;
  const fileName = escaped ? unescapeName(match[3]) : match[3];
  if (fileName === null || fileName === '') return null;
  return { lineNumber, algorithm, digest, fileName, format: 'gnu' };
}

/** coreutils' escaping of names: `\\` is a backslash, `\n` a newline, `\r` a carriage return. */
function unescapeName(escapedName: string): string | null {
  let name = '';
  for (let index = 0; index < escapedName.length; index += 1) {
    const char = escapedName[index];
    if (char !== '\\') {
      name += char;
      continue;
    }
    const next = escapedName[index + 1];
    if (next === '\\') name += '\\';
    else if (next === 'n') name += '\n';
    else if (next === 'r') name += '\r';
    else return null; // coreutils rejects any other escape, so do we
    index += 1;
  }
  return name;
}

function countNonBlank(lines: readonly string[]): number {
  return lines.filter((line) => line.trim() !== '').length;
}

/** The entries naming `fileName`: exactly, or by final path component (`./image.iso`, `iso/image.iso`). */
export function findEntriesFor(entries: readonly SumsEntry[], fileName: string): SumsEntry[] {
  const baseName = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
  return entries.filter((entry) => entry.fileName === fileName || baseName(entry.fileName) === fileName);
}
