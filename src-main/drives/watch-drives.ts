// Watches for attached, detached and changed drives by re-enumerating on an interval (udev would need
// a native binding; an enumeration costs a few ms) and reports only real differences.
import type { Drive, DrivesChange } from '../../shared/drive.ts';
import { diffDrives } from './drive-diff.ts';
import { scanDrives } from './list-drives.ts';

export interface DriveWatcher {
  stop(): void;
}

export interface WatchOptions {
  readonly intervalMs?: number;
  readonly onChange: (change: DrivesChange) => void;
  /** Called with enumeration errors (a vanished tool, a timeout); watching goes on. */
  readonly onError?: (error: unknown) => void;
  /** The enumeration; replaceable for tests. */
  readonly scan?: () => Promise<readonly Drive[]>;
}

export function watchDrives(options: WatchOptions): DriveWatcher {
  const scan = options.scan ?? (async () => (await scanDrives()).drives);
  let previous: readonly Drive[] | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async (): Promise<void> => {
    try {
      const drives = await scan();
      if (previous !== null) {
        const change = diffDrives(previous, drives);
        if (change !== null && !stopped) options.onChange(change);
      }
      previous = drives;
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) {
      timer = setTimeout(() => void tick(), options.intervalMs ?? 2000);
      // A watcher never keeps the process alive by itself (the CLI exits when its work is done).
      timer.unref();
    }
  };
  void tick();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
