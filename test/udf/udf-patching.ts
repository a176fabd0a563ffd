// Helpers that damage a real UDF image on purpose and then re-seal the descriptor tags (ECMA-167
// 3/7.2: CRC, then checksum), so a hostile test reaches the check it means instead of the CRC check.
import { readUint16Le, readUint32Le } from '../../src-main/format/fields.ts';
import { crc16 } from '../../src-main/udf/udf-fields.ts';

/** The image's own bytes, read with the engine's bounds-checked reader (offsets are image offsets). */
const wholeImage = { offsetBytes: 0 };

export function getUint16(bytes: Uint8Array, at: number): number {
  return readUint16Le(bytes, at, wholeImage, 'a field the test reads');
}

export function getUint32(bytes: Uint8Array, at: number): number {
  return readUint32Le(bytes, at, wholeImage, 'a field the test reads');
}

export function setUint16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >> 8) & 0xff;
}

export function setUint32(bytes: Uint8Array, at: number, value: number): void {
  for (let byte = 0; byte < 4; byte += 1) bytes[at + byte] = (value >>> (8 * byte)) & 0xff;
}

export function flipByte(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] as number) ^ mask;
}

/** Recomputes the CRC (over the tag's CRC length) and the checksum of the tag at `at`. */
export function resealTag(bytes: Uint8Array, at: number): void {
  const crcLength = getUint16(bytes, at + 10);
  setUint16(bytes, at + 8, crc16(bytes, at + 16, Math.min(crcLength, bytes.byteLength - at - 16)));
  let sum = 0;
  for (let index = 0; index < 16; index += 1) if (index !== 4) sum += bytes[at + index] as number;
  bytes[at + 4] = sum & 0xff;
}

/** Sets a tag's CRC length to cover `lengthBytes` of descriptor after the tag, then reseals it. */
export function resealTagCovering(bytes: Uint8Array, at: number, lengthBytes: number): void {
  setUint16(bytes, at + 10, lengthBytes);
  resealTag(bytes, at);
}
