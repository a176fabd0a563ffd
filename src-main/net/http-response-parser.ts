// A strict, bounded HTTP/1.1 response parser (RFC 9112) that does no I/O: the head (status line and
// header fields) and the body's framing (Content-Length, chunked, or read to the close). The socket
// side (http-response-reader.ts) feeds it; the tests feed it split at every byte boundary.
//
// Every byte is looked at a bounded number of times (the head is scanned once and parsed once; a
// chunked body's framing bytes go through a state machine one by one, its data is moved once), so
// the work is linear in the bytes received. What no server may send is refused with `http-framing`
// naming the URL, what was wrong and the byte of the answer where it was, never guessed around:
// framing that two readers could disagree on is how responses get smuggled (RFC 9112 11.2).
import { CodedError } from '../jobs/errors.ts';

/** The head (the final one and any 1xx before it) may not exceed this (Node's own limit is 16 KiB). */
export const maxHeadBytes = 64 * 1024;
/** Header fields in one head. */
export const maxFieldCount = 200;
/** RFC 9112 7.1: the chunk-size is hex; 16 digits hold any size a file can have (up to 2^53 - 1). */
export const maxChunkSizeDigits = 16;
/** Chunk extensions (RFC 9112 7.1.1) are skipped, but only this many bytes of them per chunk. */
export const maxChunkExtensionBytes = 4096;
/** The trailer section (RFC 9112 7.1.2) is read and its fields ignored, up to this many bytes. */
export const maxTrailerBytes = 16 * 1024;

const cr = 0x0d;
const lf = 0x0a;

/** How the body after a head ends (RFC 9112 6.3). */
export type BodyFraming =
  | { readonly kind: 'length'; readonly bodyBytes: number }
  | { readonly kind: 'chunked' }
  /** Neither length nor chunked: the body is what arrives before the server closes. */
  | { readonly kind: 'close' };

export interface ResponseHead {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Names lower-cased; a repeated field's values joined with ", " (RFC 9110 5.3). */
  readonly headers: ReadonlyMap<string, string>;
  readonly framing: BodyFraming;
  /** Bytes of the answer up to the body: this head and any 1xx heads before it. */
  readonly headBytes: number;
}

/** The `http-framing` error: `what` was wrong at byte `offsetBytes` of the answer from `url`. */
export function framingError(url: string, what: string, offsetBytes: number): CodedError {
  return new CodedError('http-framing', `${url}: ${what}, at byte ${offsetBytes} of the answer`);
}

/**
 * Receives an answer's head into a buffer of its own (at most maxHeadBytes), as a BodySink-like
 * pair: the caller reads into space() and reports the count to received(), which returns the head
 * once it is whole. 1xx interim heads (RFC 9110 15.2) are parsed and skipped; a 101 is an error
 * (no protocol switch was asked).
 */
export class ResponseHeadReader {
  readonly #bytes = Buffer.allocUnsafe(maxHeadBytes);
  #filledBytes = 0;
  /** Where the head being scanned starts (after any 1xx heads). */
  #headStart = 0;
  #lineStart = 0;
  #previousWasCr = false;

  constructor(private readonly url: string) {}

  /** Bytes of the answer taken so far (for a message when the connection ends before the head). */
  get receivedBytes(): number {
    return this.#filledBytes;
  }

  /** Where the next bytes go; empty never (received() fails at the limit first). */
  space(): Uint8Array {
    return this.#bytes.subarray(this.#filledBytes);
  }

  /** `byteCount` bytes were put at space(): the head and the bytes after it (the body's first), or null for more. */
  received(byteCount: number): { head: ResponseHead; bodyBytes: Uint8Array } | null {
    const bytes = this.#bytes;
    const endBytes = this.#filledBytes + byteCount;
    for (let index = this.#filledBytes; index < endBytes; index += 1) {
      const byte = bytes[index];
      // RFC 9112 2.2: lines end with CRLF; a bare CR is refused, and so is a bare LF (which 2.2
      // allows a recipient to accept, but two readers disagreeing on line ends is how smuggling starts).
      if (this.#previousWasCr && byte !== lf) throw framingError(this.url, 'a CR not followed by LF in the head', index);
      if (byte === lf && !this.#previousWasCr) throw framingError(this.url, 'an LF without CR in the head', index);
      this.#previousWasCr = byte === cr;
      if (byte !== lf) continue;
      const isEmptyLine = index - 1 === this.#lineStart;
      this.#lineStart = index + 1;
      if (!isEmptyLine) continue;
      // The head's lines without the CRLF that ends the last one and the empty line's.
      const head = parseHead(bytes.toString('latin1', this.#headStart, Math.max(this.#headStart, index - 3)), this.#headStart, this.url);
      const headBytes = index + 1;
      if (head !== null) return { head: { ...head, headBytes }, bodyBytes: bytes.subarray(headBytes, endBytes) };
      this.#headStart = headBytes; // a 1xx: the final head follows
    }
    this.#filledBytes = endBytes;
    if (endBytes === bytes.length) throw framingError(this.url, `the head is larger than ${maxHeadBytes} bytes`, endBytes);
    return null;
  }
}

const statusLinePattern = /^HTTP\/1\.[0-9] ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
/** RFC 9110 5.6.2 token. */
const fieldNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9110 5.5 field-content is visible characters, SP, HTAB and obs-text: the index of the first control character (NUL, CR, ...), or -1. */
function firstControlCharacter(text: string): number {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return index;
  }
  return -1;
}

/** Parses one head's lines (without the final CRLFCRLF); null for a 1xx to skip. */
function parseHead(text: string, startBytes: number, url: string): Omit<ResponseHead, 'headBytes'> | null {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const status = statusLinePattern.exec(statusLine);
  if (status === null) throw framingError(url, `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`, startBytes);
  const statusCode = Number(status[1]);
  if (statusCode < 100 || statusCode > 599) throw framingError(url, `the status ${statusCode} is outside 100-599`, startBytes);
  if (statusCode === 101) throw framingError(url, 'a 101 (Switching Protocols) to a request that asked for no switch', startBytes);
  if (lines.length - 1 > maxFieldCount) throw framingError(url, `the head has ${lines.length - 1} fields, more than ${maxFieldCount}`, startBytes);
  const headers = new Map<string, string>();
  let offsetBytes = startBytes + statusLine.length + 2;
  for (const line of lines.slice(1)) {
    const [name, value] = parseFieldLine(line, offsetBytes, url);
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
    offsetBytes += line.length + 2;
  }
  if (statusCode < 200) return null;
  return { statusCode, statusMessage: status[2] ?? '', headers, framing: bodyFramingOf(statusCode, headers, url, startBytes) };
}

/** RFC 9112 5: field-name ":" OWS field-value OWS; the name lower-cased. */
function parseFieldLine(line: string, offsetBytes: number, url: string): [string, string] {
  // RFC 9112 5.2: obs-fold is refused (a recipient may also unfold it; two readers may not agree).
  if (line.startsWith(' ') || line.startsWith('\t')) throw framingError(url, 'a folded header line (obs-fold, RFC 9112 5.2)', offsetBytes);
  const colon = line.indexOf(':');
  const name = colon < 0 ? line : line.slice(0, colon);
  if (colon < 0 || !fieldNamePattern.test(name))
    throw framingError(url, `a header field name that is not a token: ${JSON.stringify(name.slice(0, 80))}`, offsetBytes);
  const rawValue = line.slice(colon + 1);
  const bad = firstControlCharacter(rawValue);
  if (bad >= 0) {
    const code = rawValue.charCodeAt(bad).toString(16).padStart(2, '0');
    throw framingError(url, `a control character (0x${code}) in the value of ${name}`, offsetBytes + colon + 1 + bad);
  }
  const value = rawValue.replace(/^[\t ]+|[\t ]+$/g, '');
  return [name.toLowerCase(), value];
}

/** RFC 9112 6.3, for the answer to a GET. */
function bodyFramingOf(statusCode: number, headers: ReadonlyMap<string, string>, url: string, offsetBytes: number): BodyFraming {
  if (statusCode === 204 || statusCode === 304) return { kind: 'length', bodyBytes: 0 };
  const transferEncoding = headers.get('transfer-encoding');
  const contentLength = headers.get('content-length');
  if (transferEncoding !== undefined) {
    // 6.3 step 3: both "ought to be handled as an error"; a request smuggled past a proxy looks like this.
    if (contentLength !== undefined) throw framingError(url, 'both Transfer-Encoding and Content-Length', offsetBytes);
    const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
    // Only chunked alone: any other coding (gzip, or chunked not last) would be decoded behind the hash's back, or not framed at all.
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      throw framingError(url, `Transfer-Encoding ${JSON.stringify(transferEncoding.slice(0, 80))}: only chunked alone is read`, offsetBytes);
    }
    return { kind: 'chunked' };
  }
  if (contentLength === undefined) return { kind: 'close' };
  // RFC 9110 8.6: a list of one value repeated is that value; values that differ, or not digits, are an error.
  const values = new Set(contentLength.split(',').map((value) => value.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^[0-9]{1,16}$/.test(only) || !Number.isSafeInteger(Number(only))) {
    throw framingError(url, `Content-Length ${JSON.stringify(contentLength.slice(0, 80))} is not one decimal byte count`, offsetBytes);
  }
  return { kind: 'length', bodyBytes: Number(only) };
}

/** Takes the body's bytes out of what the socket delivered, in place. */
export interface BodyDecoder {
  /** Decodes bytes[0..byteCount) in place: returns how many body bytes are now at its start. */
  decode(bytes: Uint8Array, byteCount: number): number;
  /** The framing says the body is whole: bytes after it are not its (and are dropped: one request per connection). */
  readonly done: boolean;
  /** At most this many more bytes from the socket are the body's (Infinity when the framing does not say). */
  readonly wireBytesLeft: number;
}

/** The decoder for a head's framing; `offsetBytes` is where the body starts in the answer (for messages). */
export function bodyDecoderFor(framing: BodyFraming, url: string, offsetBytes: number): BodyDecoder {
  if (framing.kind === 'chunked') return new ChunkedDecoder(url, offsetBytes);
  return new CountedDecoder(framing.kind === 'length' ? framing.bodyBytes : Number.POSITIVE_INFINITY);
}

/** A Content-Length body (or one read to the close, Infinity bytes long): every byte is the body's, up to its length. */
class CountedDecoder implements BodyDecoder {
  constructor(public wireBytesLeft: number) {}
  get done(): boolean {
    return this.wireBytesLeft === 0;
  }
  decode(_bytes: Uint8Array, byteCount: number): number {
    const bodyBytes = Math.min(byteCount, this.wireBytesLeft);
    this.wireBytesLeft -= bodyBytes;
    return bodyBytes;
  }
}

type ChunkedState =
  'size' | 'size-bws' | 'extension' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer-line-start' | 'trailer-line' | 'trailer-lf' | 'end-lf' | 'done';

/**
 * RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, then last-chunk (size 0),
 * the trailer section and CRLF. The framing is a byte-at-a-time state machine, so a size line split
 * across reads needs no buffer; each run of chunk data is moved down over the framing before it.
 */
class ChunkedDecoder implements BodyDecoder {
  readonly wireBytesLeft = Number.POSITIVE_INFINITY;
  #state: ChunkedState = 'size';
  #chunkSizeBytes = 0;
  #chunkSizeDigits = 0;
  #chunkBytesLeft = 0;
  #extensionBytes = 0;
  #trailerBytes = 0;

  constructor(
    private readonly url: string,
    /** The answer's byte at bytes[0] of the next decode. */
    private offsetBytes: number,
  ) {}

  get done(): boolean {
    return this.#state === 'done';
  }

  decode(bytes: Uint8Array, byteCount: number): number {
    let readBytes = 0;
    let bodyBytes = 0;
    while (readBytes < byteCount && this.#state !== 'done') {
      if (this.#state === 'data') {
        const runBytes = Math.min(this.#chunkBytesLeft, byteCount - readBytes);
        if (bodyBytes !== readBytes) bytes.copyWithin(bodyBytes, readBytes, readBytes + runBytes);
        bodyBytes += runBytes;
        readBytes += runBytes;
        this.#chunkBytesLeft -= runBytes;
        if (this.#chunkBytesLeft === 0) this.#state = 'data-cr';
      } else {
        this.#framingByte(bytes[readBytes] ?? 0, this.offsetBytes + readBytes);
        readBytes += 1;
      }
    }
    this.offsetBytes += readBytes;
    return bodyBytes;
  }

  #framingByte(byte: number, offsetBytes: number): void {
    const fail = (what: string): never => {
      throw framingError(this.url, `the chunked body ${what}`, offsetBytes);
    };
    switch (this.#state) {
      case 'size':
        return this.#sizeByte(byte, fail);
      case 'size-bws':
        // RFC 9112 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name ...): after blanks only more of them, ";" or the line's end.
        if (byte === 0x3b) this.#startExtension();
        else if (byte === cr) this.#state = 'size-lf';
        else if (byte !== 0x20 && byte !== 0x09) fail(`has 0x${byte.toString(16)} after the blanks that follow a chunk size`);
        return;
      case 'extension':
        // RFC 9112 7.1.1: skipped, bounded; the line still ends with CRLF and holds no other control character.
        if (byte === cr) this.#state = 'size-lf';
        else if (byte !== 0x09 && (byte < 0x20 || byte === 0x7f)) fail(`has a control character (0x${byte.toString(16)}) in a chunk extension`);
        else if (++this.#extensionBytes > maxChunkExtensionBytes) fail(`has chunk extensions longer than ${maxChunkExtensionBytes} bytes`);
        return;
      case 'size-lf':
        if (byte !== lf) fail('has a CR not followed by LF after a chunk size');
        this.#state = this.#chunkSizeBytes === 0 ? 'trailer-line-start' : 'data';
        this.#chunkBytesLeft = this.#chunkSizeBytes;
        this.#chunkSizeBytes = 0;
        this.#chunkSizeDigits = 0;
        return;
      case 'data-cr':
      case 'data-lf':
        if (byte !== (this.#state === 'data-cr' ? cr : lf)) fail('has a chunk whose data is not followed by CRLF');
        this.#state = this.#state === 'data-cr' ? 'data-lf' : 'size';
        return;
      default:
        return this.#trailerByte(byte, fail);
    }
  }

  #sizeByte(byte: number, fail: (what: string) => never): void {
    const digit = hexDigitValue(byte);
    if (digit >= 0) {
      if (this.#chunkSizeDigits === maxChunkSizeDigits) fail(`has a chunk size of more than ${maxChunkSizeDigits} hex digits`);
      this.#chunkSizeBytes = this.#chunkSizeBytes * 16 + digit;
      this.#chunkSizeDigits += 1;
      if (this.#chunkSizeBytes > Number.MAX_SAFE_INTEGER) fail('has a chunk larger than 2^53 - 1 bytes');
      return;
    }
    if (this.#chunkSizeDigits === 0) fail(`has no hex chunk size where one belongs (0x${byte.toString(16)})`);
    if (byte === cr) this.#state = 'size-lf';
    else if (byte === 0x3b) this.#startExtension();
    else if (byte === 0x20 || byte === 0x09) this.#state = 'size-bws';
    else fail(`has 0x${byte.toString(16)} after a chunk size`);
  }

  #startExtension(): void {
    this.#state = 'extension';
    this.#extensionBytes = 0;
  }

  /** RFC 9112 7.1.2: trailer fields are read, bounded, and ignored (none of them changes the body). */
  #trailerByte(byte: number, fail: (what: string) => never): void {
    if (++this.#trailerBytes > maxTrailerBytes) fail(`has a trailer section longer than ${maxTrailerBytes} bytes`);
    const expectsLf = this.#state === 'trailer-lf' || this.#state === 'end-lf';
    if (expectsLf !== (byte === lf)) fail(expectsLf ? 'has a CR not followed by LF in its trailer section' : 'has an LF without CR in its trailer section');
    if (byte === 0) fail('has a NUL in its trailer section');
    if (this.#state === 'trailer-lf') this.#state = 'trailer-line-start';
    else if (this.#state === 'end-lf') this.#state = 'done';
    else if (byte === cr) this.#state = this.#state === 'trailer-line-start' ? 'end-lf' : 'trailer-lf';
    else this.#state = 'trailer-line';
  }
}

function hexDigitValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
