// One hashing worker thread (hash-worker.ts) seen from the thread that reads: each request names a
// range of the shared memory and resolves when the worker is done with it (the range may then be
// refilled). Used by the checksum pass and by the flash, so both hash with the same code.
import type { Worker } from 'node:worker_threads';
import type { HashDigests } from '../../shared/checksum.ts';
import { startEngineWorker } from '../jobs/engine-worker.ts';
import type { FromWorker, HashWorkerData, ToWorker } from './hash-worker-protocol.ts';

type Pending = { readonly resolve: (reply: FromWorker) => void; readonly reject: (error: Error) => void };

export class HashWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(data: HashWorkerData) {
    this.worker = spawnHashWorker(data);
    this.worker.on('message', (reply: FromWorker) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'failed') waiter?.reject(new Error(`hashing worker: ${reply.message}`));
      else waiter?.resolve(reply);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`a hashing worker exited with code ${code} before it finished`)));
  }

  /** Feeds memory[startBytes, startBytes + lengthBytes) to the running hashes (calls in stream order). */
  async update(startBytes: number, lengthBytes: number): Promise<void> {
    await this.request({ type: 'update', id: 0, startBytes, lengthBytes });
  }

  /** One XXH64 per block of the range (8 bytes each). */
  async blocks(startBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const reply = await this.request({ type: 'blocks', id: 0, startBytes, lengthBytes });
    if (reply.type !== 'blocks') throw new Error(`hashing worker answered ${reply.type} to blocks`);
    return reply.digests;
  }

  /** The running hashes' digests (after every update sent before); they start afresh. */
  async digest(): Promise<HashDigests> {
    const reply = await this.request({ type: 'digest', id: 0 });
    if (reply.type !== 'digests') throw new Error(`hashing worker answered ${reply.type} to digest`);
    return reply.digests;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    this.failAll(new Error('the hashing worker was closed'));
  }

  private request(message: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } satisfies ToWorker);
    });
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/** The hashing worker, started as every engine worker is (jobs/engine-worker.ts). */
function spawnHashWorker(workerData: HashWorkerData): Worker {
  return startEngineWorker('hash-worker', import.meta.url, { workerData, stdout: false, stderr: false });
}
