// A Metalink (RFC 5854) named by the user, as a file or a URL (`isotope download --metalink`): its URLs
// become the download's mirrors, in priority order, and its SHA-256 an expected digest.
import { open, stat } from 'node:fs/promises';
import { CodedError } from '../jobs/errors.ts';
import { parseHttpUrl } from '../net/http-connection.ts';
import { fetchSmall, type HttpFetchOptions } from '../net/http-download.ts';
import { maxMetalinkBytes, parseMetalink } from '../net/metalink.ts';

export interface Metalink {
  readonly urls: string[];
  readonly sha256: string | null;
  readonly sizeBytes: number | null;
}

export async function loadMetalink(source: string, http: HttpFetchOptions = {}): Promise<Metalink> {
  const bytes = /^https?:\/\//i.test(source) ? await fetchMetalink(source, http) : await readMetalinkFile(source);
  const parsed = parseMetalink(new TextDecoder('utf-8').decode(bytes));
  // Only http(s) URLs can be downloaded; a Metalink may also list ftp:// or torrent resources.
  const urls = parsed.urls.filter((url) => /^https?:\/\//i.test(url));
  if (urls.length === 0) throw new CodedError('invalid-request', `${source} lists no http:// or https:// URL for ${parsed.name}`, { path: source });
  for (const url of urls) parseHttpUrl(url); // a URL with a password is refused before any is printed or recorded
  return { urls, sha256: parsed.sha256, sizeBytes: parsed.sizeBytes };
}

async function fetchMetalink(url: string, http: HttpFetchOptions): Promise<Uint8Array> {
  const fetched = await fetchSmall(url, maxMetalinkBytes, http);
  if (fetched === null) throw new CodedError('not-found', `${url}: the server has no such Metalink (404)`, { path: url });
  return fetched.bytes;
}

/** At most maxMetalinkBytes + 1 bytes are read, so a huge file is refused, not held; a FIFO or device is not opened (it may never end). */
async function readMetalinkFile(path: string): Promise<Uint8Array> {
  if (!(await stat(path)).isFile()) throw new CodedError('not-a-file', `${path} is not a regular file: not a Metalink`, { path });
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxMetalinkBytes + 1);
    let lengthBytes = 0;
    while (lengthBytes < buffer.length) {
      const { bytesRead } = await file.read(buffer, lengthBytes, buffer.length - lengthBytes, null);
      if (bytesRead === 0) break;
      lengthBytes += bytesRead;
    }
    if (lengthBytes > maxMetalinkBytes) throw new CodedError('invalid-request', `${path} is larger than ${maxMetalinkBytes} bytes: not a Metalink`, { path });
    return buffer.subarray(0, lengthBytes);
  } finally {
    await file.close();
  }
}
