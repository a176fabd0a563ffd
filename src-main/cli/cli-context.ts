// What every `isotope` subcommand gets: the service, output streams, and a way to set the exit code.
import type { Result } from '../../shared/result.ts';
import type { Service, ServiceOptions } from '../service/service.ts';
import { toAppError } from '../app-error/to-app-error.ts';
import { exitCodeFor, exitCodes } from './exit-codes.ts';

export interface CliPorts {
  readonly version: string;
  /** A service for this command; `http` carries a download's transport options (--insecure), which no request can. */
  readonly createService: (options?: Pick<ServiceOptions, 'http'>) => Service;
  /** Starts the loopback web shell and returns the line to print; resolves when it is listening. */
  readonly startWeb: (options: { port: number }) => Promise<{ announcement: string }>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliContext extends CliPorts {
  /** The process exit code; null keeps the process running (servers). */
  setExitCode(code: number | null): void;
}

/** Commander's collector of a repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Prints a call's result: `describe(value)` for people, or one JSON document with --json; errors go
 * to stderr (and, with --json, as `{ "error": ... }` on stdout). Returns the exit code.
 */
export function reportResult<T>(context: CliContext, result: Result<T>, json: boolean, describe: (value: T) => string): number {
  if (result.ok) {
    context.stdout(json ? `${JSON.stringify(result.value, null, 2)}\n` : describe(result.value));
    return exitCodes.ok;
  }
  if (json) context.stdout(`${JSON.stringify({ error: result.error }, null, 2)}\n`);
  context.stderr(`isotope: ${result.error.message}\n`);
  return exitCodeFor(result.error.code);
}

/**
 * Reports an error thrown by an engine a command calls directly (streams that do not belong in the
 * contract: `cat`, `ls` text, `convert`), mapped to the contract's error as the service maps it and
 * printed as reportResult prints one. Returns the exit code.
 */
export function reportFailure(context: CliContext, error: unknown, json = false): number {
  const appError = toAppError(error, (message, cause) => context.stderr(`isotope: ${message}: ${String(cause)}\n`));
  return reportResult(context, { ok: false, error: appError }, json, () => '');
}
