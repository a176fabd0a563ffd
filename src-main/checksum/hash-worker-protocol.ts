// Messages between a hashing worker (hash-worker.ts) and its client (hash-worker-client.ts). The worker
// hashes ranges of one shared memory in place, never a copy: the checksum pass's read-ahead ring, or
// the flash's aligned arena (a shared WebAssembly.Memory), whose slots the write reads at the same time.
import type { HashAlgorithm, HashDigests } from '../../shared/checksum.ts';

export interface HashWorkerData {
  readonly memory: SharedArrayBuffer;
  /** Running hashes over the stream of ranges sent with `update`, in order. */
  readonly algorithms: readonly HashAlgorithm[];
  /** For `blocks`: an XXH64 per block of this many bytes (verifying a source that can be read only once); 0 when not used. */
  readonly blockBytes: number;
}

export type ToWorker =
  | { readonly type: 'update'; readonly id: number; readonly startBytes: number; readonly lengthBytes: number }
  | { readonly type: 'blocks'; readonly id: number; readonly startBytes: number; readonly lengthBytes: number }
  /** Finishes the running hashes and starts them afresh. */
  | { readonly type: 'digest'; readonly id: number };

export type FromWorker =
  | { readonly type: 'updated'; readonly id: number }
  /** 8 bytes (big-endian XXH64) per block, in order. */
  | { readonly type: 'blocks'; readonly id: number; readonly digests: Uint8Array }
  | { readonly type: 'digests'; readonly id: number; readonly digests: HashDigests }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** Bytes of one block digest (XXH64). */
export const blockDigestBytes = 8;
