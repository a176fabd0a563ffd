// The `isotope` command run in-process over the real service, capturing what it prints: faster than
// spawning the built CLI, for the many command tests (the built CLI has its own tests in test/cli/).
import { Command } from 'commander';
import { runCli } from '../../src-main/cli/cli.ts';
import type { CliContext } from '../../src-main/cli/cli-context.ts';
import { registerCatCommand } from '../../src-main/cli/commands/cat-command.ts';
import { createService, type Service } from '../../src-main/service/service.ts';

export const testService = (): Service => createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined });

export interface InProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function isotope(args: readonly string[]): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    version: '0.0.0-test',
    createService: testService,
    startWeb: () => Promise.reject(new Error('the web shell is not started by in-process tests')),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

/** `isotope cat IMAGE PATH [options]` with the bytes collected instead of written to stdout. */
export async function isotopeCat(
  image: string,
  path: string,
  options: readonly string[] = [],
): Promise<{ code: number | null; bytes: Buffer; stderr: string }> {
  const chunks: Uint8Array[] = [];
  let code: number | null = null;
  let stderr = '';
  const context: CliContext = {
    version: '0.0.0-test',
    createService: testService,
    startWeb: () => Promise.reject(new Error('the web shell is not started by in-process tests')),
    stdout: () => undefined,
    stderr: (text) => (stderr += text),
    setExitCode: (value) => (code = value),
  };
  const program = new Command().exitOverride();
  registerCatCommand(program, context, async (bytes) => void chunks.push(bytes));
  await program.parseAsync(['cat', image, path, ...options], { from: 'user' });
  return { code, bytes: Buffer.concat(chunks), stderr };
}
