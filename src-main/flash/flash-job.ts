// The write/verify pipeline: one read of the source feeds every target. Reading (or decoding), hashing
// (two workers) and the targets' O_DIRECT writes of different chunks overlap through a ring of aligned
// slots. The first MiB is cleared at the start and written last, so an interrupted job never leaves a
// half-valid partition table; verification reads each target back around the page cache and compares
// per-block digests taken while writing. A failing target fails alone; the others finish.
import type { FlashOutcome, FlashProgress, FlashResult, TargetResult } from '../../shared/flash.ts';
import { allocateAlignedSlots } from './aligned-memory.ts';
import { FlashFailure } from './flash-error.ts';
import { createHasher, digestBlockBytes, digestBytes, type Hasher } from './hasher.ts';
import type { FlashSource } from './image-source.ts';
import { ProgressMeter } from './progress-meter.ts';
import { openRawTarget, openReadBack, type RawTarget } from './target-device.ts';

/** 4 MiB, as `dd bs=4M`: large enough that syscalls cost nothing, small enough for a tight ring. */
export const chunkBytes = 4 * 1024 * 1024;
/** Written last (and cleared first): the partition tables (MBR, GPT header and entries) live here. */
export const headBytes = 1024 * 1024;
/** Chunks in flight: one being read while others are hashed and written. */
const ringSlots = 4;
/** Read-back slots per target: one read ahead while the previous one is hashed. */
const verifySlotsPerTarget = 2;

export interface FlashJobOptions {
  readonly jobId: string;
  readonly source: FlashSource;
  /** Paths of targets already checked by the safety rules (and unmounted). */
  readonly targets: readonly string[];
  readonly verify: boolean;
  /** SHA-256 of the image for the checksum panel, in the same pass; default true. */
  readonly sha256?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FlashProgress) => void;
}

interface TargetState {
  readonly path: string;
  raw: RawTarget | null;
  failure: FlashFailure | null;
  bytesWritten: number;
  verified: boolean;
  mismatch: { offsetBytes: number; lengthBytes: number } | null;
}

export async function runFlashJob(options: FlashJobOptions): Promise<FlashResult> {
  const startedMs = Date.now();
  const { source, signal } = options;
  const meter = new ProgressMeter(options.jobId, options.targets, options.onProgress ?? (() => undefined));
  const states: TargetState[] = options.targets.map((path) => ({ path, raw: null, failure: null, bytesWritten: 0, verified: false, mismatch: null }));
  // Verification reuses the ring's slots (writing is over by then): resident memory stays at the ring.
  const slotCount = Math.max(ringSlots, verifySlotsPerTarget * states.length);
  const arena = allocateAlignedSlots(slotCount + 1, chunkBytes);
  const hasher = createHasher(arena.buffer, { sha256: options.sha256 ?? true });
  const live = (): TargetState[] => states.filter((state) => state.raw !== null && state.failure === null);
  const fail = (state: TargetState, error: unknown, offsetBytes: number | null): void => {
    const failure = error instanceof FlashFailure ? error : new FlashFailure('internal', `${state.path}: ${String(error)}`, offsetBytes);
    // Chunks are written concurrently: of several failures, report the one nearest the start.
    const earlier = state.failure !== null && failure.offsetBytes !== null && (state.failure.offsetBytes === null || failure.offsetBytes < state.failure.offsetBytes);
    if (state.failure !== null && !earlier) return;
    state.failure = failure;
    meter.markFailed(state.path);
  };

  let sourceFailure: FlashFailure | null = null;
  let totalBytes = 0;
  let sha256Hex: string | null = null;
  try {
    // Open every target; one that will not open fails alone.
    await Promise.all(
      states.map(async (state) => {
        try {
          state.raw = await openRawTarget(state.path);
        } catch (error) {
          fail(state, error, null);
        }
      }),
    );
    const head = arena.slots[slotCount]!.subarray(0, headBytes); // zero-filled: the arena is fresh memory
    // Clear the first MiB (never past the end of a smaller target or an empty file).
    await Promise.all(
      live().map(async (state) => {
        const clearBytes = Math.min(headBytes, state.raw!.sizeBytes);
        if (clearBytes > 0) await state.raw!.writeAt(head.subarray(0, clearBytes), 0).catch((error: unknown) => fail(state, error, 0));
      }),
    );

    meter.setPhase(live().map((state) => state.path), 'writing', source.sizeBytes);
    const digests = new GrowableBytes();
    const ring = new SlotRing(ringSlots);
    let offsetBytes = 0;
    while (!signal?.aborted && live().length > 0) {
      const slot = await ring.acquire();
      const view = arena.slots[slot]!;
      let count: number;
      try {
        count = await source.readNext(view);
      } catch (error) {
        ring.release(slot);
        sourceFailure = error instanceof FlashFailure ? error : new FlashFailure('source-unreadable', String(error), offsetBytes);
        break;
      }
      if (count === 0) {
        ring.release(slot);
        break;
      }
      const chunkOffset = offsetBytes;
      const filled = view.subarray(0, count);
      if (chunkOffset < headBytes) head.set(filled.subarray(0, Math.min(count, headBytes - chunkOffset)), chunkOffset);
      const skip = Math.min(count, Math.max(0, headBytes - chunkOffset));
      const slotStart = view.byteOffset;
      const work = Promise.all([
        hasher.hashBlocks(slotStart, count).then((blockDigests) => digests.set((chunkOffset / digestBlockBytes) * digestBytes, blockDigests)),
        hasher.updateSha256(slotStart, count),
        ...live().map(async (state) => {
          try {
            if (skip < count) await state.raw!.writeAt(filled.subarray(skip), chunkOffset + skip);
            state.bytesWritten += count - skip;
            meter.update(state.path, state.bytesWritten);
          } catch (error) {
            fail(state, error, chunkOffset + skip);
          }
        }),
      ]);
      ring.track(slot, work);
      offsetBytes += count;
      if (count < view.length) break; // the source ended inside this chunk
    }
    await ring.drain();
    totalBytes = offsetBytes;
    if (sourceFailure === null && !signal?.aborted && source.sizeBytes !== null && totalBytes !== source.sizeBytes) {
      sourceFailure = new FlashFailure('source-unreadable', `${source.path} gave ${totalBytes} bytes, expected ${source.sizeBytes}`, totalBytes);
    }
    if (sourceFailure === null && !signal?.aborted) {
      sha256Hex = await hasher.digestSha256();
      // The first MiB goes last: until now the drive held zeros there, never a half-valid table.
      const headLength = Math.min(headBytes, totalBytes);
      await Promise.all(
        live().map(async (state) => {
          try {
            await state.raw!.writeAt(head.subarray(0, headLength), 0);
            state.bytesWritten += headLength;
            meter.update(state.path, state.bytesWritten);
          } catch (error) {
            fail(state, error, 0);
          }
        }),
      );
      meter.setPhase(live().map((state) => state.path), 'flushing', null);
      await Promise.all(live().map((state) => state.raw!.flush().catch((error: unknown) => fail(state, error, null))));
    }
    await Promise.all(states.map((state) => state.raw?.close()));

    if (options.verify && sourceFailure === null && !signal?.aborted) {
      const verifying = live();
      meter.setPhase(verifying.map((state) => state.path), 'verifying', totalBytes);
      // The ring's slots, shared out among the targets (at least two each).
      const perTarget = Math.max(verifySlotsPerTarget, Math.floor(slotCount / verifying.length));
      await Promise.all(
        verifying.map((state, index) =>
          verifyTarget({ state, totalBytes, digests, hasher, source, signal, meter, slots: arena.slots.slice(index * perTarget, (index + 1) * perTarget) }).catch(
            (error: unknown) => fail(state, error, null),
          ),
        ),
      );
    }
  } finally {
    await Promise.all(states.map((state) => state.raw?.close()));
    await hasher.close();
  }

  const cancelled = signal?.aborted === true;
  const results: TargetResult[] = states.map((state) => {
    const failure = state.failure ?? sourceFailure;
    if (failure === null && cancelled) {
      return { target: state.path, outcome: 'cancelled', bytesWritten: state.bytesWritten, error: { code: 'cancelled', message: `cancelled after ${state.bytesWritten} bytes`, offsetBytes: null }, mismatch: null, refusals: [] };
    }
    return {
      target: state.path,
      outcome: failure !== null ? 'failed' : state.verified ? 'verified' : 'written',
      bytesWritten: state.bytesWritten,
      error: failure?.toFlashError() ?? null,
      mismatch: state.mismatch,
      refusals: [],
    };
  });
  meter.setPhase(results.filter((result) => result.error === null).map((result) => result.target), 'done', totalBytes);
  return {
    jobId: options.jobId,
    outcome: overallOutcome(results, cancelled),
    source: { path: source.path, compression: source.compression, sizeBytes: totalBytes, sha256Hex },
    targets: results,
    elapsedMs: Date.now() - startedMs,
  };
}

export function overallOutcome(results: readonly TargetResult[], cancelled: boolean): FlashOutcome {
  if (cancelled) return 'cancelled';
  const succeeded = results.filter((result) => result.outcome === 'verified' || result.outcome === 'written').length;
  if (results.length > 0 && succeeded === results.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partial';
}

interface VerifyJob {
  readonly state: TargetState;
  readonly totalBytes: number;
  readonly digests: GrowableBytes;
  readonly hasher: Hasher;
  readonly source: FlashSource;
  readonly signal: AbortSignal | undefined;
  readonly meter: ProgressMeter;
  readonly slots: readonly Uint8Array[];
}

/** Reads the target back (O_DIRECT), hashes each block in the worker and compares with the write-time digests. */
async function verifyTarget(job: VerifyJob): Promise<void> {
  const { state, totalBytes, slots } = job;
  const readBack = await openReadBack(state.path);
  // Compares in flight, oldest first: while they hash, the next slots are read (a slot is reused
  // only after its compare is done, so at most slots - 1 are pending when a read starts).
  const pending: Promise<void>[] = [];
  try {
    let offsetBytes = 0;
    let index = 0;
    while (offsetBytes < totalBytes && !job.signal?.aborted && state.mismatch === null) {
      while (pending.length >= slots.length - 1) await pending.shift();
      const view = slots[index % slots.length]!;
      const wanted = Math.min(view.length, totalBytes - offsetBytes);
      // O_DIRECT reads whole blocks: round up; whatever lies past the image is read and ignored.
      const count = await readBack.readAt(view.subarray(0, Math.min(view.length, roundUp(wanted, 4096))), offsetBytes);
      if (count < wanted) throw new FlashFailure('read-failed', `${state.path} ended at byte ${offsetBytes + count} while verifying ${totalBytes} bytes`, offsetBytes + count);
      pending.push(compareChunk(job, view, offsetBytes, wanted));
      offsetBytes += wanted;
      index += 1;
      job.meter.update(state.path, offsetBytes);
    }
    await Promise.all(pending.splice(0));
    if (state.mismatch !== null) {
      throw new FlashFailure('verification-mismatch', `${state.path} differs from the image at bytes ${state.mismatch.offsetBytes}..${state.mismatch.offsetBytes + state.mismatch.lengthBytes - 1}`, state.mismatch.offsetBytes);
    }
    state.verified = !job.signal?.aborted;
  } finally {
    // On an early exit (a read error), compares still in flight must not surface as unhandled.
    await Promise.allSettled(pending);
    await readBack.close();
  }
}

async function compareChunk(job: VerifyJob, view: Uint8Array, chunkOffset: number, length: number): Promise<void> {
  const actual = await job.hasher.hashBlocks(view.byteOffset, length);
  const firstBlock = chunkOffset / digestBlockBytes;
  for (let block = 0; block * digestBytes < actual.length; block += 1) {
    if (!job.digests.equals((firstBlock + block) * digestBytes, actual.subarray(block * digestBytes, (block + 1) * digestBytes))) {
      const blockOffset = chunkOffset + block * digestBlockBytes;
      const blockLength = Math.min(digestBlockBytes, chunkOffset + length - blockOffset);
      const found = await narrowMismatch(job.source, view.subarray(block * digestBlockBytes, block * digestBlockBytes + blockLength), blockOffset);
      // Chunks are compared concurrently: keep the range nearest the start.
      if (job.state.mismatch === null || found.offsetBytes < job.state.mismatch.offsetBytes) job.state.mismatch = found;
      return;
    }
  }
}

/** Within a mismatching block, the exact differing range when the source can be re-read; else the block. */
async function narrowMismatch(source: FlashSource, actual: Uint8Array, blockOffset: number): Promise<{ offsetBytes: number; lengthBytes: number }> {
  if (!source.isSeekable) return { offsetBytes: blockOffset, lengthBytes: actual.length };
  const expected = new Uint8Array(actual.length);
  const count = await source.readAt(expected, blockOffset).catch(() => 0);
  let first = -1;
  let last = -1;
  for (let index = 0; index < count; index += 1) {
    if (expected[index] !== actual[index]) {
      if (first < 0) first = index;
      last = index;
    }
  }
  // The image changed since it was written (first < 0): report the block.
  return first < 0 ? { offsetBytes: blockOffset, lengthBytes: actual.length } : { offsetBytes: blockOffset + first, lengthBytes: last - first + 1 };
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Bytes addressed by offset that grow as needed (the per-block digests of an image of unknown size). */
class GrowableBytes {
  private bytes = new Uint8Array(64 * 1024);
  set(offset: number, values: Uint8Array): void {
    if (offset + values.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, offset + values.length));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(values, offset);
  }
  equals(offset: number, values: Uint8Array): boolean {
    if (offset + values.length > this.bytes.length) return false;
    for (let index = 0; index < values.length; index += 1) if (this.bytes[offset + index] !== values[index]) return false;
    return true;
  }
}

/** A fixed set of slot indices: acquire waits for the oldest in-flight slot when all are busy. */
class SlotRing {
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
  track(slot: number, work: Promise<unknown>): void {
    const done = work.finally(() => {
      this.inFlight.delete(slot);
      this.free.push(slot);
    });
    this.inFlight.set(slot, done);
  }
  release(slot: number): void {
    this.free.push(slot);
  }
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }
}
