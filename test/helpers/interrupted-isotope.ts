// `isotope ARGS` in a child process as a user runs it, over the real service from the sources
// (test/backup/live-isotope.ts prints as it goes), and Ctrl-C pressed while its job is running.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/fixture-cache.ts';

/** node's arguments that run the CLI from the sources: `node ...isotopeFromSources ARGS`. */
export const isotopeFromSources = ['--import', 'tsx', join(repoRoot, 'test/backup/live-isotope.ts')];

export interface InterruptedRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  /** Whether the job's `.partial` file was there when Ctrl-C was pressed (the job was writing it). */
  readonly partialExisted: boolean;
  /** Whether Ctrl-C was pressed at all (false: the child ended before printing `marker`). */
  readonly interrupted: boolean;
}

/** Runs `isotope ARGS`, presses Ctrl-C (SIGINT) once its stdout holds `marker`, and waits for it to end. */
export async function interruptIsotope(args: readonly string[], marker: string, partialPath: string): Promise<InterruptedRun> {
  const child = spawn(process.execPath, [...isotopeFromSources, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let partialExisted = false;
  let interrupted = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (interrupted || !stdout.includes(marker)) return;
    interrupted = true;
    partialExisted = existsSync(partialPath);
    child.kill('SIGINT');
  });
  const exitCode = await closed;
  return { exitCode, stdout, partialExisted, interrupted };
}
