// The write/verify pipeline: one read of the source feeds every target. Reading (or decoding), hashing
// (workers, started only for what is needed) and the targets' O_DIRECT writes of different chunks
// overlap through a ring of aligned slots; each target is written in order, one write at a time. The
// first MiB is cleared at the start and written last, so an interrupted job never leaves a half-valid
// partition table. Verification reads each target back around the page cache and compares it byte for
// byte with the source read again (raw images, devices), or, for a source that can be read only once
// (compressed streams), with per-block digests taken while writing. A failing target fails alone; the
// others finish.
import type { FlashOutcome, FlashProgress, FlashResult, TargetResult } from '../../shared/flash.ts';
import { compareWithImage } from './compare-pass.ts';
import { mismatchFailure, type ByteRange } from './differing-range.ts';
import { findDigestMismatch } from './digest-verify.ts';
import { FlashFailure, nearerStart } from './flash-error.ts';
import { GrowableBytes } from './growable-bytes.ts';
import { createHasher, digestBlockBytes, digestBytes, type Hasher } from './hasher.ts';
import { SlotRing } from './slot-ring.ts';
import type { FlashSource } from './source/image-source.ts';
import { TargetRateMeter } from './target-rate-meter.ts';
import { allocateAlignedSlots, type AlignedArena } from './target/aligned-memory.ts';
import { openRawTarget, openReadBack, type ExpectedDevice, type RawTarget } from './target/target-device.ts';
import { readBackSource } from './target/read-back-source.ts';
import { findTailMismatch, writeTail, type StickWrites, type TailPiece } from './tail-writes.ts';

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
  /** A composed stick's tail and read-back check (copy mode, format); absent for an image written as it is. */
  readonly stick?: StickWrites;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FlashProgress) => void;
  /** Each target's identity as opened for writing (a block device's number and disk sequence), for a later open to check. */
  readonly onTargetOpened?: (path: string, identity: ExpectedDevice) => void;
}

/** A target of the job, from its safety-checked path to its result. */
interface TargetState {
  readonly path: string;
  /** The device this target must open as (the elevated helper's scope), or undefined for any. */
  readonly expected: ExpectedDevice;
  failure: FlashFailure | null;
  bytesWritten: number;
  verified: boolean;
  mismatch: ByteRange | null;
  /** A composed stick's pieces written past the body for this target, and the target's size then. */
  tail: { readonly pieces: readonly TailPiece[]; readonly targetSizeBytes: number } | null;
}

/** A target that opened for writing: its writes go to `raw`, one at a time, in image order. */
interface OpenTarget {
  readonly state: TargetState;
  readonly raw: RawTarget;
  /** The last write queued: each target gets one write at a time, in order, while reads run ahead. */
  lastWrite: Promise<void>;
}

/** What every phase shares: the job's options, its meter, and how a target fails. */
interface JobContext {
  readonly options: FlashJobOptions;
  readonly meter: TargetRateMeter;
  /** Records a target's failure (the one nearest the start wins) and reports it. */
  readonly fail: (state: TargetState, error: unknown, offsetBytes: number | null) => void;
}

/** How the write pass ended: the bytes the source gave, and why it stopped early, if it did. */
interface WritePassResult {
  readonly totalBytes: number;
  readonly sourceFailure: FlashFailure | null;
}

/** The slots and hashing the write pass uses, and verification reuses. */
interface PassMemory {
  readonly arena: AlignedArena;
  /** Slots of the arena the ring and verification use; the one after them holds the head. */
  readonly slotCount: number;
  /** The first MiB of the image, kept to be written last; zero-filled until then (fresh memory). */
  readonly head: Uint8Array;
  /** The hashing workers; null when the pass needs none (no SHA-256, no block digests). */
  readonly hasher: Hasher | null;
  readonly sha256: boolean;
  /** Per-block digests taken while writing, for verifying a source that cannot be read again; else null. */
  readonly blockDigests: { readonly hasher: Hasher; readonly digests: GrowableBytes } | null;
}

export async function runFlashJob(options: FlashJobOptions): Promise<FlashResult> {
  const startedMs = Date.now();
  const meter = new TargetRateMeter(options.jobId, options.targets, options.onProgress ?? (() => undefined));
  const states = options.targets.map((path): TargetState => ({
    path,
    expected: expectedDeviceOf(options, path),
    failure: null,
    bytesWritten: 0,
    verified: false,
    mismatch: null,
    tail: null,
  }));
  const context: JobContext = { options, meter, fail: (state, error, offsetBytes) => recordFailure(meter, state, error, offsetBytes) };
  const memory = passMemory(options, states.length);
  let opened: OpenTarget[] = [];
  let pass: WritePassResult = { totalBytes: 0, sourceFailure: null };
  let sha256Hex: string | null = null;
  const going = (): boolean => pass.sourceFailure === null && !options.signal?.aborted;
  try {
    opened = await openTargets(context, states);
    await clearHeads(context, opened, memory.head);
    pass = await writePass(context, opened, memory);
    if (going()) {
      sha256Hex = memory.hasher && memory.sha256 ? await memory.hasher.digestSha256() : null;
      if (options.stick) await writeStickTails(context, liveTargets(opened), options.stick, memory.arena.slots[0]!);
      await writeHeadAndFlush(context, opened, memory.head.subarray(0, Math.min(headBytes, pass.totalBytes)));
    }
    // Writing is over: the read-back opens descriptors of its own (close is idempotent; finally closes again on any exit).
    await Promise.all(opened.map((target) => target.raw.close()));
    if (options.verify && going()) {
      await verifyTargets(context, liveTargets(opened), pass.totalBytes, memory);
      if (options.stick) await verifyStickReadBack(context, liveTargets(opened), options.stick);
    }
  } finally {
    await Promise.all(opened.map((target) => target.raw.close()));
    await memory.hasher?.close();
  }
  return jobResult(context, states, pass, sha256Hex, startedMs);
}

/** The helper's scope for one path: a path the map does not name gets '', which matches no "major:minor". */
function expectedDeviceOf(options: FlashJobOptions, path: string): ExpectedDevice {
  if (options.deviceNumbers === undefined) return undefined;
  return { deviceNumber: options.deviceNumbers.get(path) ?? '' };
}

function recordFailure(meter: TargetRateMeter, state: TargetState, error: unknown, offsetBytes: number | null): void {
  const failure = error instanceof FlashFailure ? error : new FlashFailure('internal', `${state.path}: ${String(error)}`, offsetBytes);
  const kept = nearerStart(state.failure, failure);
  if (kept === state.failure) return;
  state.failure = kept;
  meter.markFailed(state.path);
}

function passMemory(options: FlashJobOptions, targetCount: number): PassMemory {
  // Verification reuses the ring's slots (writing is over by then): resident memory stays at the ring.
  const slotCount = Math.max(ringSlots.hashing, verifySlotsPerTarget * targetCount, compareChunksInFlight * (targetCount + 1));
  const arena = allocateAlignedSlots(slotCount + 1, chunkBytes);
  // A source that can be read again is verified by comparing bytes: no digests while writing.
  const takeDigests = options.verify && !options.source.isSeekable;
  const sha256 = options.sha256 ?? true;
  // No hashing at all (no SHA-256 asked, a seekable source): no workers, the pass is reads and writes only.
  const hasher = takeDigests || sha256 ? createHasher(arena.buffer, { blocks: takeDigests, sha256 }) : null;
  const blockDigests = takeDigests && hasher ? { hasher, digests: new GrowableBytes() } : null;
  return { arena, slotCount, head: arena.slots[slotCount]!.subarray(0, headBytes), hasher, sha256, blockDigests };
}

/** Targets still in the job: opened and not failed. */
function liveTargets(opened: readonly OpenTarget[]): OpenTarget[] {
  return opened.filter((target) => target.state.failure === null);
}

/** Opens every target for writing; one that will not open fails alone. */
async function openTargets(context: JobContext, states: readonly TargetState[]): Promise<OpenTarget[]> {
  const opened = await Promise.all(
    states.map(async (state): Promise<OpenTarget | null> => {
      try {
        const raw = await openRawTarget(state.path, state.expected);
        context.options.onTargetOpened?.(state.path, raw.identity);
        return { state, raw, lastWrite: Promise.resolve() };
      } catch (error) {
        context.fail(state, error, null);
        return null;
      }
    }),
  );
  return opened.filter((target) => target !== null);
}

/** Clears the first MiB (never past the end of a smaller target or an empty file): no stale partition table survives a cut-off job. */
async function clearHeads(context: JobContext, opened: readonly OpenTarget[], zeros: Uint8Array): Promise<void> {
  await Promise.all(
    liveTargets(opened).map(async (target) => {
      const clearBytes = Math.min(headBytes, target.raw.sizeBytes);
      if (clearBytes > 0) await target.raw.writeAt(zeros.subarray(0, clearBytes), 0).catch((error: unknown) => context.fail(target.state, error, 0));
    }),
  );
}

/**
 * Reads the source once into the ring and queues each chunk to the hashers and every live target;
 * the first MiB is kept in `head` (to be written last), not written.
 */
async function writePass(context: JobContext, opened: readonly OpenTarget[], memory: PassMemory): Promise<WritePassResult> {
  const { source, signal } = context.options;
  const { hasher, head, blockDigests } = memory;
  context.meter.setPhase(
    liveTargets(opened).map((target) => target.state.path),
    'writing',
    source.sizeBytes,
  );
  const ring = new SlotRing(hasher ? ringSlots.hashing : ringSlots.plain);
  let offsetBytes = 0;
  let sourceFailure: FlashFailure | null = null;
  while (!signal?.aborted && liveTargets(opened).length > 0) {
    const slot = await ring.acquire();
    const view = memory.arena.slots[slot]!;
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
    const tasks: Promise<unknown>[] = [];
    if (blockDigests)
      tasks.push(
        blockDigests.hasher
          .hashBlocks(view.byteOffset, count)
          .then((values) => blockDigests.digests.set((chunkOffset / digestBlockBytes) * digestBytes, values)),
      );
    if (hasher && memory.sha256) tasks.push(hasher.updateSha256(view.byteOffset, count));
    for (const target of liveTargets(opened)) tasks.push(queueWrite(context, target, filled.subarray(skip), chunkOffset + skip));
    ring.track(slot, tasks.length === 1 ? tasks[0]! : Promise.all(tasks));
    offsetBytes += count;
    if (count < view.length) break; // the source ended inside this chunk
    // A decoder that runs on this thread (fzstd) fills a slot with microtasks alone: let the event
    // loop run the finished writes' callbacks, so each target's next write starts while we decode.
    if (!source.isSeekable) await new Promise((resolve) => setImmediate(resolve));
  }
  await ring.drain();
  if (sourceFailure === null && !signal?.aborted && source.sizeBytes !== null && offsetBytes !== source.sizeBytes) {
    sourceFailure = new FlashFailure('source-unreadable', `${source.path} gave ${offsetBytes} bytes, expected ${source.sizeBytes}`, offsetBytes);
  }
  return { totalBytes: offsetBytes, sourceFailure };
}

/**
 * One write at a time per target, in image order: concurrent O_DIRECT writes to one device only
 * contend (a loop device's backing file, a USB stick's controller) and can land out of order.
 */
function queueWrite(context: JobContext, target: OpenTarget, view: Uint8Array, offsetBytes: number): Promise<void> {
  const { state } = target;
  const write = async (): Promise<void> => {
    if (state.failure !== null) return;
    try {
      if (view.length > 0) await target.raw.writeAt(view, offsetBytes);
      state.bytesWritten += view.length;
      context.meter.update(state.path, state.bytesWritten);
    } catch (error) {
      context.fail(state, error, offsetBytes);
    }
  };
  target.lastWrite = target.lastWrite.then(write);
  return target.lastWrite;
}

/** The first MiB goes last: until now the drive held zeros there, never a half-valid table. Then every target flushes. */
async function writeHeadAndFlush(context: JobContext, opened: readonly OpenTarget[], head: Uint8Array): Promise<void> {
  await Promise.all(
    liveTargets(opened).map(async ({ state, raw }) => {
      try {
        await raw.writeAt(head, 0);
        state.bytesWritten += head.length;
        context.meter.update(state.path, state.bytesWritten);
      } catch (error) {
        context.fail(state, error, 0);
      }
    }),
  );
  const flushing = liveTargets(opened);
  context.meter.setPhase(
    flushing.map((target) => target.state.path),
    'flushing',
    null,
  );
  await Promise.all(flushing.map(({ state, raw }) => raw.flush().catch((error: unknown) => context.fail(state, error, null))));
}

/** A composed stick's tail, per target, after the body (the ring is drained: its first slot is free) and before the first MiB. */
async function writeStickTails(context: JobContext, targets: readonly OpenTarget[], stick: StickWrites, slot: Uint8Array): Promise<void> {
  for (const { state, raw } of targets) {
    const pieces = stick.tailFor(raw.sizeBytes);
    state.tail = { pieces, targetSizeBytes: raw.sizeBytes };
    try {
      state.bytesWritten += await writeTail(raw, pieces, slot);
    } catch (error) {
      context.fail(state, error, pieces[0]?.offsetBytes ?? null);
    }
  }
}

/** After the byte comparison of the body: each target's tail read back, then the stick's own check (its files). */
async function verifyStickReadBack(context: JobContext, targets: readonly OpenTarget[], stick: StickWrites): Promise<void> {
  const { source, signal } = context.options;
  for (const { state } of targets) {
    if (!state.verified || state.tail === null || signal?.aborted) continue;
    try {
      const target = readBackSource(await openReadBack(state.path, state.expected), state.path, state.tail.targetSizeBytes);
      try {
        const failure = (await findTailMismatch(target, state.tail.pieces, source.path)) ?? (await stick.verifyReadBack(target, signal));
        if (failure !== null) throw failure;
      } finally {
        await target.close();
      }
    } catch (error) {
      state.verified = false;
      context.fail(state, error, null);
    }
  }
}

/** Reads every written target back: compared byte for byte with a source that can be read again, else with the write pass's digests. */
async function verifyTargets(context: JobContext, written: readonly OpenTarget[], totalBytes: number, memory: PassMemory): Promise<void> {
  const states = written.map((target) => target.state);
  context.meter.setPhase(
    states.map((state) => state.path),
    'verifying',
    totalBytes,
  );
  const slots = memory.arena.slots.slice(0, memory.slotCount);
  // No digests were taken exactly when the source can be read again (passMemory).
  const { blockDigests } = memory;
  if (blockDigests === null) return verifyByComparing(context, states, totalBytes, slots);
  // The ring's slots, shared out among the targets (at least two each).
  const perTarget = Math.max(verifySlotsPerTarget, Math.floor(memory.slotCount / states.length));
  await Promise.all(
    states.map((state, index) => verifyByDigests(context, state, totalBytes, blockDigests, slots.slice(index * perTarget, (index + 1) * perTarget))),
  );
}

/** Seekable sources: the shared read-and-compare loop, the source read again once per chunk for all targets. */
async function verifyByComparing(context: JobContext, states: readonly TargetState[], totalBytes: number, slots: readonly Uint8Array[]): Promise<void> {
  const { source, signal } = context.options;
  const readBacks = await Promise.all(
    states.map((state) =>
      openReadBack(state.path, state.expected).then(
        (readBack) => ({ state, path: state.path, readBack }),
        (error: unknown) => void context.fail(state, error, null),
      ),
    ),
  );
  const targets = readBacks.filter((target) => target !== undefined);
  try {
    const compared = await compareWithImage({
      imagePath: source.path,
      readImage: (into, offsetBytes) => source.readAt(into, offsetBytes),
      imageBytes: totalBytes,
      targets,
      slots,
      signal,
      onMatched: (target, bytesDone) => context.meter.update(target.path, bytesDone),
      onFailed: (target, failure) => context.fail(target.state, failure, failure.offsetBytes),
    });
    for (const { target, matched, mismatch } of compared.targets) Object.assign(target.state, { verified: matched, mismatch });
  } finally {
    await Promise.all(targets.map((target) => target.readBack.close()));
  }
}

/** Sources read only once: the target's blocks hashed again and compared with the write pass's digests. */
async function verifyByDigests(
  context: JobContext,
  state: TargetState,
  totalBytes: number,
  blockDigests: NonNullable<PassMemory['blockDigests']>,
  slots: readonly Uint8Array[],
): Promise<void> {
  const { source, signal } = context.options;
  try {
    const onRead = (bytesDone: number): void => context.meter.update(state.path, bytesDone);
    state.mismatch = await findDigestMismatch({ path: state.path, expected: state.expected, imageBytes: totalBytes, ...blockDigests, signal, slots, onRead });
    if (state.mismatch !== null) throw mismatchFailure(state.path, source.path, state.mismatch);
    state.verified = !signal?.aborted;
  } catch (error) {
    context.fail(state, error, null);
  }
}

function jobResult(context: JobContext, states: readonly TargetState[], pass: WritePassResult, sha256Hex: string | null, startedMs: number): FlashResult {
  const { options, meter } = context;
  const cancelled = options.signal?.aborted === true;
  const results: TargetResult[] = states.map((state) => {
    const failure = state.failure ?? pass.sourceFailure;
    if (failure === null && cancelled) {
      return {
        target: state.path,
        outcome: 'cancelled',
        bytesWritten: state.bytesWritten,
        error: { code: 'cancelled', message: `cancelled after ${state.bytesWritten} bytes`, offsetBytes: null },
        mismatch: null,
        refusals: [],
      };
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
  meter.setPhase(
    results.filter((result) => result.error === null).map((result) => result.target),
    'done',
    pass.totalBytes,
  );
  const { source } = options;
  return {
    jobId: options.jobId,
    outcome: overallOutcome(results, cancelled),
    source: { path: source.path, compression: source.compression, sizeBytes: pass.totalBytes, sha256Hex },
    // Each phase's own average, so a fast write with a slow read-back (or the reverse) shows as such.
    targets: results.map((result) => ({ ...result, ...meter.averages(result.target, result.bytesWritten) })),
    elapsedMs: Date.now() - startedMs,
  };
}

export function overallOutcome(results: readonly TargetResult[], cancelled: boolean): FlashOutcome {
  if (cancelled) return 'cancelled';
  const succeeded = results.filter((result) => result.outcome === 'verified' || result.outcome === 'written').length;
  if (results.length > 0 && succeeded === results.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partial';
}
