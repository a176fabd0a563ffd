// The file a download writes, with the SHA-256 of exactly the bytes it holds. Bytes kept from an
// earlier try are read back through the hash before anything is appended (a file on disk is never
// trusted: a flipped byte there changes the digest, as it changes the file), new bytes are hashed as
// they are written, and a restart truncates the file and the hash together. Writes are batched
// (~1 MiB) so a 16 KiB TLS record is not one system call each, and one batch is written while the
// next fills, so the disk and the socket work at the same time. Every ~64 MiB written an fdatasync
// starts in the background (at most one at a time, never awaited by the socket's path), so the page
// cache never holds more than that unwritten and the fsync before the rename, which stays (crash
// safety), has little left to write: without it the whole file was flushed at the end, after the
// last byte had arrived (the bench: download = curl + sync).
import { open, type FileHandle } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { throwIfCancelled } from '../jobs/errors.ts';

/** Where the landed bytes go next: the streaming consumer (each chunk, in file order) and the progress report (once per batch). */
export interface LandedListener {
  readonly onData?: ((offsetBytes: number, bytes: Uint8Array) => void) | undefined;
  readonly onLanded?: (sizeBytes: number) => void;
}

const batchBytes = 1024 * 1024;
/** Written bytes between background fdatasyncs: large enough that the syncs cost few seeks, small enough that the final one is short. */
const syncEveryBytes = 64 * 1024 * 1024;

export class PartialFile {
  /** Bytes written, hashed and handed on. */
  #landedBytes = 0;
  /** Bytes accepted but not landed yet: the pending batch and the write in flight. */
  #queuedBytes = 0;
  #hash: Hash = createHash('sha256');
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** At most one batch is being written while the next one fills (the socket is read meanwhile). */
  #inFlight: Promise<void> = Promise.resolve();
  #writeError: unknown = null;
  /** The background fdatasync, if one runs (at most one), and where the file stood when the last one started. */
  #syncInFlight: Promise<void> | null = null;
  #syncStartedAtBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly listener: LandedListener,
  ) {}

  /** Opens `path`: kept as it is when `keep` (read it with rehashKept), else created empty. */
  static async open(path: string, keep: boolean, listener: LandedListener): Promise<PartialFile> {
    const handle = keep ? await open(path, 'r+').catch(() => open(path, 'w+')) : await open(path, 'w+');
    return new PartialFile(handle, path, listener);
  }

  /** Bytes accepted so far (landed, being written or pending): the offset the next byte belongs at. */
  get sizeBytes(): number {
    return this.#landedBytes + this.#queuedBytes;
  }

  /** Reads the kept bytes from byte 0 through the hash, handing each range on as landed (a streaming consumer sees the file from its start). */
  async rehashKept(signal: AbortSignal | undefined): Promise<void> {
    const keptBytes = (await this.handle.stat()).size;
    while (this.#landedBytes < keptBytes) {
      throwIfCancelled(signal, `the download into ${this.path}`);
      const buffer = Buffer.allocUnsafe(Math.min(batchBytes, keptBytes - this.#landedBytes));
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.#landedBytes);
      if (bytesRead === 0) break; // shrunk under us: what was read is what is kept
      const bytes = buffer.subarray(0, bytesRead);
      this.#hash.update(bytes);
      this.#land(bytes);
      this.listener.onLanded?.(this.#landedBytes);
    }
    await this.handle.truncate(this.#landedBytes);
  }

  /** Takes `chunk` after the bytes so far; starts writing the batch once it reaches ~1 MiB. */
  async append(chunk: Buffer): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#queuedBytes += chunk.length;
    if (this.#pendingBytes >= batchBytes) await this.#startBatch();
  }

  /** Writes everything taken so far and waits until it has landed. */
  async flush(): Promise<void> {
    await this.#startBatch();
    await this.#settled();
  }

  /** Drops every byte (a restart from byte 0): the file, the hash and the pending batch. */
  async restart(): Promise<void> {
    await this.#settled();
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#queuedBytes = 0;
    this.#landedBytes = 0;
    this.#syncStartedAtBytes = 0;
    this.#hash = createHash('sha256');
    await this.handle.truncate(0);
  }

  /** Flushes, fsyncs and returns the SHA-256 (lower-case hex) of the whole file. */
  async finish(): Promise<string> {
    await this.flush();
    await this.#syncInFlight;
    if (this.#writeError !== null) throw this.#writeError;
    await this.handle.sync();
    return this.#hash.copy().digest('hex');
  }

  /** Waits for the write in flight (its error, if any, is thrown here), then closes the file. */
  async close(): Promise<void> {
    await this.#inFlight;
    await this.#syncInFlight;
    await this.handle.close();
  }

  /** Hashes the pending batch (in file order: batches are written one after another) and starts writing it once the previous write has landed. */
  async #startBatch(): Promise<void> {
    await this.#settled();
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const chunk of chunks) this.#hash.update(chunk);
    // Caught at once and rethrown by #settled: a rejection nobody awaits yet would end the process.
    this.#inFlight = this.#writeBatch(chunks, this.#landedBytes).catch((error: unknown) => {
      this.#writeError = error;
    });
  }

  async #settled(): Promise<void> {
    await this.#inFlight;
    if (this.#writeError !== null) throw this.#writeError;
  }

  async #writeBatch(chunks: readonly Buffer[], positionBytes: number): Promise<void> {
    const unwritten = [...chunks];
    while (unwritten.length > 0) {
      const { bytesWritten } = await this.handle.writev(unwritten, positionBytes);
      if (bytesWritten === 0) throw new Error(`${this.path}: a write at byte ${positionBytes} made no progress`);
      positionBytes += bytesWritten;
      // writev may write less than asked: the rest goes on from where it stopped.
      let remainingBytes = bytesWritten;
      while (unwritten.length > 0 && remainingBytes >= (unwritten[0]?.length ?? 0)) remainingBytes -= unwritten.shift()?.length ?? 0;
      if (remainingBytes > 0 && unwritten[0]) unwritten[0] = unwritten[0].subarray(remainingBytes);
    }
    for (const chunk of chunks) {
      this.#queuedBytes -= chunk.length;
      this.#land(chunk);
    }
    // Once per batch (~1 MiB), not per chunk: the progress report, the room check and the feed behind it are not free.
    this.listener.onLanded?.(this.#landedBytes);
    this.#syncInBackground();
  }

  /** Starts an fdatasync once ~64 MiB more were written since the last one started, unless one still runs (then the next batch tries again). */
  #syncInBackground(): void {
    if (this.#syncInFlight !== null || this.#landedBytes - this.#syncStartedAtBytes < syncEveryBytes) return;
    this.#syncStartedAtBytes = this.#landedBytes;
    // A failed sync (EIO) is a write error: held, and thrown at the next step as a write's is.
    this.#syncInFlight = this.handle
      .datasync()
      .catch((error: unknown) => {
        this.#writeError ??= error;
      })
      .finally(() => {
        this.#syncInFlight = null;
      });
  }

  /** Counts `bytes` as landed and hands them to the streaming consumer; the caller reports the batch's progress. */
  #land(bytes: Buffer): void {
    const offsetBytes = this.#landedBytes;
    this.#landedBytes += bytes.length;
    this.listener.onData?.(offsetBytes, bytes);
  }
}
