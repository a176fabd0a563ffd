// ExtraDigests (download/extra-digests.ts): the digests other than SHA-256 a download's sums files
// need, over the bytes as net/ lands them. Each range is hashed before landed() returns, so a fast
// download holds no queue of copies; a range jump re-reads the file once at the end; a restart at
// byte 0 starts afresh.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExtraDigests } from '../../src-main/download/extra-digests.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';

const dir = mkdtempSync('/tmp/isotope-extra-digests-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mebibyte = 1024 * 1024;
const sha512 = (bytes: Uint8Array): string => createHash('sha512').update(bytes).digest('hex');

describe('ExtraDigests', () => {
  it('hashes each range before landed returns: 192 MiB landing at once hold no copies, and the digest is the bytes as they were', async () => {
    const chunk = Buffer.from(deterministicBytes(mebibyte, 3));
    const digests = new ExtraDigests(join(dir, 'never-read'), ['sha512']);
    const expected = createHash('sha512');
    const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
    for (let index = 0; index < 192; index += 1) {
      chunk[0] = index; // the caller reuses its buffer once onData returns
      digests.landed(index * mebibyte, chunk);
      expected.update(chunk);
    }
    // Measured before anything awaits: a queue of copies would still hold all 192 MiB here.
    const heldBytes = process.memoryUsage().arrayBuffers - arrayBuffersBefore;
    expect(heldBytes).toBeLessThan(32 * mebibyte);
    expect(await digests.digest(192 * mebibyte)).toEqual({ sha512: expected.digest('hex') });
  });

  it('re-reads the file once when a range does not follow the last, and starts afresh at a restart from byte 0', async () => {
    const file = Buffer.from(deterministicBytes(3 * mebibyte, 5));
    const path = join(dir, 'jumped.partial');
    writeFileSync(path, file);
    const jumped = new ExtraDigests(path, ['sha512']);
    jumped.landed(0, file.subarray(0, mebibyte));
    jumped.landed(2 * mebibyte, file.subarray(2 * mebibyte)); // the middle never landed here
    expect(await jumped.digest(file.length)).toEqual({ sha512: sha512(file) });

    const restarted = new ExtraDigests(join(dir, 'never-read'), ['sha512']);
    restarted.landed(0, Buffer.alloc(mebibyte, 0xee)); // another version, abandoned
    restarted.landed(0, file.subarray(0, 2 * mebibyte));
    restarted.landed(2 * mebibyte, file.subarray(2 * mebibyte));
    expect(await restarted.digest(file.length)).toEqual({ sha512: sha512(file) });
  });
});
