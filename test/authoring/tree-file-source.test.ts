// treeFileSource on real files: opened at the first read and closed after the last byte, and every
// change since the walk (grown, shrunk, rewritten, vanished) a `source-changed` error naming the file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, symlinkSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { treeFileSource } from '../../src-main/authoring/tree-file-source.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-tree-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let fileCount = 0;
/** A file of `sizeBytes` patterned bytes and what the walk would have seen of it. */
function file(sizeBytes: number): { path: string; bytes: Buffer; expected: { sizeBytes: number; modifiedMs: number } } {
  fileCount += 1;
  const path = join(scratch, `file-${fileCount}.bin`);
  const bytes = Buffer.from(Array.from({ length: sizeBytes }, (_, index) => (index * 7 + fileCount) & 0xff));
  writeFileSync(path, bytes);
  return { path, bytes, expected: { sizeBytes, modifiedMs: statSync(path).mtimeMs } };
}

/** The paths this process holds descriptors open on that `matches` accepts. */
function openPaths(matches: (path: string) => boolean): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // the descriptor readdir itself used, closed since
      }
    })
    .filter(matches);
}

const descriptorsOn = (path: string): number => openPaths((open) => open === path).length;

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(
    () => ({ code: 'none', message: 'no error' }),
    (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
  );
}

describe('treeFileSource', () => {
  it('opens the file at its first read and closes it once the last byte is read', async () => {
    const { path, bytes, expected } = file(10_000);
    const source = treeFileSource(path, expected);
    expect(descriptorsOn(path)).toBe(0);
    expect(Buffer.from(await source.read(0, 4096)).equals(bytes.subarray(0, 4096))).toBe(true);
    expect(descriptorsOn(path)).toBe(1);
    const rest = new Uint8Array(10_000 - 4096);
    await source.readInto!(rest, 4096);
    expect(Buffer.from(rest).equals(bytes.subarray(4096))).toBe(true);
    expect(descriptorsOn(path)).toBe(0);
  });

  it('holds no descriptor for files not yet read: 2,000 sources made at once open none', async () => {
    const files = Array.from({ length: 2000 }, () => file(10));
    const sources = files.map(({ path, expected }) => treeFileSource(path, expected));
    expect(openPaths((open) => open.startsWith(scratch))).toEqual([]);
    for (const [index, source] of sources.entries()) expect(Buffer.from(await source.read(0, 10)).equals(files[index]!.bytes)).toBe(true);
    expect(openPaths((open) => open.startsWith(scratch))).toEqual([]);
  });

  it('fails with source-changed, naming the file, when it grew while it was read (checked after the last byte)', async () => {
    const { path, expected } = file(8192);
    const source = treeFileSource(path, expected);
    await source.read(0, 4096);
    appendFileSync(path, 'more');
    const grown = await failureOf(source.read(4096, 4096));
    expect(grown.code).toBe('source-changed');
    expect(grown.message).toContain(`${path} changed while the image was made (after its last byte was read): 8196 bytes`);
    expect(descriptorsOn(path)).toBe(0);
  });

  it('fails with source-changed when the file ends early (shrunk while read)', async () => {
    const { path, expected } = file(8192);
    const source = treeFileSource(path, expected);
    await source.read(0, 100);
    truncateSync(path, 5000);
    const shrunk = await failureOf(source.read(4096, 4096));
    expect(shrunk).toEqual({ code: 'source-changed', message: `${path} ended at byte 5000, but it was 8192 bytes when the sources were read` });
    expect(descriptorsOn(path)).toBe(0);
  });

  it('fails with source-changed when the file was rewritten (same size, new time) or removed before it was read', async () => {
    const rewritten = file(3000);
    utimesSync(rewritten.path, new Date(), new Date(Date.now() + 5000));
    const changed = await failureOf(treeFileSource(rewritten.path, rewritten.expected).read(0, 3000));
    expect(changed.code).toBe('source-changed');
    expect(changed.message).toContain(`${rewritten.path} changed while the image was made (after its last byte was read)`);
    const removed = file(3000);
    rmSync(removed.path);
    expect(await failureOf(treeFileSource(removed.path, removed.expected).read(0, 10))).toEqual({
      code: 'source-changed',
      message: `${removed.path} disappeared after the sources were read`,
    });
  });

  it('neither follows a file swapped for a symbolic link nor hangs on one swapped for a fifo', async () => {
    const linked = file(100);
    rmSync(linked.path);
    symlinkSync('/etc/passwd', linked.path);
    expect(await failureOf(treeFileSource(linked.path, linked.expected).read(0, 100))).toEqual({
      code: 'source-changed',
      message: `${linked.path} became a symbolic link after the sources were read`,
    });
    const piped = file(100);
    rmSync(piped.path);
    expect(spawnSync('mkfifo', [piped.path]).status).toBe(0);
    const failure = await failureOf(treeFileSource(piped.path, piped.expected).read(0, 100));
    expect(failure.code).toBe('source-changed');
    expect(failure.message).toContain(piped.path);
    expect(descriptorsOn(piped.path)).toBe(0);
  });

  it('reads pieces asked for together and closes only after the last of them', async () => {
    const { path, bytes, expected } = file(3 * 4096);
    const source = treeFileSource(path, expected);
    const parts = await Promise.all([source.read(8192, 4096), source.read(0, 4096), source.read(4096, 4096)]);
    expect(Buffer.concat(parts.map((part) => Buffer.from(part))).equals(Buffer.concat([bytes.subarray(8192), bytes.subarray(0, 8192)]))).toBe(true);
    expect(descriptorsOn(path)).toBe(0);
  });

  it('refuses a read past the size the walk saw', async () => {
    const { path, expected } = file(100);
    expect((await failureOf(treeFileSource(path, expected).read(50, 51))).message).toContain(`read of 51 bytes at offset 50 is outside ${path}`);
  });
});
