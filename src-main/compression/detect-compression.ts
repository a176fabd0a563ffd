// Which compression a file uses, from its magic bytes (never its name: a renamed .img.xz is still xz).
import type { ImageCompression } from '../../shared/image.ts';

/** Bytes `detectCompression` needs from the start of the file. */
export const compressionMagicBytes = 8;

/** `mask` (default all ones) selects the bits of each byte that must match. */
type Magic = { readonly compression: ImageCompression; readonly bytes: readonly number[]; readonly mask?: readonly number[] };
const magics: readonly Magic[] = [
  { compression: 'gzip', bytes: [0x1f, 0x8b] }, // RFC 1952 2.3.1: ID1 ID2
  { compression: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }, // xz file format 2.1.1.1: header magic
  { compression: 'bzip2', bytes: [0x42, 0x5a, 0x68] }, // "BZh"
  { compression: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] }, // RFC 8878 3.1.1: frame magic 0xFD2FB528 LE
  // RFC 8878 3.1.2: a skippable frame, magic 0x184D2A5?, which pzstd writes before every frame.
  { compression: 'zstd', bytes: [0x50, 0x2a, 0x4d, 0x18], mask: [0xf0, 0xff, 0xff, 0xff] },
  { compression: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] }, // APPNOTE 4.3.7: local file header signature
];

/** The compression whose magic `head` starts with; null for anything else (a raw image, a short file). */
export function detectCompression(head: Uint8Array): ImageCompression | null {
  if (head.length < compressionMagicBytes) return null;
  for (const magic of magics) {
    if (magic.bytes.every((byte, index) => ((head[index] as number) & (magic.mask?.[index] ?? 0xff)) === byte)) return magic.compression;
  }
  return null;
}
