// A flash or verify job as plain data (what crosses to the elevated helper), and where it runs: in
// this process when it is already privileged, else in the helper started through the OS prompt.
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { flashImage, verifyImage, type TargetSelector } from './flash-image.ts';
import type { ElevationOptions } from './elevation.ts';

export type FlashWork =
  | {
      readonly kind: 'flash';
      readonly imagePath: string;
      readonly targets: readonly TargetSelector[];
      readonly verify: boolean;
      readonly includeAll: boolean;
      readonly eject: boolean;
      /** The user's data folder (its hash cache knows or learns the image's SHA-256); absent: none. */
      readonly dataDir?: string;
    }
  | { readonly kind: 'verify'; readonly imagePath: string; readonly target: TargetSelector };

export interface WorkControls {
  readonly jobId: string;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: FlashProgress) => void;
}

/** Runs the job here; the caller must be privileged enough to open the targets. */
export function runFlashWorkHere(work: FlashWork, controls: WorkControls): Promise<FlashResult> {
  if (work.kind === 'flash') return flashImage({ ...work, ...controls });
  return verifyImage({ imagePath: work.imagePath, target: work.target, includeAll: true, ...controls });
}

/** Root (or a user allowed to open the targets, e.g. for regular files) runs here; others elevate. */
export async function runFlashWork(work: FlashWork, controls: WorkControls, elevation: ElevationOptions = {}): Promise<FlashResult> {
  if (process.getuid?.() === 0 || !needsDevices(work)) return runFlashWorkHere(work, controls);
  const { runElevated } = await import('./elevation.ts');
  return runElevated(work, controls, elevation);
}

/** Regular-file targets never need root. */
function needsDevices(work: FlashWork): boolean {
  const targets = work.kind === 'flash' ? work.targets : [work.target];
  return targets.some((target) => 'driveId' in target || target.path.startsWith('/dev/'));
}

/** Checks a job that arrived over the helper channel; null when it is not a well-formed FlashWork. */
export function parseFlashWork(value: unknown): FlashWork | null {
  if (typeof value !== 'object' || value === null) return null;
  const work = value as Record<string, unknown>;
  const isAbsolute = (path: unknown): path is string => typeof path === 'string' && path.startsWith('/') && path.length <= 4096 && !path.includes('\0');
  const toTarget = (target: unknown): TargetSelector | null => {
    if (typeof target !== 'object' || target === null) return null;
    const record = target as Record<string, unknown>;
    if (typeof record['driveId'] === 'string' && record['driveId'].length <= 512) return { driveId: record['driveId'] };
    if (isAbsolute(record['path'])) return { path: record['path'] };
    return null;
  };
  if (!isAbsolute(work['imagePath'])) return null;
  if (work['kind'] === 'verify') {
    const target = toTarget(work['target']);
    return target === null ? null : { kind: 'verify', imagePath: work['imagePath'], target };
  }
  if (work['kind'] !== 'flash' || !Array.isArray(work['targets']) || work['targets'].length === 0 || work['targets'].length > 16) return null;
  const targets = work['targets'].map(toTarget);
  if (targets.some((target) => target === null)) return null;
  const flags = ['verify', 'includeAll', 'eject'].map((key) => work[key]);
  if (!flags.every((flag) => typeof flag === 'boolean')) return null;
  if (work['dataDir'] !== undefined && !isAbsolute(work['dataDir'])) return null;
  return {
    kind: 'flash',
    imagePath: work['imagePath'],
    targets: targets as TargetSelector[],
    verify: flags[0] as boolean,
    includeAll: flags[1] as boolean,
    eject: flags[2] as boolean,
    ...(work['dataDir'] === undefined ? {} : { dataDir: work['dataDir'] }),
  };
}
