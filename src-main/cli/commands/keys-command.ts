// `isotope keys import FILE | list | remove FINGERPRINT`: Isotope's own OpenPGP keyring, the keys a
// signature over a sums file must come from to be "verified".
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KeySummary, KeysImportResult } from '../../../shared/checksum.ts';
import type { Result } from '../../../shared/result.ts';
import { reportResult, type CliContext } from '../cli-context.ts';

export function registerKeysCommand(program: Command, context: CliContext): void {
  const keys = program.command('keys').description("manage Isotope's keyring of trusted OpenPGP signing keys");
  keys
    .command('import')
    .description('import the public keys of a file (armored or binary)')
    .argument('<file>', 'key file')
    .option('--json', 'print one JSON document')
    .action(async (file: string, options: { json?: boolean }) => {
      const result = (await context.createService().invoke('keys:import', { path: resolve(file) })) as Result<KeysImportResult>;
      context.setExitCode(reportResult(context, result, options.json === true, (value) => value.imported.map((key) => `imported ${describeKey(key)}`).join('')));
    });
  keys
    .command('list')
    .description('list the keys with their fingerprints')
    .option('--json', 'print one JSON document')
    .action(async (options: { json?: boolean }) => {
      const result = (await context.createService().invoke('keys:list', {})) as Result<{ keys: KeySummary[] }>;
      context.setExitCode(
        reportResult(context, result, options.json === true, (value) => (value.keys.length === 0 ? 'the keyring is empty\n' : value.keys.map(describeKey).join(''))),
      );
    });
  keys
    .command('remove')
    .description('remove a key by its fingerprint')
    .argument('<fingerprint>', 'the fingerprint `isotope keys list` shows (spaces allowed)')
    .option('--json', 'print one JSON document')
    .action(async (fingerprint: string, options: { json?: boolean }) => {
      const result = (await context.createService().invoke('keys:remove', { fingerprint })) as Result<KeySummary>;
      context.setExitCode(reportResult(context, result, options.json === true, (key) => `removed ${describeKey(key)}`));
    });
}

function describeKey(key: KeySummary): string {
  const grouped = key.fingerprint.replace(/(.{4})/g, '$1 ').trim();
  const state = key.revoked ? ' [revoked]' : key.expiresMs !== null && key.expiresMs <= Date.now() ? ' [expired]' : '';
  const lines = [`${grouped}  ${key.algorithm}${state}`, ...key.userIds.map((userId) => `    ${userId}`)];
  return `${lines.join('\n')}\n`;
}
