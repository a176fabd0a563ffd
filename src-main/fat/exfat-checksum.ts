// The checksums of exFAT: the 32-bit one of its boot region (exFAT spec 3.4, Boot Checksum) and its
// up-case table (7.2.2, TableChecksum), and the 16-bit one of a directory entry set (6.3.3): both
// rotate right by one, then add the next byte.

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

/**
 * exFAT spec 6.3.3 (SetChecksum): the 16-bit checksum of a directory entry set, all its entries but the
 * primary entry's own SetChecksum field (bytes 2 and 3), rotated right by one before each byte is added.
 */
export function exfatSetChecksum(entrySet: Uint8Array): number {
  let checksum = 0;
  for (let index = 0; index < entrySet.byteLength; index += 1) {
    if (index === 2 || index === 3) continue;
    checksum = ((checksum & 1 ? 0x8000 : 0) + (checksum >>> 1) + (entrySet[index] as number)) & 0xffff;
  }
  return checksum;
}
