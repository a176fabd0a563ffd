// Pure arithmetic over flash progress, shared by the renderer's progress bars and the Electron
// shell's taskbar progress so both tell the same story.
import type { TargetProgress } from './flash.ts';

/** How far one target is through its current phase, 0-1; null while the phase's size is unknown. */
export function phaseFraction(target: TargetProgress): number | null {
  switch (target.phase) {
    case 'preparing':
    case 'unmounting':
      return 0;
    case 'writing':
    case 'verifying':
      return target.bytesTotal ? Math.min(1, target.bytesDone / target.bytesTotal) : null;
    case 'flushing':
    case 'done':
      return 1;
  }
}

/**
 * One target's share of the whole job, 0-1: writing is the first half when the job verifies, else
 * all of it. A phase of unknown size counts as not started.
 */
export function targetFraction(target: TargetProgress, verify: boolean): number {
  const phase = phaseFraction(target) ?? 0;
  switch (target.phase) {
    case 'preparing':
    case 'unmounting':
      return 0;
    case 'writing':
      return verify ? phase / 2 : phase;
    case 'flushing':
      return verify ? 0.5 : 1;
    case 'verifying':
      return 0.5 + phase / 2;
    case 'done':
      return 1;
  }
}
