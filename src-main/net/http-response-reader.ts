// Reads one HTTP/1.1 answer from a socket (one request per connection: `Connection: close` is sent),
// with the parser of http-response-parser.ts: the head into a small buffer of its own, then the body
// straight into the memory its BodySink hands out. The socket is made with Node's `onread` option
// (net.connect, tls.connect), so each read lands where this reader says, with no Buffer allocated
// per read and no 'data' event. Measured for issue 19 (256 MiB over HTTP from the bench's server):
// Node's 'data' events alone took 0.37-0.44 s, curl -o 0.28-0.30 s; this reader into a sink that
// drops the bytes, 0.05-0.07 s in process.
//
// Node's onread (lib/internal/stream_base_commons.js onStreamRead): after each read's callback the
// `buffer` function is asked where the NEXT read lands; a callback returning false stops reading
// until socket.resume(). So the read that follows a pause (the head, waiting for the caller to look
// at the status; a sink's write to wait for) lands in a bounce buffer of this reader's and is copied
// into the sink, at once when the sink takes it (then the next read lands in the sink again):
// space() is asked only when the sink can take bytes. A TLS socket may still hand over the records
// it had decrypted after a callback said stop: those land in the bounce buffer too and wait in a
// queue, in order, never dropped. A TLS socket over an existing one (the proxy's CONNECT tunnel)
// ignores onread (Node 20), so that one is read from 'data' events, each copied into the sink the
// same way.
import type { Socket } from 'node:net';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { BodySink } from './body-sink.ts';
import { bodyDecoderFor, ResponseHeadReader, type BodyDecoder, type ResponseHead } from './http-response-parser.ts';

/** A body not read yet: read it into a sink, or close the connection. */
export interface ResponseBody {
  /**
   * Reads the body into `sink`; resolves with its byte count once its framing says it ended (or,
   * without framing, at the close). A connection that ends early is `length-mismatch`; the signal
   * ends it with CancelledError; a sink's rejection passes unchanged.
   */
  readInto(sink: BodySink, signal?: AbortSignal): Promise<number>;
  /** Closes the connection, body read or not. */
  close(): void;
}

/** Where a read after a pause lands before it is copied into the sink. */
const bounceBytes = 64 * 1024;

type Phase = 'head' | 'held' | 'body' | 'settled';

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ResponseReader implements ResponseBody {
  /** What the socket is made with: net.connect({ onread }) or tls.connect({ onread }). */
  readonly onread = {
    buffer: (): Uint8Array => this.#nextReadBuffer(),
    callback: (byteCount: number): boolean => this.#onRead(byteCount),
  };
  readonly #headReader: ResponseHeadReader;
  #phase: Phase = 'head';
  #socket: Socket | null = null;
  #head: ResponseHead | null = null;
  /** Body bytes (decoded) in this reader's memory (those that came with the head, bounced reads, 'data' chunks) not yet in the sink: copied in order before reading goes on. */
  readonly #queue: Uint8Array[] = [];
  #bounce: Buffer | null = null;
  /** Where the read in progress lands: the head's buffer, the bounce buffer or the sink's view. */
  #readTarget: 'head' | 'bounce' | 'sink' = 'head';
  #sinkView: Uint8Array = new Uint8Array(0);
  #sink: BodySink | null = null;
  #decoder: BodyDecoder | null = null;
  #bodyBytes = 0;
  /** The sink's write being waited for: meanwhile reads land in the bounce buffer, not the sink. */
  #pendingWrite: Promise<void> | null = null;
  /** The socket was told to stop reading (a callback returned false, or paused): resume() before reading on. */
  #isStopped = false;
  #ended = false;
  #failure: unknown = null;
  #waiter: Waiter | null = null;

  constructor(
    private readonly url: string,
    /** The host (or proxy) named by a failure before the head. */
    private readonly peer: string,
  ) {
    this.#headReader = new ResponseHeadReader(url);
  }

  /** Reads the head from `socket` (made with this.onread unless `dataEvents`); reading then stops until readInto or close. */
  readHead(socket: Socket, signal: AbortSignal | undefined, dataEvents: boolean): Promise<ResponseHead> {
    this.#socket = socket;
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onEnd());
    socket.on('error', (error: Error) => this.#fail(this.#asFailure(error)));
    if (dataEvents) socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    return this.#wait<ResponseHead>(signal, () => new CancelledError(`the request to ${this.url}`));
  }

  readInto(sink: BodySink, signal?: AbortSignal): Promise<number> {
    if (this.#phase !== 'held') return Promise.reject(this.#failure ?? new Error('readInto: no head read, or the body was read already'));
    this.#phase = 'body';
    this.#sink = sink;
    const body = this.#wait<number>(signal, () => new CancelledError(`the download of ${this.url}`));
    this.#goOn();
    return body;
  }

  close(): void {
    this.#phase = 'settled';
    this.#socket?.destroy();
  }

  #wait<T>(signal: AbortSignal | undefined, cancelled: () => CancelledError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => this.#fail(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settled = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#waiter = null;
      };
      this.#waiter = {
        resolve: (value) => (settled(), resolve(value as T)),
        reject: (error) => (settled(), reject(error)),
      };
      if (signal?.aborted) onAbort();
    });
  }

  /** Asked by Node after every read's callback: where the next read lands. Never throws (Node would). */
  #nextReadBuffer(): Uint8Array {
    try {
      return this.#readBufferFor();
    } catch (error) {
      this.#fail(error); // a sink's space() that failed: the body ends with its error
      this.#readTarget = 'bounce';
      return (this.#bounce ??= Buffer.allocUnsafe(bounceBytes));
    }
  }

  #readBufferFor(): Uint8Array {
    if (this.#phase === 'head') {
      this.#readTarget = 'head';
      return this.#headReader.space();
    }
    const decoder = this.#decoder;
    if (this.#phase === 'body' && this.#pendingWrite === null && this.#sink !== null && decoder !== null) {
      const space = this.#sink.space();
      // A Content-Length body: never read past its end (what follows is no byte of it).
      this.#sinkView = decoder.wireBytesLeft < space.length ? space.subarray(0, decoder.wireBytesLeft) : space;
      this.#readTarget = 'sink';
      return this.#sinkView;
    }
    this.#readTarget = 'bounce';
    return (this.#bounce ??= Buffer.allocUnsafe(bounceBytes));
  }

  /** A read of `byteCount` bytes landed where #nextReadBuffer said; false stops reading. */
  #onRead(byteCount: number): boolean {
    try {
      if (this.#readTarget === 'head') this.#headReceived(byteCount);
      else if (this.#readTarget === 'bounce') {
        this.#received((this.#bounce ?? Buffer.alloc(0)).subarray(0, byteCount));
        if (this.#queue.length > 0) this.#bounce = null; // the queue holds it: the next bounced read gets fresh memory
      } else this.#sinkReceived(byteCount);
    } catch (error) {
      this.#fail(error);
    }
    const isReading = this.#phase === 'head' || (this.#phase === 'body' && this.#pendingWrite === null);
    this.#isStopped = !isReading;
    return isReading;
  }

  /** The head's reader took `byteCount` bytes; once the head is whole, the bytes after it are the body's first. */
  #headReceived(byteCount: number): void {
    const parsed = this.#headReader.received(byteCount);
    if (parsed === null) return;
    this.#head = parsed.head;
    this.#decoder = bodyDecoderFor(parsed.head.framing, this.url, parsed.head.headBytes);
    this.#phase = 'held';
    this.#received(parsed.bodyBytes);
    this.#waiter?.resolve(parsed.head);
  }

  /** The tunnel's TLS socket: a chunk from a 'data' event, taken like a bounced read. */
  #onData(chunk: Buffer): void {
    this.#socket?.pause();
    this.#isStopped = true;
    try {
      let offsetBytes = 0;
      while (this.#phase === 'head' && offsetBytes < chunk.length) {
        const copiedBytes = chunk.copy(this.#headReader.space(), 0, offsetBytes);
        offsetBytes += copiedBytes;
        this.#headReceived(copiedBytes);
      }
      if (this.#phase === 'head') this.#readOn();
      else this.#received(chunk.subarray(offsetBytes));
    } catch (error) {
      this.#fail(error);
    }
  }

  /** A read landed in the sink's view: its body bytes (decoded in place) are the sink's. */
  #sinkReceived(byteCount: number): void {
    const decoder = this.#decoder;
    if (decoder === null) return;
    const bodyBytes = decoder.decode(this.#sinkView, byteCount);
    if (bodyBytes > 0) this.#landed(bodyBytes);
    if (decoder.done && this.#pendingWrite === null) this.#finish();
  }

  /** Bytes in this reader's memory: decoded in place, queued, and copied into the sink now if it can take them. */
  #received(bytes: Uint8Array): void {
    const decoder = this.#decoder;
    if (this.#phase === 'settled' || decoder === null) return;
    const bodyBytes = decoder.decode(bytes, Math.min(bytes.length, decoder.wireBytesLeft));
    if (bodyBytes > 0) this.#queue.push(bytes.subarray(0, bodyBytes));
    this.#goOn();
  }

  /**
   * `byteCount` body bytes are in the sink's last space(); a write to wait for stops reading until it
   * settles. The stall timer (the socket's idle timeout) is off meanwhile: it is there to catch a
   * server that sends nothing, and a sink that holds the reading back (a slow disk, or a stick being
   * written from these bytes) keeps the server waiting on us.
   */
  #landed(byteCount: number): void {
    this.#bodyBytes += byteCount;
    const written = this.#sink?.wrote(byteCount);
    if (written === undefined) return;
    this.#pendingWrite = written;
    const idleTimeoutMs = this.#socket?.timeout ?? 0;
    this.#socket?.setTimeout(0);
    written.then(
      () => {
        this.#socket?.setTimeout(idleTimeoutMs);
        this.#pendingWrite = null;
        this.#goOn();
      },
      (error: unknown) => this.#fail(error),
    );
  }

  /**
   * The one place reading goes on from: after a write settled, bytes were queued, the body was
   * asked for or the connection ended. Queued bytes are copied first; then the body is whole, cut,
   * or the socket reads on (into the sink).
   */
  #goOn(): void {
    if (this.#phase !== 'body' || this.#pendingWrite !== null) return;
    const sink = this.#sink;
    for (let queued = this.#queue[0]; queued !== undefined && sink !== null; queued = this.#queue[0]) {
      const space = sink.space();
      const countBytes = Math.min(space.length, queued.length);
      space.set(queued.subarray(0, countBytes));
      if (countBytes === queued.length) this.#queue.shift();
      else this.#queue[0] = queued.subarray(countBytes);
      this.#landed(countBytes);
      if (this.#pendingWrite !== null) return;
    }
    if (this.#decoder?.done === true) this.#finish();
    else if (this.#ended) this.#judgeEnd();
    else this.#readOn();
  }

  #readOn(): void {
    if (!this.#isStopped) return;
    this.#isStopped = false;
    this.#socket?.resume();
  }

  #onEnd(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#phase === 'head') {
      const receivedBytes = this.#headReader.receivedBytes;
      this.#fail(new CodedError('network', `${this.peer}: the connection closed after ${receivedBytes} bytes, before the answer's head ended`));
    } else this.#goOn();
  }

  /** The connection ended before the framing said the body did: whole only for a body read to the close. */
  #judgeEnd(): void {
    const framing = this.#head?.framing;
    if (framing?.kind === 'close' || this.#decoder?.done === true) return this.#finish();
    this.#fail(this.#cutError('the server closed it'));
  }

  #cutError(why: string): CodedError {
    const framing = this.#head?.framing;
    const expected = framing?.kind === 'length' ? `of the ${framing.bodyBytes} its Content-Length announced` : 'before the end of its chunked body';
    return new CodedError('length-mismatch', `${this.url}: the connection ended after ${this.#bodyBytes} bytes ${expected} (${why})`);
  }

  /** A socket error: a CodedError (a stall, set by the idle timer) as it is; else `network` before the body, a cut during it. */
  #asFailure(error: Error): unknown {
    if (error instanceof CodedError) return error;
    if (this.#phase === 'body') return this.#cutError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    return new CodedError('network', `${this.peer}: ${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`);
  }

  #finish(): void {
    if (this.#phase === 'settled') return;
    this.#phase = 'settled';
    this.#socket?.destroy();
    this.#waiter?.resolve(this.#bodyBytes);
  }

  #fail(error: unknown): void {
    if (this.#phase === 'settled') return;
    this.#phase = 'settled';
    this.#failure = error;
    this.#socket?.destroy();
    this.#waiter?.reject(error);
  }
}
