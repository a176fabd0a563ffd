// A writer in the download's own process (held-bytes.ts): it writes the buffers the download landed,
// not a second read of the file, so one SHA-256 serves both; a writer a whole window behind holds the
// download back until it makes room, and one that stops lets it go on.
// Real files (the download's partial file and a regular-file target), no loop device needed.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrowingFile, openGrowingFileSource } from '../../src-main/flash/source/growing-file-source.ts';
import { HeldBytes } from '../../src-main/flash/source/held-bytes.ts';
import { writeHere } from '../../src-main/flash/flash-from-download.ts';
import { writeArrivingImage } from '../../src-main/flash/write-arriving-image.ts';

const KiB = 1024;

describe("a writer fed the download's own buffers", () => {
  let dir = '';
  let count = 0;
  const bytes = randomBytes(96 * KiB);
  const sha256Of = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
  /** A partial file and its GrowingFile holding up to `holdBytes` for the writer. */
  const download = (holdBytes: number): { growing: GrowingFile; path: string } => {
    const path = join(dir, `download-${(count += 1)}.partial`);
    writeFileSync(path, new Uint8Array(0));
    const growing = new GrowingFile({ holdBytes });
    growing.opened(path);
    return { growing, path };
  };
  /** Lands bytes [from, to) in 8 KiB buffers, as the download's onData does: the file gets `onDisk` (default: the same bytes). */
  const land = (growing: GrowingFile, path: string, from: number, to: number, onDisk: Uint8Array = bytes): void => {
    for (let offset = from; offset < to; offset += 8 * KiB) {
      const end = Math.min(to, offset + 8 * KiB);
      appendFileSync(path, onDisk.subarray(offset, end));
      growing.landed(offset, end, bytes.subarray(offset, end));
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-held-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bytes the download landed, while the verification re-reads the file', async () => {
    const { growing, path } = download(64 * KiB);
    // The file holds other bytes than the download landed: the write takes the download's, the read-back the file's.
    const zeros = new Uint8Array(bytes.length);
    land(growing, path, 0, 32 * KiB, zeros);
    const source = await openGrowingFileSource(growing);
    const into = new Uint8Array(32 * KiB);
    expect(await source.readNext(into)).toBe(32 * KiB);
    expect(Buffer.from(into).equals(bytes.subarray(0, 32 * KiB))).toBe(true);
    expect(await source.readAt(into, 0)).toBe(32 * KiB);
    expect(Buffer.from(into).equals(zeros.subarray(0, 32 * KiB))).toBe(true);
    await source.close();
  });

  it('holds the download back once the writer is a whole window behind, and lets each range land as the writer makes room', async () => {
    const { growing, path } = download(24 * KiB);
    // Three 8 KiB ranges fill the window: each lands at once.
    for (let offset = 0; offset < 24 * KiB; offset += 8 * KiB) {
      appendFileSync(path, bytes.subarray(offset, offset + 8 * KiB));
      expect(growing.landed(offset, offset + 8 * KiB, bytes.subarray(offset, offset + 8 * KiB))).toBeUndefined();
    }
    // The fourth waits for room; the download's memory holding it is not copied until then.
    const fourth = Buffer.from(bytes.subarray(24 * KiB, 32 * KiB));
    let fourthLanded = false;
    const waiting = growing.landed(24 * KiB, 32 * KiB, fourth);
    expect(waiting).toBeInstanceOf(Promise);
    void waiting?.then(() => (fourthLanded = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fourthLanded).toBe(false);
    expect(growing.landedBytes).toBe(24 * KiB);
    const source = await openGrowingFileSource(growing);
    const into = new Uint8Array(8 * KiB);
    // 4 KiB taken is not room for 8 KiB more: still held back.
    expect(await source.readNext(into.subarray(0, 4 * KiB))).toBe(4 * KiB);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fourthLanded).toBe(false);
    expect(await source.readNext(into.subarray(0, 4 * KiB))).toBe(4 * KiB);
    await waiting;
    expect(growing.landedBytes).toBe(32 * KiB);
    // Past the copy, the download's memory may change: the writer still gets the bytes as they landed.
    fourth.fill(0);
    const read: Buffer[] = [];
    for (let got = 0; got < 24 * KiB;) {
      const count = await source.readNext(into);
      read.push(Buffer.from(into.subarray(0, count)));
      got += count;
    }
    expect(Buffer.concat(read).equals(bytes.subarray(8 * KiB, 32 * KiB))).toBe(true);
    await source.close();
  });

  it('lets a held-back download go on once the writer stops reading (its source closed)', async () => {
    const { growing, path } = download(16 * KiB);
    land(growing, path, 0, 16 * KiB);
    const source = await openGrowingFileSource(growing);
    const waiting = growing.landed(16 * KiB, 24 * KiB, bytes.subarray(16 * KiB, 24 * KiB));
    expect(waiting).toBeInstanceOf(Promise);
    await source.close();
    await waiting;
    expect(growing.landed(24 * KiB, 96 * KiB, bytes.subarray(24 * KiB, 96 * KiB))).toBeUndefined();
    expect(growing.failure).toBeNull();
  });

  it('never holds the download back once the writing half is over, though it never opened the file (gone under it)', async () => {
    const MiB = 1024 * KiB;
    const target = join(dir, 'stick-never.img');
    writeFileSync(target, new Uint8Array(64 * KiB));
    const write = writeHere({ targets: [{ path: target }], verify: false, includeAll: true });
    write.feed.opened(join(dir, 'removed.partial'));
    const result = await write.done;
    expect(result.targets[0]?.error?.message).toMatch(/cannot open the download .*removed\.partial/);
    // Past the window (32 MiB) in 4 MiB ranges: with the writer gone, none may wait.
    const range = new Uint8Array(4 * MiB);
    const waits = [];
    for (let offset = 0; offset < 48 * MiB; offset += range.length) waits.push(write.feed.landed(offset, offset + range.length, range));
    expect(waits.filter((wait) => wait !== undefined)).toEqual([]);
  });

  it('follows a restart of bytes not yet written, from memory, and refuses one of bytes already written', async () => {
    const { growing, path } = download(32 * KiB);
    land(growing, path, 0, 24 * KiB);
    const source = await openGrowingFileSource(growing);
    const into = new Uint8Array(8 * KiB);
    expect(await source.readNext(into)).toBe(8 * KiB);
    // The download starts over from 8 KiB with the same bytes (a server that ignored the Range): memory follows it.
    land(growing, path, 8 * KiB, 40 * KiB);
    expect(growing.failure).toBeNull();
    expect(await source.readNext(into)).toBe(8 * KiB);
    expect(Buffer.from(into).equals(bytes.subarray(8 * KiB, 16 * KiB))).toBe(true);
    // A restart from inside the bytes handed to the writer would put two versions on the sticks.
    growing.landed(8 * KiB, 16 * KiB, bytes.subarray(8 * KiB, 16 * KiB));
    expect(growing.failure?.message).toMatch(/rewrote its file from byte 8192 after 16384 bytes had been written to the drives/);
    await source.close();
  });

  it("writes the download's bytes whatever its file holds, reporting the download's SHA-256 as theirs (no second hash)", async () => {
    const { growing, path } = download(128 * KiB);
    const target = join(dir, 'stick-ok.img');
    writeFileSync(target, new Uint8Array(128 * KiB));
    growing.knowTotal(bytes.length);
    // The file was overwritten behind the download: without a read-back, only the bytes written count.
    land(growing, path, 0, bytes.length, new Uint8Array(bytes.length));
    growing.completed(bytes.length, sha256Of(bytes));
    const result = await writeArrivingImage(growing, { targets: [{ path: target }], verify: false, includeAll: true });
    expect(result.outcome).toBe('succeeded');
    expect(result.source.sha256Hex).toBe(sha256Of(bytes));
    expect(readFileSync(target).subarray(0, bytes.length).equals(bytes)).toBe(true);
  });

  it('keeps what it holds in one ring: ranges landing and taken across its end come out whole and in order', () => {
    // A 20 KiB window, 8 KiB landed and 12 KiB taken at a time: almost every range wraps the ring.
    const held = new HeldBytes(20 * KiB);
    const taken: Buffer[] = [];
    let landedBytes = 0;
    let takenBytes = 0;
    while (takenBytes < bytes.length) {
      while (landedBytes < bytes.length && landedBytes - takenBytes + 8 * KiB <= 20 * KiB) {
        expect(held.roomFor(landedBytes, 8 * KiB)).toBeNull();
        expect(held.landed(landedBytes, bytes.subarray(landedBytes, landedBytes + 8 * KiB))).toBeNull();
        landedBytes += 8 * KiB;
      }
      const into = new Uint8Array(Math.min(12 * KiB, landedBytes - takenBytes));
      held.take(into, takenBytes, into.length);
      taken.push(Buffer.from(into));
      takenBytes += into.length;
    }
    expect(Buffer.concat(taken).equals(bytes)).toBe(true);
  });

  it('vouches for no SHA-256 of a write cancelled midway, though the download completed and hashed every byte', async () => {
    // Three of the flash's 4 MiB chunks: the first written, the cancel while the writer waits for the second.
    const MiB = 1024 * KiB;
    const image = randomBytes(9 * MiB);
    const { growing, path } = download(32 * MiB);
    const target = join(dir, 'stick-cancelled.img');
    writeFileSync(target, new Uint8Array(9 * MiB));
    const landImage = (from: number, to: number): void => {
      for (let offset = from; offset < to; offset += 64 * KiB) {
        appendFileSync(path, image.subarray(offset, offset + 64 * KiB));
        growing.landed(offset, offset + 64 * KiB, image.subarray(offset, offset + 64 * KiB));
      }
    };
    growing.knowTotal(image.length);
    landImage(0, 4 * MiB);
    const cancel = new AbortController();
    const writing = writeArrivingImage(growing, { targets: [{ path: target }], verify: false, includeAll: true, signal: cancel.signal });
    // The first chunk is on the stick past its first MiB (written last): the writer now waits for the second.
    const landedOnStick = (): boolean =>
      readFileSync(target)
        .subarray(2 * MiB, 4 * MiB)
        .equals(image.subarray(2 * MiB, 4 * MiB));
    for (let waitedMs = 0; !landedOnStick() && waitedMs < 10_000; waitedMs += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    cancel.abort();
    landImage(4 * MiB, image.length);
    growing.completed(image.length, sha256Of(image));
    const result = await writing;
    expect(result.outcome).toBe('cancelled');
    expect(result.source.sizeBytes).toBeLessThan(image.length);
    expect(result.source.sha256Hex).toBeNull();
  });
});
