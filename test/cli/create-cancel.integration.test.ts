// Ctrl-C in `isotope create`, in a child process as a user presses it: the job is cancelled at once,
// the partial image is removed, and nothing that looks like a finished image is left.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-create-cancel-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The CLI over the real service from the sources, printing as it goes (test/backup/live-isotope.ts).
const isotopeFromSources = ['--import', 'tsx', join(repoRoot, 'test/backup/live-isotope.ts')];

describe('isotope create, cancelled', () => {
  it('Ctrl-C during the write cancels the job and leaves no output and no partial file', { timeout: 120_000 }, async () => {
    const tree = join(scratch, 'tree');
    mkdirSync(tree);
    // 32 files of 16 MiB: 512 MiB take long enough that the write is running at the first progress line.
    for (let index = 0; index < 32; index += 1) writeFileSync(join(tree, `part-${index}.bin`), Buffer.alloc(16 * 1024 * 1024, index));
    const outputFolder = join(scratch, 'out');
    mkdirSync(outputFolder);
    const output = join(outputFolder, 'cancelled.iso');
    const child = spawn(process.execPath, [...isotopeFromSources, 'create', tree, '-o', output, '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"phase":"writing-image"')) resolve();
      }),
    );
    expect(existsSync(`${output}.partial`)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stdout).toContain('"code": "cancelled"');
    expect(readdirSync(outputFolder)).toEqual([]);
  });
});
