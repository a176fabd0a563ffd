// Turns "N more bytes done" into throttled progress reports with a rate and an ETA. Pure: the clock
// is injectable for tests.

export interface PassProgress {
  readonly bytesHashed: number;
  readonly totalBytes: number | null;
  readonly bytesPerSecond: number;
  readonly etaMs: number | null;
}

export interface ProgressMeterOptions {
  readonly totalBytes: number | null;
  readonly intervalMs: number;
  readonly onProgress?: (progress: PassProgress) => void;
  readonly nowMs?: () => number;
}

export interface ProgressMeter {
  advance(bytes: number): void;
  /** Reports the final state once, whatever the interval. */
  finish(): void;
  bytesDone(): number;
}

export function createProgressMeter(options: ProgressMeterOptions): ProgressMeter {
  const nowMs = options.nowMs ?? (() => performance.now());
  const startMs = nowMs();
  let doneBytes = 0;
  let lastReportMs = -Infinity;

  const report = (): void => {
    const elapsedMs = nowMs() - startMs;
    const bytesPerSecond = elapsedMs > 0 ? Math.round((doneBytes * 1000) / elapsedMs) : 0;
    const etaMs =
      options.totalBytes !== null && bytesPerSecond > 0
        ? Math.max(0, Math.round(((options.totalBytes - doneBytes) * 1000) / bytesPerSecond))
        : null;
    options.onProgress?.({ bytesHashed: doneBytes, totalBytes: options.totalBytes, bytesPerSecond, etaMs });
  };

  return {
    advance(bytes) {
      doneBytes += bytes;
      const now = nowMs();
      if (now - lastReportMs >= options.intervalMs) {
        lastReportMs = now;
        report();
      }
    },
    finish() {
      report();
    },
    bytesDone: () => doneBytes,
  };
}
