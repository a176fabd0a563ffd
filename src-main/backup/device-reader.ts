// Reading a whole block device in order (I/O), as the flash reads a target back: O_DIRECT into page-aligned
// memory (flash/target), so the bytes come from the drive, not from a page cache that may hold stale
// or never-flushed data, and a backup of a 64 GB stick does not evict everything else from the cache.
// Each chunk is copied out of the aligned slot before it is handed on, so the slot is reused at once
// while downstream (hash, compressor, file) holds the copy; their backpressure bounds how many exist.
import { deviceSizeBytes, openReadBack } from '../flash/target/target-device.ts';
import { allocateAlignedSlots } from '../flash/target/aligned-memory.ts';
import { FlashFailure } from '../flash/flash-error.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';

/** Read at a time: large enough for full device speed, small enough to keep memory flat. */
export const backupChunkBytes = 4 * 1024 * 1024;

/** A device's bytes as a stream of chunks, with its size known before the first read. */
export interface DeviceBytes {
  readonly sizeBytes: number;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Closes the device; idempotent, and done by the chunks' end too (a run that never starts reading needs it). */
  close(): Promise<void>;
}

/**
 * Opens `device` for reading. With `deviceNumber`, only that whole block device is read (fstat of the
 * opened descriptor, as the elevated helper checks its targets): a path swapped for another device or a
 * file after the enumeration is refused.
 */
export async function openDeviceBytes(device: string, options: { deviceNumber?: string; signal?: AbortSignal }): Promise<DeviceBytes> {
  const expected = options.deviceNumber === undefined ? undefined : { deviceNumber: options.deviceNumber };
  const handle = await openReadBack(device, expected).catch((error: unknown) => {
    throw readFailure(error);
  });
  let closed = false;
  const close = async (): Promise<void> => {
    // Once: a second close of a reused descriptor number would close somebody else's file.
    if (closed) return;
    closed = true;
    await handle.close();
  };
  let sizeBytes: number;
  try {
    sizeBytes = await deviceSizeBytes(device);
  } catch (error) {
    await close();
    throw readFailure(error);
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const [slot] = allocateAlignedSlots(1, backupChunkBytes).slots;
    if (!slot) throw new Error('no aligned slot was allocated');
    try {
      for (let offsetBytes = 0; offsetBytes < sizeBytes;) {
        throwIfCancelled(options.signal, `the backup of ${device}`);
        const wantedBytes = Math.min(backupChunkBytes, sizeBytes - offsetBytes);
        const count = await handle.readAt(slot.subarray(0, wantedBytes), offsetBytes).catch((error: unknown) => {
          throw readFailure(error);
        });
        if (count < wantedBytes) {
          throw new CodedError('read-failed', `${device} ended at byte ${offsetBytes + count}; its size is ${sizeBytes} bytes`, {
            offsetBytes: offsetBytes + count,
          });
        }
        yield Buffer.from(slot.subarray(0, count));
        offsetBytes += count;
      }
    } finally {
      await close();
    }
  }
  return { sizeBytes, chunks: chunks(), close };
}

/** A FlashFailure from the target helpers as the contract's code: refusals stay refusals, the rest is a read failure. */
function readFailure(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  if (error instanceof FlashFailure) {
    const code = error.code === 'permission-denied' ? 'permission-denied' : error.code === 'refused' ? 'forbidden' : 'read-failed';
    return new CodedError(code, error.message, error.offsetBytes === null ? undefined : { offsetBytes: error.offsetBytes });
  }
  return new CodedError('read-failed', error instanceof Error ? error.message : String(error));
}
