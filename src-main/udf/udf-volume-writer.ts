// The UDF volume structure of a read-only bridge, as genisoimage -udf writes it (OSTA UDF 1.02 2.2,
// ECMA-167 part 3): the Volume Recognition Sequence (2/9.1), the Anchor Volume Descriptor Pointer
// (3/10.2), one Volume Descriptor Sequence (3/8.4: PVD, IUVD, PD, LVD, USD, TD), recorded twice, and
// the closed Logical Volume Integrity Descriptor (3/10.10) with its Terminating Descriptor.
import { tagIds } from './udf-fields.ts';
import {
  entityIds,
  finishDescriptorTag,
  udfBlockBytes,
  udfRevision,
  writeDString,
  writeEntityId,
  writeLongAd,
  writeOstaCharspec,
  writeTimestamp,
  writeUint16Le,
  writeUint32Le,
  writeUint64Le,
} from './udf-fields-writer.ts';

/** ECMA-167 3/10.2.2: a Volume Descriptor Sequence extent is at least 16 sectors; ours holds 6 descriptors. */
export const volumeSequenceSectors = 16;
/** The LVID and the Terminating Descriptor that ends the integrity sequence (3/8.4.2). */
export const integritySequenceSectors = 2;

/** What the volume descriptors say about the volume. */
export interface UdfVolumeFacts {
  readonly volumeIdentifier: string;
  /** OSTA UDF 2.2.2.5: its first 16 characters are a unique hex number. */
  readonly volumeSetIdentifier: string;
  readonly recordedMs: number;
  readonly mainSequenceLba: number;
  readonly reserveSequenceLba: number;
  readonly integrityLba: number;
  readonly partitionStartLba: number;
  readonly partitionBlocks: number;
  /** Partition-relative block of the File Set Descriptor. */
  readonly fileSetBlock: number;
}

/** ECMA-167 2/9.1: BEA01, NSR02 (the volume holds ECMA-167 2nd edition structures: UDF 1.02), TEA01. */
export function renderVolumeRecognitionSequence(): Uint8Array {
  const bytes = new Uint8Array(3 * udfBlockBytes);
  ['BEA01', 'NSR02', 'TEA01'].forEach((identifier, index) => {
    const at = index * udfBlockBytes;
    // 2/9.1.1-9.1.3: structure type 0, the standard identifier, structure version 1.
    bytes[at] = 0;
    for (let character = 0; character < 5; character += 1) bytes[at + 1 + character] = identifier.charCodeAt(character);
    bytes[at + 6] = 1;
  });
  return bytes;
}

/** ECMA-167 3/10.2: the anchor at `lba`, naming both sequences. */
export function renderAnchor(lba: number, facts: UdfVolumeFacts): Uint8Array {
  const bytes = new Uint8Array(udfBlockBytes);
  writeUint32Le(bytes, 16, volumeSequenceSectors * udfBlockBytes);
  writeUint32Le(bytes, 20, facts.mainSequenceLba);
  writeUint32Le(bytes, 24, volumeSequenceSectors * udfBlockBytes);
  writeUint32Le(bytes, 28, facts.reserveSequenceLba);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.anchorPointer, location: lba, descriptorBytes: 512 });
  return bytes;
}

/** One Volume Descriptor Sequence starting at `startLba` (main and reserve differ only in their tags' locations). */
export function renderVolumeSequence(startLba: number, facts: UdfVolumeFacts): Uint8Array {
  const bytes = new Uint8Array(volumeSequenceSectors * udfBlockBytes);
  const writers = [writePrimaryVolume, writeImplementationUseVolume, writePartition, writeLogicalVolume, writeUnallocatedSpace, writeTerminating];
  writers.forEach((write, index) => {
    const sector = bytes.subarray(index * udfBlockBytes, (index + 1) * udfBlockBytes);
    // 3/7.2.8: each descriptor's tag names its own sector; 3/10.x.2: the sequence numbers count from 0.
    const { identifier, descriptorBytes } = write(sector, facts, index);
    finishDescriptorTag(sector, 0, { identifier, location: startLba + index, descriptorBytes });
  });
  return bytes;
}

type DescriptorWriter = (into: Uint8Array, facts: UdfVolumeFacts, sequenceNumber: number) => { identifier: number; descriptorBytes: number };

/** ECMA-167 3/10.1, OSTA UDF 2.2.2. */
const writePrimaryVolume: DescriptorWriter = (into, facts, sequenceNumber) => {
  writeUint32Le(into, 16, sequenceNumber);
  writeUint32Le(into, 20, 0);
  writeDString(into, 24, 32, facts.volumeIdentifier);
  // 3/10.1.5-10.1.10: volume 1 of 1, interchange level 2 (a single volume), one character set (CS0).
  writeUint16Le(into, 56, 1);
  writeUint16Le(into, 58, 1);
  writeUint16Le(into, 60, 2);
  writeUint16Le(into, 62, 2);
  writeUint32Le(into, 64, 1);
  writeUint32Le(into, 68, 1);
  writeDString(into, 72, 128, facts.volumeSetIdentifier);
  writeOstaCharspec(into, 200);
  writeOstaCharspec(into, 264);
  writeTimestamp(into, 376, facts.recordedMs);
  writeEntityId(into, 388, entityIds.implementation, 'implementation');
  return { identifier: tagIds.primaryVolume, descriptorBytes: 512 };
};

/** ECMA-167 3/10.4 with OSTA UDF 2.2.7's Logical Volume Information. */
const writeImplementationUseVolume: DescriptorWriter = (into, facts, sequenceNumber) => {
  writeUint32Le(into, 16, sequenceNumber);
  writeEntityId(into, 20, entityIds.logicalVolumeInfo, 'udf');
  writeOstaCharspec(into, 52);
  writeDString(into, 116, 128, facts.volumeIdentifier);
  // UDF 2.2.7.2.3: LVInfo1-3 (owner, organisation, contact) left empty; then our implementation id.
  writeEntityId(into, 352, entityIds.implementation, 'implementation');
  return { identifier: tagIds.implementationUse, descriptorBytes: 512 };
};

/** ECMA-167 3/10.5, OSTA UDF 2.2.14: partition 0, read-only, holding the file set and every file's data. */
const writePartition: DescriptorWriter = (into, facts, sequenceNumber) => {
  writeUint32Le(into, 16, sequenceNumber);
  // 3/10.5.3: bit 0, the volume space is allocated for the partition.
  writeUint16Le(into, 20, 1);
  writeUint16Le(into, 22, 0);
  // UDF 2.2.14.2 (as genisoimage): "+NSR02" with flags 2.
  writeEntityId(into, 24, entityIds.nsr02, 'none', 2);
  // 3/10.5.7: access type 1, read-only (no space bitmap or table needed in the contents use, UDF 2.3.3).
  writeUint32Le(into, 184, 1);
  writeUint32Le(into, 188, facts.partitionStartLba);
  writeUint32Le(into, 192, facts.partitionBlocks);
  writeEntityId(into, 196, entityIds.implementation, 'implementation');
  return { identifier: tagIds.partition, descriptorBytes: 512 };
};

/** ECMA-167 3/10.6, OSTA UDF 2.2.4: one type 1 partition map, the File Set Descriptor's place, the integrity extent. */
const writeLogicalVolume: DescriptorWriter = (into, facts, sequenceNumber) => {
  writeUint32Le(into, 16, sequenceNumber);
  writeOstaCharspec(into, 20);
  writeDString(into, 84, 128, facts.volumeIdentifier);
  writeUint32Le(into, 212, udfBlockBytes);
  writeEntityId(into, 216, entityIds.domain, 'domain');
  // UDF 2.2.4.4: the logical volume contents use is the File Set Descriptor's long_ad.
  writeLongAd(into, 248, { lengthBytes: udfBlockBytes, block: facts.fileSetBlock });
  writeUint32Le(into, 264, 6);
  writeUint32Le(into, 268, 1);
  writeEntityId(into, 272, entityIds.implementation, 'implementation');
  writeUint32Le(into, 432, integritySequenceSectors * udfBlockBytes);
  writeUint32Le(into, 436, facts.integrityLba);
  // 3/10.7.2: type 1 map, length 6, volume sequence number 1, partition number 0.
  into.set([1, 6], 440);
  writeUint16Le(into, 442, 1);
  writeUint16Le(into, 444, 0);
  return { identifier: tagIds.logicalVolume, descriptorBytes: 446 };
};

/** ECMA-167 3/10.8: no unallocated space (a read-only image uses every sector it has). */
const writeUnallocatedSpace: DescriptorWriter = (into, _facts, sequenceNumber) => {
  writeUint32Le(into, 16, sequenceNumber);
  writeUint32Le(into, 20, 0);
  return { identifier: tagIds.unallocatedSpace, descriptorBytes: 24 };
};

/** ECMA-167 3/10.9: ends the sequence. */
const writeTerminating: DescriptorWriter = () => ({ identifier: tagIds.terminating, descriptorBytes: 512 });

/** What the Logical Volume Integrity Descriptor counts (UDF 2.2.6). */
export interface UdfIntegrityCounts {
  readonly fileCount: number;
  readonly directoryCount: number;
  /** 4/14.15.1: larger than every unique id the volume holds. */
  readonly nextUniqueId: number;
}

/** ECMA-167 3/10.10 (closed, OSTA UDF 2.2.6) then a Terminating Descriptor (3/10.9). */
export function renderIntegritySequence(facts: UdfVolumeFacts, counts: UdfIntegrityCounts): Uint8Array {
  const bytes = new Uint8Array(integritySequenceSectors * udfBlockBytes);
  writeTimestamp(bytes, 16, facts.recordedMs);
  // 3/10.10.3: integrity type 1, close.
  writeUint32Le(bytes, 28, 1);
  // 4/14.15: the Logical Volume Header Descriptor in the contents use: the next unique id.
  writeUint64Le(bytes, 40, counts.nextUniqueId);
  writeUint32Le(bytes, 72, 1);
  const implementationUseBytes = 46;
  writeUint32Le(bytes, 76, implementationUseBytes);
  // 3/10.10.7-8: one partition: no free space, its size in blocks.
  writeUint32Le(bytes, 80, 0);
  writeUint32Le(bytes, 84, facts.partitionBlocks);
  // UDF 2.2.6.4: implementation id, number of files and directories, minimum read/write and maximum write revisions.
  writeEntityId(bytes, 88, entityIds.implementation, 'implementation');
  writeUint32Le(bytes, 120, counts.fileCount);
  writeUint32Le(bytes, 124, counts.directoryCount);
  writeUint16Le(bytes, 128, udfRevision);
  writeUint16Le(bytes, 130, udfRevision);
  writeUint16Le(bytes, 132, udfRevision);
  finishDescriptorTag(bytes, 0, { identifier: tagIds.logicalVolumeIntegrity, location: facts.integrityLba, descriptorBytes: 88 + implementationUseBytes });
  finishDescriptorTag(bytes, udfBlockBytes, { identifier: tagIds.terminating, location: facts.integrityLba + 1, descriptorBytes: 512 });
  return bytes;
}
