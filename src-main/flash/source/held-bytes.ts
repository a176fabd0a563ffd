// The landed bytes of a download that runs in the writer's own process (issue 19, "write while
// downloading" without the elevated helper), kept in a bounded window so the drives are written from
// a copy of the bytes the download hashed, taken as they land (the download's memory holding them is
// reused once they have landed, and nothing writes it between its hash and the copy). The window is
// one ring allocated at the first byte: a fresh 1 MiB buffer per landed range cost 0.16 s of the
// main thread per 256 MiB (new pages faulted in, then collected), more than the copy itself. The bytes
// written are then the download's by construction, and the write needs no SHA-256 of its own: one
// hash serves both (the bench: the second one cost ~0.35 s of CPU for 256 MiB, on a machine whose two
// cores the download, its server and the write already share).
// A writer that falls behind by the whole window (a stick slower than the network, the usual case)
// holds the download back: the range that does not fit waits for room (roomFor), and the download
// lands nothing more until then, so its socket is read no faster than the sticks are written. Before,
// the writer read the file from there on, and each of those bytes was hashed twice more (as landed
// and as read) to prove the file held what was downloaded: 256 MiB to a loop device throttled to
// 100 MiB/s took the same 2.8 s either way, and 1.19-1.29 s of CPU then against 0.83-0.95 s now.
import { FlashFailure } from '../flash-error.ts';

export class HeldBytes {
  /** The window: the held bytes [#startBytes, #startBytes + #heldBytes) start at ring index #startBytes % windowBytes and wrap. */
  #ring: Uint8Array | null = null;
  #startBytes = 0;
  #heldBytes = 0;
  /** The writer stopped reading (its source closed): nothing more is held, and nothing waits for room. */
  #released = false;
  /** A landed range waiting for the writer to take enough: wakes when the window can take it. */
  #roomWaiter: { readonly endBytes: number; readonly wake: () => void } | null = null;

  constructor(private readonly windowBytes: number) {}

  /**
   * Null when [offsetBytes, offsetBytes + lengthBytes) fits in the window now (as landed() will put
   * it, after a rewind); else a promise that resolves once the writer has taken enough, or stopped.
   * One range waits at a time: the download lands in order and waits for this before the next.
   */
  roomFor(offsetBytes: number, lengthBytes: number): Promise<void> | null {
    const endBytes = offsetBytes + lengthBytes;
    if (this.#fits(endBytes)) return null;
    return new Promise<void>((wake) => {
      this.#roomWaiter = { endBytes, wake };
    });
  }

  /**
   * `bytes` landed at `offsetBytes`, in order, and fit (roomFor said so); an offset before the end
   * held means the download rewrites its file from there (bytes the writer has not taken: the caller
   * checks that), and what was held past it is dropped.
   */
  landed(offsetBytes: number, bytes: Uint8Array): FlashFailure | null {
    if (this.#released) return null;
    const endHeldBytes = this.#startBytes + this.#heldBytes;
    if (offsetBytes > endHeldBytes || !this.#fits(offsetBytes + bytes.length)) {
      const why = offsetBytes > endHeldBytes ? `after a gap from byte ${endHeldBytes}` : 'with no room held for them';
      return new FlashFailure('internal', `bytes ${offsetBytes} to ${offsetBytes + bytes.length} of the download landed ${why}`, offsetBytes);
    }
    // A rewind (the caller refuses a rewrite of bytes already taken, so offsetBytes >= #startBytes).
    this.#heldBytes = Math.min(this.#heldBytes, offsetBytes - this.#startBytes);
    this.#copyRing(bytes, offsetBytes, 'in'); // the download reuses its memory once this returns
    this.#heldBytes += bytes.length;
    return null;
  }

  /**
   * Copies the held bytes at [offsetBytes, offsetBytes + lengthBytes) into `into` and forgets them,
   * which may make room for the range the download waits with. The writer reads in order, only bytes
   * reported landed: all of them are held.
   */
  take(into: Uint8Array, offsetBytes: number, lengthBytes: number): void {
    if (offsetBytes !== this.#startBytes) {
      throw new FlashFailure('internal', `the writer asked for byte ${offsetBytes} of the download; the next one held is ${this.#startBytes}`, offsetBytes);
    }
    if (lengthBytes > this.#heldBytes) {
      const missingBytes = offsetBytes + this.#heldBytes;
      throw new FlashFailure('internal', `byte ${missingBytes} of the download was reported landed but is not held`, missingBytes);
    }
    this.#copyRing(into.subarray(0, lengthBytes), offsetBytes, 'out');
    this.#startBytes += lengthBytes;
    this.#heldBytes -= lengthBytes;
    if (this.#roomWaiter !== null && this.#fits(this.#roomWaiter.endBytes)) this.#wakeRoomWaiter();
  }

  /** The writer is done reading (a write over, or stopped): what is held goes, nothing more is kept, and the download goes on unheld. */
  release(): void {
    this.#released = true;
    this.#ring = null;
    this.#heldBytes = 0;
    this.#wakeRoomWaiter();
  }

  /** The window can hold the bytes from the writer's next one up to `endBytes`. */
  #fits(endBytes: number): boolean {
    return this.#released || endBytes - this.#startBytes <= this.windowBytes;
  }

  #wakeRoomWaiter(): void {
    const waiter = this.#roomWaiter;
    this.#roomWaiter = null;
    waiter?.wake();
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
