// The search for sums files next to a URL (download/remote-sums.ts), with a fetcher whose answers the
// test releases one by one: how many requests are open at once and in what order the names are
// asked. The same search against a real server (names, signatures, mirrors, a failing server asked
// once) is in run-download.test.ts.
import { describe, expect, it } from 'vitest';
import { fetchSumsNextTo, sumsFileNamesFor, type SmallFetcher } from '../../src-main/download/remote-sums.ts';
import { detachedSignatureSuffixes } from '../../src-main/checksum/sums-discovery.ts';

const folder = 'https://mirror.example/debian/';

/** A fetcher that answers each URL only when the test says: `answer(name, bytes | null | error)`. */
function heldFetcher(): { fetch: SmallFetcher; asked: string[]; answer: (name: string, value: Uint8Array | null | Error) => void } {
  const asked: string[] = [];
  const pending = new Map<string, { resolve: (value: { bytes: Uint8Array; servedBy: string } | null) => void; reject: (error: Error) => void }>();
  const fetch: SmallFetcher = (url) =>
    new Promise((resolve, reject) => {
      asked.push(url.slice(folder.length));
      pending.set(url.slice(folder.length), { resolve, reject });
    });
  const answer = (name: string, value: Uint8Array | null | Error): void => {
    const waiting = pending.get(name);
    if (waiting === undefined) throw new Error(`${name} was not asked`);
    if (value instanceof Error) waiting.reject(value);
    else waiting.resolve(value === null ? null : { bytes: value, servedBy: folder + name });
  };
  return { fetch, asked, answer };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the search for sums files next to a URL', () => {
  const names = sumsFileNamesFor('debian.iso');

  it('asks the first name alone, then every other name at once, and keeps the answers in the names’ order', async () => {
    const { fetch, asked, answer } = heldFetcher();
    const search = fetchSumsNextTo([`${folder}debian.iso`], fetch);
    await settle();
    expect(asked).toEqual([names[0]]);
    answer(names[0]!, null);
    await settle();
    // All six asked before any of them answered: one round trip, not six.
    expect(asked).toEqual(names);
    // Answered out of order: the result still lists SHA512SUMS after SHA256SUMS.
    answer('SHA512SUMS', new TextEncoder().encode('b  debian.iso\n'));
    answer('SHA256SUMS', new TextEncoder().encode('a  debian.iso\n'));
    for (const name of names.slice(1)) if (name !== 'SHA256SUMS' && name !== 'SHA512SUMS') answer(name, null);
    await settle();
    // Then each sums file's signatures, one after another: none here.
    for (const name of ['SHA256SUMS', 'SHA512SUMS']) {
      for (const suffix of detachedSignatureSuffixes) {
        await settle();
        answer(`${name}${suffix}`, null);
      }
    }
    const found = await search;
    expect(found.sums.map((sums) => sums.sumsPath)).toEqual([`${folder}SHA256SUMS`, `${folder}SHA512SUMS`]);
  });
});
