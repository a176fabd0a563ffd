// The system area (sectors 0-15) of a hybrid ISO image: an MBR, optionally a GPT, so the same file
// boots from a stick, as xorriso -isohybrid-mbr / -isohybrid-gpt-basdat / -append_partition write it.
import { CodedError } from '../jobs/errors.ts';

export interface HybridSystemAreaInput {
  /** The whole image in 2048-byte sectors (including the tail below). */
  readonly imageSectorCount: number;
  /** First 432 (or 440) bytes used; patched with the BIOS boot image LBA as isohybrid/xorriso do. */
  readonly mbrBootCode: Uint8Array | null;
  /** LBA of the El Torito BIOS image (isolinux.bin / eltorito.img) for the patch. */
  readonly biosBootImageLba: number | null;
  /** 2048-byte sectors. */
  readonly efiImage: { readonly lba: number; readonly sectorCount: number } | null;
  readonly gpt: boolean;
  readonly apm: boolean;
  /** GPT disk/partition GUIDs derived from it (stable). */
  readonly identitySeed: string;
  /** MBR 0x1B8, derived from the seed by the caller. */
  readonly diskSignature: number;
}

/** Trailing 2048-byte sectors the composer must reserve at the image's end for the GPT backup (0 without GPT). */
export function hybridTailSectors(gpt: boolean): number {
  return gpt ? 16 : 0;
}

/** The 32 KiB system area (sectors 0-15) and the GPT backup bytes for the reserved tail. */
export function buildHybridSystemArea(input: HybridSystemAreaInput): { systemArea: Uint8Array; tail: Uint8Array | null } {
  throw new CodedError('unsupported', `hybrid system area for ${input.imageSectorCount} sectors: not written yet`);
}
