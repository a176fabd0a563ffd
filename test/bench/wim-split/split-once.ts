// One split of WIM into PARTS_DIR/install.swm, install2.swm, ... by Isotope's splitWim in its own
// process, so the benchmark can take its peak RSS: each part's lazy source is read in 4 MiB pieces and
// written to its file, as the flash pipeline would read it. Prints the elapsed time and sizes as JSON.
// The benchmark bundles this file with esbuild and runs it with plain node.
// Usage: node split-once.mjs WIM PARTS_DIR MAX_PART_BYTES
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openFileSource } from '../../../src-main/io/file-source.ts';
import { splitWim } from '../../../src-main/wim/wim-split.ts';

const [wimPath, partsDir, maxPartBytes] = process.argv.slice(2) as [string, string, string];
const pieceBytes = 4 * 1024 * 1024;
const startedMs = performance.now();
const wim = await openFileSource(wimPath);
const parts = await splitWim(wim, { baseName: 'install.swm', maxPartBytes: Number(maxPartBytes) });
const plannedMs = performance.now() - startedMs;
for (const part of parts) {
  const fd = openSync(join(partsDir, part.name), 'w');
  try {
    for (let at = 0; at < part.source.sizeBytes; at += pieceBytes) writeSync(fd, await part.source.read(at, Math.min(pieceBytes, part.source.sizeBytes - at)));
  } finally {
    closeSync(fd);
  }
}
await wim.close();
process.stdout.write(`${JSON.stringify({ plannedMs, totalMs: performance.now() - startedMs, partBytes: parts.map((part) => part.source.sizeBytes) })}\n`);
