// The sans-IO HTTP/1.1 response parser: every answer is fed whole, byte by byte and split at seeded
// random boundaries, and must give the same head and body (or the same error) each way, as a socket
// may cut an answer anywhere.
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../src-main/jobs/errors.ts';
import { bodyDecoderFor, maxHeadBytes, ResponseHeadReader, type ResponseHead } from '../../src-main/net/http-response-parser.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

const url = 'http://127.0.0.1:8/image.iso';

interface Parsed {
  readonly head: ResponseHead;
  readonly body: Buffer;
  /** The framing said the body ended (a close-delimited body never says so). */
  readonly done: boolean;
}

/** Feeds `answer` in pieces of the given sizes, as the socket reader does: the head into its reader, the rest decoded in place in fresh memory. */
function parseInPieces(answer: Buffer, pieceSizes: readonly number[]): Parsed {
  const reader = new ResponseHeadReader(url);
  let parsed: { head: ResponseHead; bodyBytes: Uint8Array } | null = null;
  let offset = 0;
  let pieceIndex = 0;
  const bodyPieces: Buffer[] = [];
  while (offset < answer.length) {
    const wantedBytes = Math.min(pieceSizes[pieceIndex++ % pieceSizes.length] ?? 1, answer.length - offset);
    if (parsed === null) {
      const copiedBytes = answer.copy(reader.space(), 0, offset, offset + wantedBytes); // never past the head's room
      offset += copiedBytes;
      parsed = reader.received(copiedBytes);
      if (parsed !== null) bodyPieces.push(Buffer.from(parsed.bodyBytes));
    } else {
      bodyPieces.push(Buffer.from(answer.subarray(offset, offset + wantedBytes)));
      offset += wantedBytes;
    }
  }
  if (parsed === null) throw new Error('the answer ended before its head');
  const decoder = bodyDecoderFor(parsed.head.framing, url, parsed.head.headBytes);
  const body: Buffer[] = [];
  for (const piece of bodyPieces) {
    if (decoder.done) break;
    const memory = Buffer.from(piece); // the sink's memory, decoded in place
    const bodyBytes = decoder.decode(memory, Math.min(memory.length, decoder.wireBytesLeft));
    body.push(memory.subarray(0, bodyBytes));
  }
  return { head: parsed.head, body: Buffer.concat(body), done: decoder.done };
}

function outcomeOf(answer: Buffer, pieceSizes: readonly number[]): Parsed | CodedError {
  try {
    return parseInPieces(answer, pieceSizes);
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
}

/** Parses `answer` whole, byte by byte and in 50 seeded random splits; all must agree. Returns the whole parse (or its error). */
function parseEveryWay(answer: Buffer | string, seed = 1): Parsed | CodedError {
  const bytes = typeof answer === 'string' ? Buffer.from(answer, 'latin1') : answer;
  const whole = outcomeOf(bytes, [bytes.length]);
  const random = createSeededRandom(seed);
  const splits = [[1], ...Array.from({ length: 50 }, () => Array.from({ length: 7 }, () => 1 + Math.floor(random() * 40)))];
  for (const pieceSizes of splits) {
    const split = outcomeOf(bytes, pieceSizes);
    if (whole instanceof CodedError) {
      expect(split, `split ${pieceSizes.join(',')}`).toBeInstanceOf(CodedError);
      expect((split as CodedError).message).toBe(whole.message);
    } else {
      expect(split, `split ${pieceSizes.join(',')}`).not.toBeInstanceOf(CodedError);
      expect((split as Parsed).body.equals(whole.body)).toBe(true);
      expect((split as Parsed).head).toEqual(whole.head);
    }
  }
  return whole;
}

function parsedOf(answer: Buffer | string): Parsed {
  const outcome = parseEveryWay(answer);
  if (outcome instanceof CodedError) throw outcome;
  return outcome;
}

function framingErrorOf(answer: Buffer | string): CodedError {
  const outcome = parseEveryWay(answer);
  if (!(outcome instanceof CodedError)) throw new Error(`expected http-framing, the answer parsed: ${outcome.head.statusCode}`);
  expect(outcome.code).toBe('http-framing');
  expect(outcome.message).toContain(url);
  return outcome;
}

describe('the response head', () => {
  it('reads the status, lower-cased names and repeated fields joined with ", ", values trimmed of whitespace', () => {
    const { head, body } = parsedOf('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Seen:  a \r\nx-seen:\tb\r\nETag: "v1"\r\n\r\nabc');
    expect(head).toMatchObject({ statusCode: 200, statusMessage: 'OK', framing: { kind: 'length', bodyBytes: 3 } });
    expect([...head.headers]).toEqual([
      ['content-length', '3'],
      ['x-seen', 'a, b'],
      ['etag', '"v1"'],
    ]);
    expect(body.toString()).toBe('abc');
  });

  it('skips 1xx interim answers (a 100 Continue, a 103 with fields) and reads the final one', () => {
    const { head, body } = parsedOf(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(head.statusCode).toBe(200);
    expect(head.headers.has('link')).toBe(false);
    expect(body.toString()).toBe('ok');
  });

  it('accepts a status line without a reason phrase, and obs-text in a value', () => {
    const { head } = parsedOf('HTTP/1.1 404\r\nX-Name: caf\xe9\r\nContent-Length: 0\r\n\r\n');
    expect(head).toMatchObject({ statusCode: 404, statusMessage: '' });
    expect(head.headers.get('x-name')).toBe('caf\xe9');
  });

  it.each([
    ['a bad status line', 'HTTP/2 200 OK\r\n\r\n', 'not an HTTP/1.x status line'],
    ['a status outside 100-599', 'HTTP/1.1 600 Nope\r\n\r\n', 'the status 600 is outside 100-599'],
    ['a 101 no switch was asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n', 'a 101 (Switching Protocols)'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: one\r\n  two\r\n\r\n', 'a folded header line (obs-fold, RFC 9112 5.2), at byte 27'],
    ['a name that is not a token', 'HTTP/1.1 200 OK\r\nX A: b\r\n\r\n', 'a header field name that is not a token: "X A"'],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n', 'not a token: "X-A "'],
    ['a NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: b\0c\r\n\r\n', 'a control character (0x00) in the value of X-A, at byte 23'],
    ['a bare CR', 'HTTP/1.1 200 OK\r\nX-A: b\rc\r\n\r\n', 'a CR not followed by LF in the head, at byte 24'],
    ['a bare LF', 'HTTP/1.1 200 OK\nX-A: b\r\n\r\n', 'an LF without CR in the head, at byte 15'],
  ])('refuses %s', (_what, answer, words) => {
    expect(framingErrorOf(answer).message).toContain(words);
  });

  it('refuses a head over 64 KiB and one with more than 200 fields', () => {
    const big = `HTTP/1.1 200 OK\r\n${'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(maxHeadBytes / 60 + 1)}\r\n`;
    expect(framingErrorOf(big).message).toContain(`the head is larger than ${maxHeadBytes} bytes, at byte ${maxHeadBytes}`);
    const many = `HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(201)}\r\n`;
    expect(framingErrorOf(many).message).toContain('the head has 201 fields, more than 200');
    expect(parsedOf(`HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(199)}Content-Length: 0\r\n\r\n`).head.headers.get('x-a')?.length).toBe(199 * 3 - 2);
  });
});

describe('the body framing', () => {
  it('reads a Content-Length body and drops bytes after it; a repeated equal Content-Length is that length', () => {
    expect(parsedOf('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyEXTRA')).toMatchObject({ done: true, body: Buffer.from('body') });
    expect(parsedOf('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 4, 4\r\n\r\nbody').head.framing).toEqual({ kind: 'length', bodyBytes: 4 });
  });

  it('reads a body without length to the close, and none for a 204 or 304 whatever it announces', () => {
    expect(parsedOf('HTTP/1.1 200 OK\r\n\r\nto the end')).toMatchObject({ done: false, body: Buffer.from('to the end') });
    expect(parsedOf('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n')).toMatchObject({ done: true, body: Buffer.alloc(0) });
    expect(parsedOf('HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n').done).toBe(true);
  });

  it('decodes a chunked body in place: sizes in either case, extensions and trailers skipped, bytes after the end dropped', () => {
    const answer =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n1A;name=value ; x="a b"\r\nabcdefghijklmnopqrstuvwxyz\r\n00000\r\nX-Sum: 1\r\n\r\nafter';
    expect(parsedOf(answer)).toMatchObject({ done: true, body: Buffer.from('helloabcdefghijklmnopqrstuvwxyz') });
  });

  it('decodes 200 chunks of random sizes and bytes, every split the same', () => {
    const random = createSeededRandom(19);
    const chunks = Array.from({ length: 200 }, () => Buffer.from(Array.from({ length: Math.floor(random() * 300) + 1 }, () => Math.floor(random() * 256))));
    const framed = chunks.map((chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    const answer = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), ...framed, Buffer.from('0\r\n\r\n')]);
    expect(parsedOf(answer).body.equals(Buffer.concat(chunks))).toBe(true);
  });

  it.each([
    ['Transfer-Encoding with Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 5', 'both Transfer-Encoding and Content-Length'],
    ['Transfer-Encoding: gzip', 'Transfer-Encoding: gzip', 'Transfer-Encoding "gzip": only chunked alone is read'],
    ['chunked not last', 'Transfer-Encoding: chunked, gzip', 'only chunked alone'],
    ['conflicting Content-Length values', 'Content-Length: 5\r\nContent-Length: 6', 'Content-Length "5, 6" is not one decimal byte count'],
    ['a Content-Length that is not digits', 'Content-Length: +5', 'Content-Length "+5" is not one decimal byte count'],
    ['a Content-Length over 16 digits', 'Content-Length: 12345678901234567', 'is not one decimal byte count'],
  ])('refuses %s', (_what, fields, words) => {
    expect(framingErrorOf(`HTTP/1.1 200 OK\r\n${fields}\r\n\r\nhello`).message).toContain(words);
  });

  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'; // 47 bytes
  it.each([
    ['a chunk size of 17 hex digits', '00000000000000001\r\nx\r\n0\r\n\r\n', 'a chunk size of more than 16 hex digits, at byte 63 of the answer'],
    ['a chunk size over 2^53 - 1', '20000000000000\r\n', 'a chunk larger than 2^53 - 1 bytes'],
    ['a chunk without its CRLF', '3\r\nabcX\r\n0\r\n\r\n', 'a chunk whose data is not followed by CRLF, at byte 53 of the answer'],
    ['a size line without a size', '\r\n', 'no hex chunk size where one belongs'],
    ['a size with a stray byte', '5x\r\n', '0x78 after a chunk size'],
    ['a second number after blanks', '1 2\r\nx\r\n0\r\n\r\n', '0x32 after the blanks that follow a chunk size, at byte 49 of the answer'],
    ['an extension with a control character', '5;a\x01\r\n', 'a control character (0x1) in a chunk extension'],
    ['extensions over 4096 bytes', `5;${'a'.repeat(4097)}\r\nhello\r\n0\r\n\r\n`, 'chunk extensions longer than 4096 bytes'],
    ['a trailer section over 16 KiB', `0\r\n${'X-T: aaaaaaaaaa\r\n'.repeat(1100)}\r\n`, 'a trailer section longer than 16384 bytes'],
    ['a bare LF in the trailers', '0\r\nX-T: a\n\r\n', 'an LF without CR in its trailer section'],
  ])('refuses %s', (_what, body, words) => {
    expect(framingErrorOf(`${chunked}${body}`).message).toContain(words);
  });

  it('a chunked body cut mid-chunk is not done: the socket side judges the cut', () => {
    expect(parsedOf(`${chunked}a\r\nabcde`)).toMatchObject({ done: false, body: Buffer.from('abcde') });
  });
});
