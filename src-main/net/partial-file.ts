// The file a download writes, with the SHA-256 of exactly the bytes it holds. Bytes kept from an
// earlier try are read back through the hash before anything is appended (a file on disk is never
// trusted: a flipped byte there changes the digest, as it changes the file), new bytes are hashed as
// they are written, and a restart truncates the file and the hash together. Writes are batched
// (~1 MiB) so a 16 KiB TLS record is not one system call each.
import { open, type FileHandle } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { throwIfCancelled } from '../jobs/errors.ts';

/** Where the landed bytes go next: the streaming consumer and the progress report. */
export interface LandedListener {
  readonly onData?: ((offsetBytes: number, bytes: Uint8Array) => void) | undefined;
  readonly onLanded?: (sizeBytes: number) => void;
}

const batchBytes = 1024 * 1024;

export class PartialFile {
  /** Bytes written and hashed so far (the pending batch not included). */
  #sizeBytes = 0;
  #hash: Hash = createHash('sha256');
  #pending: Buffer[] = [];
  #pendingBytes = 0;

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

  /** Bytes on disk and in the hash (after flush). */
  get sizeBytes(): number {
    return this.#sizeBytes + this.#pendingBytes;
  }

  /** Size of the file on disk now (before rehashKept: the bytes an earlier try left). */
  async diskSizeBytes(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /** Reads the kept bytes from byte 0 through the hash, handing each range on as landed (a streaming consumer sees the file from its start). */
  async rehashKept(signal: AbortSignal | undefined): Promise<void> {
    const keptBytes = await this.diskSizeBytes();
    while (this.#sizeBytes < keptBytes) {
      throwIfCancelled(signal, `the download into ${this.path}`);
      const buffer = Buffer.allocUnsafe(Math.min(batchBytes, keptBytes - this.#sizeBytes));
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.#sizeBytes);
      if (bytesRead === 0) break; // shrunk under us: what was read is what is kept
      this.#landed(buffer.subarray(0, bytesRead));
    }
    await this.handle.truncate(this.#sizeBytes);
  }

  /** Queues `chunk` after the bytes so far; writes the batch once it reaches ~1 MiB. */
  async append(chunk: Buffer): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= batchBytes) await this.flush();
  }

  /** Writes the pending batch at the end of the file, hashes it and hands it on. */
  async flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const unwritten = [...chunks];
    let positionBytes = this.#sizeBytes;
    while (unwritten.length > 0) {
      const { bytesWritten } = await this.handle.writev(unwritten, positionBytes);
      if (bytesWritten === 0) throw new Error(`${this.path}: a write at byte ${positionBytes} made no progress`);
      positionBytes += bytesWritten;
      // writev may write less than asked: the rest goes on from where it stopped.
      let remainingBytes = bytesWritten;
      while (unwritten.length > 0 && remainingBytes >= (unwritten[0]?.length ?? 0)) remainingBytes -= unwritten.shift()?.length ?? 0;
      if (remainingBytes > 0 && unwritten[0]) unwritten[0] = unwritten[0].subarray(remainingBytes);
    }
    for (const chunk of chunks) this.#landed(chunk);
  }

  /** Drops every byte (a restart from byte 0): the file, the hash and the pending batch. */
  async restart(): Promise<void> {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#sizeBytes = 0;
    this.#hash = createHash('sha256');
    await this.handle.truncate(0);
  }

  /** Flushes, fsyncs and returns the SHA-256 (lower-case hex) of the whole file. */
  async finish(): Promise<string> {
    await this.flush();
    await this.handle.sync();
    return this.#hash.copy().digest('hex');
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  #landed(bytes: Buffer): void {
    this.#hash.update(bytes);
    const offsetBytes = this.#sizeBytes;
    this.#sizeBytes += bytes.length;
    this.listener.onData?.(offsetBytes, bytes);
    this.listener.onLanded?.(this.#sizeBytes);
  }
}
