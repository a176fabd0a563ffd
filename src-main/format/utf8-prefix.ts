// Names stored in a fixed number of UTF-8 bytes (a host file name within NAME_MAX) are cut to fit; a
// cut inside a character's bytes would leave invalid UTF-8. The UTF-16 counterpart is utf16-prefix.ts.

/** The longest start of `text` that fits `maxBytes` of UTF-8, never cutting a character (a code point) in two. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let endIndex = 0;
  for (const character of text) {
    const characterBytes = Buffer.byteLength(character, 'utf8');
    if (bytes + characterBytes > maxBytes) break;
    bytes += characterBytes;
    endIndex += character.length;
  }
  return text.slice(0, endIndex);
}
