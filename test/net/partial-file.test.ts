// The download's file (net/partial-file.ts): bytes received into its slots are hashed on the worker
// while they are written, and land in order. A write that fails (the disk full) ends the download with
// that error. /dev/full fails every write with ENOSPC, as a full disk does; a disk that fills up
// midway, with slots still being hashed, is partial-file-full-disk.integration.test.ts's.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartialFile } from '../../src-main/net/partial-file.ts';

const MiB = 1024 * 1024;

/** Receives `bytes` into `file` as a socket would: into space(), waiting whenever wrote() asks to. */
async function receive(file: PartialFile, bytes: Uint8Array, readBytes: number): Promise<void> {
  for (let doneBytes = 0; doneBytes < bytes.length;) {
    const space = file.space();
    const count = Math.min(space.length, readBytes, bytes.length - doneBytes);
    space.set(bytes.subarray(doneBytes, doneBytes + count));
    doneBytes += count;
    await file.wrote(count);
  }
}

describe('the partial file of a download', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isotope-partial-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes and hashes what it receives, in order, and hands each range on once it landed', async () => {
    const bytes = randomBytes(11 * MiB + 12_345);
    const path = join(dir, 'whole.partial');
    const landed: number[] = [];
    const file = await PartialFile.open(path, false, { onData: (offsetBytes, range) => void landed.push(offsetBytes, range.length) });
    try {
      await receive(file, bytes, 100_000);
      expect(await file.finish()).toBe(createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await file.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
    // Ranges in file order, each starting where the one before ended.
    for (let index = 2; index < landed.length; index += 2) expect(landed[index]).toBe((landed[index - 2] ?? 0) + (landed[index - 1] ?? 0));
    expect((landed.at(-2) ?? 0) + (landed.at(-1) ?? 0)).toBe(bytes.length);
  });

  it('ends with the disk-full error when every write fails, and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let round = 0; round < 5; round += 1) {
        const file = await PartialFile.open('/dev/full', false, {});
        try {
          const received = receive(file, randomBytes(24 * MiB), MiB);
          await expect(received.then(() => file.flush())).rejects.toMatchObject({ code: 'ENOSPC' });
        } finally {
          await file.close();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // a rejection found unhandled is reported after the microtasks
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
