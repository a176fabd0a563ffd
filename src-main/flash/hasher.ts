// Hashing off the main thread: one worker computes a 64-bit XXH64 per 64 KiB block (hash-wasm, WASM)
// for verifying sources that cannot be re-read (compressed streams), another the SHA-256 of the
// image (node:crypto, i.e. OpenSSL) for the checksum panel. Both read the chunks in place from the
// shared aligned arena: nothing is copied. Two workers, not one: on a multi-core machine the fast
// block hash never waits for SHA-256.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Verification granularity: a mismatch is first located to a block of this size. */
export const digestBlockBytes = 64 * 1024;
export const digestBytes = 8;

// The worker's code, run with `eval: true` so the bundle needs no separate worker file. It requires
// hash-wasm by the absolute path resolved here, which works from sources and from the built bundle.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const memory = new Uint8Array(workerData.buffer);
const blockBytes = workerData.blockBytes;
let sha = workerData.kind === 'sha256' ? createHash('sha256') : null;
let xxh = null;
const ready = workerData.kind === 'xxh64' ? require(workerData.hashWasmPath).createXXHash64().then((h) => { xxh = h; }) : Promise.resolve();
parentPort.on('message', (message) => {
  ready.then(() => {
    if (message.type === 'blocks') {
      const count = Math.ceil(message.length / blockBytes);
      const digests = new Uint8Array(count * 8);
      for (let index = 0; index < count; index += 1) {
        const start = message.start + index * blockBytes;
        const end = Math.min(message.start + message.length, start + blockBytes);
        xxh.init();
        xxh.update(memory.subarray(start, end));
        digests.set(xxh.digest('binary'), index * 8);
      }
      parentPort.postMessage({ id: message.id, digests }, [digests.buffer]);
    } else if (message.type === 'update') {
      sha.update(memory.subarray(message.start, message.start + message.length));
      parentPort.postMessage({ id: message.id });
    } else if (message.type === 'digest') {
      const hex = sha.digest('hex');
      sha = createHash('sha256');
      parentPort.postMessage({ id: message.id, hex });
    }
  }).catch((error) => parentPort.postMessage({ id: message.id, error: String(error && error.stack || error) }));
});
`;

interface Reply {
  readonly id: number;
  readonly digests?: Uint8Array;
  readonly hex?: string;
  readonly error?: string;
}

class HashWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(buffer: SharedArrayBuffer, kind: 'xxh64' | 'sha256') {
    const hashWasmPath = createRequire(import.meta.url).resolve('hash-wasm');
    this.worker = new Worker(workerSource, { eval: true, workerData: { buffer, kind, hashWasmPath, blockBytes: digestBlockBytes } });
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`hash worker: ${reply.error}`));
      else waiter?.resolve(reply);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('hash worker exited')));
  }

  request(message: { type: string; start?: number; length?: number }): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

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
export function createHasher(buffer: SharedArrayBuffer, options: { blocks: boolean; sha256: boolean }): Hasher {
  const blocks = options.blocks ? new HashWorker(buffer, 'xxh64') : null;
  const sha = options.sha256 ? new HashWorker(buffer, 'sha256') : null;
  return {
    async hashBlocks(start, length) {
      if (!blocks) throw new Error('block hashing was not requested');
      const reply = await blocks.request({ type: 'blocks', start, length });
      return reply.digests ?? new Uint8Array(0);
    },
    async updateSha256(start, length) {
      if (sha) await sha.request({ type: 'update', start, length });
    },
    async digestSha256() {
      if (!sha) return null;
      return (await sha.request({ type: 'digest' })).hex ?? null;
    },
    async close() {
      await Promise.all([blocks?.close(), sha?.close()]);
    },
  };
}
