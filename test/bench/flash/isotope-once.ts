// One Isotope flash (write + verify) of IMAGE to TARGET in its own process, so the benchmark can take
// its peak RSS; prints phase timings as JSON. The benchmark bundles this file with esbuild and runs it
// with plain node (the product's code and memory, not tsx's).
// Usage: node isotope-once.mjs IMAGE TARGET [--no-sha256] [--no-verify] [--verify-only]
import { flashImage, verifyDriveAgainstImage } from '../../../src-main/flash/flash-image.ts';
import type { FlashProgress } from '../../../shared/flash.ts';

const [image, target, ...flags] = process.argv.slice(2) as [string, string, ...string[]];
const startedMs = performance.now();
const phaseStartMs = new Map<string, number>();
const onProgress = (progress: FlashProgress): void => {
  for (const entry of progress.targets) if (!phaseStartMs.has(entry.phase)) phaseStartMs.set(entry.phase, performance.now());
};
const result = flags.includes('--verify-only')
  ? await verifyDriveAgainstImage({ imagePath: image, target: { path: target }, includeAll: true, onProgress })
  : await flashImage({
      imagePath: image,
      targets: [{ path: target }],
      verify: !flags.includes('--no-verify'),
      includeAll: true,
      eject: false,
      sha256: !flags.includes('--no-sha256'),
      onProgress,
    });
const doneMs = performance.now();
const at = (phase: string): number => phaseStartMs.get(phase) ?? doneMs;
process.stdout.write(
  `${JSON.stringify({
    outcome: result.outcome,
    // Writing includes the final flush (fdatasync), as dd's conv=fsync does.
    writeMs: flags.includes('--verify-only') ? 0 : at('verifying') - at('writing'),
    verifyMs: flags.includes('--no-verify') ? 0 : flags.includes('--verify-only') ? doneMs - startedMs : at('done') - at('verifying'),
    totalMs: doneMs - startedMs,
    sha256Hex: result.source.sha256Hex,
  })}\n`,
);
