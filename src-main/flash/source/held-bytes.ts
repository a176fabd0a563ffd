// The landed bytes of a download that runs in the writer's own process (issue 19, "write while
// downloading" without the elevated helper), kept in a bounded window so the drives are written from
// a copy of the bytes the download hashed, taken as they land (the download's memory holding them is
// reused once they have landed, and nothing writes it between its hash and the copy). The window is
// one ring allocated at the first byte: a fresh 1 MiB buffer per landed range cost 0.16 s of the
// main thread per 256 MiB (new pages faulted in, then collected), more than the copy itself. The bytes
// written are then the download's by construction, and the write needs no SHA-256 of its own: one
// hash serves both (the bench: the second one cost ~0.35 s of CPU for 256 MiB, on a machine whose two
// cores the download, its server and the write already share).
// A writer that falls behind by more than the window (a stick slower than the network) must not make
// memory grow: from the first buffer that does not fit, nothing more is held and the writer reads the
// file instead, to the end. Those bytes are judged as a file's are, by hashes: SHA-256 of the bytes
// as they landed (the stream's) and as the writer read them (the file's), compared at the end. That
// costs the second hash again, but only where the stick, not the processor, sets the pace.
import { createHash, type Hash } from 'node:crypto';
import { FlashFailure } from '../flash-error.ts';

/** Where the writer reads the file instead, and the two digests that must agree from there on. */
interface FileTakeover {
  readonly fromBytes: number;
  readonly landedHash: Hash;
  landedEndBytes: number;
  readonly readHash: Hash;
  readEndBytes: number;
}

export class HeldBytes {
  /** The window: the held bytes [#startBytes, #startBytes + #heldBytes) start at ring index #startBytes % windowBytes and wrap. */
  #ring: Uint8Array | null = null;
  #startBytes = 0;
  #heldBytes = 0;
  #takeover: FileTakeover | null = null;
  /** The writer stopped reading (its source closed): nothing more is held or hashed. */
  #released = false;

  constructor(private readonly windowBytes: number) {}

  /** Where the writer reads the file instead of memory; null while every byte comes from memory. */
  get fileFromBytes(): number | null {
    return this.#takeover?.fromBytes ?? null;
  }

  /**
   * `bytes` landed at `offsetBytes`, in order; an offset before the end held means the download
   * rewrites its file from there (bytes the writer has not taken: the caller checks that), and what
   * was held past it is dropped. Returns a failure when the rewrite cannot be checked any more.
   */
  landed(offsetBytes: number, bytes: Uint8Array): FlashFailure | null {
    if (this.#released) return null;
    const rewound = this.#rewindTo(offsetBytes);
    if (rewound !== null) return rewound;
    if (this.#takeover !== null && offsetBytes >= this.#takeover.fromBytes) {
      this.#takeover.landedHash.update(bytes);
      this.#takeover.landedEndBytes = offsetBytes + bytes.length;
      return null;
    }
    // The window is full: this buffer and every one after it are read from the file.
    if (this.#heldBytes + bytes.length > this.windowBytes) {
      const landedHash = createHash('sha256').update(bytes);
      this.#takeover = {
        fromBytes: offsetBytes,
        landedHash,
        landedEndBytes: offsetBytes + bytes.length,
        readHash: createHash('sha256'),
        readEndBytes: offsetBytes,
      };
      return null;
    }
    this.#copyRing(bytes, this.#startBytes + this.#heldBytes, 'in'); // the download reuses its memory once this returns
    this.#heldBytes += bytes.length;
    return null;
  }

  /**
   * Copies the held bytes at [offsetBytes, offsetBytes + lengthBytes) into `into` and forgets them;
   * returns how many came from memory (short where the file takes over). The writer reads in order.
   */
  take(into: Uint8Array, offsetBytes: number, lengthBytes: number): number {
    if (offsetBytes !== this.#startBytes) {
      throw new FlashFailure('internal', `the writer asked for byte ${offsetBytes} of the download; the next one held is ${this.#startBytes}`, offsetBytes);
    }
    const fromMemoryBytes = Math.max(0, Math.min(lengthBytes, (this.#takeover?.fromBytes ?? Infinity) - offsetBytes));
    if (fromMemoryBytes > this.#heldBytes) {
      const missingBytes = offsetBytes + this.#heldBytes;
      throw new FlashFailure('internal', `byte ${missingBytes} of the download was reported landed but is not held`, missingBytes);
    }
    this.#copyRing(into.subarray(0, fromMemoryBytes), offsetBytes, 'out');
    this.#startBytes += fromMemoryBytes;
    this.#heldBytes -= fromMemoryBytes;
    return fromMemoryBytes;
  }

  /** The writer read `bytes` at `offsetBytes` from the file, where memory no longer held them. */
  readFromFile(offsetBytes: number, bytes: Uint8Array): void {
    const takeover = this.#takeover;
    if (takeover === null || offsetBytes !== takeover.readEndBytes) {
      throw new FlashFailure('internal', `the writer read byte ${offsetBytes} of the download from its file out of order`, offsetBytes);
    }
    takeover.readHash.update(bytes);
    takeover.readEndBytes += bytes.length;
    this.#startBytes = takeover.readEndBytes;
  }

  /**
   * Once the download completed and the writer read to its end: null when the bytes written are the
   * download's (all from memory, or the file's part hashing as it landed), else why not.
   */
  disagreement(): string | null {
    const takeover = this.#takeover;
    if (takeover === null) return null;
    const landed = takeover.landedHash.copy().digest('hex');
    const read = takeover.readHash.copy().digest('hex');
    if (landed === read && takeover.landedEndBytes === takeover.readEndBytes) return null;
    return (
      `from byte ${takeover.fromBytes} the drives were written from the download's file, which did not hold the bytes downloaded: ` +
      `its bytes ${takeover.fromBytes} to ${takeover.readEndBytes} as read hash to SHA-256 ${read}, ` +
      `bytes ${takeover.fromBytes} to ${takeover.landedEndBytes} as downloaded to ${landed}`
    );
  }

  /** The writer is done reading (a write over, or stopped): what is held goes, and nothing more is kept. */
  release(): void {
    this.#released = true;
    this.#ring = null;
    this.#heldBytes = 0;
  }

  /** Drops what was held from `offsetBytes` on (a download rewriting its file from there). */
  #rewindTo(offsetBytes: number): FlashFailure | null {
    const endBytes = this.#takeover?.landedEndBytes ?? this.#startBytes + this.#heldBytes;
    if (offsetBytes >= endBytes) return null;
    if (this.#takeover !== null && offsetBytes > this.#takeover.fromBytes) {
      return new FlashFailure(
        'source-unreadable',
        `the download rewrote its file from byte ${offsetBytes}, where the drives were being written from the file (from byte ${this.#takeover.fromBytes}) and the bytes it replaced had been hashed: the write cannot be checked`,
        offsetBytes,
      );
    }
    this.#takeover = null;
    // The caller refuses a rewrite of bytes already taken, so offsetBytes >= #startBytes.
    this.#heldBytes = Math.max(0, offsetBytes - this.#startBytes);
    return null;
  }

  /** Copies between `bytes` and the ring's bytes of the download from `atBytes` on ('in': into the ring), across its wrap. */
  #copyRing(bytes: Uint8Array, atBytes: number, direction: 'in' | 'out'): void {
    const ring = (this.#ring ??= new Uint8Array(this.windowBytes));
    for (let doneBytes = 0; doneBytes < bytes.length;) {
      const ringIndex = (atBytes + doneBytes) % ring.length;
      const count = Math.min(bytes.length - doneBytes, ring.length - ringIndex);
      if (direction === 'in') ring.set(bytes.subarray(doneBytes, doneBytes + count), ringIndex);
      else bytes.set(ring.subarray(ringIndex, ringIndex + count), doneBytes);
      doneBytes += count;
    }
  }
}
