// A flash's progress: each target's phase and byte count, metered by the jobs' one RateMeter (a
// sliding window per target, so a stall shows within seconds) and reported through the jobs' one
// ProgressThrottle (a phase change or the end is always reported at once).
import type { FlashPhase, FlashProgress, TargetProgress } from '../../shared/flash.ts';
import { ProgressThrottle, RateMeter, type Clock } from '../jobs/progress-meter.ts';

interface TargetMeter {
  phase: FlashPhase;
  bytesDone: number;
  bytesTotal: number | null;
  failed: boolean;
  readonly rate: RateMeter;
}

export class TargetRateMeter {
  private readonly meters: Map<string, TargetMeter>;
  private readonly throttle: ProgressThrottle;

  constructor(
    private readonly jobId: string,
    targets: readonly string[],
    private readonly emit: (progress: FlashProgress) => void,
    now: Clock = () => performance.now(),
  ) {
    this.throttle = new ProgressThrottle(now);
    this.meters = new Map(targets.map((target) => [target, { phase: 'preparing', bytesDone: 0, bytesTotal: null, failed: false, rate: new RateMeter(now) }]));
  }

  /** Moves targets to a new phase (resetting their counters) and reports at once. */
  setPhase(targets: readonly string[], phase: FlashPhase, bytesTotal: number | null): void {
    for (const target of targets) {
      const meter = this.meters.get(target);
      if (!meter || meter.failed) continue;
      // "done" reports the whole image as processed; every other phase starts from zero.
      const bytesDone = phase === 'done' ? (bytesTotal ?? meter.bytesDone) : 0;
      Object.assign(meter, { phase, bytesDone, bytesTotal });
      meter.rate.restart(bytesDone);
    }
    this.report(true);
  }

  update(target: string, bytesDone: number): void {
    const meter = this.meters.get(target);
    if (!meter) return;
    meter.bytesDone = bytesDone;
    meter.rate.sample(bytesDone);
    this.report(false);
  }

  markFailed(target: string): void {
    const meter = this.meters.get(target);
    if (meter) meter.failed = true;
    this.report(true);
  }

  report(force: boolean): void {
    if (!this.throttle.due(force)) return;
    this.emit({ jobId: this.jobId, targets: [...this.meters.entries()].map(([target, meter]) => snapshot(target, meter)) });
  }
}

function snapshot(target: string, meter: TargetMeter): TargetProgress {
  const { phase, bytesDone, bytesTotal, failed } = meter;
  return { target, phase, bytesDone, bytesTotal, ...meter.rate.rate(bytesDone, bytesTotal), failed };
}
