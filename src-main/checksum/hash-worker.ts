// Entry point of a hashing worker thread, the one kind the engine runs: the checksum pass's workers
// each own some of its hashes, and the flash's two workers own the image's SHA-256 and the per-block
// XXH64 of sources read only once. Each request names a range of the shared memory, hashed in place;
// the reply says the range is free again. Protocol: hash-worker-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { IHasher } from 'hash-wasm';
import { createHashGroup, type HashGroup } from './hash-group.ts';
import { blockDigestBytes, type FromWorker, type HashWorkerData, type ToWorker } from './hash-worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs only as a worker thread');

const data = workerData as HashWorkerData;
const memory = new Uint8Array(data.memory);
let group: HashGroup = createHashGroup(data.algorithms);
// hash-wasm's XXH64 (WebAssembly), loaded only by a worker that digests blocks.
let blockHasher: Promise<IHasher> | null = null;

function rangeOf(startBytes: number, lengthBytes: number): Uint8Array {
  if (!(startBytes >= 0 && lengthBytes >= 0 && startBytes + lengthBytes <= memory.length)) {
    throw new Error(`range ${startBytes}+${lengthBytes} lies outside the ${memory.length}-byte shared memory`);
  }
  return memory.subarray(startBytes, startBytes + lengthBytes);
}

async function digestBlocks(bytes: Uint8Array): Promise<Uint8Array> {
  if (data.blockBytes <= 0) throw new Error('this worker was started without a block size');
  blockHasher ??= import('hash-wasm').then((hashWasm) => hashWasm.createXXHash64());
  const hasher = await blockHasher;
  const count = Math.ceil(bytes.length / data.blockBytes);
  const digests = new Uint8Array(count * blockDigestBytes);
  for (let index = 0; index < count; index += 1) {
    hasher.init();
    hasher.update(bytes.subarray(index * data.blockBytes, Math.min(bytes.length, (index + 1) * data.blockBytes)));
    digests.set(hasher.digest('binary'), index * blockDigestBytes);
  }
  return digests;
}

async function answer(message: ToWorker): Promise<FromWorker> {
  switch (message.type) {
    case 'update':
      group.update(rangeOf(message.startBytes, message.lengthBytes));
      return { type: 'updated', id: message.id };
    case 'blocks':
      return { type: 'blocks', id: message.id, digests: await digestBlocks(rangeOf(message.startBytes, message.lengthBytes)) };
    case 'digest': {
      const digests = group.digest();
      group = createHashGroup(data.algorithms);
      return { type: 'digests', id: message.id, digests };
    }
  }
}

// Requests are answered in the order they came: the running hashes see the ranges in stream order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    let reply: FromWorker;
    try {
      reply = await answer(message);
    } catch (error) {
      reply = { type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply, reply.type === 'blocks' ? [reply.digests.buffer as ArrayBuffer] : []);
  });
});
