// The UDF 1.02 bridge (OSTA UDF 1.02, ECMA-167) written beside ISO 9660, as genisoimage -udf makes it:
// the same file data, described a second time by UDF structures, so systems that read UDF (Windows, for
// files of 4 GiB and more) see the tree. Planned from the tree (sizes only), rendered once the composer
// has placed every part: the recognition sequence after the ISO terminator, anchors at 256 and at the
// last sector, the volume descriptor sequences and integrity sequence, and the file set in the partition.
import { createHash } from 'node:crypto';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { planFileSet } from './udf-file-set-writer.ts';
import {
  integritySequenceSectors,
  renderAnchor,
  renderIntegritySequence,
  renderVolumeRecognitionSequence,
  renderVolumeSequence,
  volumeSequenceSectors,
  type UdfVolumeFacts,
} from './udf-volume-writer.ts';

export interface UdfBridgeInput {
  readonly root: AuthoringNode;
  /** The label. */
  readonly volumeIdentifier: string;
  readonly recordedMs: number;
  readonly fixedFileTimesMs: number | null;
  /** Volume set id / unique ids derive from it when reproducible. */
  readonly identitySeed: string;
}

export interface UdfAddresses {
  readonly volumeSectorCount: number;
  readonly mainSequenceLba: number;
  readonly reserveSequenceLba: number;
  readonly integrityLba: number;
  /** The partition runs from here to the volume's end (every UDF FE and file data lie inside). */
  readonly partitionStartLba: number;
  /** Absolute LBA of the fileSetSectors region (inside the partition). */
  readonly fileSetLba: number;
  /** Absolute LBAs of a file node's data, shared with ISO 9660 (empty for a 0-byte file). */
  extentsOf(node: AuthoringNode): readonly { readonly lba: number; readonly sizeBytes: number }[];
}

export interface UdfBridgePlan {
  /** One Volume Descriptor Sequence (main and reserve are each this long). */
  readonly sequenceSectors: number;
  /** LVID + Terminating Descriptor. */
  readonly integritySectors: number;
  /** FSD + TD + every File Entry + every directory's FIDs. */
  readonly fileSetSectors: number;
  /** For the plan summary: names recorded cut to a UDF identifier's 255 bytes, the count of symlinks and special files left out. */
  readonly warnings: readonly string[];
  /** BEA01, NSR02, TEA01 (ECMA-167 2/9.1): 3 sectors placed right after the ISO VDST. */
  renderRecognitionSequence(): Uint8Array;
  /**
   * Every UDF structure, once all addresses are known. `anchor` goes at LBA 256 and `closingAnchor` at the
   * last sector (volumeSectorCount - 1): an AVDP's tag names its own sector (ECMA-167 3/7.2.8), so the
   * two differ. The partition ends before the closing anchor.
   */
  render(addresses: UdfAddresses): {
    anchor: Uint8Array;
    closingAnchor: Uint8Array;
    mainSequence: Uint8Array;
    reserveSequence: Uint8Array;
    integrity: Uint8Array;
    /** Rendered block by block as it is read (a File Entry per node is 2 KiB: never all in memory at once). */
    fileSet: ByteSource;
  };
}

/** The Volume Set Identifier (OSTA UDF 2.2.2.5): its first 16 characters a hex number unique to the volume, here drawn from the seed. */
function volumeSetIdentifier(identitySeed: string): string {
  return createHash('sha256').update(`udf volume set:${identitySeed}`).digest('hex').slice(0, 16).toUpperCase();
}

/** Plans the bridge of `input.root`'s tree; throws CodedError 'file-too-large' for a file one File Entry cannot describe. */
export function planUdfBridge(input: UdfBridgeInput): UdfBridgePlan {
  const fileSet = planFileSet(input.root);
  return {
    sequenceSectors: volumeSequenceSectors,
    integritySectors: integritySequenceSectors,
    fileSetSectors: fileSet.sectorCount,
    warnings: fileSet.warnings,
    renderRecognitionSequence: renderVolumeRecognitionSequence,
    render(addresses) {
      const facts = volumeFacts(input, addresses, fileSet.sectorCount);
      return {
        anchor: renderAnchor(256, facts),
        closingAnchor: renderAnchor(addresses.volumeSectorCount - 1, facts),
        mainSequence: renderVolumeSequence(addresses.mainSequenceLba, facts),
        reserveSequence: renderVolumeSequence(addresses.reserveSequenceLba, facts),
        integrity: renderIntegritySequence(facts, fileSet),
        fileSet: fileSet.render({
          firstBlock: facts.fileSetBlock,
          partitionStartLba: addresses.partitionStartLba,
          partitionBlocks: facts.partitionBlocks,
          recordedMs: input.recordedMs,
          fixedFileTimesMs: input.fixedFileTimesMs,
          identifier: input.volumeIdentifier,
          extentsOf: (node) => addresses.extentsOf(node),
        }),
      };
    },
  };
}

/** The addresses checked against one another (a failure is a layout bug of the composer), as the descriptors state them. */
function volumeFacts(input: UdfBridgeInput, addresses: UdfAddresses, fileSetSectors: number): UdfVolumeFacts {
  const lastLba = addresses.volumeSectorCount - 1;
  // ECMA-167 3/8.4.2.1: the closing anchor is the last sector, so the partition ends before it.
  const partitionBlocks = lastLba - addresses.partitionStartLba;
  const regions: [string, number, number][] = [
    ['main volume descriptor sequence', addresses.mainSequenceLba, volumeSequenceSectors],
    ['reserve volume descriptor sequence', addresses.reserveSequenceLba, volumeSequenceSectors],
    ['integrity sequence', addresses.integrityLba, integritySequenceSectors],
    ['file set', addresses.fileSetLba, fileSetSectors],
  ];
  for (const [what, lba, sectors] of regions) {
    // Past the system area (ECMA-119 6.2.1), clear of both anchors.
    if (!Number.isSafeInteger(lba) || lba < 16 || (lba <= 256 && lba + sectors > 256) || lba + sectors > lastLba) {
      throw new Error(`UDF bridge: the ${what} at LBA ${lba} (${sectors} sectors) overlaps the system area or an anchor (256, ${lastLba})`);
    }
  }
  if (partitionBlocks <= 0 || addresses.fileSetLba < addresses.partitionStartLba) {
    throw new Error(`UDF bridge: the file set at LBA ${addresses.fileSetLba} lies outside the partition from LBA ${addresses.partitionStartLba} to ${lastLba}`);
  }
  return {
    volumeIdentifier: input.volumeIdentifier,
    volumeSetIdentifier: volumeSetIdentifier(input.identitySeed),
    recordedMs: input.recordedMs,
    mainSequenceLba: addresses.mainSequenceLba,
    reserveSequenceLba: addresses.reserveSequenceLba,
    integrityLba: addresses.integrityLba,
    partitionStartLba: addresses.partitionStartLba,
    partitionBlocks,
    fileSetBlock: addresses.fileSetLba - addresses.partitionStartLba,
  };
}
