// Messages between the hashing pass (hash-pass.ts) and its workers (hash-worker.ts).
import type { HashAlgorithm, HashDigests } from '../../shared/checksum.ts';

export interface HashWorkerData {
  readonly algorithms: readonly HashAlgorithm[];
  /** The read-ahead ring: the reader fills a slot, every worker hashes it, then the slot is reused. */
  readonly ringSlots: readonly SharedArrayBuffer[];
}

export type ToWorker = { readonly type: 'chunk'; readonly slot: number; readonly lengthBytes: number } | { readonly type: 'finish' };

export type FromWorker = { readonly type: 'released'; readonly slot: number } | { readonly type: 'digests'; readonly digests: HashDigests };
