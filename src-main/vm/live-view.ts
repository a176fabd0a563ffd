// The in-app view of a headless VM (issue 18 "Window"): every tick, the serial console's new text
// (QEMU writes it to a file this tails) and a QMP screendump converted to PNG, sent only when the
// screen changed. The serial text per batch is bounded; what a flooding guest writes beyond it waits
// for the next tick, so memory stays bounded whatever the guest does. The serial FILE is bounded too:
// a guest flooding its console past `maxSerialFileBytes` ends the trial (see `flooded`).
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { CodedError } from '../jobs/errors.ts';
import { ppmToPng } from './ppm-to-png.ts';
import type { QmpClient } from './qmp-client.ts';

/** One batch of what the VM shows, as `vm:screen` carries it. */
export interface LiveBatch {
  /** The serial console's text since the previous batch, at most `maxSerialBytesPerBatch` bytes of it. */
  readonly serialText: string;
  /** The screen as a PNG when it changed since the last one sent; null otherwise. */
  readonly screenshotPng: Buffer | null;
  readonly elapsedMs: number;
}

export interface LiveViewOptions {
  readonly serialPath: string;
  readonly ppmPath: string;
  readonly startedMs: number;
  readonly onBatch: (batch: LiveBatch) => void;
  /** The serial file's size that ends the trial (default `maxSerialFileBytes`; tests give a small one). */
  readonly maxSerialFileBytes?: number;
}

/** `vm:screen` carries at most 64 KiB of serial text per batch (shared/vm.ts). */
export const maxSerialBytesPerBatch = 64 * 1024;

/**
 * A trial ends once its serial file passes this: the file lives in the scratch folder (on the host's
 * temporary disk) for as long as the trial runs, and a guest printing in a loop would fill that disk.
 * Truncating it instead is not safe: QEMU's file chardev opens it without O_APPEND (`append=off`,
 * qemu/chardev/char-file.c), so it would go on writing at its own offset past a hole.
 */
export const maxSerialFileBytes = 64 * 1024 * 1024;

/** A QMP screendump: QEMU writes the screen to `ppmPath` as a PPM (its only format before 7.1), read back here. */
export async function screendump(qmp: QmpClient, ppmPath: string): Promise<Buffer> {
  await qmp.execute('screendump', { filename: ppmPath });
  return readFile(ppmPath);
}

/** Tails the serial file and takes screenshots on demand; `close` releases the file. */
export class LiveView {
  #serial: FileHandle | null = null;
  #reportFlood: (error: CodedError) => void = () => undefined;
  /** Settles (never rejects) with the error to end the trial with once a tick finds the serial file past its limit. */
  readonly flooded = new Promise<CodedError>((resolve) => (this.#reportFlood = resolve));
  #serialOffsetBytes = 0;
  #lastScreenDigest = '';
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  /** One read buffer for every tick (ticks run one at a time; the decoder copies what it keeps). */
  readonly #serialChunk = new Uint8Array(maxSerialBytesPerBatch);
  /** Ticks run one after another: two reads of the serial file at the same offset would send its text twice. */
  #previous: Promise<void> = Promise.resolve();

  constructor(private readonly options: LiveViewOptions) {}

  /** The serial text QEMU appended since the last call (QEMU creates the file at start; absent before). */
  async #readSerial(): Promise<string> {
    this.#serial ??= await open(this.options.serialPath, 'r').catch(() => null);
    if (this.#serial === null) return '';
    const limitBytes = this.options.maxSerialFileBytes ?? maxSerialFileBytes;
    const { size } = await this.#serial.stat();
    if (size > limitBytes)
      this.#reportFlood(
        new CodedError('too-large', `the guest wrote ${size} bytes to its serial console, over the ${limitBytes} bytes a trial keeps: the trial was stopped`),
      );
    const chunk = this.#serialChunk;
    const { bytesRead } = await this.#serial.read(chunk, 0, chunk.length, this.#serialOffsetBytes);
    this.#serialOffsetBytes += bytesRead;
    // stream: true keeps a UTF-8 sequence cut at the batch's end for the next batch.
    return this.#decoder.decode(chunk.subarray(0, bytesRead), { stream: true });
  }

  /** QMP screendump (a PPM) as PNG when the pixels differ from the last one sent; null when unchanged or not taken. */
  async #readScreen(qmp: QmpClient): Promise<Buffer | null> {
    const ppm = await screendump(qmp, this.options.ppmPath).catch(() => null); // null: QEMU is quitting (the guest powered off)
    if (ppm === null) return null;
    // Compared before encoding: an unchanged screen costs a hash, not a deflate.
    const digest = createHash('sha256').update(ppm).digest('hex');
    if (digest === this.#lastScreenDigest) return null;
    this.#lastScreenDigest = digest;
    return ppmToPng(ppm);
  }

  /** One batch, sent when it has something new; without `qmp` only the serial text (QEMU has exited). */
  tick(qmp: QmpClient | null): Promise<void> {
    const next = this.#previous.then(() => this.#tickNow(qmp));
    this.#previous = next.catch(() => undefined);
    return next;
  }

  async #tickNow(qmp: QmpClient | null): Promise<void> {
    const serialText = await this.#readSerial();
    const screenshotPng = qmp === null ? null : await this.#readScreen(qmp);
    if (serialText === '' && screenshotPng === null) return;
    this.options.onBatch({ serialText, screenshotPng, elapsedMs: Math.round(performance.now() - this.options.startedMs) });
  }

  /** Sends what the serial file still holds after QEMU ended (at most 64 batches: 4 MiB), then closes it. */
  async finish(): Promise<void> {
    for (let batches = 0; batches < 64; batches += 1) {
      const before = this.#serialOffsetBytes;
      await this.tick(null);
      if (this.#serialOffsetBytes === before) break;
    }
    await this.#serial?.close();
    this.#serial = null;
  }
}
