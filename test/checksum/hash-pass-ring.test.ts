// The hashing pass reads into page-aligned memory (io/shared-memory.ts): a ring 16 bytes past a page
// boundary, where a plain SharedArrayBuffer of a few MiB starts, made the kernel's copy of each chunk
// cost about three times the system time (test/bench/hash/README.md). Seen from outside as the kernel
// sees it: strace records the buffer address of every pread64 of a pass run from the sources.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultChunkBytes } from '../../src-main/checksum/hash-pass.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-hash-ring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pageBytes = 4096;

describe("the hashing pass's ring", () => {
  it('receives every chunk read by the kernel on a page boundary', () => {
    // Four chunks: more than one chunk, so the pass reads through the workers' ring, not inline.
    const image = join(dir, 'four-chunks.img');
    writeFileSync(image, Buffer.alloc(4 * defaultChunkBytes, 0xa5));
    const trace = join(dir, 'pread.trace');
    const pass = join(dir, 'pass.mts');
    writeFileSync(
      pass,
      `import { hashFile } from ${JSON.stringify(join(repoRoot, 'src-main/checksum/hash-pass.ts'))};\nawait hashFile(${JSON.stringify(image)}, { algorithms: ['sha256'] });\n`,
    );
    execFileSync('strace', ['-f', '-qq', '-e', 'trace=pread64', '-e', 'raw=pread64', '-o', trace, process.execPath, '--import', 'tsx', pass], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 60_000,
    });
    // A raw line: `PID pread64(0x15, 0x7f0123400000, 0x400000, 0x800000) = 0x400000`.
    const chunkReads = [...readFileSync(trace, 'utf8').matchAll(/pread64\(0x[0-9a-f]+, (0x[0-9a-f]+), (0x[0-9a-f]+),/g)].filter(
      (match) => Number(match[2]) === defaultChunkBytes,
    );
    const addresses = chunkReads.map((match) => BigInt(match[1]!));
    expect(addresses.length).toBeGreaterThanOrEqual(4);
    expect(addresses.filter((address) => address % BigInt(pageBytes) !== 0n).map((address) => `0x${address.toString(16)}`)).toEqual([]);
  });
});
