// A download's feed (growing-file-source.ts) as plain-data events, for a writer in another process:
// the elevated helper. The engine keeps the download's state until the helper has connected (the OS
// prompt may take a while), then tells it that state and forwards each later report as it comes;
// the helper applies each event, checked, to its own GrowingFile.
import * as v from 'valibot';
import { flashErrorCodes } from '../../../shared/flash.ts';
import { FlashFailure } from '../flash-error.ts';
import { GrowingFile, type GrowingFeed } from './growing-file-source.ts';

const byteCount = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** One report of the download, as it crosses the helper's channel; nothing unlisted passes. */
const growingEventSchema = v.variant('event', [
  v.strictObject({ event: v.literal('opened'), path: v.pipe(v.string(), v.startsWith('/'), v.maxLength(4096)) }),
  v.strictObject({ event: v.literal('landed'), offsetBytes: byteCount, endBytes: byteCount }),
  v.strictObject({ event: v.literal('on-disk'), bytes: byteCount }),
  v.strictObject({ event: v.literal('total'), bytes: byteCount }),
  v.strictObject({ event: v.literal('completed'), sizeBytes: byteCount, sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) }),
  v.strictObject({ event: v.literal('failed'), code: v.picklist(flashErrorCodes), message: v.pipe(v.string(), v.maxLength(64 * 1024)) }),
]);

export type GrowingEvent = v.InferOutput<typeof growingEventSchema>;

/** Applies a channel message to `feed`; a malformed one fails the download (the writer then stops and marks what it wrote). */
export function applyGrowingEvent(feed: GrowingFeed, message: unknown): void {
  const parsed = v.safeParse(growingEventSchema, message);
  if (!parsed.success) return feed.failed(new FlashFailure('internal', 'the engine sent a malformed download report'));
  const event = parsed.output;
  if (event.event === 'opened') feed.opened(event.path);
  else if (event.event === 'landed') feed.landed(event.offsetBytes, event.endBytes);
  else if (event.event === 'on-disk') feed.onDisk(event.bytes);
  else if (event.event === 'total') feed.knowTotal(event.bytes);
  else if (event.event === 'completed') feed.completed(event.sizeBytes, event.sha256);
  else feed.failed(new FlashFailure(event.code, event.message));
}

/**
 * The engine's side: a feed whose state `mirror` keeps until `listen`, which then hears that state
 * (nothing was handed out before, so the file's edge is all that counts) and every later event.
 */
export class GrowingFeedLog implements GrowingFeed {
  readonly mirror = new GrowingFile();
  #listener: ((event: GrowingEvent) => void) | null = null;

  opened(path: string): void {
    this.mirror.opened(path);
    this.#listener?.({ event: 'opened', path });
  }
  /** Holds no bytes: the download is never held back here (the helper reads the file). */
  landed(offsetBytes: number, endBytes: number): undefined {
    this.mirror.landed(offsetBytes, endBytes);
    this.#listener?.({ event: 'landed', offsetBytes, endBytes });
    return undefined;
  }
  onDisk(bytes: number): void {
    this.mirror.onDisk(bytes);
    this.#listener?.({ event: 'on-disk', bytes });
  }
  knowTotal(bytes: number): void {
    this.mirror.knowTotal(bytes);
    this.#listener?.({ event: 'total', bytes });
  }
  completed(sizeBytes: number, sha256: string): void {
    this.mirror.completed(sizeBytes, sha256);
    this.#listener?.({ event: 'completed', sizeBytes, sha256 });
  }
  failed(failure: FlashFailure): void {
    this.mirror.failed(failure);
    this.#listener?.({ event: 'failed', code: failure.code, message: failure.message });
  }

  /** Tells `listener` the state so far, then forwards every later event to it. */
  listen(listener: (event: GrowingEvent) => void): void {
    const { mirror } = this;
    if (mirror.path !== null) listener({ event: 'opened', path: mirror.path });
    if (mirror.totalBytes !== null && mirror.sha256 === null) listener({ event: 'total', bytes: mirror.totalBytes });
    if (mirror.landedBytes > 0 && mirror.sha256 === null) listener({ event: 'on-disk', bytes: mirror.landedBytes });
    if (mirror.sha256 !== null && mirror.totalBytes !== null) listener({ event: 'completed', sizeBytes: mirror.totalBytes, sha256: mirror.sha256 });
    if (mirror.failure !== null) listener({ event: 'failed', code: mirror.failure.code, message: mirror.failure.message });
    this.#listener = listener;
  }
}
