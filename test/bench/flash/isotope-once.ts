// One Isotope flash (write + verify) of IMAGE to TARGET in its own process, so the benchmark can take
// its peak RSS; prints phase timings as JSON. Usage: tsx isotope-once.ts IMAGE TARGET [--no-sha256] [--no-verify]
import { flashImage } from '../../../src-main/flash/flash-image.ts';

const [image, target, ...flags] = process.argv.slice(2) as [string, string, ...string[]];
const startedMs = performance.now();
const phaseStartMs = new Map<string, number>();
const result = await flashImage({
  imagePath: image,
  targets: [{ path: target }],
  verify: !flags.includes('--no-verify'),
  includeAll: true,
  eject: false,
  sha256: !flags.includes('--no-sha256'),
  onProgress: (progress) => {
    for (const entry of progress.targets) if (!phaseStartMs.has(entry.phase)) phaseStartMs.set(entry.phase, performance.now());
  },
});
const doneMs = performance.now();
const at = (phase: string): number => phaseStartMs.get(phase) ?? doneMs;
process.stdout.write(
  `${JSON.stringify({
    outcome: result.outcome,
    // Writing includes the final flush (fdatasync), as dd's conv=fsync does.
    writeMs: at('verifying') - at('writing'),
    verifyMs: flags.includes('--no-verify') ? 0 : at('done') - at('verifying'),
    totalMs: doneMs - startedMs,
    sha256Hex: result.source.sha256Hex,
  })}\n`,
);
