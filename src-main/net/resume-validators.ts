// What proves a resumed download continues the same file (RFC 9110 13.1.5 If-Range): the strong
// ETag its server sent, else a Last-Modified that counts as strong, and the answer's byte counts.
// A mirror has its own ETags, so a resume from another mirror than the one that served the kept
// bytes sends Range alone: it is accepted only when its Content-Range starts at the offset asked and
// names the total already known, and the final SHA-256 (against the sums files, issue 19's
// Checksums) is what proves the spliced file right.
import { CodedError } from '../jobs/errors.ts';
import type { ResponseHead } from './http-response-parser.ts';

export interface ResumeValidators {
  /** The URL asked (before redirects) whose answer carried them: If-Range is sent to it only. */
  readonly url: string;
  /** A strong ETag (a weak one, `W/"…"`, cannot be used in If-Range). */
  readonly etag: string | null;
  /** A Last-Modified that is strong (RFC 9110 8.8.2.2: at least a second before the answer's Date). */
  readonly lastModified: string | null;
  /** The file's whole size, when the answer named it. */
  readonly totalBytes: number | null;
}

/** The If-Range value to send to `url` with a Range, or null (not its validators, or it gave none). */
export function ifRangeFor(validators: ResumeValidators | null, url: string): string | null {
  if (validators === null || validators.url !== url) return null;
  return validators.etag ?? validators.lastModified;
}

/** The validators of an answer to `url`. */
export function validatorsOf(url: string, head: ResponseHead, totalBytes: number | null): ResumeValidators {
  const etag = headerOf(head, 'etag');
  const lastModified = headerOf(head, 'last-modified');
  const date = headerOf(head, 'date');
  const lastModifiedMs = lastModified === null ? Number.NaN : Date.parse(lastModified);
  const isStrongDate = date !== null && Date.parse(date) - lastModifiedMs >= 1000;
  return {
    url,
    etag: etag !== null && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(etag) && etag.length <= 1024 ? etag : null,
    lastModified: isStrongDate ? lastModified : null,
    totalBytes,
  };
}

export interface CheckedAnswer {
  /** The body's length when announced (Content-Length, or a 206's range). */
  readonly bodyBytes: number | null;
  readonly totalBytes: number | null;
  /** A 206 to an If-Range whose validator is not the one sent: the server ignored If-Range and serves another version. */
  readonly changedOnServer: boolean;
  readonly etag: string | null;
}

export interface AskedRange {
  readonly url: string;
  /** The Range asked started here (0: no Range asked). */
  readonly offsetBytes: number;
  readonly ifRange: string | null;
  readonly knownTotalBytes: number | null;
}

/** Checks a 200 or 206 answer's byte counts against what was asked; `bad-content-range` names both. */
export function checkedPartialAnswer(head: ResponseHead, asked: AskedRange): CheckedAnswer {
  // The parser has checked Content-Length (one decimal count, not beside Transfer-Encoding).
  const contentLength = head.framing.kind === 'length' ? head.framing.bodyBytes : null;
  const etag = headerOf(head, 'etag');
  if (head.statusCode !== 206) return { bodyBytes: contentLength, totalBytes: contentLength, changedOnServer: false, etag };
  const contentRange = headerOf(head, 'content-range');
  const refuse = (why: string): CodedError =>
    new CodedError(
      'bad-content-range',
      `${asked.url} answered 206 with Content-Range ${JSON.stringify(contentRange)} to Range bytes=${asked.offsetBytes}-: ${why}`,
    );
  if (asked.offsetBytes === 0) throw refuse('no Range was asked');
  // RFC 9110 14.4: bytes first-last/complete-length, the complete length may be `*` (unknown).
  const match = contentRange === null ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange);
  if (match === null) throw refuse('not a byte range');
  const firstBytes = byteCount(match[1] ?? null);
  const lastBytes = byteCount(match[2] ?? null);
  const totalBytes = match[3] === '*' ? asked.knownTotalBytes : byteCount(match[3] ?? null);
  if (firstBytes !== asked.offsetBytes) throw refuse(`it starts at byte ${firstBytes}, not ${asked.offsetBytes}`);
  if (lastBytes === null || lastBytes < firstBytes) throw refuse('its last byte is before its first');
  if (asked.knownTotalBytes !== null && totalBytes !== asked.knownTotalBytes) throw refuse(`the file was ${asked.knownTotalBytes} bytes`);
  if (totalBytes !== null && lastBytes !== totalBytes - 1) throw refuse(`it ends at byte ${lastBytes}, not at the end of the ${totalBytes}`);
  const bodyBytes = lastBytes - firstBytes + 1;
  if (contentLength !== null && contentLength !== bodyBytes) throw refuse(`its Content-Length is ${contentLength}`);
  const lastModified = headerOf(head, 'last-modified');
  const changedOnServer =
    asked.ifRange !== null &&
    (asked.ifRange.startsWith('"') ? etag !== null && etag !== asked.ifRange : lastModified !== null && lastModified !== asked.ifRange);
  return { bodyBytes, totalBytes, changedOnServer, etag };
}

/**
 * A 416 (Range Not Satisfiable) to a Range asked from the kept size, with If-Range: the validator
 * held (RFC 9110 13.1.5 evaluates If-Range before Range; a failed one gives a 200), so when the
 * answer's `Content-Range: bytes *\/N` (15.5.17) names the kept size and any ETag is the one sent,
 * the kept file is the whole file already.
 */
export function isCompleteAlready(head: ResponseHead, ifRange: string | null, keptBytes: number): boolean {
  const completeLength = /^bytes \*\/(\d{1,16})$/.exec(headerOf(head, 'content-range') ?? '')?.[1];
  const etag = headerOf(head, 'etag');
  return (
    ifRange !== null && completeLength !== undefined && Number(completeLength) === keptBytes && (etag === null || !ifRange.startsWith('"') || etag === ifRange)
  );
}

function headerOf(head: ResponseHead, name: string): string | null {
  return head.headers.get(name) ?? null;
}

/** A decimal byte count, or null when absent or not one a file can have. */
function byteCount(text: string | null): number | null {
  if (text === null || !/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
