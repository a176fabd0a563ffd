// A flash or verify job as plain data (what crosses to the elevated helper), and where it runs: in
// this process when it is already privileged, else in the helper started through the OS prompt.
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { stat } from 'node:fs/promises';
import { scanDrives } from '../drives/list-drives.ts';
import { flashImage, verifyImage, type HelperScope, type TargetSelector } from './flash-image.ts';
import type { ElevationOptions } from './elevation.ts';

export type FlashWork =
  | {
      readonly kind: 'flash';
      readonly imagePath: string;
      readonly targets: readonly TargetSelector[];
      readonly verify: boolean;
      readonly includeAll: boolean;
      readonly eject: boolean;
    }
  | { readonly kind: 'verify'; readonly imagePath: string; readonly target: TargetSelector };

export interface WorkControls {
  readonly jobId: string;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: FlashProgress) => void;
}

/** Runs the job here; the caller must be privileged enough to open the targets. The elevated helper passes its scope. */
export function runFlashWorkHere(work: FlashWork, controls: WorkControls, helperScope?: HelperScope): Promise<FlashResult> {
  const scope = helperScope === undefined ? {} : { helperScope };
  if (work.kind === 'flash') return flashImage({ ...work, ...controls, ...scope });
  return verifyImage({ imagePath: work.imagePath, target: work.target, includeAll: true, ...controls, ...scope });
}

/** Root, and jobs with no block-device target (the user's own rights decide), run here; others elevate. */
export async function runFlashWork(work: FlashWork, controls: WorkControls, elevation: ElevationOptions = {}): Promise<FlashResult> {
  if (process.getuid?.() === 0 || !(await targetsBlockDevice(work))) return runFlashWorkHere(work, controls);
  const { runElevated } = await import('./elevation.ts');
  return runElevated(work, controls, elevation);
}

/**
 * True when a target resolves to a block device: the one kind of target the elevated helper
 * writes. Decided by stat() of what the target is now (a drive id through a fresh enumeration, a
 * path through its symlinks), never by how it is spelled: a root-only file named next to an unknown
 * drive id once made the engine elevate, and the helper wrote the file (issue 12 §1). A target that
 * cannot be resolved or stat()ed with the user's rights is not one: the job runs here and reports it.
 */
export async function targetsBlockDevice(work: FlashWork): Promise<boolean> {
  const targets = work.kind === 'flash' ? work.targets : [work.target];
  const driveIds = targets.flatMap((target) => ('driveId' in target ? [target.driveId] : []));
  const drives = driveIds.length === 0 ? [] : (await scanDrives()).drives;
  const paths = targets.map((target) => ('driveId' in target ? drives.find((drive) => drive.id === target.driveId)?.raw : target.path));
  const stats = await Promise.all(paths.map((path) => (path === undefined ? null : stat(path).catch(() => null))));
  return stats.some((stats) => stats?.isBlockDevice() === true);
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
  return {
    kind: 'flash',
    imagePath: work['imagePath'],
    targets: targets as TargetSelector[],
    verify: flags[0] as boolean,
    includeAll: flags[1] as boolean,
    eject: flags[2] as boolean,
  };
}
