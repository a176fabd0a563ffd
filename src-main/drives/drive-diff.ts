// What changed between two enumerations, so `drives:changed` fires only on real differences. Pure.
import type { Drive, DrivesChange } from '../../shared/drive.ts';

/** Null when nothing that matters changed (same ids, same fields). */
export function diffDrives(before: readonly Drive[], after: readonly Drive[]): DrivesChange | null {
  const old = new Map(before.map((drive) => [drive.id, drive]));
  const now = new Map(after.map((drive) => [drive.id, drive]));
  const attached = [...now.keys()].filter((id) => !old.has(id));
  const detached = [...old.keys()].filter((id) => !now.has(id));
  const changed = [...now.entries()]
    .filter(([id, drive]) => {
      const previous = old.get(id);
      return previous !== undefined && !sameDrive(previous, drive);
    })
    .map(([id]) => id);
  if (attached.length === 0 && detached.length === 0 && changed.length === 0) return null;
  return { drives: after, attached, detached, changed };
}

function sameDrive(a: Drive, b: Drive): boolean {
  // Drives are plain data with stable key order (built by one function), so JSON equality is exact.
  return JSON.stringify(a) === JSON.stringify(b);
}
