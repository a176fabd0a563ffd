// The flash source over a file still being downloaded (growing-file-source.ts), on a real file
// appended to as a download would: reads wait at the landed edge, end at the announced or final
// size, and fail with the download's error (also when it rewrites bytes already handed out).
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlashFailure } from '../../src-main/flash/flash-error.ts';
import { GrowingFile, openGrowingFileSource } from '../../src-main/flash/source/growing-file-source.ts';

const KiB = 1024;

/** Resolves with 'pending' when `promise` has not settled after the event loop has run a while. */
async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'settled'> {
  const marker = Symbol('pending');
  const raced = await Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<typeof marker>((resolve) => setTimeout(() => resolve(marker), 30)),
  ]);
  return raced === marker ? 'pending' : raced;
}

describe('a flash source over a file still downloading', () => {
  let dir = '';
  const bytes = randomBytes(96 * KiB);
  let count = 0;
  const freshFile = (): string => {
    const path = join(dir, `download-${(count += 1)}.partial`);
    writeFileSync(path, new Uint8Array(0));
    return path;
  };
  /** Appends bytes [from, to) of `bytes` to the file and reports them landed, as the download's onData does. */
  const land = (growing: GrowingFile, path: string, from: number, to: number): void => {
    appendFileSync(path, bytes.subarray(from, to));
    growing.landed(from, to);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-growing-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves only landed bytes, waits at the edge, and ends at the announced total', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    growing.knowTotal(bytes.length);
    const source = await openGrowingFileSource(growing);
    expect(source.sizeBytes).toBe(bytes.length);
    land(growing, path, 0, 10 * KiB);
    const into = new Uint8Array(64 * KiB);
    const first = source.readNext(into);
    // 10 KiB landed of the 64 KiB asked: the read waits for the rest.
    expect(await stateOf(first)).toBe('pending');
    land(growing, path, 10 * KiB, 70 * KiB);
    expect(await first).toBe(64 * KiB);
    expect(Buffer.from(into).equals(bytes.subarray(0, 64 * KiB))).toBe(true);
    const second = source.readNext(into);
    land(growing, path, 70 * KiB, bytes.length);
    // The file ends inside this read: short, then zero.
    expect(await second).toBe(32 * KiB);
    expect(Buffer.from(into.subarray(0, 32 * KiB)).equals(bytes.subarray(64 * KiB))).toBe(true);
    expect(await source.readNext(into)).toBe(0);
    await source.close();
  });

  it('learns its size when the download ends without having announced one', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    const source = await openGrowingFileSource(growing);
    expect(source.sizeBytes).toBeNull();
    land(growing, path, 0, 40 * KiB);
    const into = new Uint8Array(64 * KiB);
    const read = source.readNext(into);
    expect(await stateOf(read)).toBe('pending');
    growing.completed(40 * KiB, 'c'.repeat(64));
    expect(await read).toBe(40 * KiB);
    expect(source.sizeBytes).toBe(40 * KiB);
    // The verification's positioned re-read of the finished file.
    const again = new Uint8Array(8 * KiB);
    expect(await source.readAt(again, 32 * KiB)).toBe(8 * KiB);
    expect(Buffer.from(again).equals(bytes.subarray(32 * KiB, 40 * KiB))).toBe(true);
    await source.close();
  });

  it('rejects a waiting read and every later one with the download failure', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    growing.knowTotal(bytes.length);
    const source = await openGrowingFileSource(growing);
    land(growing, path, 0, 20 * KiB);
    const into = new Uint8Array(64 * KiB);
    const read = source.readNext(into);
    growing.failed(new FlashFailure('source-unreadable', 'the download failed: all-mirrors-failed: cut at byte 20480', 20 * KiB));
    await expect(read).rejects.toThrow(/all-mirrors-failed: cut at byte 20480/);
    await expect(source.readAt(new Uint8Array(KiB), 0)).rejects.toThrow(/all-mirrors-failed/);
    await source.close();
  });

  it('fails rather than mix two versions when the download rewrites bytes already handed to the drives', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    const source = await openGrowingFileSource(growing);
    land(growing, path, 0, 30 * KiB);
    expect(await source.readNext(new Uint8Array(16 * KiB))).toBe(16 * KiB);
    growing.landed(8 * KiB, 12 * KiB);
    await expect(source.readNext(new Uint8Array(16 * KiB))).rejects.toThrow(/rewrote its file from byte 8192 after 16384 bytes had been written/);
    await source.close();
  });

  it('follows a restart that rewrites only bytes not yet read: the edge moves back and reads wait for it', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    const source = await openGrowingFileSource(growing);
    land(growing, path, 0, 30 * KiB);
    expect(await source.readNext(new Uint8Array(8 * KiB))).toBe(8 * KiB);
    // The download starts over from byte 8 KiB (same bytes, as a server without Range would send them).
    growing.landed(8 * KiB, 10 * KiB);
    const into = new Uint8Array(16 * KiB);
    const read = source.readNext(into);
    expect(await stateOf(read)).toBe('pending');
    growing.landed(10 * KiB, 30 * KiB);
    expect(await read).toBe(16 * KiB);
    expect(Buffer.from(into).equals(bytes.subarray(8 * KiB, 24 * KiB))).toBe(true);
    await source.close();
  });

  it('fails when the download ends at another size than it announced', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    growing.opened(path);
    growing.knowTotal(50 * KiB);
    const source = await openGrowingFileSource(growing);
    land(growing, path, 0, 40 * KiB);
    growing.completed(40 * KiB, 'c'.repeat(64));
    await expect(source.readNext(new Uint8Array(64 * KiB))).rejects.toThrow(/ended with 40960 bytes; it announced 51200/);
    await source.close();
  });

  it('counts bytes kept from an earlier try as landed (a resume)', async () => {
    const growing = new GrowingFile();
    const path = freshFile();
    appendFileSync(path, bytes.subarray(0, 24 * KiB));
    growing.opened(path);
    growing.onDisk(24 * KiB);
    const source = await openGrowingFileSource(growing);
    const into = new Uint8Array(24 * KiB);
    expect(await source.readNext(into)).toBe(24 * KiB);
    expect(Buffer.from(into).equals(bytes.subarray(0, 24 * KiB))).toBe(true);
    await source.close();
  });

  it('never opens a file when the download fails before creating one', async () => {
    const growing = new GrowingFile();
    const opening = openGrowingFileSource(growing);
    growing.failed(new FlashFailure('source-unreadable', 'the download failed: http-status: 404 for https://127.0.0.1/x.iso'));
    await expect(opening).rejects.toThrow(/404/);
  });
});
