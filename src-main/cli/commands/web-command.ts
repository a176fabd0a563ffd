// `isotope web [--port N]`: the loopback web shell alone; prints the URL line and keeps running.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';

export function registerWebCommand(program: Command, context: CliContext): void {
  program
    .command('web')
    .description('serve the Isotope app on 127.0.0.1 for a browser, and print its address')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').default(0).argParser(parsePort))
    .action(async (options: { port: number }) => {
      let announcement: string;
      try {
        ({ announcement } = await context.startWeb({ port: options.port }));
      } catch (error) {
        const refusal = listenRefusal(error, options.port);
        if (refusal === null) throw error;
        // The user chose the port: one line saying what to change, as for any other usage error.
        context.stderr(`isotope: ${refusal}\n`);
        context.setExitCode(exitCodes.usage);
        return;
      }
      context.stdout(`${announcement}\n`);
      context.setExitCode(null);
    });
}

/** Why the OS would not let the shell listen on `port`, in one line; null for any other failure. */
function listenRefusal(error: unknown, port: number): string | null {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') return `port ${port} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for a free one`;
  if (code === 'EACCES') return `port ${port} on 127.0.0.1 needs privileges this user lacks; choose one above 1023, or --port 0 for a free one`;
  return null;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  }
  return port;
}
