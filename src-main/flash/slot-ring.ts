// The ring that lets reads run ahead of hashing and writing: a fixed set of slot indices into the
// aligned arena, each free again once the work that uses it (its hashes, its writes) has settled.

/** A fixed set of slot indices: acquire waits for the oldest in-flight slot when all are busy. */
export class SlotRing {
  private readonly free: number[];
  private readonly inFlight = new Map<number, Promise<unknown>>();
  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, index) => index);
  }
  async acquire(): Promise<number> {
    while (this.free.length === 0) {
      const [oldest] = this.inFlight.keys();
      await this.inFlight.get(oldest!);
    }
    return this.free.shift()!;
  }
  /** The slot is busy until `work` settles (fulfilled or not). */
  track(slot: number, work: Promise<unknown>): void {
    const done = work.finally(() => {
      this.inFlight.delete(slot);
      this.free.push(slot);
    });
    this.inFlight.set(slot, done);
  }
  /** Gives back a slot that was acquired but never used. */
  release(slot: number): void {
    this.free.push(slot);
  }
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }
}
