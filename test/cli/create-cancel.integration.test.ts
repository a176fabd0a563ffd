// Ctrl-C in `isotope create`, in a child process as a user presses it: the job is cancelled at once,
// the partial image is removed, and nothing that looks like a finished image is left.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interruptIsotope } from '../helpers/interrupted-isotope.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-create-cancel-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('isotope create, cancelled', () => {
  it('Ctrl-C during the write cancels the job and leaves no output and no partial file', { timeout: 120_000 }, async () => {
    const tree = join(scratch, 'tree');
    mkdirSync(tree);
    // 32 files of 16 MiB: 512 MiB take long enough that the write is running at the first progress line.
    for (let index = 0; index < 32; index += 1) writeFileSync(join(tree, `part-${index}.bin`), Buffer.alloc(16 * 1024 * 1024, index));
    const outputFolder = join(scratch, 'out');
    mkdirSync(outputFolder);
    const output = join(outputFolder, 'cancelled.iso');
    const run = await interruptIsotope(['create', tree, '-o', output, '--json'], '"phase":"writing-image"', `${output}.partial`);
    expect(run.interrupted, run.stdout).toBe(true);
    expect(run.partialExisted).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('"code": "cancelled"');
    expect(readdirSync(outputFolder)).toEqual([]);
  });
});
