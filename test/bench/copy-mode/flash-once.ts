// One flash without verification (the write alone) of IMAGE to TARGET through the engine's flashImage,
// raw or copy files, with no SHA-256 in the pass (copy mode computes none, so the raw row must not
// either); prints the write phase's time as JSON. The benchmark bundles this file with esbuild and runs
// it under plain node, so its peak RSS is the product's.
// Usage: node flash-once.mjs IMAGE TARGET raw|copy
import { flashImage } from '../../../src-main/flash/flash-image.ts';
import type { FlashProgress } from '../../../shared/flash.ts';
import { defaultWimPartBytes, noWindowsOptions } from '../../../shared/stick.ts';

const [image, target, mode] = process.argv.slice(2) as [string, string, 'raw' | 'copy'];
const phaseStartMs = new Map<string, number>();
const onProgress = (progress: FlashProgress): void => {
  for (const entry of progress.targets) if (!phaseStartMs.has(entry.phase)) phaseStartMs.set(entry.phase, performance.now());
};
const result = await flashImage({
  imagePath: image,
  targets: [{ path: target }],
  verify: false,
  includeAll: true,
  eject: false,
  sha256: false,
  onProgress,
  recipe: mode === 'copy' ? { kind: 'copy', copy: { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions } } : { kind: 'raw' },
});
const doneMs = performance.now();
const writingMs = phaseStartMs.get('writing') ?? doneMs;
// Writing includes the final flush (fdatasync), as dd's conv=fsync does.
process.stdout.write(`${JSON.stringify({ outcome: result.outcome, writeMs: (phaseStartMs.get('done') ?? doneMs) - writingMs })}\n`);
