// The one read-and-compare loop, for a flash verifying a raw image and for verify-only alike: the
// image and every target are read side by side, chunk by chunk, and compared byte for byte (strictly
// stronger than comparing digests). The image is read once per chunk for all targets, in order, one
// read at a time, so a stream's readNext serves as well as a positioned read, and its length need not
// be known in advance. While one chunk is compared, the next ones are already being read.
import { FlashFailure, nearerStart } from './flash-error.ts';
import { differingRange, mismatchFailure, type ByteRange } from './differing-range.ts';
import { alignedLengthBytes } from './target/aligned-memory.ts';
import type { ReadBackHandle } from './target/target-device.ts';

export interface ComparedTarget {
  readonly path: string;
  readonly readBack: ReadBackHandle;
}

export interface ComparePassOptions<T extends ComparedTarget> {
  readonly imagePath: string;
  /** Fills `into` with the image's bytes from `offsetBytes`; returns the count, short only at the end. Called in image order. */
  readonly readImage: (into: Uint8Array, offsetBytes: number) => Promise<number>;
  /** The image's length when known (a raw image just written): a shorter read is then a failure. Null: until a short read. */
  readonly imageBytes: number | null;
  readonly targets: readonly T[];
  /** Equal slots, one chunk each, at least 2 × (targets + 1): a set per chunk in flight, the image's slot first. */
  readonly slots: readonly Uint8Array[];
  readonly signal: AbortSignal | undefined;
  /** Mismatch ranges end in the block of this size holding the first difference (differingRange). */
  readonly withinBlockBytes?: number;
  /** `target` matches the image up to `bytesDone`. */
  readonly onMatched: (target: T, bytesDone: number) => void;
  /** `target` failed (a read error, a short read, the image's own read error, a mismatch): it is read no further. */
  readonly onFailed: (target: T, failure: FlashFailure) => void;
}

export interface TargetComparison<T extends ComparedTarget = ComparedTarget> {
  readonly target: T;
  /** Every byte of the image was read back from this target and matched (false after a cancel). */
  readonly matched: boolean;
  readonly failure: FlashFailure | null;
  readonly mismatch: ByteRange | null;
}

export interface ComparePassResult<T extends ComparedTarget> {
  /** Image bytes read, through the last chunk compared. */
  readonly imageBytes: number;
  readonly targets: readonly TargetComparison<T>[];
}

/** One chunk read from the image and back from every target, side by side in one set of slots. */
interface ChunkRead {
  readonly set: number;
  readonly offsetBytes: number;
  /** Image bytes read: fewer than asked for only at the image's end (or on a failure). */
  readonly imageCount: number;
  readonly wantedBytes: number;
  /** Per target: bytes read back, or null when its read failed or was not made (it has failed). */
  readonly counts: readonly (number | null)[];
}

export function compareWithImage<T extends ComparedTarget>(options: ComparePassOptions<T>): Promise<ComparePassResult<T>> {
  return new ComparePass(options).run();
}

class ComparePass<T extends ComparedTarget> {
  private readonly stride: number;
  private readonly states: { failure: FlashFailure | null; mismatch: ByteRange | null }[];
  /** Each device is read in order, one read at a time: queue 0 is the image's, queue 1 + i target i's. */
  private readonly queues: Promise<unknown>[];
  private readonly inFlight: Promise<ChunkRead>[] = [];
  private imageFailure: FlashFailure | null = null;
  private nextOffsetBytes = 0;

  constructor(private readonly options: ComparePassOptions<T>) {
    this.stride = options.targets.length + 1;
    this.states = options.targets.map(() => ({ failure: null, mismatch: null }));
    this.queues = Array.from({ length: this.stride }, () => Promise.resolve());
  }

  async run(): Promise<ComparePassResult<T>> {
    const { signal } = this.options;
    let comparedBytes = 0;
    try {
      const sets = Math.floor(this.options.slots.length / this.stride);
      for (let set = 0; set < sets; set += 1) this.readAhead(set);
      while (this.inFlight.length > 0) {
        const chunk = await this.inFlight.shift()!;
        if (signal?.aborted) break;
        this.checkImageLength(chunk);
        if (this.imageFailure !== null) {
          const failure = this.imageFailure;
          this.states.forEach((_, index) => this.active(index) && this.fail(index, failure));
          break;
        }
        this.compareChunk(chunk);
        comparedBytes = chunk.offsetBytes + chunk.imageCount;
        if (!this.states.some((_, index) => this.active(index))) break;
        if (chunk.imageCount < chunk.wantedBytes) break; // the image ended inside this chunk
        this.readAhead(chunk.set);
      }
    } finally {
      // On an early exit, reads still in flight must finish before their slots and handles go away.
      await Promise.allSettled(this.inFlight);
    }
    const cancelled = signal?.aborted === true;
    return {
      imageBytes: comparedBytes,
      targets: this.options.targets.map((target, index) => ({ target, matched: !cancelled && this.active(index), ...this.states[index]! })),
    };
  }

  private active(index: number): boolean {
    return this.states[index]!.failure === null;
  }

  /** Keeps the failure nearest the start; the target is read no further. */
  private fail(index: number, failure: FlashFailure): void {
    const state = this.states[index]!;
    const kept = nearerStart(state.failure, failure);
    if (kept === state.failure) return;
    state.failure = kept;
    this.options.onFailed(this.options.targets[index]!, kept);
  }

  private inOrder<T>(queue: number, read: () => Promise<T>): Promise<T> {
    const next = this.queues[queue]!.then(read);
    this.queues[queue] = next.catch(() => undefined);
    return next;
  }

  /** Starts reading the next chunk into slot set `set`, unless the image's known length is reached. */
  private readAhead(set: number): void {
    const { imageBytes } = this.options;
    const chunkBytes = this.options.slots[0]!.length;
    if (imageBytes !== null && this.nextOffsetBytes >= imageBytes) return;
    const wantedBytes = imageBytes === null ? chunkBytes : Math.min(chunkBytes, imageBytes - this.nextOffsetBytes);
    this.inFlight.push(this.readChunk(set, this.nextOffsetBytes, wantedBytes));
    this.nextOffsetBytes += wantedBytes;
  }

  private async readChunk(set: number, offsetBytes: number, wantedBytes: number): Promise<ChunkRead> {
    const { slots, targets } = this.options;
    const imageView = slots[set * this.stride]!.subarray(0, wantedBytes);
    const [imageCount, ...counts] = await Promise.all([
      this.inOrder(0, () => this.options.readImage(imageView, offsetBytes)).catch((error: unknown) => {
        this.imageFailure ??= error instanceof FlashFailure ? error : new FlashFailure('source-unreadable', String(error), offsetBytes);
        return 0;
      }),
      ...targets.map((target, index) =>
        this.inOrder(index + 1, async () => {
          if (!this.active(index)) return null;
          // O_DIRECT reads whole blocks: round up; whatever lies past the image is read and ignored.
          const view = slots[set * this.stride + 1 + index]!;
          return target.readBack.readAt(view.subarray(0, Math.min(view.length, alignedLengthBytes(wantedBytes))), offsetBytes);
        }).catch((error: unknown) => {
          this.fail(index, error instanceof FlashFailure ? error : new FlashFailure('internal', `${target.path}: ${String(error)}`, offsetBytes));
          return null;
        }),
      ),
    ]);
    return { set, offsetBytes, imageCount, wantedBytes, counts };
  }

  /** An image of known length that now reads short has changed since it was written: it cannot vouch for anything. */
  private checkImageLength(chunk: ChunkRead): void {
    const { imageBytes, imagePath } = this.options;
    if (this.imageFailure !== null || imageBytes === null || chunk.imageCount >= chunk.wantedBytes) return;
    const endBytes = chunk.offsetBytes + chunk.imageCount;
    this.imageFailure = new FlashFailure('source-unreadable', `${imagePath} ended at byte ${endBytes}; it held ${imageBytes} bytes when written`, endBytes);
  }

  private compareChunk(chunk: ChunkRead): void {
    const { slots, targets, imageBytes, withinBlockBytes } = this.options;
    const expected = slots[chunk.set * this.stride]!.subarray(0, chunk.imageCount);
    const chunkEnd = chunk.offsetBytes + chunk.imageCount;
    targets.forEach((target, index) => {
      const count = chunk.counts[index];
      // A chunk that was read is compared even if a later read-ahead of this target has failed since:
      // a mismatch here comes first (fail() keeps the failure nearest the start).
      if (count === null || count === undefined || this.states[index]!.mismatch !== null) return;
      if (count < chunk.imageCount) {
        const image = imageBytes === null ? `an image of at least ${chunkEnd} bytes` : `${imageBytes} bytes`;
        this.fail(
          index,
          new FlashFailure('read-failed', `${target.path} ended at byte ${chunk.offsetBytes + count} while verifying ${image}`, chunk.offsetBytes + count),
        );
        return;
      }
      const actual = slots[chunk.set * this.stride + 1 + index]!.subarray(0, chunk.imageCount);
      const mismatch = differingRange(expected, actual, chunk.offsetBytes, withinBlockBytes === undefined ? {} : { withinBlockBytes });
      if (mismatch === null) return this.options.onMatched(target, chunkEnd);
      this.states[index]!.mismatch = mismatch;
      this.fail(index, mismatchFailure(target.path, this.options.imagePath, mismatch));
    });
  }
}
