// The `isotope` command: the same service as the app, through commander. Subcommands print plain
// text for people, or one JSON document on stdout with --json for scripts.
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { ImageSummary } from '../../shared/image.ts';
import type { Result } from '../../shared/result.ts';
import type { Service } from '../service/service.ts';
import { exitCodeFor, exitCodes } from './exit-codes.ts';

export interface CliPorts {
  readonly version: string;
  readonly createService: () => Service;
  /** Starts the loopback web shell and returns the line to print; resolves when it is listening. */
  readonly startWeb: (options: { port: number }) => Promise<{ announcement: string }>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command line; resolves to the exit code (the web subcommand keeps running and resolves null). */
export async function runCli(argv: readonly string[], ports: CliPorts): Promise<number | null> {
  let exitCode: number | null = exitCodes.ok;
  const program = new Command()
    .name('isotope')
    .description('Flash bootable USB sticks, verify downloaded images and explore ISO images.')
    .version(ports.version)
    .exitOverride()
    .configureOutput({ writeOut: ports.stdout, writeErr: ports.stderr });

  program
    .command('web')
    .description('serve the Isotope app on 127.0.0.1 for a browser, and print its address')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').default(0).argParser(parsePort))
    .action(async (options: { port: number }) => {
      const { announcement } = await ports.startWeb({ port: options.port });
      ports.stdout(`${announcement}\n`);
      exitCode = null;
    });

  program
    .command('info')
    .description('summarise an image: size, format, volume label')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const result = (await ports.createService().invoke('image:open', { path: resolve(image) })) as Result<ImageSummary>;
      exitCode = report(result, options.json === true, ports, describeImage);
    });

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

function report<T>(result: Result<T>, json: boolean, ports: CliPorts, describe: (value: T) => string): number {
  if (result.ok) {
    ports.stdout(json ? `${JSON.stringify(result.value, null, 2)}\n` : describe(result.value));
    return exitCodes.ok;
  }
  if (json) ports.stdout(`${JSON.stringify({ error: result.error }, null, 2)}\n`);
  ports.stderr(`isotope: ${result.error.message}\n`);
  return exitCodeFor(result.error.code);
}

function describeImage(image: ImageSummary): string {
  const lines = [
    `File:          ${image.path}`,
    `Size:          ${image.sizeBytes} bytes`,
    `Format:        ${image.format === 'iso9660' ? 'ISO 9660' : 'not an ISO 9660 image'}`,
  ];
  if (image.volumeLabel !== null) lines.push(`Volume label:  ${image.volumeLabel}`);
  if (image.volumeSizeBytes !== null) lines.push(`Volume size:   ${image.volumeSizeBytes} bytes`);
  return `${lines.join('\n')}\n`;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommanderError(exitCodes.usage, 'isotope.invalidPort', `--port must be 0-65535, got ${value}`);
  }
  return port;
}
