// The UDF 1.02 bridge (OSTA UDF 1.02, ECMA-167 3rd edition) written beside ISO 9660, as genisoimage
// -udf makes it: the same file data, described a second time by UDF structures, so systems that read
// UDF (and Windows, for files of 4 GiB and more) see the tree. Stub: the implementation follows.
import type { AuthoringNode } from '../format/authoring-tree.ts';

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
    fileSet: Uint8Array;
  };
}

export function planUdfBridge(input: UdfBridgeInput): UdfBridgePlan {
  void input;
  throw new Error('planUdfBridge: not implemented yet');
}
