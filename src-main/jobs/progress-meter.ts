// The one rate-and-ETA meter and the one progress throttle of every job: a flash meters each target
// with its own RateMeter, a hashing pass and an extraction meter their single stream. Pure: the clock
// is injectable for tests.

/** At most ~8 progress reports a second per job; a phase change or the end is reported at once. */
export const progressIntervalMs = 125;
/** Speed is measured over this much recent history, so a stall shows within seconds. */
const rateWindowMs = 3000;

export type Clock = () => number;
const performanceClock: Clock = () => performance.now();

export interface Rate {
  readonly bytesPerSecond: number;
  /** Time left at the current rate; null while the total is unknown or nothing moves. */
  readonly etaMs: number | null;
}

/** Bytes per second over a sliding window of recent byte counts, and the ETA to a total. */
export class RateMeter {
  #samples: { atMs: number; bytes: number }[] = [];
  readonly #now: Clock;

  constructor(now: Clock = performanceClock) {
    this.#now = now;
    this.restart(0);
  }

  /** Starts measuring afresh from `bytesDone` (a new phase, or the start of a pass). */
  restart(bytesDone: number): void {
    this.#samples = [{ atMs: this.#now(), bytes: bytesDone }];
  }

  /** Records that `bytesDone` bytes are done now; samples older than the window are dropped. */
  sample(bytesDone: number): void {
    const atMs = this.#now();
    this.#samples.push({ atMs, bytes: bytesDone });
    while (this.#samples.length > 2 && atMs - (this.#samples[0]?.atMs ?? atMs) > rateWindowMs) this.#samples.shift();
  }

  rate(bytesDone: number, bytesTotal: number | null): Rate {
    const first = this.#samples[0];
    const elapsedMs = first ? this.#now() - first.atMs : 0;
    const bytesPerSecond = first && elapsedMs > 0 ? Math.max(0, ((bytesDone - first.bytes) / elapsedMs) * 1000) : 0;
    const remainingBytes = bytesTotal === null ? null : Math.max(0, bytesTotal - bytesDone);
    const etaMs = remainingBytes === null || bytesPerSecond === 0 ? null : Math.round((remainingBytes / bytesPerSecond) * 1000);
    return { bytesPerSecond: Math.round(bytesPerSecond), etaMs };
  }
}

/** Lets a report through at most once per `intervalMs`; a forced one always passes (and restarts the interval). */
export class ProgressThrottle {
  #lastReportMs = -Infinity;
  readonly #now: Clock;
  readonly #intervalMs: number;

  constructor(now: Clock = performanceClock, intervalMs: number = progressIntervalMs) {
    this.#now = now;
    this.#intervalMs = intervalMs;
  }

  due(force: boolean): boolean {
    const atMs = this.#now();
    if (!force && atMs - this.#lastReportMs < this.#intervalMs) return false;
    this.#lastReportMs = atMs;
    return true;
  }
}
