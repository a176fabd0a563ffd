// The taskbar / dock progress of a running flash, as the number Electron's setProgressBar takes:
// the current phase's progress averaged over the targets still going (as Etcher shows it: writing
// 0-100 %, then verifying 0-100 %), 'indeterminate' while a size is unknown, and null when no job
// runs (remove the bar). Pure, so it is tested without Electron.
import type { FlashProgress } from '../../shared/flash.ts';
import { phaseFraction } from '../../shared/flash-progress.ts';

export function taskbarProgress(progress: FlashProgress | null): number | 'indeterminate' | null {
  if (progress === null) return null;
  const going = progress.targets.filter((target) => !target.failed);
  if (going.length === 0) return null;
  const fractions = going.map(phaseFraction);
  if (fractions.some((fraction) => fraction === null)) return 'indeterminate';
  return (fractions as number[]).reduce((sum, fraction) => sum + fraction, 0) / going.length;
}
