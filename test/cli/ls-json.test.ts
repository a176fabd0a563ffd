// `isotope ls --json` streams its one JSON document as the text listing does, a directory (and at
// most a few thousand entries) at a time: built as one string, the listing of a hostile image took
// 2.96 GB and then threw (V8's strings stop at 2^29 characters).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/cli.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { bigFolderFileCount, bigIsoPath } from '../fixtures/ui-images.ts';
import { isotope, testService } from '../helpers/in-process-cli.ts';

/** The command run in-process, keeping each write to stdout apart. */
async function isotopeWrites(args: readonly string[]): Promise<{ code: number | null; writes: string[]; stderr: string }> {
  const writes: string[] = [];
  let stderr = '';
  const code = await runCli(args, {
    version: '0.0.0-test',
    createService: testService,
    startWeb: () => Promise.reject(new Error('not started here')),
    stdout: (text) => void writes.push(text),
    stderr: (text) => (stderr += text),
  });
  return { code, writes, stderr };
}

describe('isotope ls --json', () => {
  it('streams a 50,000-entry listing in pieces of at most 4096 entries that together are one JSON document', async () => {
    const run = await isotopeWrites(['ls', '-R', '--json', bigIsoPath()]);
    expect(run.code).toBe(0);
    expect(run.writes.length).toBeGreaterThan(bigFolderFileCount / 4096);
    for (const piece of run.writes) expect(piece.split('\n').length).toBeLessThanOrEqual(4096 + 2);
    const listed = JSON.parse(run.writes.join('')) as { path: string; type: string }[];
    expect(listed.filter((entry) => entry.path.startsWith('/big/'))).toHaveLength(bigFolderFileCount);
    expect(listed.map((entry) => entry.path)).toContain('/nested/a/b/c/deep.txt');
  });

  it('prints [] for an empty folder', async () => {
    const run = await isotope(['ls', '--json', xorrisoFeaturesIsoPath(), '/docs/empty-folder']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('prints the error as its one document when the listing fails before any entry', async () => {
    const notImage = join(mkdtempSync(join(tmpdir(), 'isotope-ls-json-')), 'not-an-image.bin');
    writeFileSync(notImage, Buffer.alloc(100_000));
    const run = await isotope(['ls', '--json', notImage]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'not-an-image' } });
    expect((await isotope(['ls', '--json', xorrisoFeaturesIsoPath(), '/missing'])).stdout).toContain('"not-found"');
  });
});
