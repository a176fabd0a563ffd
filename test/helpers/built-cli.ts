// Runs the built `isotope` command (bin/isotope.js -> dist/), as a user would after `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export const isotopeBin = join(repoRoot, 'bin/isotope.js');

export function assertBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist/main/main.js'))) {
    throw new Error('dist/ is missing: these tests run the built CLI; run `npm run build` first (npm test does)');
  }
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runIsotope(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): CliRun {
  const result = spawnSync(process.execPath, [isotopeBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a long-running command and resolves with the first stdout line matching `pattern`. */
export function startUntilLine(
  command: string,
  args: readonly string[],
  pattern: RegExp,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ line: string; stop: () => void; stdoutLines: string[] }> {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  const stdoutLines: string[] = [];
  let stderr = '';
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no line matching ${pattern} within 60 s; stderr:\n${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        stdoutLines.push(line);
        if (pattern.test(line)) {
          clearTimeout(timer);
          resolve({ line, stdoutLines, stop: () => child.kill('SIGTERM') });
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing a line matching ${pattern}; stderr:\n${stderr}`));
    });
  });
}

/** The shell's one line; the token rides in the fragment, which browsers never send to a server. */
export const urlLinePattern = /^Isotope is running at (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})$/;

/** Runs a command to completion (for tools the tests compare against). */
export function run(command: string, args: readonly string[]): CliRun {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
