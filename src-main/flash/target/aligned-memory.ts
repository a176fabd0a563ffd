// Page-aligned, shareable memory for O_DIRECT I/O. Node Buffers carry no alignment guarantee, and
// O_DIRECT reads and writes fail with EINVAL unless the buffer address is aligned to the logical block
// size. A WebAssembly.Memory is mmap'ed by V8, so its base is page aligned (4096, the largest logical
// block size in practice); `shared: true` makes it a SharedArrayBuffer the hashing workers read in place.

const wasmPageBytes = 64 * 1024;

// Node's global WebAssembly, typed here: the main tsconfig has no DOM lib, which is where its types live.
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
type WasmMemoryConstructor = new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
const WasmMemoryClass = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;
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
  const pages = Math.max(1, Math.ceil((slotBytes * count) / wasmPageBytes));
  // Fixed size (maximum = initial): a grown memory would detach the views handed to in-flight I/O.
  const memory = new WasmMemoryClass({ initial: pages, maximum: pages, shared: true });
  const buffer = memory.buffer as SharedArrayBuffer;
  const slots = Array.from({ length: count }, (_, index) => new Uint8Array(buffer, index * slotBytes, slotBytes));
  return { buffer, slots };
}
