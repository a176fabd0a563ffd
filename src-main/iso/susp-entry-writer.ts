// SUSP 4.1 (IEEE P1281) system use entries as the Rock Ridge writer builds them: the 4-byte header
// (signature, length, version) and the cutting of UTF-8 text into pieces that fit an entry.

/** SUSP 4.1: LEN is one byte, so an entry, header included, is at most 255 bytes. */
export const maxSuspEntryBytes = 255;

/** A zeroed entry of `payloadBytes` after its header: BP 1-2 signature, BP 3 length, BP 4 version. */
export function suspEntry(signature: string, version: number, payloadBytes: number): Uint8Array {
  const lengthBytes = 4 + payloadBytes;
  if (lengthBytes > maxSuspEntryBytes) throw new RangeError(`a ${signature} entry of ${lengthBytes} bytes exceeds SUSP's ${maxSuspEntryBytes}`);
  const entry = new Uint8Array(lengthBytes);
  entry.set([signature.charCodeAt(0), signature.charCodeAt(1), lengthBytes, version]);
  return entry;
}

/**
 * bytes[start, end) of UTF-8 text in pieces of at most `maxPieceBytes`, each cut before a
 * continuation byte (10xxxxxx) never falls: readers decode every NM and SL piece on its own, and a
 * character cut in two would read as two U+FFFD.
 */
export function utf8Pieces(bytes: Uint8Array, start: number, end: number, maxPieceBytes: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = start;
  do {
    let cut = Math.min(end, at + maxPieceBytes);
    if (cut < end) {
      // At most 3 continuation bytes follow a lead byte: backing up never passes `at` for pieces >= 4 bytes.
      while (cut > at + 1 && ((bytes[cut] as number) & 0xc0) === 0x80) cut -= 1;
    }
    pieces.push(bytes.subarray(at, cut));
    at = cut;
  } while (at < end);
  return pieces;
}
