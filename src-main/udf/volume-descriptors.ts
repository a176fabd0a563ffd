// The UDF volume structure: the Anchor Volume Descriptor Pointer (ECMA-167 3/10.2, at sector 256,
// else N-256 or N-1), the main and reserve Volume Descriptor Sequences (3/8.4) and the descriptors the
// file tree needs from them: Primary Volume (3/10.1), Partition (3/10.5), Logical Volume (3/10.6)
// with its partition maps (3/10.7; OSTA UDF 2.2.8-2.2.10).
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { AllocationDescriptor, UdfPlace } from './udf-fields.ts';
import { readUint16Le, readUint32Le, readUint8 } from '../format/fields.ts';
import { hasValidTagChecksum, parseDescriptorTag, readDString, readEntityIdentifier, readLongAd, readTimestamp, tagIds, udfCorrupt } from './udf-fields.ts';

/** Descriptors in one sequence are bounded (3/8.4.2 allows pointers; hostile ones could chain forever). */
export const volumeSequenceLimits = { maxDescriptors: 256, maxPointers: 16 } as const;

export interface ExtentAd {
  readonly lengthBytes: number;
  readonly sector: number;
}

export interface AnchorPointer {
  readonly sector: number;
  readonly main: ExtentAd;
  readonly reserve: ExtentAd;
}

export interface PrimaryVolume {
  readonly sequenceNumber: number;
  readonly volumeIdentifier: string;
  readonly volumeSetIdentifier: string;
  readonly recordedMs: number | null;
  readonly applicationIdentifier: string;
  readonly implementationIdentifier: string;
}

export interface PartitionDescriptor {
  readonly sequenceNumber: number;
  readonly partitionNumber: number;
  readonly contents: string;
  readonly accessType: number;
  readonly startSector: number;
  readonly lengthBlocks: number;
}

export type PartitionMap =
  | { readonly kind: 'physical'; readonly partitionNumber: number }
  | {
      readonly kind: 'metadata';
      readonly partitionNumber: number;
      readonly metadataFileBlock: number;
      readonly mirrorFileBlock: number;
    }
  | { readonly kind: 'virtual' | 'sparable' | 'unknown'; readonly partitionNumber: number; readonly identifier: string };

export interface LogicalVolume {
  readonly sequenceNumber: number;
  readonly logicalVolumeIdentifier: string;
  readonly blockBytes: number;
  readonly domainIdentifier: string;
  /** OSTA UDF 2.1.5.3: the domain suffix's revision, e.g. 0x0250. */
  readonly udfRevision: number;
  readonly fileSetLocation: AllocationDescriptor;
  readonly partitionMaps: readonly PartitionMap[];
}

export interface VolumeDescriptorSequence {
  readonly primary: PrimaryVolume;
  readonly partitions: readonly PartitionDescriptor[];
  readonly logicalVolume: LogicalVolume;
}

/** The block sizes tried, most common first: 2048 (optical and most images), then disk sector sizes. */
const candidateBlockBytes = [2048, 512, 4096, 1024] as const;

/** ECMA-167 3/8.4.2.1 / UDF 2.2.3: the AVDP is at 256, N-256 or N-1; null when none has a valid tag. */
export async function findAnchorPointer(source: ByteSource): Promise<{ anchor: AnchorPointer; blockBytes: number } | null> {
  for (const blockBytes of candidateBlockBytes) {
    const lastSector = Math.floor(source.sizeBytes / blockBytes) - 1;
    for (const sector of [256, lastSector - 256, lastSector]) {
      if (sector < 256 || (sector + 1) * blockBytes > source.sizeBytes) continue;
      const bytes = await source.read(sector * blockBytes, 512);
      const place = { offsetBytes: sector * blockBytes, sectorBytes: blockBytes };
      if (
        readUint16Le(bytes, 0, place, 'anchor tag identifier') !== tagIds.anchorPointer ||
        !hasValidTagChecksum(bytes) ||
        readUint32Le(bytes, 12, place, 'anchor tag location') !== sector
      )
        continue;
      return { anchor: parseAnchorPointer(bytes, place, sector), blockBytes };
    }
  }
  return null;
}

/** ECMA-167 3/10.2: anchor volume descriptor pointer. */
export function parseAnchorPointer(bytes: Uint8Array, place: UdfPlace, sector: number): AnchorPointer {
  parseDescriptorTag(bytes, place, { expected: [tagIds.anchorPointer], location: sector, what: 'anchor volume descriptor pointer' });
  const main = { lengthBytes: readUint32Le(bytes, 16, place, 'main sequence length'), sector: readUint32Le(bytes, 20, place, 'main sequence location') };
  const reserve = {
    lengthBytes: readUint32Le(bytes, 24, place, 'reserve sequence length'),
    sector: readUint32Le(bytes, 28, place, 'reserve sequence location'),
  };
  // 3/10.2.2: the main sequence extent is at least 16 sectors long.
  if (main.lengthBytes < 16 * place.sectorBytes && reserve.lengthBytes < 16 * place.sectorBytes) {
    throw udfCorrupt(place, 16, `volume descriptor sequence extents of ${main.lengthBytes} and ${reserve.lengthBytes} bytes are shorter than 16 sectors`);
  }
  return { sector, main, reserve };
}

/** Reads the main sequence; when it is damaged, the reserve one (3/8.4.2: they hold the same descriptors). */
export async function readVolumeDescriptorSequence(source: ByteSource, anchor: AnchorPointer, blockBytes: number): Promise<VolumeDescriptorSequence> {
  try {
    return await readSequence(source, anchor.main, blockBytes);
  } catch (mainError) {
    if (!(mainError instanceof CorruptImageError)) throw mainError;
    try {
      return await readSequence(source, anchor.reserve, blockBytes);
    } catch {
      throw mainError;
    }
  }
}

async function readSequence(source: ByteSource, extent: ExtentAd, blockBytes: number): Promise<VolumeDescriptorSequence> {
  let primary: PrimaryVolume | null = null;
  let logicalVolume: LogicalVolume | null = null;
  const partitions = new Map<number, PartitionDescriptor>();
  let sector = extent.sector;
  let endSector = extent.sector + Math.floor(extent.lengthBytes / blockBytes);
  let pointers = 0;
  for (let count = 0; sector < endSector; count += 1) {
    if (count >= volumeSequenceLimits.maxDescriptors)
      throw udfCorrupt(
        { offsetBytes: sector * blockBytes, sectorBytes: blockBytes },
        0,
        `volume descriptor sequence holds more than ${volumeSequenceLimits.maxDescriptors} descriptors`,
      );
    const place = { offsetBytes: sector * blockBytes, sectorBytes: blockBytes };
    if ((sector + 1) * blockBytes > source.sizeBytes) throw udfCorrupt(place, 0, `volume descriptor sequence runs past the image end`);
    const bytes = await source.read(sector * blockBytes, blockBytes);
    // 3/8.4.2: an all-zero sector (unrecorded) or a terminating descriptor ends the sequence.
    if (readUint16Le(bytes, 0, place, 'volume descriptor tag identifier') === 0 && !hasValidTagChecksum(bytes)) break;
    const tag = parseDescriptorTag(bytes, place, {
      expected: [
        tagIds.primaryVolume,
        tagIds.volumePointer,
        tagIds.implementationUse,
        tagIds.partition,
        tagIds.logicalVolume,
        tagIds.unallocatedSpace,
        tagIds.terminating,
      ],
      location: sector,
      what: 'volume descriptor',
    });
    if (tag.identifier === tagIds.terminating) break;
    if (tag.identifier === tagIds.volumePointer) {
      // 3/10.3: the sequence continues in another extent.
      pointers += 1;
      if (pointers > volumeSequenceLimits.maxPointers) throw udfCorrupt(place, 0, `more than ${volumeSequenceLimits.maxPointers} volume descriptor pointers`);
      sector = readUint32Le(bytes, 24, place, 'next volume descriptor sequence location');
      endSector = sector + Math.floor(readUint32Le(bytes, 20, place, 'next volume descriptor sequence length') / blockBytes);
      continue;
    }
    // 3/8.4.3: of several descriptors of one kind, the highest sequence number prevails.
    if (tag.identifier === tagIds.primaryVolume) {
      const parsed = parsePrimaryVolume(bytes, place);
      if (!primary || parsed.sequenceNumber >= primary.sequenceNumber) primary = parsed;
    } else if (tag.identifier === tagIds.partition) {
      const parsed = parsePartitionDescriptor(bytes, place);
      const previous = partitions.get(parsed.partitionNumber);
      if (!previous || parsed.sequenceNumber >= previous.sequenceNumber) partitions.set(parsed.partitionNumber, parsed);
    } else if (tag.identifier === tagIds.logicalVolume) {
      const parsed = parseLogicalVolume(bytes, place);
      if (!logicalVolume || parsed.sequenceNumber >= logicalVolume.sequenceNumber) logicalVolume = parsed;
    }
    sector += 1;
  }
  const place = { offsetBytes: extent.sector * blockBytes, sectorBytes: blockBytes };
  if (!primary) throw udfCorrupt(place, 0, 'volume descriptor sequence has no primary volume descriptor');
  if (!logicalVolume) throw udfCorrupt(place, 0, 'volume descriptor sequence has no logical volume descriptor');
  if (partitions.size === 0) throw udfCorrupt(place, 0, 'volume descriptor sequence has no partition descriptor');
  if (logicalVolume.blockBytes !== blockBytes) {
    throw udfCorrupt(place, 0, `logical block size ${logicalVolume.blockBytes} differs from the ${blockBytes}-byte sectors (not supported)`);
  }
  return { primary, partitions: [...partitions.values()], logicalVolume };
}

/** ECMA-167 3/10.1: primary volume descriptor. */
export function parsePrimaryVolume(bytes: Uint8Array, place: UdfPlace): PrimaryVolume {
  return {
    sequenceNumber: readUint32Le(bytes, 16, place, 'volume descriptor sequence number'),
    volumeIdentifier: readDString(bytes, 24, 32, place, 'volume identifier'),
    volumeSetIdentifier: readDString(bytes, 72, 128, place, 'volume set identifier'),
    applicationIdentifier: readEntityIdentifier(bytes, 344, place, 'application identifier').identifier,
    recordedMs: readTimestamp(bytes, 376, place, 'recording time'),
    implementationIdentifier: readEntityIdentifier(bytes, 388, place, 'implementation identifier').identifier,
  };
}

/** ECMA-167 3/10.5: partition descriptor. */
export function parsePartitionDescriptor(bytes: Uint8Array, place: UdfPlace): PartitionDescriptor {
  return {
    sequenceNumber: readUint32Le(bytes, 16, place, 'volume descriptor sequence number'),
    partitionNumber: readUint16Le(bytes, 22, place, 'partition number'),
    contents: readEntityIdentifier(bytes, 24, place, 'partition contents').identifier,
    accessType: readUint32Le(bytes, 184, place, 'partition access type'),
    startSector: readUint32Le(bytes, 188, place, 'partition starting location'),
    lengthBlocks: readUint32Le(bytes, 192, place, 'partition length'),
  };
}

/** ECMA-167 3/10.6: logical volume descriptor with its partition maps (3/10.7). */
export function parseLogicalVolume(bytes: Uint8Array, place: UdfPlace): LogicalVolume {
  const blockBytes = readUint32Le(bytes, 212, place, 'logical block size');
  // 3/10.6.4 / UDF 2.2.4.2: a power of two, at least 512.
  if (blockBytes < 512 || blockBytes > 65536 || (blockBytes & (blockBytes - 1)) !== 0)
    throw udfCorrupt(place, 212, `logical block size ${blockBytes} is not a power of two from 512 to 65536`);
  const domain = readEntityIdentifier(bytes, 216, place, 'domain identifier');
  const mapTableBytes = readUint32Le(bytes, 264, place, 'partition map table length');
  const mapCount = readUint32Le(bytes, 268, place, 'number of partition maps');
  // 3/10.6.13: the maps follow at byte 440 and must fit in the descriptor.
  if (440 + mapTableBytes > bytes.byteLength) throw udfCorrupt(place, 264, `partition map table of ${mapTableBytes} bytes runs past the descriptor`);
  if (mapCount > 64) throw udfCorrupt(place, 268, `${mapCount} partition maps (more than 64)`);
  const partitionMaps: PartitionMap[] = [];
  let at = 440;
  for (let index = 0; index < mapCount; index += 1) {
    if (at + 2 > 440 + mapTableBytes) throw udfCorrupt(place, at, `partition map ${index} lies past the map table`);
    const length = readUint8(bytes, at + 1, place, `partition map ${index} length`);
    if (length < 6 || at + length > 440 + mapTableBytes) throw udfCorrupt(place, at + 1, `partition map ${index} has length ${length}`);
    partitionMaps.push(parsePartitionMap(bytes.subarray(at, at + length), { offsetBytes: place.offsetBytes + at, sectorBytes: place.sectorBytes }));
    at += length;
  }
  return {
    sequenceNumber: readUint32Le(bytes, 16, place, 'volume descriptor sequence number'),
    logicalVolumeIdentifier: readDString(bytes, 84, 128, place, 'logical volume identifier'),
    blockBytes,
    domainIdentifier: domain.identifier,
    udfRevision: readUint16Le(domain.suffix, 0, { offsetBytes: place.offsetBytes + 216 + 24, sectorBytes: place.sectorBytes }, 'UDF revision'),
    fileSetLocation: readLongAd(bytes, 248, place),
    partitionMaps,
  };
}

/** ECMA-167 3/10.7.2 (type 1) and 3/10.7.3 (type 2, identified by OSTA UDF 2.2.8-2.2.10). */
export function parsePartitionMap(bytes: Uint8Array, place: UdfPlace): PartitionMap {
  const type = readUint8(bytes, 0, place, 'partition map type');
  if (type === 1) {
    if (bytes.byteLength !== 6) throw udfCorrupt(place, 1, `type 1 partition map has length ${bytes.byteLength}, not 6`);
    return { kind: 'physical', partitionNumber: readUint16Le(bytes, 4, place, 'partition number') };
  }
  if (type === 2) {
    if (bytes.byteLength !== 64) throw udfCorrupt(place, 1, `type 2 partition map has length ${bytes.byteLength}, not 64`);
    const identifier = readEntityIdentifier(bytes, 4, place, 'partition type identifier').identifier;
    const partitionNumber = readUint16Le(bytes, 38, place, 'partition number');
    if (identifier === '*UDF Metadata Partition') {
      return {
        kind: 'metadata',
        partitionNumber,
        metadataFileBlock: readUint32Le(bytes, 40, place, 'metadata file location'),
        mirrorFileBlock: readUint32Le(bytes, 44, place, 'metadata mirror file location'),
      };
    }
    if (identifier === '*UDF Virtual Partition') return { kind: 'virtual', partitionNumber, identifier };
    if (identifier === '*UDF Sparable Partition') return { kind: 'sparable', partitionNumber, identifier };
    return { kind: 'unknown', partitionNumber, identifier };
  }
  throw udfCorrupt(place, 0, `partition map type ${type} is neither 1 nor 2`);
}
