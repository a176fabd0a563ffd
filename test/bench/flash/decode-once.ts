// Decodes IMAGE through Isotope's FlashSource alone (no target), to measure the decoder's own speed.
// The benchmark bundles it with esbuild and runs it with plain node.
import { openFlashSource } from '../../../src-main/flash/source/image-source.ts';
import { allocateAlignedSlots } from '../../../src-main/flash/target/aligned-memory.ts';

const source = await openFlashSource(process.argv[2]!);
const [slot] = allocateAlignedSlots(1, 4 * 1024 * 1024).slots as [Uint8Array];
const startedMs = performance.now();
let bytes = 0;
for (;;) {
  const count = await source.readNext(slot);
  bytes += count;
  if (count < slot.length) break;
}
await source.close();
process.stdout.write(`${JSON.stringify({ bytes, decodeMs: performance.now() - startedMs })}\n`);
