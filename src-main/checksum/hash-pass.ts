// One read pass over a file or drive that feeds every requested hash. The reader fills slots of a
// shared ring (no copies); each worker thread (hash-worker.ts, the same one the flash uses) owns some
// of the hashes and hashes every slot, so the pass runs at the speed of the slowest worker, not the
// sum of the hashes. Files of at most one chunk
// are hashed in the calling thread: a worker would cost more to start than the hashing.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { HashAlgorithm, HashDigests } from '../../shared/checksum.ts';
import { createHashGroup } from './hash-group.ts';
import { HashWorkerClient } from './hash-worker-client.ts';
import { pageAlignedSharedMemory } from '../io/shared-memory.ts';
import { CancelledError, throwIfCancelled } from '../jobs/errors.ts';
import { ProgressThrottle, RateMeter } from '../jobs/progress-meter.ts';

export const defaultChunkBytes = 4 * 1024 * 1024;
export const defaultRingSlotCount = 4;

export interface HashPassOptions {
  readonly algorithms: readonly HashAlgorithm[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  readonly progressIntervalMs?: number;
  readonly chunkBytes?: number;
  readonly ringSlotCount?: number;
  /** At most this many workers; default: one per algorithm, capped at the machine's parallelism. */
  readonly maxWorkers?: number;
  /** Files of at most this size are hashed in the calling thread (default: one chunk). */
  readonly inlineMaxBytes?: number;
}

export interface HashPassResult {
  readonly sizeBytes: number;
  readonly digests: HashDigests;
  readonly workerCount: number;
}

/** How far a pass is (the service reports it as `job:progress`). */
export interface PassProgress {
  readonly bytesHashed: number;
  readonly totalBytes: number | null;
  readonly bytesPerSecond: number;
  readonly etaMs: number | null;
}

/** Hashes the whole file (or block device) at `path` with every algorithm in one read pass. */
export async function hashFile(path: string, options: HashPassOptions): Promise<HashPassResult> {
  const algorithms = [...new Set(options.algorithms)];
  if (algorithms.length === 0) throw new Error('hashFile needs at least one algorithm');
  const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    const totalBytes = stats.isBlockDevice() ? await blockDeviceSizeBytes(stats.rdev) : stats.size;
    const meter = new PassMeter(totalBytes, options.onProgress, options.progressIntervalMs);
    const inline = stats.isFile() && stats.size <= (options.inlineMaxBytes ?? chunkBytes);
    const workerCount = inline ? 0 : Math.max(1, Math.min(algorithms.length, options.maxWorkers ?? availableParallelism()));
    const pass = { path, handle, algorithms, chunkBytes, signal: options.signal, meter };
    const digests = workerCount === 0 ? await hashInline(pass) : await hashWithWorkers(pass, workerCount, options.ringSlotCount ?? defaultRingSlotCount);
    meter.finish();
    return { sizeBytes: meter.bytesDone(), digests, workerCount };
  } finally {
    await handle.close();
  }
}

/** The pass's byte count, reported through the jobs' one throttle and rate meter (also the compressed pass's: hash-compressed.ts). */
export class PassMeter {
  #doneBytes = 0;
  readonly #rate = new RateMeter();
  readonly #throttle: ProgressThrottle;

  constructor(
    private readonly totalBytes: number | null,
    private readonly onProgress: ((progress: PassProgress) => void) | undefined,
    intervalMs: number | undefined,
  ) {
    this.#throttle = new ProgressThrottle(undefined, intervalMs);
  }

  advance(bytes: number): void {
    this.#doneBytes += bytes;
    this.#rate.sample(this.#doneBytes);
    if (this.#throttle.due(false)) this.report();
  }

  /** Reports the final state once, whatever the interval. */
  finish(): void {
    this.report();
  }

  bytesDone(): number {
    return this.#doneBytes;
  }

  private report(): void {
    this.onProgress?.({ bytesHashed: this.#doneBytes, totalBytes: this.totalBytes, ...this.#rate.rate(this.#doneBytes, this.totalBytes) });
  }
}

interface Pass {
  readonly path: string;
  readonly handle: FileHandle;
  readonly algorithms: readonly HashAlgorithm[];
  readonly chunkBytes: number;
  readonly signal: AbortSignal | undefined;
  readonly meter: PassMeter;
}

async function hashInline(pass: Pass): Promise<HashDigests> {
  const group = createHashGroup(pass.algorithms);
  const buffer = new Uint8Array(pass.chunkBytes);
  // Read until EOF rather than to the stat size: a file that grows while hashed is hashed as read.
  for (let offsetBytes = 0; ;) {
    throwIfCancelled(pass.signal, `hashing ${pass.path}`);
    const { bytesRead } = await pass.handle.read(buffer, 0, buffer.length, offsetBytes);
    if (bytesRead === 0) break;
    group.update(buffer.subarray(0, bytesRead));
    offsetBytes += bytesRead;
    pass.meter.advance(bytesRead);
  }
  return group.digest();
}

async function hashWithWorkers(pass: Pass, workerCount: number, ringSlotCount: number): Promise<HashDigests> {
  // The read-ahead ring: one shared memory of ringSlotCount chunks; the reader fills a slot, every
  // worker hashes it in place, then the slot is refilled.
  const memory = pageAlignedSharedMemory(ringSlotCount * pass.chunkBytes);
  const workers = assignAlgorithms(pass.algorithms, workerCount).map((algorithms) => new HashWorkerClient({ memory, algorithms, blockBytes: 0 }));
  // Each slot's hashing in flight, oldest first; a slot is refilled only once every worker released it.
  const inFlight: { readonly slot: number; readonly hashed: Promise<void> }[] = [];
  const freeSlots = Array.from({ length: ringSlotCount }, (_, slot) => slot);
  let cancelled: (() => void) | null = null;
  const cancellation = new Promise<never>((_, reject) => (cancelled = () => reject(new CancelledError(`hashing ${pass.path}`))));
  cancellation.catch(() => undefined); // raced below; unobserved when the pass ends first
  const onAbort = (): void => cancelled?.();
  pass.signal?.addEventListener('abort', onAbort);
  try {
    throwIfCancelled(pass.signal, `hashing ${pass.path}`);
    // Read until EOF rather than to the stat size: a file that grows while hashed is hashed as read.
    for (let offsetBytes = 0; ;) {
      if (freeSlots.length === 0) {
        const oldest = inFlight.shift()!;
        await Promise.race([oldest.hashed, cancellation]);
        freeSlots.push(oldest.slot);
      }
      const slot = freeSlots.shift()!;
      const view = new Uint8Array(memory, slot * pass.chunkBytes, pass.chunkBytes);
      const reading = pass.handle.read(view, 0, view.length, offsetBytes);
      reading.catch(() => undefined); // left behind on cancel: the handle's close waits for it
      const { bytesRead } = await Promise.race([reading, cancellation]);
      if (bytesRead === 0) break;
      offsetBytes += bytesRead;
      const hashed = Promise.all(workers.map((worker) => worker.update(view.byteOffset, bytesRead))).then(() => pass.meter.advance(bytesRead));
      hashed.catch(() => undefined); // awaited in turn; a failure surfaces there or at the digests
      inFlight.push({ slot, hashed });
    }
    // Each worker answers in order: its digests come after every slot it was sent.
    const digests = await Promise.race([Promise.all(workers.map((worker) => worker.digest())), cancellation]);
    await Promise.all(inFlight.map((entry) => entry.hashed));
    return Object.assign({}, ...digests) as HashDigests;
  } finally {
    pass.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

/**
 * Spreads the algorithms over the workers so the slowest worker is as fast as it can be: greedy by
 * relative cost per byte (measured with OpenSSL on x86-64 with SHA-NI: SHA-256 and SHA-1 run on the
 * SHA extensions, MD5 and SHA-512 do not).
 */
export function assignAlgorithms(algorithms: readonly HashAlgorithm[], workerCount: number): HashAlgorithm[][] {
  const cost: Readonly<Record<HashAlgorithm, number>> = { md5: 1.4, sha1: 0.8, sha256: 1, sha512: 1.2, blake2b: 1.1 };
  const groups = Array.from({ length: Math.min(workerCount, algorithms.length) }, () => ({ load: 0, algorithms: [] as HashAlgorithm[] }));
  for (const algorithm of [...algorithms].sort((a, b) => cost[b] - cost[a])) {
    const lightest = groups.reduce((best, group) => (group.load < best.load ? group : best));
    lightest.algorithms.push(algorithm);
    lightest.load += cost[algorithm];
  }
  return groups.map((group) => group.algorithms);
}

/** A block device's size from sysfs (stat reports 0 for devices); null when unknown (not Linux). */
async function blockDeviceSizeBytes(rdev: number): Promise<number | null> {
  // Linux's dev_t encoding: major in bits 8-19 (and 32+), minor in bits 0-7 and 20-31.
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    return Number.isSafeInteger(sectors) ? sectors * 512 : null; // sysfs counts 512-byte sectors always
  } catch {
    return null;
  }
}
