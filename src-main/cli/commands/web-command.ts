// `isotope web [--port N]`: the loopback web shell alone; prints the URL line and keeps running.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';

export function registerWebCommand(program: Command, context: CliContext): void {
  program
    .command('web')
    .description('serve the Isotope app on 127.0.0.1 for a browser, and print its address')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').default(0).argParser(parsePort))
    .action(async (options: { port: number }) => {
      const { announcement } = await context.startWeb({ port: options.port });
      context.stdout(`${announcement}\n`);
      context.setExitCode(null);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  }
  return port;
}
