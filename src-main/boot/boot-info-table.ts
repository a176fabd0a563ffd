// The El Torito boot-info table that mkisofs/xorriso -boot-info-table patch into a no-emulation boot
// image (mkisofs(8), "-boot-info-table"; not part of El Torito 1.0 itself): at byte 8 of the image,
// the PVD's LBA, the image's LBA, its length in bytes and a checksum of its 32-bit words from byte 64.
import type { ByteSource } from '../io/byte-source.ts';

const sectorBytes = 2048;
const primaryVolumeDescriptorLba = 16;
/** Leniency limit: boot loaders with a table are tens of KiB; do not checksum more than this. */
const maxCheckedBytes = 16 * 1024 * 1024;

/** True when the image at `imageLba` carries a boot-info table that matches it (LBAs and checksum). */
export async function hasBootInfoTable(source: ByteSource, imageLba: number): Promise<boolean> {
  const offsetBytes = imageLba * sectorBytes;
  if (offsetBytes + 64 > source.sizeBytes) return false;
  const headBytes = await source.read(offsetBytes, 64);
  const head = new DataView(headBytes.buffer, headBytes.byteOffset, headBytes.byteLength);
  // mkisofs: bi_pvd at 8, bi_file at 12, bi_length at 16, bi_csum at 20, all 32-bit little-endian.
  if (head.getUint32(8, true) !== primaryVolumeDescriptorLba || head.getUint32(12, true) !== imageLba) return false;
  const lengthBytes = head.getUint32(16, true);
  if (lengthBytes < 64 || lengthBytes > maxCheckedBytes || offsetBytes + lengthBytes > source.sizeBytes) return false;
  const body = await source.read(offsetBytes + 64, lengthBytes - 64);
  return checksumWords(body) === head.getUint32(20, true);
}

/** mkisofs: the sum, modulo 2^32, of the little-endian 32-bit words (a partial last word zero-padded). */
export function checksumWords(bytes: Uint8Array): number {
  let sum = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const whole = bytes.byteLength - (bytes.byteLength % 4);
  for (let at = 0; at < whole; at += 4) sum = (sum + view.getUint32(at, true)) >>> 0;
  let tail = 0;
  for (let at = whole; at < bytes.byteLength; at += 1) tail |= (bytes[at] as number) << (8 * (at - whole));
  return (sum + (tail >>> 0)) >>> 0;
}
