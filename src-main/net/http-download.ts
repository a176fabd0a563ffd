// Downloads over HTTP(S) (issue 19, Transport/Resume/Mirrors): a file streamed into a partial file
// with its SHA-256 computed on the way (partial-file.ts), resumed with Range and If-Range (RFC 9110
// 14.2, 13.1.5), from a URL and then its mirrors in turn; and small files (sums, signatures,
// Metalinks) read whole, bounded. Every answer's byte counts are checked: Content-Length against the
// bytes received, a 206's Content-Range against the offset asked and the total known.
import { CancelledError, CodedError } from '../jobs/errors.ts';
import type { BodySink } from './body-sink.ts';
import { openFollowingRedirects, parseHttpUrl, type HttpFetchOptions } from './http-connection.ts';
import type { ResponseBody } from './http-response-reader.ts';
import { PartialFile } from './partial-file.ts';
import { checkedPartialAnswer, ifRangeFor, isCompleteAlready, validatorsOf, type ResumeValidators } from './resume-validators.ts';

export type { HttpFetchOptions } from './http-connection.ts';
export type { ResumeValidators } from './resume-validators.ts';

export interface DownloadToFileOptions extends HttpFetchOptions {
  /** The URL, then mirrors, in the order tried. */
  readonly urls: readonly string[];
  /** The file written; it is resumed when it exists and `resume` (its bytes re-read through the hash). */
  readonly partialPath: string;
  readonly resume: boolean;
  /**
   * What the earlier try's answer was validated by (as `onValidators` reported it): a resume asks
   * that URL with If-Range. Without them a resume starts afresh: nothing would prove the kept bytes
   * are this file's.
   */
  readonly validators?: ResumeValidators | null;
  /** Called when an answer's validators are known, before its first byte lands: keep them beside the partial file for a later resume. */
  readonly onValidators?: (validators: ResumeValidators) => void;
  /**
   * Called with every byte range as it lands in partialPath, in order (offset, bytes); for streaming
   * consumers. On a resume the kept bytes come first, as they are re-read, so a consumer sees the
   * file from byte 0; after a restart (a server that ignored the Range) it sees offset 0 again.
   * `bytes` is valid only during the call: its memory receives later bytes once it returns, or once
   * the promise it returns settles (a consumer that cannot take more holds the download back so).
   */
  readonly onData?: (offsetBytes: number, bytes: Uint8Array) => Promise<void> | undefined;
  /** Bytes on disk so far and the total when known; throttling is the caller's. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number | null) => void;
  /** A file announced larger, or growing past this without an announced size, is `too-large` (a hostile endless body must not fill the disk). */
  readonly maxBytes?: number;
}

export interface DownloadOutcome {
  /** As asked (urls[0]). */
  readonly url: string;
  /** The final URL (after redirects) of the mirror that served the last byte. */
  readonly servedBy: string;
  readonly sizeBytes: number;
  /** Lower-case hex of the whole file, kept bytes re-hashed. */
  readonly sha256: string;
  /** Bytes the file held when the answer that served the last byte began (0 when it started afresh). */
  readonly resumedFromBytes: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

/** What one download carries from mirror to mirror. */
interface DownloadState {
  readonly file: PartialFile;
  readonly options: DownloadToFileOptions;
  validators: ResumeValidators | null;
  totalBytes: number | null;
  servedBy: string;
  resumedFromBytes: number;
}

/** Streams urls[0] (then mirrors) into partialPath; never renames it (the caller does). No fsync: partial-file.ts says why. */
export async function downloadToFile(options: DownloadToFileOptions): Promise<DownloadOutcome> {
  if (options.urls.length === 0) throw new CodedError('invalid-request', 'a download needs at least one URL');
  for (const url of options.urls) parseHttpUrl(url); // every mirror refused up front (a password in one), not when its turn comes
  const what = `the download of ${options.urls[0]}`;
  const state: DownloadState = {
    file: await PartialFile.open(options.partialPath, options.resume, {
      onData: options.onData,
      onLanded: (sizeBytes) => options.onProgress?.(sizeBytes, state.totalBytes),
    }),
    options,
    validators: options.resume ? (options.validators ?? null) : null,
    totalBytes: options.resume ? (options.validators?.totalBytes ?? null) : null,
    servedBy: options.urls[0] ?? '',
    resumedFromBytes: 0,
  };
  try {
    // Kept bytes with no validator from any URL are of an unknown file: start afresh.
    if (state.validators === null) await state.file.restart();
    else await state.file.rehashKept(options.signal);
    const failures: CodedError[] = [];
    for (const url of options.urls) {
      try {
        await fetchFrom(url, state);
        const sha256 = await state.file.finish();
        return {
          url: options.urls[0] ?? url,
          servedBy: state.servedBy,
          sizeBytes: state.file.sizeBytes,
          sha256,
          resumedFromBytes: state.resumedFromBytes,
          etag: state.validators?.etag ?? null,
          lastModified: state.validators?.lastModified ?? null,
        };
      } catch (error) {
        await state.file.flush();
        // Local failures (the disk full, cancelled) end the download; a server's, this mirror's try.
        if (!(error instanceof CodedError) || error instanceof CancelledError) throw error;
        if (options.signal?.aborted) throw new CancelledError(what);
        failures.push(error);
      }
    }
    throw failures.length === 1 && failures[0] ? failures[0] : allMirrorsFailed(options.urls, failures);
  } finally {
    await state.file.close();
  }
}

function allMirrorsFailed(urls: readonly string[], failures: readonly CodedError[]): CodedError {
  const list = failures.map((failure, index) => `${index + 1}. ${urls[index]}: ${failure.code}: ${failure.message}`).join('; ');
  return new CodedError('all-mirrors-failed', `all ${urls.length} mirrors failed: ${list}`);
}

/** One try of one URL: asks for what the file lacks, checks the answer, streams it in. */
async function fetchFrom(url: string, state: DownloadState): Promise<void> {
  const { file, options } = state;
  const ifRange = file.sizeBytes > 0 ? ifRangeFor(state.validators, url) : null;
  // The URL that served the kept bytes gave no validator: nothing proves they are still its file's.
  if (ifRange === null && state.validators?.url === url) await file.restart();
  const offsetBytes = file.sizeBytes;
  const headers: Record<string, string> = offsetBytes > 0 ? { range: `bytes=${offsetBytes}-`, ...(ifRange ? { 'if-range': ifRange } : {}) } : {};
  const { head, body, finalUrl } = await openFollowingRedirects(url, headers, options);
  try {
    const status = head.statusCode;
    if (status === 416 && offsetBytes > 0) {
      body.close();
      if (isCompleteAlready(head, ifRange, offsetBytes)) {
        state.servedBy = finalUrl.href;
        state.resumedFromBytes = offsetBytes;
        state.totalBytes = offsetBytes;
        return;
      }
      await file.restart(); // the kept bytes are no prefix of what this server has
      return await fetchFrom(url, state);
    }
    if (status !== 200 && status !== 206) {
      throw new CodedError('http-status', `${finalUrl.href} answered ${status} ${head.statusMessage}`.trim(), { status, url: finalUrl.href });
    }
    if (status === 200 && offsetBytes > 0) await file.restart(); // RFC 9110 13.1.5: If-Range failed, or Range ignored: the whole file
    const answer = checkedPartialAnswer(head, { url: finalUrl.href, offsetBytes: file.sizeBytes, ifRange, knownTotalBytes: state.totalBytes });
    if (answer.changedOnServer) {
      await file.restart(); // the kept bytes are an older version's
      throw new CodedError(
        'changed-on-server',
        `${finalUrl.href} now serves another version (ETag ${answer.etag}, asked If-Range ${ifRange}): the kept bytes were dropped`,
      );
    }
    if (options.maxBytes !== undefined && answer.totalBytes !== null && answer.totalBytes > options.maxBytes) {
      throw new CodedError('too-large', `${finalUrl.href} is ${answer.totalBytes} bytes, more than the ${options.maxBytes} allowed`, {
        totalBytes: answer.totalBytes,
        maxBytes: options.maxBytes,
      });
    }
    state.totalBytes = answer.totalBytes;
    state.validators = validatorsOf(url, head, answer.totalBytes);
    options.onValidators?.(state.validators);
    state.servedBy = finalUrl.href;
    state.resumedFromBytes = file.sizeBytes;
    options.onProgress?.(file.sizeBytes, state.totalBytes);
    await streamBody(body, state, answer.bodyBytes, finalUrl.href);
  } finally {
    body.close();
  }
}

/** Receives the body into the file; a connection that ends early is `length-mismatch` (the bytes received are kept, for a resume). */
async function streamBody(body: ResponseBody, state: DownloadState, bodyBytes: number | null, url: string): Promise<void> {
  const { file, options } = state;
  // Straight into the file's slots: the socket reads into the memory that is hashed and written.
  const receivedBytes = await body.readInto(
    cappedSink(file, () => file.sizeBytes, options.maxBytes, url),
    options.signal,
  );
  if (bodyBytes !== null && receivedBytes !== bodyBytes) {
    throw new CodedError('length-mismatch', `${url}: ${receivedBytes} bytes arrived, its Content-Length announced ${bodyBytes}`);
  }
}

/** `sink`, ended with `too-large` once more than maxBytes arrived (a hostile endless body must not fill the disk). */
function cappedSink(sink: BodySink, sizeBytes: () => number, maxBytes: number | undefined, url: string): BodySink {
  if (maxBytes === undefined) return sink;
  return {
    space: () => sink.space(),
    wrote: (byteCount) => {
      const written = sink.wrote(byteCount);
      if (sizeBytes() <= maxBytes) return written;
      // The limit's error ends the body; a write failing as well must not go unhandled.
      written?.catch(() => undefined);
      return Promise.reject(new CodedError('too-large', `${url} sent more than the ${maxBytes} bytes allowed`, { maxBytes }));
    },
  };
}

/** A small text file (a sums file, a signature, a Metalink), at most maxBytes, else `too-large`; null when the server has none (404, 410). */
export async function fetchSmall(url: string, maxBytes: number, options: HttpFetchOptions = {}): Promise<{ bytes: Uint8Array; servedBy: string } | null> {
  const { head, body, finalUrl } = await openFollowingRedirects(url, {}, options);
  try {
    const status = head.statusCode;
    if (status === 404 || status === 410) return null;
    if (status !== 200) throw new CodedError('http-status', `${finalUrl.href} answered ${status} ${head.statusMessage}`.trim(), { status, url: finalUrl.href });
    const announced = checkedPartialAnswer(head, { url: finalUrl.href, offsetBytes: 0, ifRange: null, knownTotalBytes: null }).bodyBytes;
    if (announced !== null && announced > maxBytes)
      throw new CodedError('too-large', `${finalUrl.href} announces ${announced} bytes, more than the ${maxBytes} allowed`);
    const memory = new MemorySink(maxBytes, finalUrl.href);
    const receivedBytes = await body.readInto(memory, options.signal);
    if (announced !== null && receivedBytes !== announced) {
      throw new CodedError('length-mismatch', `${finalUrl.href}: ${receivedBytes} bytes arrived, its Content-Length announced ${announced}`);
    }
    return { bytes: memory.bytes, servedBy: finalUrl.href };
  } finally {
    body.close();
  }
}

/** A body held whole in memory that grows as it arrives (doubling, from 16 KiB), at most maxBytes: one byte more is `too-large`. */
class MemorySink implements BodySink {
  #bytes = new Uint8Array(16 * 1024);
  #filledBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly url: string,
  ) {}

  get bytes(): Uint8Array {
    return this.#bytes.slice(0, this.#filledBytes);
  }

  space(): Uint8Array {
    if (this.#filledBytes === this.#bytes.length) {
      // Room for maxBytes + 1: the byte past the limit is how too-large is seen.
      const grown = new Uint8Array(Math.min(this.#bytes.length * 2, this.maxBytes + 1));
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    return this.#bytes.subarray(this.#filledBytes);
  }

  wrote(byteCount: number): Promise<void> | undefined {
    this.#filledBytes += byteCount;
    if (this.#filledBytes <= this.maxBytes) return undefined;
    return Promise.reject(new CodedError('too-large', `${this.url} sent more than the ${this.maxBytes} bytes allowed`));
  }
}
