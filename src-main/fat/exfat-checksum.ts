// The one checksum exFAT uses for its boot region (exFAT spec 3.4, Boot Checksum) and its up-case
// table (7.2.2, TableChecksum): a 32-bit rotate right by one, then add the next byte.

/** The exFAT checksum of `bytes`, leaving out the byte indices `skipped` says are not covered. */
export function exfatChecksum(bytes: Uint8Array, skipped: (index: number) => boolean = () => false): number {
  let checksum = 0;
  for (let index = 0; index < bytes.byteLength; index += 1) {
    if (skipped(index)) continue;
    checksum = (((checksum & 1) << 31) | (checksum >>> 1)) + (bytes[index] as number);
    checksum >>>= 0;
  }
  return checksum;
}
