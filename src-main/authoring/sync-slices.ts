// Synchronous file system calls in short slices (issue 15's benchmark: 50,000 files). An async call
// is a round trip through libuv's thread pool, about 15 us of CPU each on this path; the same lstat,
// open, read or close made synchronously costs 1 to 3 us from the page cache. A tree of 50,000
// files makes 250,000 such calls, so the walk and the small-file reads make them synchronously, and
// give the event loop a turn every sliceMs so progress, cancel and the rest of the process still run.

/** Longest run of synchronous calls before the event loop gets a turn (about one frame at 60 Hz). */
const sliceMs = 16;
let sliceStartedMs = performance.now();

/** Resolves at once while the current slice lasts; past it, after the event loop has had a turn. */
export async function yieldWhenSliceSpent(): Promise<void> {
  if (performance.now() - sliceStartedMs < sliceMs) return;
  await new Promise<void>((resume) => setImmediate(resume));
  sliceStartedMs = performance.now();
}
