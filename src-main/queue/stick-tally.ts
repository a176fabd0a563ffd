// What duplicator mode keeps of the sticks it saw inserted. It may watch for days: the counts are
// exact however many sticks went by, but only the newest `shownCount` sticks are kept (the list the
// state shows), plus the sticks still being written, whose job's end must still be counted. So its
// memory is bounded by the list's length and the drives attached at once, not by how long it runs.
import type { FlashOutcome } from '../../shared/flash.ts';
import type { DuplicatorState, DuplicatorStick } from '../../shared/queue.ts';

type StickCounts = Pick<DuplicatorState, 'written' | 'failed' | 'running' | 'skipped'>;

export class StickTally {
  readonly #shownCount: number;
  /** Newest first, at most #shownCount. */
  readonly #newest: DuplicatorStick[] = [];
  /** The sticks whose job runs, by job id, whether or not they are still among the newest. */
  readonly #writing = new Map<string, DuplicatorStick>();
  #written = 0;
  #failed = 0;
  #skipped = 0;

  constructor(shownCount: number) {
    this.#shownCount = shownCount;
  }

  /** A stick the safety rules refused: never written. */
  addSkipped(device: string, description: string, skippedBecause: string): void {
    this.#skipped += 1;
    this.#remember({ device, description, jobId: null, outcome: 'skipped', skippedBecause });
  }

  /** A stick whose write started as job `jobId`. */
  addWriting(device: string, description: string, jobId: string): void {
    const stick: DuplicatorStick = { device, description, jobId, outcome: null, skippedBecause: null };
    this.#writing.set(jobId, stick);
    this.#remember(stick);
  }

  /** Counts job `jobId`'s end; false (nothing changed) when it is no stick's job here. */
  finish(jobId: string, outcome: FlashOutcome): boolean {
    const stick = this.#writing.get(jobId);
    if (stick === undefined) return false;
    this.#writing.delete(jobId);
    if (outcome === 'succeeded') this.#written += 1;
    else this.#failed += 1;
    const index = this.#newest.indexOf(stick);
    if (index !== -1) this.#newest[index] = { ...stick, outcome };
    return true;
  }

  /** Whether a job of this mode is writing `device` now. */
  isWriting(device: string): boolean {
    for (const stick of this.#writing.values()) if (stick.device === device) return true;
    return false;
  }

  get runningCount(): number {
    return this.#writing.size;
  }

  /** The counts since the start and a copy of the newest sticks, newest first. */
  snapshot(): StickCounts & Pick<DuplicatorState, 'sticks'> {
    return { written: this.#written, failed: this.#failed, running: this.#writing.size, skipped: this.#skipped, sticks: [...this.#newest] };
  }

  #remember(stick: DuplicatorStick): void {
    this.#newest.unshift(stick);
    if (this.#newest.length > this.#shownCount) this.#newest.pop();
  }
}
