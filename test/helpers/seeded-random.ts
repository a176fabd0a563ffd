// A small, fast, seeded PRNG (mulberry32) for the mutation sweeps: the same seed replays the same run.

/** Returns a function giving numbers in [0, 1), the same sequence for the same seed. */
export function createSeededRandom(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
