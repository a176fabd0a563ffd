// Runs the `isotope` command in a child Node process with a heap cap and a wall-clock limit (issue 12
// §5: hostile images must cost an error, never minutes or gigabytes). The child runs the TypeScript
// sources through tsx, so no build is needed.
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export interface CappedRun {
  /** Exit code; null when the child was killed (timeout) or crashed (heap out of memory: a signal). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  readonly timedOut: boolean;
}

export interface CappedRunLimits {
  readonly heapMiB: number;
  readonly timeoutMs: number;
}

export function runIsotopeCapped(args: readonly string[], limits: CappedRunLimits): CappedRun {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [`--max-old-space-size=${limits.heapMiB}`, '--import', 'tsx', join(repoRoot, 'test/helpers/capped-isotope.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: Math.ceil(limits.timeoutMs),
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const elapsedMs = performance.now() - started;
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', elapsedMs, timedOut };
}

/**
 * A hostile run ended by itself, not by the wall clock or a signal (a heap out of memory), within
 * 10× what a sane image of the same size cost in this run (generous, so a loaded machine never flakes).
 */
export function expectWithinBounds(run: CappedRun, saneMs: number): void {
  expect(run.timedOut, `still running after ${Math.round(run.elapsedMs)} ms`).toBe(false);
  expect(run.signal, run.stderr.slice(-2000)).toBeNull();
  expect(run.elapsedMs).toBeLessThan(10 * saneMs);
}

/** The paths `isotope ls` printed, one per line, its path last on each line. */
export function listedPaths(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ').at(-1) ?? '');
}
