// Sums files next to a URL (issue 19): the names distributions publish beside an image, tried in the
// URL's folder as `checksum/sums-discovery.ts` finds them beside a file (SHA256SUMS, CHECKSUM,
// NAME.sha256 ...), each with its first detached signature (.gpg, .sig, .asc, .sign, in that order).
// A web folder cannot be listed, so the names are guessed: a fixed, short list, each fetched small,
// with a bound on the requests. A missing name (404/410) is normal, a file over 1 MiB is skipped; a
// server failing otherwise ends the search in that folder (a mirror's folder is tried next), never
// the download. The names after the first are asked at once (fetchNamesIn says why), so a failure on
// one of them comes with the others' answers already in: those after it are not used.
import type { FetchedSumsFile } from '../checksum/verify-image.ts';
import { detachedSignatureSuffixes } from '../checksum/sums-discovery.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { fileNameFromUrl } from './download-cache.ts';

/** A sums file or signature larger than this is not fetched whole (distributions' are a few KiB). */
export const maxRemoteSumsBytes = 1024 * 1024;
/** At most this many requests per download for sums files and signatures. */
export const maxSumsRequests = 40;
/** At most this many folders (the URL's, then its mirrors') are searched. */
const maxSumsFolders = 3;

/** Fetches a small file; null when the server says it does not exist (404/410). */
export type SmallFetcher = (url: string, maxBytes: number) => Promise<{ readonly bytes: Uint8Array; readonly servedBy: string } | null>;

export interface RemoteSums {
  readonly sums: FetchedSumsFile[];
  /** True when the sums come from a mirror's folder, none being found in the URL's own (download-verification.ts counts them only signed). */
  readonly besideMirror: boolean;
  /** Why a folder or a file was given up ("https://…/SHA256SUMS: http-status 500"), for the developer's log. */
  readonly notes: string[];
}

/** The names tried in a folder for an image named `fileName`, those naming it first. */
export function sumsFileNamesFor(fileName: string): string[] {
  return [`${fileName}.sha256`, `${fileName}.sha256sum`, `${fileName}.sha512`, 'SHA256SUMS', 'SHA512SUMS', 'CHECKSUM', 'sha256sum.txt'];
}

/** The sums files in the folder of the first of `urls` that has any (at most three folders), with their signatures. */
export async function fetchSumsNextTo(urls: readonly string[], fetchSmall: SmallFetcher, signal?: AbortSignal): Promise<RemoteSums> {
  const notes: string[] = [];
  let requests = 0;
  const fetchOne = async (url: string): Promise<Uint8Array | null | 'failed'> => {
    throwIfCancelled(signal, 'the search for sums files');
    if (requests >= maxSumsRequests) return 'failed';
    requests += 1;
    try {
      return (await fetchSmall(url, maxRemoteSumsBytes))?.bytes ?? null;
    } catch (error) {
      throwIfCancelled(signal, 'the search for sums files');
      notes.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      // A file too large to be a sums file is skipped; any other failure is the server's, and ends this folder.
      return error instanceof CodedError && error.code === 'too-large' ? null : 'failed';
    }
  };
  const folders = [...new Map(urls.map((url) => [folderOf(url), url])).entries()].slice(0, maxSumsFolders);
  for (const [folder, url] of folders) {
    const sums: FetchedSumsFile[] = [];
    for (const { sumsUrl, bytes } of await fetchNamesIn(folder, sumsFileNamesFor(fileNameFromUrl(url)), fetchOne)) {
      if (bytes === 'failed') break;
      if (bytes === null) continue;
      sums.push({ sumsPath: sumsUrl, bytes, signature: await fetchSignature(sumsUrl, fetchOne) });
    }
    if (sums.length > 0) return { sums, besideMirror: folder !== folders[0]?.[0], notes };
  }
  return { sums: [], besideMirror: false, notes };
}

/**
 * Each name's answer, in the names' order: the first alone, then, unless it failed, the others all
 * at once. In series, seven names cost seven round trips before the download starts (each a new
 * connection: over HTTPS at 50 ms a trip, ~1 s); a server that fails the first is asked nothing more.
 */
async function fetchNamesIn(
  folder: string,
  names: readonly string[],
  fetchOne: (url: string) => Promise<Uint8Array | null | 'failed'>,
): Promise<{ readonly sumsUrl: string; readonly bytes: Uint8Array | null | 'failed' }[]> {
  const urls = names.map((name) => new URL(encodeURIComponent(name), folder).href);
  const [firstUrl, ...otherUrls] = urls;
  if (firstUrl === undefined) return [];
  const first = { sumsUrl: firstUrl, bytes: await fetchOne(firstUrl) };
  if (first.bytes === 'failed') return [first];
  return [first, ...(await Promise.all(otherUrls.map(async (sumsUrl) => ({ sumsUrl, bytes: await fetchOne(sumsUrl) }))))];
}

/** The first detached signature found beside `sumsUrl`; a failing server counts as none. */
async function fetchSignature(sumsUrl: string, fetchOne: (url: string) => Promise<Uint8Array | null | 'failed'>): Promise<FetchedSumsFile['signature']> {
  for (const suffix of detachedSignatureSuffixes) {
    const signaturePath = `${sumsUrl}${suffix}`;
    const bytes = await fetchOne(signaturePath);
    if (bytes === 'failed') return null;
    if (bytes !== null) return { signaturePath, bytes };
  }
  return null;
}

/** The URL's folder: its path up to the last `/`, without query or fragment. */
function folderOf(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  parsed.pathname = parsed.pathname.slice(0, parsed.pathname.lastIndexOf('/') + 1);
  return parsed.href;
}
