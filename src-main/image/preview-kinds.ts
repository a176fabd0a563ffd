// How a preview shows a file's first bytes: a picture when its magic bytes say PNG, JPEG, GIF or SVG
// (never the name: a hostile image names anything "x.png"), text when they decode as UTF-8 or UTF-16
// without control characters, else a hex dump. Pure functions over bytes.

/** The picture types a preview shows, by their signatures. */
export type PictureMimeType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/svg+xml';

/** A picture larger than this is previewed as bytes: its base64 crosses the transport whole. */
export const previewPictureMaxBytes = 8 * 1024 * 1024;

/** PNG (ISO/IEC 15948 5.2 signature), JPEG (ITU T.81 SOI + a marker), GIF87a/89a, or an SVG document's text; else null. */
export function pictureMimeType(head: Uint8Array): PictureMimeType | null {
  const startsWith = (signature: readonly number[]): boolean => signature.every((byte, index) => head[index] === byte);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith([0x47, 0x49, 0x46, 0x38]) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'image/gif';
  return isSvgText(head) ? 'image/svg+xml' : null;
}

/**
 * An SVG is XML whose root element is `svg`: after an optional BOM, XML declaration, comments and a
 * DOCTYPE (skipped as text, within the head), the first element's name is `svg`.
 */
function isSvgText(head: Uint8Array): boolean {
  const text = decodeText(head)?.text;
  if (text === undefined) return false;
  const prolog = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*<svg[\s>/]/i;
  return prolog.test(text);
}

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** UTF-8 or UTF-16 text without control characters other than tab, newline, carriage return and form feed; else null. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncoding } | null {
  const utf16 = utf16Encoding(bytes);
  const decoded = utf16 === null ? decodeUtf8(bytes) : decodeUtf16(bytes, utf16);
  if (decoded === null) return null;
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(decoded) ? null : { text: decoded, encoding: utf16 ?? 'utf-8' };
}

function decodeUtf8(bytes: Uint8Array): string | null {
  // A multi-byte character cut at the preview's end is not a reason to call text binary.
  let end = bytes.byteLength;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = bytes[end - back] as number;
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return null;
  }
}

/**
 * UTF-16 by its byte order mark (Unicode 15, 23.8), or without one by the pattern Latin text makes:
 * most code units' high byte is zero, so one parity of byte offsets is mostly NUL and the other
 * almost never. Windows writes UTF-16LE text files (.inf, .reg, setup logs) often without a BOM.
 */
function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const pairs = Math.floor(bytes.byteLength / 2);
  if (pairs < 2) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let at = 0; at < pairs * 2; at += 2) {
    if (bytes[at] === 0) evenZeros += 1;
    if (bytes[at + 1] === 0) oddZeros += 1;
  }
  if (oddZeros >= pairs * 0.4 && evenZeros <= pairs * 0.05) return 'utf-16le';
  if (evenZeros >= pairs * 0.4 && oddZeros <= pairs * 0.05) return 'utf-16be';
  return null;
}

function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string | null {
  let end = bytes.byteLength - (bytes.byteLength % 2);
  // A surrogate pair cut at the preview's end: drop its lone high half.
  const lastUnit = encoding === 'utf-16le' ? (bytes[end - 1] ?? 0) : (bytes[end - 2] ?? 0);
  if (end >= 2 && lastUnit >= 0xd8 && lastUnit <= 0xdb) end -= 2;
  try {
    // The decoder drops the BOM itself (ignoreBOM false).
    return new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return null;
  }
}

/** "00000000  48 65 6c 6c 6f ...  |Hello...|" lines of 16 bytes. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.byteLength; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return lines.join('\n');
}
