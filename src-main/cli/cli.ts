// The `isotope` command: the same service as the app, through commander. Each subcommand lives in
// commands/ and prints plain text for people, or one JSON document on stdout with --json. A command
// that drives an engine directly imports it with import() in its action, and the service loads a
// call's handlers when the call is made, so one command never loads, parses or holds the code of the
// others (`isotope --version` and `isotope create` stay small).
import { Command, CommanderError } from 'commander';
import type { CliContext, CliPorts } from './cli-context.ts';
import { registerBackupCommand } from './commands/backup-command.ts';
import { registerBootCommand } from './commands/boot-command.ts';
import { registerCheckCommand } from './commands/check-command.ts';
import { registerHashCommand } from './commands/hash-command.ts';
import { registerHistoryCommand } from './commands/history-command.ts';
import { registerCatCommand } from './commands/cat-command.ts';
import { registerFindCommand } from './commands/find-command.ts';
import { registerConvertCommand } from './commands/convert-command.ts';
import { registerCreateCommand } from './commands/create-command.ts';
import { registerDownloadCommand } from './commands/download-command.ts';
import { registerDrivesCommand } from './commands/drives-command.ts';
import { registerFlashCommand } from './commands/flash-command.ts';
import { registerFormatCommand } from './commands/format-command.ts';
import { registerVerifyCommand } from './commands/verify-command.ts';
import { registerExtractCommand } from './commands/extract-command.ts';
import { registerInfoCommand } from './commands/info-command.ts';
import { registerKeysCommand } from './commands/keys-command.ts';
import { registerLsCommand } from './commands/ls-command.ts';
import { registerQueueCommand } from './commands/queue-command.ts';
import { registerRemasterCommand } from './commands/remaster-command.ts';
import { registerTryCommand } from './commands/try-command.ts';
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
  registerLsCommand(program, context);
  registerCatCommand(program, context);
  registerFindCommand(program, context);
  registerConvertCommand(program, context);
  registerExtractCommand(program, context);
  registerBootCommand(program, context);
  registerHashCommand(program, context);
  registerCheckCommand(program, context);
  registerKeysCommand(program, context);
  registerDrivesCommand(program, context);
  registerFlashCommand(program, context);
  registerQueueCommand(program, context);
  registerFormatCommand(program, context);
  registerVerifyCommand(program, context);
  registerBackupCommand(program, context);
  registerHistoryCommand(program, context);
  registerDownloadCommand(program, context);
  registerCreateCommand(program, context);
  registerRemasterCommand(program, context);
  registerTryCommand(program, context);

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
