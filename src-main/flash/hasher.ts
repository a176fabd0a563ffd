// Hashing off the main thread for the flash, with the checksum engine's worker (checksum/hash-worker.ts):
// one worker computes the image's SHA-256 (node:crypto, i.e. OpenSSL) over the chunks as they are
// written, another a 64-bit XXH64 per 64 KiB block (hash-wasm) for verifying sources that cannot be
// re-read (compressed streams). Both read the chunks in place from the shared aligned arena the
// writes use: nothing is copied and nothing is read twice. Two workers, not one: SHA-256 runs on one
// core while the writes run on the other, and the fast block hash never waits for SHA-256.
import { HashWorkerClient } from '../checksum/hash-worker-client.ts';
import { blockDigestBytes } from '../checksum/hash-worker-protocol.ts';

/** Verification granularity: a mismatch is first located to a block of this size. */
export const digestBlockBytes = 64 * 1024;
export const digestBytes = blockDigestBytes;

export interface Hasher {
  /** XXH64 of each 64 KiB block of arena[start, start + length): 8 bytes per block. */
  hashBlocks(start: number, length: number): Promise<Uint8Array>;
  /** Feeds arena[start, start + length) to SHA-256; calls must come in image order. */
  updateSha256(start: number, length: number): Promise<void>;
  /** The SHA-256 of everything fed so far, as hex (null when SHA-256 is off); resets it. */
  digestSha256(): Promise<string | null>;
  close(): Promise<void>;
}

/** Starts only the workers asked for: a pass that needs neither hash should not create a Hasher at all. */
export function createHasher(memory: SharedArrayBuffer, options: { blocks: boolean; sha256: boolean }): Hasher {
  const blocks = options.blocks ? new HashWorkerClient({ memory, algorithms: [], blockBytes: digestBlockBytes }) : null;
  const sha = options.sha256 ? new HashWorkerClient({ memory, algorithms: ['sha256'], blockBytes: 0 }) : null;
  return {
    async hashBlocks(start, length) {
      if (!blocks) throw new Error('block hashing was not requested');
      return blocks.blocks(start, length);
    },
    async updateSha256(start, length) {
      if (sha) await sha.update(start, length);
    },
    async digestSha256() {
      if (!sha) return null;
      return (await sha.digest()).sha256 ?? null;
    },
    async close() {
      await Promise.all([blocks?.close(), sha?.close()]);
    },
  };
}
