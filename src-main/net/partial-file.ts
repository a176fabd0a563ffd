// The file a download writes, with the SHA-256 of exactly the bytes it holds. Bytes kept from an
// earlier try are read back through the hash before anything is appended (a file on disk is never
// trusted: a flipped byte there changes the digest, as it changes the file), new bytes are hashed as
// they are written, and a restart truncates the file and the hash together.
// The body is received straight into a ring of 1 MiB slots of shared memory (a BodySink: the socket
// reads into space(), no copy, no buffer per read). A full slot is hashed by checksum/'s hashing
// worker and written to the file at the same time, while the socket fills the next: the main thread
// only receives (the bench, 256 MiB over HTTP: SHA-256 on the main thread made the receive wait
// ~0.17 s for it; curl's whole download takes 0.29 s). Slots land in file order: hashed, written,
// then handed to the streaming consumer and reused.
// No fsync, on purpose: it bought no trust and cost the most (bench: a download took as long as
// curl + sync, 0.39x curl). Trust comes from the hash of this run's bytes; durability is the page
// cache's, as for curl -o. What a crash leaves and what catches it:
//   - a process killed mid-download: the page cache still holds every byte written; the next run
//     resumes and re-reads them through the hash (rehashKept);
//   - the machine losing power: the `.partial` (or, after the caller's rename, the file) may be
//     shorter or hold zeros where writes were lost. Nothing ever trusts it from a record: a resume
//     re-hashes the kept bytes (the finished SHA-256 is then checked against the sums files), a
//     complete cache file is never reused by a download (download-cache.ts: a complete slot is
//     downloaded afresh), and every later use of a file reads its bytes again (the checksum pass,
//     a flash's SHA-256 of what it writes and its read-back; the download's own verdicts live only
//     in memory for this run, assess/checksum-verdicts.ts). The fsync did not protect the resume
//     either: a power loss mid-download never reached it.
import { open, type FileHandle } from 'node:fs/promises';
import { HashWorkerClient } from '../checksum/hash-worker-client.ts';
import { pageAlignedSharedMemory } from '../io/shared-memory.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import type { BodySink } from './body-sink.ts';

/** Where the landed bytes go next: the streaming consumer (each range, in file order) and the progress report (once per slot). */
export interface LandedListener {
  /**
   * `bytes` is the slot's memory: valid only during the call (a consumer that keeps bytes copies
   * them), or until the promise it returns settles. A consumer that cannot take more returns one: the
   * slot and those after it land only then, so the socket is read no faster than the consumer goes.
   */
  readonly onData?: ((offsetBytes: number, bytes: Uint8Array) => Promise<void> | undefined) | undefined;
  readonly onLanded?: (sizeBytes: number) => void;
}

const slotBytes = 1024 * 1024;
/** Enough for the socket to fill slots while the hash and the disk take the ones before (8 MiB per download). */
const slotCount = 8;

export class PartialFile implements BodySink {
  readonly #memory = pageAlignedSharedMemory(slotBytes * slotCount);
  readonly #hasher = new HashWorkerClient({ memory: this.#memory, algorithms: ['sha256'], blockBytes: 0 });
  /** Free slots (indexes); the one being filled is taken from here. */
  readonly #free: number[] = Array.from({ length: slotCount }, (_, index) => index);
  #fillingSlot: number | null = null;
  #filledBytes = 0;
  /** Bytes written, hashed and handed on. */
  #landedBytes = 0;
  /** Bytes accepted but not landed yet: the slot filling and those being hashed and written. */
  #queuedBytes = 0;
  /** Some bytes went to the running hash since it last started: a restart must start it afresh. */
  #hashedSinceStart = false;
  /** One promise per slot shipped and not landed yet, oldest first (slots land in file order); none rejects. */
  readonly #landings: Promise<void>[] = [];
  /** The first failure of a write or of the hash: every later call that can throw throws it. */
  #failure: unknown = null;

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

  /** Bytes accepted so far (landed, being written or filling a slot): the offset the next byte belongs at. */
  get sizeBytes(): number {
    return this.#landedBytes + this.#queuedBytes;
  }

  /** BodySink: the free part of the slot being filled. */
  space(): Uint8Array {
    return this.#slotView(this.#takeFillingSlot()).subarray(this.#filledBytes);
  }

  /** BodySink: `byteCount` bytes were received into space(); a full slot is shipped. A promise: wait for a free slot (or the failure). */
  wrote(byteCount: number): Promise<void> | undefined {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#filledBytes += byteCount;
    this.#queuedBytes += byteCount;
    if (this.#filledBytes < slotBytes) return undefined;
    this.#ship(true);
    return this.#free.length > 0 ? undefined : this.#oldestLanded();
  }

  /** Reads the kept bytes from byte 0 through the hash, handing each range on as landed (a streaming consumer sees the file from its start). */
  async rehashKept(signal: AbortSignal | undefined): Promise<void> {
    const keptBytes = (await this.handle.stat()).size;
    while (this.sizeBytes < keptBytes) {
      throwIfCancelled(signal, `the download into ${this.path}`);
      const space = this.space();
      const { bytesRead } = await this.handle.read(space, 0, Math.min(space.length, keptBytes - this.sizeBytes), this.sizeBytes);
      if (bytesRead === 0) break; // shrunk under us: what was read is what is kept
      this.#filledBytes += bytesRead;
      this.#queuedBytes += bytesRead;
      this.#ship(false); // on the file already: hashed and handed on, not written again
      if (this.#free.length === 0) await this.#oldestLanded();
    }
    await this.#settled();
    await this.handle.truncate(this.#landedBytes);
  }

  /** Writes everything taken so far and waits until it has landed. */
  async flush(): Promise<void> {
    if (this.#filledBytes > 0) this.#ship(true);
    await this.#settled();
  }

  /** Drops every byte (a restart from byte 0): the file, the hash and the slot being filled. */
  async restart(): Promise<void> {
    await this.#settled();
    this.#queuedBytes = 0;
    this.#filledBytes = 0;
    this.#landedBytes = 0;
    // Finishing the running hash starts it afresh. A new download restarts before any byte: it need
    // not wait for the worker to start (~40 ms), which then overlaps the request instead.
    if (this.#hashedSinceStart) await this.#hasher.digest();
    this.#hashedSinceStart = false;
    // Only a file that holds bytes: ext4 takes a truncation to 0 for a rewrite in place and writes
    // the new data out at close (auto_da_alloc), which made a fresh 256 MiB download wait ~80 ms there.
    if ((await this.handle.stat()).size > 0) await this.handle.truncate(0);
  }

  /** Flushes (no fsync: see the header) and returns the SHA-256 (lower-case hex) of the whole file. */
  async finish(): Promise<string> {
    await this.flush();
    const { sha256 } = await this.#hasher.digest();
    if (sha256 === undefined) throw new Error('the hashing worker returned no SHA-256');
    return sha256;
  }

  /** Waits for the slots in flight, then closes the file and the hashing worker. A failure is not thrown here: the next wrote, flush or finish throws it. */
  async close(): Promise<void> {
    await Promise.all(this.#landings);
    await this.#hasher.close();
    await this.handle.close();
  }

  #takeFillingSlot(): number {
    if (this.#fillingSlot === null) {
      const slot = this.#free.shift();
      // wrote() and rehashKept() wait for a landing whenever the last free slot was taken.
      if (slot === undefined) throw new Error('PartialFile: space() asked with no free slot (the reader did not wait for wrote())');
      this.#fillingSlot = slot;
      this.#filledBytes = 0;
    }
    return this.#fillingSlot;
  }

  /** Hashes the filling slot (and writes it, unless it came from the file) at once; lands it after the slots before it. */
  #ship(write: boolean): void {
    const slot = this.#takeFillingSlot();
    const lengthBytes = this.#filledBytes;
    const positionBytes = this.sizeBytes - lengthBytes;
    this.#fillingSlot = null;
    this.#filledBytes = 0;
    const bytes = this.#slotView(slot).subarray(0, lengthBytes);
    const hashed = this.#hasher.update(slot * slotBytes, lengthBytes);
    this.#hashedSinceStart = true;
    const written = write ? this.#writeAll(bytes, positionBytes) : Promise.resolve();
    const processed = Promise.all([hashed, written]);
    // Handled at once: a write may fail (the disk full) while the slots before it are still landing,
    // and a rejection with no handler yet would end the process. The landing below still sees it.
    processed.catch(() => undefined);
    const landing = (this.#landings.at(-1) ?? Promise.resolve())
      .then(() => processed)
      .then(
        () => this.#land(slot, bytes),
        // Caught at once and kept: a rejection nobody awaits yet would end the process.
        (error: unknown) => {
          this.#failure ??= error;
          this.#free.push(slot);
        },
      )
      .finally(() => void this.#landings.shift());
    this.#landings.push(landing);
  }

  /** Waits until the oldest slot shipped has landed (and so is free again); throws the failure, if any. */
  async #oldestLanded(): Promise<void> {
    await this.#landings[0];
    this.#throwIfFailed();
  }

  async #writeAll(bytes: Uint8Array, positionBytes: number): Promise<void> {
    for (let doneBytes = 0; doneBytes < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, doneBytes, bytes.length - doneBytes, positionBytes + doneBytes);
      if (bytesWritten === 0) throw new Error(`${this.path}: a write at byte ${positionBytes + doneBytes} made no progress`);
      doneBytes += bytesWritten; // a write may write less than asked: the rest goes on from where it stopped
    }
  }

  /**
   * Counts the slot's bytes as landed, hands them to the streaming consumer (waiting while it holds
   * them), reports progress (once per slot) and frees the slot.
   */
  async #land(slot: number, bytes: Uint8Array): Promise<void> {
    if (this.#failure === null) {
      const offsetBytes = this.#landedBytes;
      this.#landedBytes += bytes.length;
      this.#queuedBytes -= bytes.length;
      await this.listener.onData?.(offsetBytes, bytes);
      this.listener.onLanded?.(this.#landedBytes);
    }
    this.#free.push(slot);
  }

  async #settled(): Promise<void> {
    await Promise.all(this.#landings);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  #slotView(slot: number): Uint8Array {
    return new Uint8Array(this.#memory, slot * slotBytes, slotBytes);
  }
}
