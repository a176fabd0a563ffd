// What a compressed image's container says about itself without decoding anything: an .xz file's
// index and footer (a download cut short has none), a .zip's end of central directory record.
import { open } from 'node:fs/promises';
import type { ImageCompression } from '../../shared/image.ts';
import { readXzIndex } from '../compression/xz-index.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';

/** The container's damage, in developer words with the numbers; empty when its end records are whole. */
export async function containerDamage(path: string, file: ByteSource, compression: ImageCompression): Promise<string[]> {
  const sizeBytes = file.sizeBytes;
  if (compression === 'xz') {
    try {
      await readXzIndex(file);
    } catch (error) {
      if (!(error instanceof CorruptImageError) && !(error instanceof ByteRangeError)) throw error;
      return [error.message];
    }
  } else if (compression === 'zip' && !(await hasZipEndRecord(path, sizeBytes))) {
    return [`${path}: no zip end of central directory record in its last ${Math.min(sizeBytes, zipEndSearchBytes)} bytes: the archive is cut short or damaged`];
  }
  return [];
}

/** APPNOTE 4.3.16: the end record (22 bytes + a comment of up to 65535) closes every zip file. */
const zipEndSearchBytes = 22 + 65_535;
const zipEndSignature = [0x50, 0x4b, 0x05, 0x06];

async function hasZipEndRecord(path: string, sizeBytes: number): Promise<boolean> {
  const lengthBytes = Math.min(sizeBytes, zipEndSearchBytes);
  const handle = await open(path, 'r');
  try {
    const tail = new Uint8Array(lengthBytes);
    await handle.read(tail, 0, lengthBytes, sizeBytes - lengthBytes);
    for (let at = lengthBytes - 22; at >= 0; at -= 1) {
      if (zipEndSignature.every((byte, index) => tail[at + index] === byte)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}
