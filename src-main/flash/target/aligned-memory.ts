// Page-aligned, shareable memory for O_DIRECT I/O. Node Buffers carry no alignment guarantee, and
// O_DIRECT reads and writes fail with EINVAL unless the buffer address is aligned to the logical block
// size. The arena is io/shared-memory.ts's page-aligned shared memory (4096, the largest logical block
// size in practice): a SharedArrayBuffer the hashing workers read in place.
import { pageAlignedSharedMemory } from '../../io/shared-memory.ts';

/** Every offset handed out is a multiple of this (the page size; >= any logical block size). */
export const alignmentBytes = 4096;

export interface AlignedArena {
  readonly buffer: SharedArrayBuffer;
  /** `count` views of `sizeBytes` each, every one starting on an `alignmentBytes` boundary. */
  readonly slots: readonly Uint8Array[];
}

/** `lengthBytes` rounded up to a multiple of `alignmentBytes`: what an O_DIRECT read or write must span. */
export function alignedLengthBytes(lengthBytes: number): number {
  return Math.ceil(lengthBytes / alignmentBytes) * alignmentBytes;
}

/** Allocates `count` aligned slots of `sizeBytes` (rounded up to the alignment) in one arena. */
export function allocateAlignedSlots(count: number, sizeBytes: number): AlignedArena {
  const slotBytes = alignedLengthBytes(sizeBytes);
  const buffer = pageAlignedSharedMemory(count * slotBytes);
  const slots = Array.from({ length: count }, (_, index) => new Uint8Array(buffer, index * slotBytes, slotBytes));
  return { buffer, slots };
}
