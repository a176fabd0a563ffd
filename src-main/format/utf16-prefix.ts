// Names stored as a fixed number of UTF-16 code units (an exFAT volume label, a GPT partition name)
// are cut to fit; a cut between the two halves of a surrogate pair would leave an unpaired surrogate,
// which is not text at all. The UTF-8 counterpart is utf8-prefix.ts.

/** The longest prefix of `text` of at most `maxUnits` UTF-16 code units that keeps every surrogate pair whole. */
export function utf16Prefix(text: string, maxUnits: number): string {
  let prefix = '';
  for (const character of text) {
    if (prefix.length + character.length > maxUnits) break;
    prefix += character;
  }
  return prefix;
}
