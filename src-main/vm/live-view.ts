// The in-app view of a headless VM (issue 18 "Window"): every tick, the serial console's new text
// and the firmware's (QEMU writes each to a file this tails: SeaBIOS logs on its debug console, where
// it says "No bootable device."), and a QMP screendump converted to PNG, sent only when the screen
// changed. The text per batch is bounded; what a flooding guest writes beyond it waits for the next
// tick, so memory stays bounded whatever the guest does. The FILES are bounded too: a guest flooding
// either console past its cap (`maxSerialFileBytes`, `maxFirmwareLogBytes`) ends the trial (`flooded`).
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { CodedError } from '../jobs/errors.ts';
import { ppmToPng } from './ppm-to-png.ts';
import type { QmpClient } from './qmp-client.ts';

/** One batch of what the VM shows, as `vm:screen` carries it. */
export interface LiveBatch {
  /** The serial console's text since the previous batch, at most `maxSerialBytesPerBatch` bytes of it. */
  readonly serialText: string;
  /** The firmware log's text since the previous batch, as bounded; empty without a firmware log. */
  readonly firmwareText: string;
  /** The screen as a PNG when it changed since the last one sent; null otherwise. */
  readonly screenshotPng: Buffer | null;
  readonly elapsedMs: number;
}

export interface LiveViewOptions {
  readonly serialPath: string;
  /** The firmware's debug console (qemu-args.ts); none when null or absent. */
  readonly firmwareLogPath?: string | null;
  readonly ppmPath: string;
  readonly startedMs: number;
  readonly onBatch: (batch: LiveBatch) => void;
  /** The serial file's size that ends the trial (default `maxSerialFileBytes`; tests give a small one). */
  readonly maxSerialFileBytes?: number;
  /** The firmware log's size that ends the trial (default `maxFirmwareLogBytes`; tests give a small one). */
  readonly maxFirmwareLogBytes?: number;
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

/** The firmware log's cap, for the same reason: SeaBIOS writes about 5 KiB there in a whole boot, a guest writing port 0x402 in a loop much more. */
const maxFirmwareLogBytes = 1024 * 1024;

/** A QMP screendump: QEMU writes the screen to `ppmPath` as a PPM (its only format before 7.1), read back here. */
export async function screendump(qmp: QmpClient, ppmPath: string): Promise<Buffer> {
  await qmp.execute('screendump', { filename: ppmPath });
  return readFile(ppmPath);
}

/** What QEMU appended to one of its files since the last read (it creates the file at start; absent before). */
class FileTail {
  #file: FileHandle | null = null;
  #offsetBytes = 0;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });

  /** `what` names the file in the flood error ("its serial console"); past `limitBytes` the trial ends. */
  constructor(
    readonly path: string,
    readonly what: string,
    readonly limitBytes: number,
  ) {}

  get offsetBytes(): number {
    return this.#offsetBytes;
  }

  /** The new text, at most `chunk.length` bytes of it, and the file's whole size. */
  async read(chunk: Uint8Array): Promise<{ text: string; sizeBytes: number }> {
    this.#file ??= await open(this.path, 'r').catch(() => null);
    if (this.#file === null) return { text: '', sizeBytes: 0 };
    const { size } = await this.#file.stat();
    const { bytesRead } = await this.#file.read(chunk, 0, chunk.length, this.#offsetBytes);
    this.#offsetBytes += bytesRead;
    // stream: true keeps a UTF-8 sequence cut at the batch's end for the next batch.
    return { text: this.#decoder.decode(chunk.subarray(0, bytesRead), { stream: true }), sizeBytes: size };
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = null;
  }
}

/** Tails the serial file (and the firmware log) and takes screenshots on demand; `finish` releases the files. */
export class LiveView {
  readonly #serial: FileTail;
  readonly #firmware: FileTail | null;
  #reportFlood: (error: CodedError) => void = () => undefined;
  /** Settles (never rejects) with the error to end the trial with once a tick finds a file past its limit. */
  readonly flooded = new Promise<CodedError>((resolve) => (this.#reportFlood = resolve));
  #lastScreenDigest = '';
  /** One read buffer for every tick (ticks run one at a time, files one after another; the decoders copy what they keep). */
  readonly #chunk = new Uint8Array(maxSerialBytesPerBatch);
  /** Ticks run one after another: two reads of a file at the same offset would send its text twice. */
  #previous: Promise<void> = Promise.resolve();

  constructor(private readonly options: LiveViewOptions) {
    this.#serial = new FileTail(options.serialPath, 'its serial console', options.maxSerialFileBytes ?? maxSerialFileBytes);
    const firmwareLimitBytes = options.maxFirmwareLogBytes ?? maxFirmwareLogBytes;
    this.#firmware = options.firmwareLogPath == null ? null : new FileTail(options.firmwareLogPath, "the firmware's debug console", firmwareLimitBytes);
  }

  /** The text `tail` has new; a file past the limit ends the trial. */
  async #readText(tail: FileTail | null): Promise<string> {
    if (tail === null) return '';
    const { text, sizeBytes } = await tail.read(this.#chunk);
    if (sizeBytes > tail.limitBytes)
      this.#reportFlood(
        new CodedError(
          'too-large',
          `the guest wrote ${sizeBytes} bytes to ${tail.what}, over the ${tail.limitBytes} bytes a trial keeps: the trial was stopped`,
        ),
      );
    return text;
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
    const serialText = await this.#readText(this.#serial);
    const firmwareText = await this.#readText(this.#firmware);
    const screenshotPng = qmp === null ? null : await this.#readScreen(qmp);
    if (serialText === '' && firmwareText === '' && screenshotPng === null) return;
    this.options.onBatch({ serialText, firmwareText, screenshotPng, elapsedMs: Math.round(performance.now() - this.options.startedMs) });
  }

  /** Bytes read so far from both files: a tick that reads nothing leaves it unchanged. */
  #bytesRead(): number {
    return this.#serial.offsetBytes + (this.#firmware?.offsetBytes ?? 0);
  }

  /** Sends what the files still hold after QEMU ended (at most 64 batches: 4 MiB each), then closes them. */
  async finish(): Promise<void> {
    for (let batches = 0; batches < 64; batches += 1) {
      const before = this.#bytesRead();
      await this.tick(null);
      if (this.#bytesRead() === before) break;
    }
    await this.#serial.close();
    await this.#firmware?.close();
  }
}
