// The download's reports as they cross to the elevated helper (growing-feed-log.ts): the state before
// the helper connects is told as one snapshot, later reports one by one, and the helper's own
// GrowingFile, fed only by those events, serves the same bytes; a malformed event fails the download.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlashFailure } from '../../src-main/flash/flash-error.ts';
import { applyGrowingEvent, GrowingFeedLog, type GrowingEvent } from '../../src-main/flash/source/growing-feed-log.ts';
import { GrowingFile, openGrowingFileSource } from '../../src-main/flash/source/growing-file-source.ts';

const KiB = 1024;

describe("the download's reports on the helper's channel", () => {
  const dir = mkdtempSync(join(tmpdir(), 'isotope-feed-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a late listener the state so far, then each report, and the helper reads the file from them alone', async () => {
    const bytes = randomBytes(48 * KiB);
    const path = join(dir, 'image.img.partial');
    writeFileSync(path, bytes);
    const log = new GrowingFeedLog();
    log.opened(path);
    log.knowTotal(bytes.length);
    log.onDisk(0);
    log.landed(0, 8 * KiB);
    log.landed(8 * KiB, 16 * KiB);
    const heard: GrowingEvent[] = [];
    const helperSide = new GrowingFile();
    // Through JSON, as the channel carries them.
    log.listen((event) => {
      heard.push(event);
      applyGrowingEvent(helperSide, JSON.parse(JSON.stringify(event)));
    });
    expect(heard).toEqual([
      { event: 'opened', path },
      { event: 'total', bytes: 48 * KiB },
      { event: 'on-disk', bytes: 16 * KiB },
    ]);
    log.landed(16 * KiB, 48 * KiB);
    log.completed(48 * KiB, 'a'.repeat(64));
    expect(heard.slice(3)).toEqual([
      { event: 'landed', offsetBytes: 16 * KiB, endBytes: 48 * KiB },
      { event: 'completed', sizeBytes: 48 * KiB, sha256: 'a'.repeat(64) },
    ]);
    const source = await openGrowingFileSource(helperSide);
    const into = new Uint8Array(64 * KiB);
    expect(await source.readNext(into)).toBe(48 * KiB);
    expect(Buffer.from(into.subarray(0, 48 * KiB)).equals(bytes)).toBe(true);
    expect(helperSide.sha256).toBe('a'.repeat(64));
    await source.close();
  });

  it("tells a late listener a download that already failed, with the failure's code and words", () => {
    const log = new GrowingFeedLog();
    log.failed(new FlashFailure('verification-mismatch', 'the checksums for https://example.org/x.iso do not vouch for the download (mismatch)'));
    const helperSide = new GrowingFile();
    log.listen((event) => applyGrowingEvent(helperSide, event));
    expect(helperSide.failure).toMatchObject({ code: 'verification-mismatch', message: expect.stringContaining('do not vouch') });
  });

  it.each([
    ['a negative offset', { event: 'landed', offsetBytes: -1, endBytes: 10 }],
    ['a relative path', { event: 'opened', path: 'image.img' }],
    ['a field the event does not have', { event: 'total', bytes: 10, extra: true }],
    ['a SHA-256 that is not 64 hex digits', { event: 'completed', sizeBytes: 10, sha256: 'zz' }],
    ['an unknown event', { event: 'grown', bytes: 10 }],
  ])('fails the download on a malformed event: %s', (_, event) => {
    const helperSide = new GrowingFile();
    applyGrowingEvent(helperSide, event);
    expect(helperSide.failure?.message).toBe('the engine sent a malformed download report');
  });
});
