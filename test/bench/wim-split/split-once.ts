// One split of WIM into PARTS_DIR/install.swm, install2.swm, ... by Isotope's splitWim in its own
// process, so the benchmark can take its peak RSS: each part's lazy source is read into two 4 MiB buffers
// in turn (readIntoBuffer, the next read while the last piece is written, as the flash pipeline's slots) and written to its file. Prints the elapsed time and sizes as JSON.
// The benchmark bundles this file with esbuild and runs it with plain node.
// Usage: node split-once.mjs WIM PARTS_DIR MAX_PART_BYTES
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readIntoBuffer, type ByteSource } from '../../../src-main/io/byte-source.ts';
import { openFileSource } from '../../../src-main/io/file-source.ts';
import { splitWim } from '../../../src-main/wim/wim-split.ts';

const [wimPath, partsDir, maxPartBytes] = process.argv.slice(2) as [string, string, string];
const pieceBytes = 4 * 1024 * 1024;
const buffers = [new Uint8Array(pieceBytes), new Uint8Array(pieceBytes)] as const;

/** Reads the next piece while the one before is written (two buffers), as the flash pipeline's slot ring does. */
async function writePart(source: ByteSource, fd: number): Promise<void> {
  const readPiece = (at: number, index: number): Promise<Uint8Array> => {
    const piece = buffers[index % 2]!.subarray(0, Math.min(pieceBytes, source.sizeBytes - at));
    return readIntoBuffer(source, piece, at).then(() => piece);
  };
  let next = source.sizeBytes > 0 ? readPiece(0, 0) : null;
  for (let at = 0, index = 0; next !== null; at += pieceBytes, index++) {
    const piece = await next;
    next = at + pieceBytes < source.sizeBytes ? readPiece(at + pieceBytes, index + 1) : null;
    writeSync(fd, piece);
  }
}
const startedMs = performance.now();
const wim = await openFileSource(wimPath);
const parts = await splitWim(wim, { baseName: 'install.swm', maxPartBytes: Number(maxPartBytes) });
const plannedMs = performance.now() - startedMs;
for (const part of parts) {
  const fd = openSync(join(partsDir, part.name), 'w');
  try {
    await writePart(part.source, fd);
  } finally {
    closeSync(fd);
  }
}
await wim.close();
process.stdout.write(`${JSON.stringify({ plannedMs, totalMs: performance.now() - startedMs, partBytes: parts.map((part) => part.source.sizeBytes) })}\n`);
