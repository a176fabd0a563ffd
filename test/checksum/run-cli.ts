// The checksum tests' view of the in-process `isotope` command: the exit code and stdout as JSON.
import { isotope } from '../helpers/in-process-cli.ts';

export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export async function runIsotope(args: readonly string[]): Promise<CliRun> {
  const { code, stdout, stderr } = await isotope(args);
  return { exitCode: code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
