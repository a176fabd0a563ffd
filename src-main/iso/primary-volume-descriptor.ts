// ECMA-119 (4th ed.) 8.4: the primary volume descriptor, first of the volume descriptor set at
// logical sector 16. This small reader (label, volume size, the signature check) stays for its callers;
// the whole set (supplementary/Joliet, enhanced, boot record, terminator) is volume-descriptors.ts.
import { CorruptImageError } from '../image/corrupt-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** ECMA-119 6.1.2: the system area is logical sectors 0-15; the descriptor set starts at 16. */
export const volumeDescriptorSetStartLba = 16;
/** ECMA-119 6.1.2: logical sectors are 2048 bytes on every image this reader accepts. */
export const logicalSectorBytes = 2048;

export interface PrimaryVolumeDescriptor {
  readonly systemIdentifier: string;
  readonly volumeIdentifier: string;
  readonly volumeSpaceSizeBlocks: number;
  readonly logicalBlockSizeBytes: number;
}

const standardIdentifier = 'CD001';
const primaryVolumeDescriptorType = 1;

/** True when the bytes carry the volume descriptor signature (ECMA-119 8.1.2: "CD001", version 1). */
export function hasVolumeDescriptorSignature(sector: Uint8Array): boolean {
  return sector.byteLength >= 7 && ascii(sector, 1, 5) === standardIdentifier && sector[6] === 1;
}

/**
 * Parses a primary volume descriptor from one 2048-byte sector. `lba` only names the sector in errors.
 * Returns null when the sector is not a primary volume descriptor at all (not an ISO 9660 image).
 */
export function parsePrimaryVolumeDescriptor(sector: Uint8Array, lba: number): PrimaryVolumeDescriptor | null {
  if (sector.byteLength !== logicalSectorBytes) {
    throw new CorruptImageError(`sector ${lba} holds ${sector.byteLength} bytes, expected ${logicalSectorBytes}`, {
      sectorLba: lba,
    });
  }
  // ECMA-119 8.4.1-8.4.3: type 1, "CD001", version 1.
  if (sector[0] !== primaryVolumeDescriptorType || !hasVolumeDescriptorSignature(sector)) return null;

  // ECMA-119 8.4.8: volume space size, both-endian (7.3.3) at BP 81-88.
  const volumeSpaceSizeBlocks = readBothEndianUint32(sector, 80, 'volume space size', lba);
  // ECMA-119 8.4.12: logical block size, both-endian (7.2.3) at BP 129-132.
  const logicalBlockSizeBytes = readBothEndianUint16(sector, 128, 'logical block size', lba);
  // ECMA-119 6.2.2: the logical block size is 2^(n+9), never above the 2048-byte sector.
  if (![512, 1024, 2048].includes(logicalBlockSizeBytes)) {
    throw new CorruptImageError(
      `primary volume descriptor at sector ${lba} declares a logical block size of ${logicalBlockSizeBytes} bytes (offset ${lba * logicalSectorBytes + 128})`,
      { sectorLba: lba, offsetBytes: lba * logicalSectorBytes + 128 },
    );
  }
  return {
    // ECMA-119 8.4.5 and 8.4.6: a-characters and d-characters, space padded.
    systemIdentifier: ascii(sector, 8, 32).trimEnd(),
    volumeIdentifier: ascii(sector, 40, 32).trimEnd(),
    volumeSpaceSizeBlocks,
    logicalBlockSizeBytes,
  };
}

/** Reads sector 16 of a source and parses it; null when the source is too small or not ISO 9660. */
export async function readPrimaryVolumeDescriptor(source: ByteSource): Promise<PrimaryVolumeDescriptor | null> {
  const offsetBytes = volumeDescriptorSetStartLba * logicalSectorBytes;
  if (source.sizeBytes < offsetBytes + logicalSectorBytes) return null;
  const sector = await source.read(offsetBytes, logicalSectorBytes);
  return parsePrimaryVolumeDescriptor(sector, volumeDescriptorSetStartLba);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let index = start; index < start + length; index += 1) text += String.fromCharCode(bytes[index] ?? 0);
  return text;
}

// ECMA-119 7.3.3: a 32-bit number recorded little-endian then big-endian; both halves must agree.
function readBothEndianUint32(sector: Uint8Array, at: number, field: string, lba: number): number {
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const little = view.getUint32(at, true);
  const big = view.getUint32(at + 4, false);
  if (little !== big) {
    throw new CorruptImageError(
      `${field} at sector ${lba} offset ${lba * logicalSectorBytes + at} disagrees: little-endian ${little}, big-endian ${big}`,
      { sectorLba: lba, offsetBytes: lba * logicalSectorBytes + at },
    );
  }
  return little;
}

// ECMA-119 7.2.3: the 16-bit both-endian form.
function readBothEndianUint16(sector: Uint8Array, at: number, field: string, lba: number): number {
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const little = view.getUint16(at, true);
  const big = view.getUint16(at + 2, false);
  if (little !== big) {
    throw new CorruptImageError(
      `${field} at sector ${lba} offset ${lba * logicalSectorBytes + at} disagrees: little-endian ${little}, big-endian ${big}`,
      { sectorLba: lba, offsetBytes: lba * logicalSectorBytes + at },
    );
  }
  return little;
}
