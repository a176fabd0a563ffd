// A flash source over a file still being downloaded (issue 19, "write while downloading"): reads
// serve only bytes the download has reported as landed in the file, wait for more at its edge, end at
// the size the download ends with (or its Content-Length), and fail with the download's own error.
// A writer in the download's own process takes the landed bytes from memory instead (held-bytes.ts:
// a copy of the bytes the download hashed, in a bounded window the download waits on when it is
// full); the elevated helper, which gets only the download's reports, reads every byte from the
// file, so its memory stays at the flash's ring.
import { open, type FileHandle } from 'node:fs/promises';
import { FlashFailure } from '../flash-error.ts';
import { HeldBytes } from './held-bytes.ts';
import type { FlashSource } from './image-source.ts';

/**
 * What a download reports of its file, in order: where it is, each range that landed, its byte count
 * (a resume's kept bytes included), its announced total, and its end (the size and the SHA-256 the
 * download read, or why it failed or is not to be trusted).
 */
export interface GrowingFeed {
  opened(path: string): void;
  /**
   * `bytes`: the landed bytes themselves, when the download runs in this process (a feed that holds
   * them writes from them). A promise: the feed's window is full, and the download lands nothing more
   * (nor reuses the memory of `bytes`) until it resolves. It never rejects.
   */
  landed(offsetBytes: number, endBytes: number, bytes?: Uint8Array): Promise<void> | undefined;
  onDisk(bytesOnDisk: number): void;
  knowTotal(totalBytes: number): void;
  completed(sizeBytes: number, sha256: string): void;
  failed(failure: FlashFailure): void;
}

/**
 * The download's side: what it has written so far, how long the file will be, and how it ended.
 * One per download; the flash reads through `openGrowingFileSource`.
 */
export class GrowingFile implements GrowingFeed {
  #path: string | null = null;
  #landedBytes = 0;
  /** The end of the furthest range handed to a reader: bytes the drives may already hold. */
  #handedOutBytes = 0;
  #totalBytes: number | null = null;
  #completed = false;
  /** The SHA-256 the download computed of the whole file, once completed. */
  #sha256: string | null = null;
  #failure: FlashFailure | null = null;
  /** Readers waiting for the file to open, grow, end or fail; woken on every change. */
  #waiters: (() => void)[] = [];
  /** The landed bytes kept for the writer, when it runs in the download's process; null: it reads the file. */
  readonly held: HeldBytes | null;

  /** `holdBytes`: keep up to this many landed bytes for the writer (the download feeds them with each range). */
  constructor(options: { readonly holdBytes?: number } = {}) {
    this.held = options.holdBytes === undefined ? null : new HeldBytes(options.holdBytes);
  }

  get path(): string | null {
    return this.#path;
  }
  /** The size the file will have: its Content-Length up front, or the final size; null while unknown. */
  get totalBytes(): number | null {
    return this.#totalBytes;
  }
  get landedBytes(): number {
    return this.#landedBytes;
  }
  /** Why the download failed (or is not to be trusted); null while it goes on or once it completed. */
  get failure(): FlashFailure | null {
    return this.#failure;
  }
  get sha256(): string | null {
    return this.#sha256;
  }

  /** The download created its file here. */
  opened(path: string): void {
    this.#path ??= path;
    this.#wake();
  }

  /**
   * Bytes [offsetBytes, endBytes) landed in the file; ranges come in order. A range starting before
   * the edge means the download rewrites its file from there (a restart): harmless while the flash
   * has not read those bytes (the edge moves back), but a rewrite of bytes already handed out could
   * put two versions on the sticks, so the source then fails.
   */
  landed(offsetBytes: number, endBytes: number, bytes?: Uint8Array): Promise<void> | undefined {
    if (offsetBytes < this.#handedOutBytes) {
      this.failed(
        new FlashFailure(
          'source-unreadable',
          `the download rewrote its file from byte ${offsetBytes} after ${this.#handedOutBytes} bytes had been written to the drives; the write cannot mix two versions`,
          offsetBytes,
        ),
      );
      return undefined;
    }
    const { held } = this;
    if (held === null) {
      this.#reach(endBytes);
      return undefined;
    }
    if (bytes?.length !== endBytes - offsetBytes) {
      this.failed(new FlashFailure('internal', `the download reported bytes ${offsetBytes} to ${endBytes} landed without handing them over`, offsetBytes));
      return undefined;
    }
    const hold = (): void => {
      const heldFailure = held.landed(offsetBytes, bytes);
      if (heldFailure === null) this.#reach(endBytes);
      else this.failed(heldFailure);
    };
    const room = held.roomFor(offsetBytes, bytes.length);
    if (room !== null) return room.then(hold);
    hold();
    return undefined;
  }

  /** The landed bytes now end at `endBytes`: readers waiting for them go on. */
  #reach(endBytes: number): void {
    this.#landedBytes = endBytes;
    this.#wake();
  }

  /** The download's count of bytes in the file (bytes kept from an earlier try included, on a resume). */
  onDisk(bytesOnDisk: number): void {
    this.#landedBytes = Math.max(this.#landedBytes, bytesOnDisk);
    this.#wake();
  }

  /** The Content-Length (or a Content-Range's total): reads end there. */
  knowTotal(totalBytes: number): void {
    this.#totalBytes ??= totalBytes;
    this.#wake();
  }

  /** The download ended with `sizeBytes` in the file, whose SHA-256 it read as `sha256`: every byte is there. */
  completed(sizeBytes: number, sha256: string): void {
    if (this.#totalBytes !== null && this.#totalBytes !== sizeBytes) {
      this.failed(new FlashFailure('source-unreadable', `the download ended with ${sizeBytes} bytes; it announced ${this.#totalBytes}`, sizeBytes));
      return;
    }
    this.#totalBytes = sizeBytes;
    this.#landedBytes = sizeBytes;
    this.#sha256 = sha256;
    this.#completed = true;
    this.#wake();
  }

  /** The download failed: every waiting and later read rejects with this. The first failure stays. */
  failed(failure: FlashFailure): void {
    this.#failure ??= failure;
    this.#wake();
  }

  /** Resolves once the download completed or failed (never rejects): then `failure` and `sha256` say which. */
  async settled(): Promise<void> {
    while (!this.#completed && this.#failure === null) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves with the file's path once it exists; rejects if the download fails first. */
  async whenOpened(): Promise<string> {
    await this.#until(() => this.#path !== null);
    return this.#path!;
  }

  /**
   * Waits until [offsetBytes, offsetBytes + lengthBytes) has landed, or the file ends inside it;
   * resolves with how many of those bytes may be read (short only at the end).
   */
  async readable(offsetBytes: number, lengthBytes: number): Promise<number> {
    const endBytes = (): number => Math.min(offsetBytes + lengthBytes, this.#totalBytes ?? Infinity);
    await this.#until(() => this.#completed || this.#landedBytes >= endBytes());
    const readableBytes = Math.max(0, Math.min(endBytes(), this.#landedBytes) - offsetBytes);
    this.#handedOutBytes = Math.max(this.#handedOutBytes, offsetBytes + readableBytes);
    return readableBytes;
  }

  async #until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      if (ready()) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #wake(): void {
    if (this.#waiters.length === 0) return; // the usual case, called per landed chunk while the write is busy elsewhere
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The file as a seekable FlashSource: `readNext` waits at the download's edge; `readAt` (the
 * verification's re-read, after the download completed) reads the finished file. `sizeBytes` is
 * the download's total as soon as it is known.
 */
export async function openGrowingFileSource(growing: GrowingFile): Promise<FlashSource> {
  const path = await growing.whenOpened();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FlashFailure('source-unreadable', `cannot open the download ${path}: ${(error as Error).message}`);
  }
  let positionBytes = 0;
  /** Reads [offsetBytes, offsetBytes + readableBytes) of the file into `into`: bytes the download reported landed. */
  const readLanded = async (into: Uint8Array, offsetBytes: number, readableBytes: number): Promise<number> => {
    let filled = 0;
    // read() may return fewer bytes than asked: loop until the landed range is read.
    while (filled < readableBytes) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(into, filled, readableBytes - filled, offsetBytes + filled));
      } catch (error) {
        throw new FlashFailure(
          'source-unreadable',
          `reading ${path} at byte ${offsetBytes + filled} failed: ${(error as Error).message}`,
          offsetBytes + filled,
        );
      }
      if (bytesRead === 0) {
        const message = `${path} ended at byte ${offsetBytes + filled}, though the download reported ${growing.landedBytes} bytes written`;
        throw new FlashFailure('source-unreadable', message, offsetBytes + filled);
      }
      filled += bytesRead;
    }
    return filled;
  };
  const { held } = growing;
  return {
    path,
    compression: 'none',
    get sizeBytes() {
      return growing.totalBytes;
    },
    isSeekable: true,
    // The verification's re-read: always the file, which the drives are compared with.
    readAt: async (into, offsetBytes) => readLanded(into, offsetBytes, await growing.readable(offsetBytes, into.length)),
    // The write: from the bytes held in memory when the download runs here (held-bytes.ts), else from the file.
    async readNext(into) {
      const readableBytes = await growing.readable(positionBytes, into.length);
      if (held !== null) held.take(into, positionBytes, readableBytes);
      else await readLanded(into, positionBytes, readableBytes);
      positionBytes += readableBytes;
      return readableBytes;
    },
    close: async () => {
      held?.release();
      await handle.close();
    },
  };
}
