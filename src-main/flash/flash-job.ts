// The write/verify pipeline: one read of the source feeds every target. Reading (or decoding), hashing
// (workers, started only for what is needed) and the targets' O_DIRECT writes of different chunks
// overlap through a ring of aligned slots; each target is written in order, one write at a time. The
// first MiB is cleared at the start and written last, so an interrupted job never leaves a half-valid
// partition table. Verification reads each target back around the page cache and compares it byte for
// byte with the source read again (raw images, devices), or, for a source that can be read only once
// (compressed streams), with per-block digests taken while writing. A failing target fails alone; the
// others finish.
import type { FlashOutcome, FlashProgress, FlashResult, TargetResult } from '../../shared/flash.ts';
import { allocateAlignedSlots } from './target/aligned-memory.ts';
import { FlashFailure } from './flash-error.ts';
import { createHasher, digestBlockBytes, digestBytes, type Hasher } from './hasher.ts';
import type { FlashSource } from './source/image-source.ts';
import { TargetRateMeter } from './target-rate-meter.ts';
import { openRawTarget, openReadBack, type ExpectedDevice, type RawTarget } from './target/target-device.ts';

/** 4 MiB, as `dd bs=4M`: large enough that syscalls cost nothing, small enough for a tight ring. */
export const chunkBytes = 4 * 1024 * 1024;
/** Written last (and cleared first): the partition tables (MBR, GPT header and entries) live here. */
export const headBytes = 1024 * 1024;
/**
 * Chunks in flight. With hashing, 4: one being read while others are hashed and written (the hashers
 * lag behind the writes). Without, 2: double buffering, so each chunk is written right after its read
 * while still in the CPU cache (measured on a RAM-backed loop device: 2 slots ~15% faster than 4).
 */
const ringSlots = { hashing: 4, plain: 2 } as const;
/** Read-back slots per target: one read ahead while the previous one is hashed (digest verification). */
const verifySlotsPerTarget = 2;
/** Chunks read ahead by the byte comparison: each one a source slot plus one slot per target. */
const compareChunksInFlight = 2;

export interface FlashJobOptions {
  readonly jobId: string;
  readonly source: FlashSource;
  /** Paths of targets already checked by the safety rules (and unmounted). */
  readonly targets: readonly string[];
  /**
   * The elevated helper's scope: each target path opens (for writing and reading back) only as the
   * whole block device with this "major:minor"; a path not in the map is refused. Unset: any target.
   */
  readonly deviceNumbers?: ReadonlyMap<string, string>;
  readonly verify: boolean;
  /**
   * SHA-256 of the bytes read and written, hashed in the same pass from the same slots (a worker on
   * another core, no second read); default true. False only when the user asked for none (--no-sha256).
   */
  readonly sha256?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FlashProgress) => void;
}

interface TargetState {
  readonly path: string;
  /** The device this target must open as (the elevated helper's scope), or undefined for any. */
  readonly expected: ExpectedDevice;
  raw: RawTarget | null;
  failure: FlashFailure | null;
  bytesWritten: number;
  verified: boolean;
  mismatch: { offsetBytes: number; lengthBytes: number } | null;
  /** The last write queued: each target gets one write at a time, in order, while reads run ahead. */
  lastWrite: Promise<void>;
}

export async function runFlashJob(options: FlashJobOptions): Promise<FlashResult> {
  const startedMs = Date.now();
  const { source, signal } = options;
  const meter = new TargetRateMeter(options.jobId, options.targets, options.onProgress ?? (() => undefined));
  const expectedOf = (path: string): ExpectedDevice => {
    if (options.deviceNumbers === undefined) return undefined;
    // A path the map does not name is no device of the helper's enumeration: '' matches no "major:minor".
    return { deviceNumber: options.deviceNumbers.get(path) ?? '' };
  };
  const states: TargetState[] = options.targets.map((path) => ({ path, expected: expectedOf(path), raw: null, failure: null, bytesWritten: 0, verified: false, mismatch: null, lastWrite: Promise.resolve() }));
  // Verification reuses the ring's slots (writing is over by then): resident memory stays at the ring.
  const slotCount = Math.max(ringSlots.hashing, verifySlotsPerTarget * states.length, compareChunksInFlight * (states.length + 1));
  const arena = allocateAlignedSlots(slotCount + 1, chunkBytes);
  // A source that can be read again is verified by comparing bytes: no digests while writing.
  const blockDigests = options.verify && !source.isSeekable;
  const sha256 = options.sha256 ?? true;
  // No hashing at all (no SHA-256 asked, a seekable source): no workers, the pass is reads and writes only.
  const hasher = blockDigests || sha256 ? createHasher(arena.buffer, { blocks: blockDigests, sha256 }) : null;
  const live = (): TargetState[] => states.filter((state) => state.raw !== null && state.failure === null);
  const fail = (state: TargetState, error: unknown, offsetBytes: number | null): void => {
    const failure = error instanceof FlashFailure ? error : new FlashFailure('internal', `${state.path}: ${String(error)}`, offsetBytes);
    // Failures can arrive out of order (the head is written last, reads run ahead): report the one nearest the start.
    const earlier = state.failure !== null && failure.offsetBytes !== null && (state.failure.offsetBytes === null || failure.offsetBytes < state.failure.offsetBytes);
    if (state.failure !== null && !earlier) return;
    state.failure = failure;
    meter.markFailed(state.path);
  };

  // One write at a time per target, in image order: concurrent O_DIRECT writes to one device only
  // contend (a loop device's backing file, a USB stick's controller) and can land out of order.
  const writeChunk = (state: TargetState, view: Uint8Array, offsetBytes: number): Promise<void> => {
    state.lastWrite = state.lastWrite.then(() => (state.failure === null ? writeNow(state, view, offsetBytes) : undefined));
    return state.lastWrite;
  };
  const writeNow = async (state: TargetState, view: Uint8Array, offsetBytes: number): Promise<void> => {
    try {
      if (view.length > 0) await state.raw!.writeAt(view, offsetBytes);
      state.bytesWritten += view.length;
      meter.update(state.path, state.bytesWritten);
    } catch (error) {
      fail(state, error, offsetBytes);
    }
  };

  let sourceFailure: FlashFailure | null = null;
  let totalBytes = 0;
  let sha256Hex: string | null = null;
  try {
    // Open every target; one that will not open fails alone.
    await Promise.all(
      states.map(async (state) => {
        try {
          state.raw = await openRawTarget(state.path, state.expected);
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
    const ring = new SlotRing(hasher ? ringSlots.hashing : ringSlots.plain);
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
      const tasks: Promise<unknown>[] = [];
      if (hasher && blockDigests) tasks.push(hasher.hashBlocks(slotStart, count).then((values) => digests.set((chunkOffset / digestBlockBytes) * digestBytes, values)));
      if (hasher && sha256) tasks.push(hasher.updateSha256(slotStart, count));
      for (const state of live()) tasks.push(writeChunk(state, filled.subarray(skip), chunkOffset + skip));
      ring.track(slot, tasks.length === 1 ? tasks[0]! : Promise.all(tasks));
      offsetBytes += count;
      if (count < view.length) break; // the source ended inside this chunk
      // A decoder that runs on this thread (fzstd) fills a slot with microtasks alone: let the event
      // loop run the finished writes' callbacks, so each target's next write starts while we decode.
      if (!source.isSeekable) await new Promise((resolve) => setImmediate(resolve));
    }
    await ring.drain();
    totalBytes = offsetBytes;
    if (sourceFailure === null && !signal?.aborted && source.sizeBytes !== null && totalBytes !== source.sizeBytes) {
      sourceFailure = new FlashFailure('source-unreadable', `${source.path} gave ${totalBytes} bytes, expected ${source.sizeBytes}`, totalBytes);
    }
    if (sourceFailure === null && !signal?.aborted) {
      sha256Hex = hasher && sha256 ? await hasher.digestSha256() : null;
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
      if (source.isSeekable) {
        await verifyByComparing({ states: verifying, totalBytes, source, signal, meter, fail, slots: arena.slots.slice(0, slotCount) });
      } else {
        // The ring's slots, shared out among the targets (at least two each).
        const perTarget = Math.max(verifySlotsPerTarget, Math.floor(slotCount / verifying.length));
        await Promise.all(
          verifying.map((state, index) =>
            verifyTarget({ state, totalBytes, digests, hasher: hasher!, signal, meter, slots: arena.slots.slice(index * perTarget, (index + 1) * perTarget) }).catch(
              (error: unknown) => fail(state, error, null),
            ),
          ),
        );
      }
    }
  } finally {
    await Promise.all(states.map((state) => state.raw?.close()));
    await hasher?.close();
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
  readonly signal: AbortSignal | undefined;
  readonly meter: TargetRateMeter;
  readonly slots: readonly Uint8Array[];
}

interface CompareJob {
  readonly states: readonly TargetState[];
  readonly totalBytes: number;
  readonly source: FlashSource;
  readonly signal: AbortSignal | undefined;
  readonly meter: TargetRateMeter;
  readonly fail: (state: TargetState, error: unknown, offsetBytes: number | null) => void;
  /** At least `compareChunksInFlight * (states.length + 1)` slots. */
  readonly slots: readonly Uint8Array[];
}

/** One chunk read back from every target and again from the source, side by side in a set of slots. */
interface ChunkRead {
  readonly set: number;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  /** Per target (same order as the job's states): bytes read, or null when its read failed (it has failed). */
  readonly counts: readonly (number | null)[];
}

/**
 * Seekable sources: reads each target back (O_DIRECT) and the same range of the source again, and
 * compares the bytes, which is strictly stronger than comparing digests. The source is read once per
 * chunk for all targets. While one chunk is compared, the next ones are already being read.
 */
async function verifyByComparing(job: CompareJob): Promise<void> {
  const { states, totalBytes, source, slots } = job;
  const handles = await Promise.all(
    states.map((state) =>
      openReadBack(state.path, state.expected).catch((error: unknown) => {
        job.fail(state, error, null);
        return null;
      }),
    ),
  );
  const stride = states.length + 1;
  const sets = Math.floor(slots.length / stride);
  const active = (index: number): boolean => handles[index] !== null && states[index]!.failure === null && states[index]!.mismatch === null;
  let sourceFailure: unknown = null;

  // Each device is read in order, one read at a time (a drive that fails mid-way then fails at the
  // first bad offset, and a USB stick sees sequential reads); the source and the targets overlap.
  const queues: Promise<unknown>[] = Array.from({ length: stride }, () => Promise.resolve());
  const inOrder = <T>(queue: number, read: () => Promise<T>): Promise<T> => {
    const next = queues[queue]!.then(read);
    queues[queue] = next.catch(() => undefined);
    return next;
  };
  const readChunk = async (set: number, offsetBytes: number, lengthBytes: number): Promise<ChunkRead> => {
    const sourceView = slots[set * stride]!.subarray(0, lengthBytes);
    const [, ...counts] = await Promise.all([
      inOrder(0, () => source.readAt(sourceView, offsetBytes)).catch((error: unknown) => {
        sourceFailure ??= error;
        return 0;
      }),
      ...states.map((state, index) =>
        inOrder(index + 1, async () => {
          if (!active(index)) return null;
          // O_DIRECT reads whole blocks: round up; whatever lies past the image is read and ignored.
          const view = slots[set * stride + 1 + index]!;
          return handles[index]!.readAt(view.subarray(0, Math.min(view.length, roundUp(lengthBytes, 4096))), offsetBytes);
        }).catch((error: unknown) => {
          job.fail(state, error, offsetBytes);
          return null;
        }),
      ),
    ]);
    return { set, offsetBytes, lengthBytes, counts };
  };

  const inFlight: Promise<ChunkRead>[] = [];
  let nextOffsetBytes = 0;
  const readAhead = (set: number): void => {
    if (nextOffsetBytes >= totalBytes) return;
    const lengthBytes = Math.min(chunkBytes, totalBytes - nextOffsetBytes);
    inFlight.push(readChunk(set, nextOffsetBytes, lengthBytes));
    nextOffsetBytes += lengthBytes;
  };
  try {
    for (let set = 0; set < sets; set += 1) readAhead(set);
    while (inFlight.length > 0) {
      const chunk = await inFlight.shift()!;
      if (job.signal?.aborted) break;
      if (sourceFailure !== null) {
        const failure = sourceFailure instanceof FlashFailure ? sourceFailure : new FlashFailure('source-unreadable', String(sourceFailure), chunk.offsetBytes);
        states.forEach((state, index) => active(index) && job.fail(state, failure, chunk.offsetBytes));
        break;
      }
      const expected = slots[chunk.set * stride]!.subarray(0, chunk.lengthBytes);
      states.forEach((state, index) => {
        const count = chunk.counts[index];
        // A chunk that was read is compared even if a later read-ahead of this target has failed since:
        // a mismatch here comes first (fail() keeps the failure nearest the start).
        if (count === null || count === undefined || handles[index] === null || state.mismatch !== null) return;
        if (count < chunk.lengthBytes) {
          job.fail(state, new FlashFailure('read-failed', `${state.path} ended at byte ${chunk.offsetBytes + count} while verifying ${totalBytes} bytes`, chunk.offsetBytes + count), chunk.offsetBytes + count);
          return;
        }
        const actual = slots[chunk.set * stride + 1 + index]!.subarray(0, chunk.lengthBytes);
        const mismatch = differingRange(expected, actual, chunk.offsetBytes);
        if (mismatch === null) {
          job.meter.update(state.path, chunk.offsetBytes + chunk.lengthBytes);
          return;
        }
        state.mismatch = mismatch;
        job.fail(state, new FlashFailure('verification-mismatch', `${state.path} differs from the image at bytes ${mismatch.offsetBytes}..${mismatch.offsetBytes + mismatch.lengthBytes - 1}`, mismatch.offsetBytes), mismatch.offsetBytes);
      });
      if (!states.some((_, index) => active(index))) break;
      readAhead(chunk.set);
    }
    if (!job.signal?.aborted) states.forEach((state, index) => (state.verified = active(index)));
  } finally {
    // On an early exit, reads still in flight must finish before their slots and handles go away.
    await Promise.allSettled(inFlight);
    await Promise.all(handles.map((handle) => handle?.close()));
  }
}

/**
 * The range from the first to the last differing byte of two equally long views (image offset
 * `baseOffsetBytes`); null when equal. With `withinBlockBytes`, the range ends inside the block of
 * that size holding the first difference (verify-only reports to the block, as digests would).
 */
export function differingRange(expected: Uint8Array, actual: Uint8Array, baseOffsetBytes: number, options: { withinBlockBytes?: number } = {}): { offsetBytes: number; lengthBytes: number } | null {
  if (Buffer.compare(expected, actual) === 0) return null;
  let first = 0;
  while (first < expected.length && expected[first] === actual[first]) first += 1;
  const block = options.withinBlockBytes;
  const end = block === undefined ? expected.length : Math.min(expected.length, (Math.floor((baseOffsetBytes + first) / block) + 1) * block - baseOffsetBytes);
  let last = end - 1;
  while (last > first && expected[last] === actual[last]) last -= 1;
  return { offsetBytes: baseOffsetBytes + first, lengthBytes: last - first + 1 };
}

/** Sources read only once: reads the target back (O_DIRECT), hashes each block in the worker and compares with the write-time digests. */
async function verifyTarget(job: VerifyJob): Promise<void> {
  const { state, totalBytes, slots } = job;
  const readBack = await openReadBack(state.path, state.expected);
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
      // The source cannot be read again: the mismatch is known to the block.
      const blockOffset = chunkOffset + block * digestBlockBytes;
      const found = { offsetBytes: blockOffset, lengthBytes: Math.min(digestBlockBytes, chunkOffset + length - blockOffset) };
      // Chunks are compared concurrently: keep the range nearest the start.
      if (job.state.mismatch === null || found.offsetBytes < job.state.mismatch.offsetBytes) job.state.mismatch = found;
      return;
    }
  }
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
