// Turns byte counts into progress events: bytes/s over a sliding window, ETA, and at most ~8 events
// per second (a phase change or the end is always reported at once).
import type { FlashPhase, FlashProgress, TargetProgress } from '../../shared/flash.ts';

export const progressIntervalMs = 125;
/** Speed is measured over this much recent history, so a stall shows within seconds. */
const windowMs = 3000;

interface TargetMeter {
  phase: FlashPhase;
  bytesDone: number;
  bytesTotal: number | null;
  failed: boolean;
  samples: { atMs: number; bytes: number }[];
}

export class TargetRateMeter {
  private readonly meters: Map<string, TargetMeter>;
  private lastEmitMs = 0;

  constructor(
    private readonly jobId: string,
    targets: readonly string[],
    private readonly emit: (progress: FlashProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.meters = new Map(targets.map((target) => [target, { phase: 'preparing', bytesDone: 0, bytesTotal: null, failed: false, samples: [] }]));
  }

  /** Moves targets to a new phase (resetting their counters) and reports at once. */
  setPhase(targets: readonly string[], phase: FlashPhase, bytesTotal: number | null): void {
    for (const target of targets) {
      const meter = this.meters.get(target);
      if (!meter || meter.failed) continue;
      // "done" reports the whole image as processed; every other phase starts from zero.
      const bytesDone = phase === 'done' ? (bytesTotal ?? meter.bytesDone) : 0;
      Object.assign(meter, { phase, bytesDone, bytesTotal, samples: [{ atMs: this.now(), bytes: bytesDone }] });
    }
    this.report(true);
  }

  update(target: string, bytesDone: number): void {
    const meter = this.meters.get(target);
    if (!meter) return;
    meter.bytesDone = bytesDone;
    const atMs = this.now();
    meter.samples.push({ atMs, bytes: bytesDone });
    while (meter.samples.length > 2 && atMs - (meter.samples[0]?.atMs ?? atMs) > windowMs) meter.samples.shift();
    this.report(false);
  }

  markFailed(target: string): void {
    const meter = this.meters.get(target);
    if (meter) meter.failed = true;
    this.report(true);
  }

  report(force: boolean): void {
    const atMs = this.now();
    if (!force && atMs - this.lastEmitMs < progressIntervalMs) return;
    this.lastEmitMs = atMs;
    this.emit({ jobId: this.jobId, targets: [...this.meters.entries()].map(([target, meter]) => this.snapshot(target, meter, atMs)) });
  }

  private snapshot(target: string, meter: TargetMeter, atMs: number): TargetProgress {
    const first = meter.samples[0];
    const elapsedMs = first ? atMs - first.atMs : 0;
    const bytesPerSecond = first && elapsedMs > 0 ? Math.max(0, ((meter.bytesDone - first.bytes) / elapsedMs) * 1000) : 0;
    const remaining = meter.bytesTotal === null ? null : Math.max(0, meter.bytesTotal - meter.bytesDone);
    const etaMs = remaining === null || bytesPerSecond === 0 ? null : Math.round((remaining / bytesPerSecond) * 1000);
    return {
      target,
      phase: meter.phase,
      bytesDone: meter.bytesDone,
      bytesTotal: meter.bytesTotal,
      bytesPerSecond: Math.round(bytesPerSecond),
      etaMs,
      failed: meter.failed,
    };
  }
}
