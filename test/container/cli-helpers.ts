// Runs `isotope` commands in-process (the real commander parser and service) for the container tests.
import { Command } from 'commander';
import { runCli } from '../../src-main/cli/cli.ts';
import type { CliContext } from '../../src-main/cli/cli-context.ts';
import { registerCatCommand } from '../../src-main/cli/commands/cat-command.ts';
import { createService, type Service } from '../../src-main/service/service.ts';

export const service = (): Service => createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined });

export async function isotope(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    version: '0.0.0-test',
    createService: service,
    startWeb: () => Promise.reject(new Error('not in this test')),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

/** `isotope cat IMAGE PATH` with the bytes collected instead of written to stdout. */
export async function isotopeCat(image: string, path: string): Promise<{ code: number | null; bytes: Buffer; stderr: string }> {
  const chunks: Uint8Array[] = [];
  let code: number | null = null;
  let stderr = '';
  const context: CliContext = {
    version: '0',
    createService: service,
    startWeb: () => Promise.reject(new Error('unused')),
    stdout: () => undefined,
    stderr: (text) => (stderr += text),
    setExitCode: (value) => (code = value),
  };
  const program = new Command().exitOverride();
  registerCatCommand(program, context, async (bytes) => void chunks.push(bytes));
  await program.parseAsync(['cat', image, path], { from: 'user' });
  return { code, bytes: Buffer.concat(chunks), stderr };
}
