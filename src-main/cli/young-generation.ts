// The `create` command keeps V8's young generation at its first size (issue 15:
// peak RSS under 150 MiB with 50,000 files). V8 doubles each semi-space of the young generation up
// to 16 MiB when scavenges keep finding live objects, as a walk of 50,000 files does; the two
// semi-spaces then hold 32 MiB that the image's plan (about 53 MiB live) never needs at once.
// `--max-semi-space-size` is read only when the heap is set up, so it cannot be given here; the
// growth factor is read at each growth (V8's SemiSpaceNewSpace::Grow), so a factor of 1 set before
// the walk keeps the semi-spaces at their first size. Measured with `node bin/isotope.js create` on
// the bench's 50,000-file tree (test/bench/create): peak RSS 137-146 MiB instead of 152-170 MiB, on a
// machine too loaded (load 12-16 on 2 cores) to tell the CPU time apart (3.7-4.8 s against 3.2-3.7 s).
import { setFlagsFromString } from 'node:v8';

/** Keeps the young generation's semi-spaces at their first size for the rest of the process. */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
