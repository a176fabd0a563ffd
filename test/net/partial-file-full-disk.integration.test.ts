// A download's disk filling up midway (net/partial-file.ts): the slots before the failing one are
// still being hashed when its write fails. That failure must end the download with ENOSPC, never as
// a rejection nobody handled yet, which ends the whole engine (Node's default). A loop device of
// 3.5 MiB is the disk: the first three 1 MiB slots are written, the fourth's write fails past its end,
// while the hashing worker is still on the first ones (SHA-256 of a slot takes ~0.7 ms, a write ~0.1).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartialFile } from '../../src-main/net/partial-file.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)(`a download whose disk fills up (${rootSkipReason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'isotope-full-disk-'));
  const loops = new LoopDevices();
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with ENOSPC when a write fails while the slots before it are still hashed, leaving no rejection unhandled', async () => {
    const backing = join(dir, 'disk.img');
    writeFileSync(backing, Buffer.alloc(3.5 * MiB));
    const disk = loops.attach(backing);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let round = 0; round < 5; round += 1) {
        const file = await PartialFile.open(disk, false, {});
        try {
          let failure: unknown = null;
          const bytes = randomBytes(16 * MiB);
          try {
            for (let doneBytes = 0; doneBytes < bytes.length;) {
              const space = file.space();
              const count = Math.min(space.length, bytes.length - doneBytes);
              space.set(bytes.subarray(doneBytes, doneBytes + count));
              doneBytes += count;
              await file.wrote(count);
            }
            await file.flush();
          } catch (error) {
            failure = error;
          }
          expect(failure).toMatchObject({ code: 'ENOSPC' });
        } finally {
          await file.close();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // an unhandled rejection is reported after the microtasks
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
