// Shared memory for the rings that the kernel copies file data into and out of (the hashing pass's
// read-ahead, the ISO writer's slots, the flash's O_DIRECT arenas).

/**
 * Shared memory that starts on a page boundary. The kernel copies every slot from page-cache pages
 * (read) and into them (write); from a buffer 16 bytes past a page boundary, where glibc's malloc
 * places a large allocation and so a plain SharedArrayBuffer of a few MiB, those copies cost half as
 * much again here (system time of a 1 GiB copy in 1 MiB steps: 950 ms, against 600 ms from an
 * aligned buffer, as dd's). V8 reserves a growable buffer from its page allocator, so it starts on a
 * page; this one is never grown.
 */
export function pageAlignedSharedMemory(sizeBytes: number): SharedArrayBuffer {
  // ES2024's growable SharedArrayBuffer (V8 11, Node 20): TypeScript's ES2023 lib does not declare the option.
  const Growable = SharedArrayBuffer as new (byteLength: number, options: { maxByteLength: number }) => SharedArrayBuffer;
  return new Growable(sizeBytes, { maxByteLength: sizeBytes });
}
