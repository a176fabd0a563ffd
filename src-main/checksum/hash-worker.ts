// Entry point of a hashing worker thread: owns a few of the pass's hashes and feeds them each chunk the
// reader put in the shared ring (no copy), then hands the slot back. Protocol: hash-worker-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { createHashGroup } from './hash-group.ts';
import type { ToWorker, FromWorker, HashWorkerData } from './hash-worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs only as a worker thread');

const data = workerData as HashWorkerData;
const group = createHashGroup(data.algorithms);
const slots = data.ringSlots.map((buffer) => new Uint8Array(buffer));

port.on('message', (message: ToWorker) => {
  if (message.type === 'chunk') {
    const slot = slots[message.slot];
    if (!slot) throw new Error(`no ring slot ${message.slot}`);
    group.update(slot.subarray(0, message.lengthBytes));
    port.postMessage({ type: 'released', slot: message.slot } satisfies FromWorker);
  } else {
    port.postMessage({ type: 'digests', digests: group.digest() } satisfies FromWorker);
  }
});
