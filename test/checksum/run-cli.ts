// Runs the `isotope` command in-process over the real service, capturing what it prints.
import { runCli } from '../../src-main/cli/cli.ts';
import { createService } from '../../src-main/service/service.ts';

export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export async function runIsotope(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(args, {
    version: '0.0.0-test',
    createService: () => createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined }),
    startWeb: () => Promise.reject(new Error('not in these tests')),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { exitCode, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
