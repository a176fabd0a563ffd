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
  /** When the current phase began (the clock's ms). */
  phaseStartedMs: number;
  /** Time spent writing and flushing, and verifying, in phases already left (ms). */
  writeMs: number;
  verifyMs: number;
  /** Bytes read back when the verifying phase was left. */
  verifiedBytes: number;
}

/** A target's average speed per phase over the whole job (not the sliding window): writing includes flushing, as the bytes are only written once flushed. */
export interface PhaseAverages {
  readonly writeBytesPerSecond?: number;
  readonly verifyBytesPerSecond?: number;
}

const writingPhases: ReadonlySet<FlashPhase> = new Set(['writing', 'flushing']);

export class TargetRateMeter {
  private readonly meters: Map<string, TargetMeter>;
  private readonly throttle: ProgressThrottle;

  constructor(
    private readonly jobId: string,
    targets: readonly string[],
    private readonly emit: (progress: FlashProgress) => void,
    private readonly now: Clock = () => performance.now(),
  ) {
    this.throttle = new ProgressThrottle(now);
    const startedMs = now();
    this.meters = new Map(
      targets.map((target) => [
        target,
        {
          phase: 'preparing',
          bytesDone: 0,
          bytesTotal: null,
          failed: false,
          rate: new RateMeter(now),
          phaseStartedMs: startedMs,
          writeMs: 0,
          verifyMs: 0,
          verifiedBytes: 0,
        },
      ]),
    );
  }

  /** Moves targets to a new phase (resetting their counters) and reports at once. */
  setPhase(targets: readonly string[], phase: FlashPhase, bytesTotal: number | null): void {
    for (const target of targets) {
      const meter = this.meters.get(target);
      if (!meter || meter.failed) continue;
      this.closePhase(meter);
      // "done" reports the whole image as processed; every other phase starts from zero.
      const bytesDone = phase === 'done' ? (bytesTotal ?? meter.bytesDone) : 0;
      Object.assign(meter, { phase, bytesDone, bytesTotal });
      meter.rate.restart(bytesDone);
    }
    this.report(true);
  }

  /** Adds the time of the phase being left to its total. */
  private closePhase(meter: TargetMeter): void {
    const nowMs = this.now();
    const elapsedMs = nowMs - meter.phaseStartedMs;
    if (writingPhases.has(meter.phase)) meter.writeMs += elapsedMs;
    if (meter.phase === 'verifying') {
      meter.verifyMs += elapsedMs;
      meter.verifiedBytes = meter.bytesDone;
    }
    meter.phaseStartedMs = nowMs;
  }

  /** The target's average write and verify speeds so far (the phase it is in counts up to now); a phase it never entered is absent. */
  averages(target: string, bytesWritten: number): PhaseAverages {
    const meter = this.meters.get(target);
    if (!meter) return {};
    this.closePhase(meter);
    const perSecond = (bytes: number, elapsedMs: number): number => Math.round((bytes / elapsedMs) * 1000);
    return {
      ...(meter.writeMs > 0 && bytesWritten > 0 ? { writeBytesPerSecond: perSecond(bytesWritten, meter.writeMs) } : {}),
      ...(meter.verifyMs > 0 && meter.verifiedBytes > 0 ? { verifyBytesPerSecond: perSecond(meter.verifiedBytes, meter.verifyMs) } : {}),
    };
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
