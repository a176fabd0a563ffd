// The `isotope` command: the same service as the app, through commander. Each subcommand lives in
// commands/ and prints plain text for people, or one JSON document on stdout with --json.
import { Command, CommanderError } from 'commander';
import type { CliContext, CliPorts } from './cli-context.ts';
import { registerInfoCommand } from './commands/info-command.ts';
import { registerWebCommand } from './commands/web-command.ts';
import { exitCodes } from './exit-codes.ts';

export type { CliPorts } from './cli-context.ts';

/** Runs the command line; resolves to the exit code, or null when a server keeps running. */
export async function runCli(argv: readonly string[], ports: CliPorts): Promise<number | null> {
  let exitCode: number | null = exitCodes.ok;
  const context: CliContext = { ...ports, setExitCode: (code) => (exitCode = code) };
  const program = new Command()
    .name('isotope')
    .description('Flash bootable USB sticks, verify downloaded images and explore ISO images.')
    .version(ports.version)
    .exitOverride()
    .configureOutput({ writeOut: ports.stdout, writeErr: ports.stderr });

  registerWebCommand(program, context);
  registerInfoCommand(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    throw error;
  }
  return exitCode;
}
