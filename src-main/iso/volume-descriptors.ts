// ECMA-119 8: the volume descriptor set from logical sector 16 to the terminator: primary (8.4),
// supplementary / enhanced (8.5, Joliet is a supplementary one), boot record (8.2), terminator (8.3).
import type { DirectoryRecord } from './directory-record.ts';
import { parseDirectoryRecord } from './directory-record.ts';
import type { Place } from '../format/fields.ts';
import { corruptAt, parseVolumeDescriptorDate, readAscii, readBothEndianUint16, readBothEndianUint32, readUcs2Be, sectorBytes } from '../format/fields.ts';
import type { ByteSource } from '../io/byte-source.ts';

export const volumeDescriptorSetStartLba = 16;
/** The set is a handful of sectors in practice; a longer run without a terminator is hostile or not ISO. */
export const maxVolumeDescriptors = 64;

export interface BootRecordDescriptor {
  readonly kind: 'boot-record';
  readonly lba: number;
  /** ECMA-119 8.2.4: e.g. "EL TORITO SPECIFICATION". */
  readonly bootSystemIdentifier: string;
  /** The whole sector, for the El Torito parser (the boot catalog pointer lives at BP 72). */
  readonly sector: Uint8Array;
}

export interface VolumeDescriptor {
  readonly kind: 'primary' | 'supplementary' | 'enhanced';
  readonly lba: number;
  /** 1, 2 or 3 for a Joliet supplementary descriptor (escape sequences %/@, %/C, %/E); else null. */
  readonly jolietLevel: 1 | 2 | 3 | null;
  readonly systemIdentifier: string;
  readonly volumeIdentifier: string;
  readonly volumeSpaceSizeBlocks: number;
  readonly logicalBlockSizeBytes: number;
  readonly rootDirectoryRecord: DirectoryRecord;
  readonly volumeSetIdentifier: string;
  readonly publisherIdentifier: string;
  readonly dataPreparerIdentifier: string;
  readonly applicationIdentifier: string;
  readonly creationMs: number | null;
  readonly modificationMs: number | null;
  readonly expirationMs: number | null;
  readonly effectiveMs: number | null;
}

export interface VolumeDescriptorSet {
  readonly primary: VolumeDescriptor;
  readonly supplementary: readonly VolumeDescriptor[];
  readonly bootRecords: readonly BootRecordDescriptor[];
  readonly terminatorLba: number | null;
}

const standardIdentifier = 'CD001';

/** ECMA-119 8.1: type, "CD001", version. Null when the sector is not a volume descriptor. */
export function readVolumeDescriptorHeader(sector: Uint8Array): { type: number; version: number } | null {
  if (sector.byteLength < 7) return null;
  for (let index = 0; index < 5; index += 1) if (sector[1 + index] !== standardIdentifier.charCodeAt(index)) return null;
  return { type: sector[0] as number, version: sector[6] as number };
}

/** ECMA-119 8.4 (primary) and 8.5 (supplementary / enhanced) share one layout. */
export function parseVolumeDescriptor(sector: Uint8Array, lba: number, kind: VolumeDescriptor['kind']): VolumeDescriptor {
  const place: Place = { offsetBytes: lba * sectorBytes };
  if (sector.byteLength !== sectorBytes) throw corruptAt(place, 0, `volume descriptor holds ${sector.byteLength} bytes, expected ${sectorBytes}`);
  // Joliet: escape sequences at BP 89-120 (ECMA-119 8.5.6) name UCS-2 level 1-3.
  const escapes = readAscii(sector, 88, 32, place, 'escape sequences');
  const jolietLevel = kind === 'supplementary' ? jolietLevelOf(escapes) : null;
  const text = (at: number, length: number, what: string): string =>
    jolietLevel ? readUcs2Be(sector, at, length, place, what).replace(/[ \0]+$/, '') : readAscii(sector, at, length, place, what);

  // ECMA-119 8.4.8: volume space size, both-endian.
  const volumeSpaceSizeBlocks = readBothEndianUint32(sector, 80, place, 'volume space size');
  // ECMA-119 8.4.12: logical block size, both-endian; 6.2.2: 2^(n+9), never above the 2048-byte sector.
  const logicalBlockSizeBytes = readBothEndianUint16(sector, 128, place, 'logical block size');
  if (![512, 1024, 2048].includes(logicalBlockSizeBytes)) {
    throw corruptAt(place, 128, `${kind} volume descriptor declares a logical block size of ${logicalBlockSizeBytes} bytes`);
  }
  // ECMA-119 8.4.18: the root directory record, 34 bytes at BP 157.
  const rootDirectoryRecord = parseDirectoryRecord(sector.subarray(156, 190), 0, { offsetBytes: place.offsetBytes + 156 });
  return {
    kind,
    lba,
    jolietLevel,
    systemIdentifier: text(8, 32, 'system identifier'),
    volumeIdentifier: text(40, 32, 'volume identifier'),
    volumeSpaceSizeBlocks,
    logicalBlockSizeBytes,
    rootDirectoryRecord,
    // ECMA-119 8.4.19-8.4.22: identifiers (a file reference starting with 0x5F is kept verbatim).
    volumeSetIdentifier: text(190, 128, 'volume set identifier'),
    publisherIdentifier: text(318, 128, 'publisher identifier'),
    dataPreparerIdentifier: text(446, 128, 'data preparer identifier'),
    applicationIdentifier: text(574, 128, 'application identifier'),
    // ECMA-119 8.4.26-8.4.29: dates in the 17-byte form.
    creationMs: parseVolumeDescriptorDate(sector, 813, place),
    modificationMs: parseVolumeDescriptorDate(sector, 830, place),
    expirationMs: parseVolumeDescriptorDate(sector, 847, place),
    effectiveMs: parseVolumeDescriptorDate(sector, 864, place),
  };
}

function jolietLevelOf(escapes: string): 1 | 2 | 3 | null {
  if (escapes.includes('%/@')) return 1;
  if (escapes.includes('%/C')) return 2;
  if (escapes.includes('%/E')) return 3;
  return null;
}

/**
 * Reads descriptors from sector 16 until the terminator (ECMA-119 8.3), at most `maxVolumeDescriptors`.
 * Null when sector 16 is not a volume descriptor (not an ISO 9660 image). A set without a primary
 * volume descriptor is corrupt.
 */
export async function readVolumeDescriptorSet(source: ByteSource): Promise<VolumeDescriptorSet | null> {
  let primary: VolumeDescriptor | null = null;
  const supplementary: VolumeDescriptor[] = [];
  const bootRecords: BootRecordDescriptor[] = [];
  let terminatorLba: number | null = null;
  for (let index = 0; index < maxVolumeDescriptors; index += 1) {
    const lba = volumeDescriptorSetStartLba + index;
    if ((lba + 1) * sectorBytes > source.sizeBytes) {
      if (index === 0) return null;
      // ECMA-119 8.3: the set must end with a terminator; leniency: accept a set cut by the image end
      // when a primary was seen, as Linux does.
      break;
    }
    const sector = await source.read(lba * sectorBytes, sectorBytes);
    const header = readVolumeDescriptorHeader(sector);
    if (!header) {
      if (index === 0) return null;
      break; // leniency: a missing terminator ends the set at the first non-descriptor
    }
    if (header.type === 255) {
      terminatorLba = lba;
      break;
    }
    if (header.type === 0) {
      bootRecords.push({
        kind: 'boot-record',
        lba,
        bootSystemIdentifier: readAscii(sector, 7, 32, { offsetBytes: lba * sectorBytes }, 'boot system identifier'),
        sector,
      });
    } else if (header.type === 1 && primary === null) {
      primary = parseVolumeDescriptor(sector, lba, 'primary');
    } else if (header.type === 2) {
      // ECMA-119 8.5.2: version 1 is supplementary, version 2 enhanced (ISO 9660:1999).
      supplementary.push(parseVolumeDescriptor(sector, lba, header.version === 2 ? 'enhanced' : 'supplementary'));
    }
  }
  if (!primary) {
    throw corruptAt({ offsetBytes: volumeDescriptorSetStartLba * sectorBytes }, 0, 'volume descriptor set has no primary volume descriptor');
  }
  return { primary, supplementary, bootRecords, terminatorLba };
}
