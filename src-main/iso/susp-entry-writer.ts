// SUSP 4.1 (IEEE P1281) system use entries as the Rock Ridge writer builds them: the 4-byte header
// (signature, length, version) and the cutting of UTF-8 text into pieces that fit an entry.

/** SUSP 4.1: LEN is one byte, so an entry, header included, is at most 255 bytes. */
export const maxSuspEntryBytes = 255;

/** A zeroed entry of `payloadBytes` after its header. */
export function suspEntry(signature: string, version: number, payloadBytes: number): Uint8Array {
  const entry = new Uint8Array(4 + payloadBytes);
  writeSuspHeader(entry, 0, signature, version, payloadBytes);
  return entry;
}

/** The 4-byte header of an entry of `payloadBytes` at into[at]: BP 1-2 signature, BP 3 length, BP 4 version. */
export function writeSuspHeader(into: Uint8Array, at: number, signature: string, version: number, payloadBytes: number): void {
  const lengthBytes = 4 + payloadBytes;
  if (lengthBytes > maxSuspEntryBytes) throw new RangeError(`a ${signature} entry of ${lengthBytes} bytes exceeds SUSP's ${maxSuspEntryBytes}`);
  into[at] = signature.charCodeAt(0);
  into[at + 1] = signature.charCodeAt(1);
  into[at + 2] = lengthBytes;
  into[at + 3] = version;
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
