// Digests other than SHA-256 (which net/ computes) over a download's bytes as they land, for sums
// files that list SHA-512 and the like. Hashed synchronously in net/'s onData: nothing is copied or
// queued, so memory stays bounded however fast the bytes arrive (the hash is the backpressure, as
// net/'s own SHA-256 is). A resume lands the kept bytes first, from byte 0 (net/ replays them as it
// re-reads them), and a restart lands byte 0 again: both start the digests afresh. Any other jump (a
// range that does not follow the last) is noted, and digest() re-reads the whole file once instead.
import { open } from 'node:fs/promises';
import type { HashAlgorithm } from '../../shared/checksum.ts';
import { createHashGroup, type HashGroup } from '../checksum/hash-group.ts';
import { CodedError } from '../jobs/errors.ts';

export class ExtraDigests {
  #group: HashGroup;
  #nextOffsetBytes = 0;
  /** A range landed elsewhere than where the last ended: the running digests no longer describe the file. */
  #jumped = false;

  constructor(
    private readonly partialPath: string,
    private readonly algorithms: readonly HashAlgorithm[],
  ) {
    this.#group = createHashGroup(algorithms);
  }

  /** Hashes `bytes`, which landed at `offsetBytes`, before returning (the caller may reuse its buffer). */
  landed(offsetBytes: number, bytes: Uint8Array): void {
    if (offsetBytes === 0) {
      this.#group = createHashGroup(this.algorithms);
      this.#jumped = false;
    } else if (offsetBytes !== this.#nextOffsetBytes) {
      this.#jumped = true;
    }
    if (!this.#jumped) this.#group.update(bytes);
    this.#nextOffsetBytes = offsetBytes + bytes.length;
  }

  /** The digests of the file's `sizeBytes` bytes, re-read from the file once if the ranges did not run from 0 to the end. */
  async digest(sizeBytes: number): Promise<Partial<Record<HashAlgorithm, string>>> {
    if (this.#jumped || this.#nextOffsetBytes !== sizeBytes) await this.#rehashPrefix(sizeBytes);
    return this.#group.digest();
  }

  /** Starts the digests afresh over the file's first `endBytes` bytes. */
  async #rehashPrefix(endBytes: number): Promise<void> {
    this.#group = createHashGroup(this.algorithms);
    const file = await open(this.partialPath, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      for (let offsetBytes = 0; offsetBytes < endBytes;) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, endBytes - offsetBytes), offsetBytes);
        if (bytesRead === 0) throw new CodedError('read-failed', `${this.partialPath} ended at byte ${offsetBytes}, before the ${endBytes} bytes downloaded`);
        this.#group.update(buffer.subarray(0, bytesRead));
        offsetBytes += bytesRead;
      }
    } finally {
      await file.close();
    }
    this.#nextOffsetBytes = endBytes;
    this.#jumped = false;
  }
}
