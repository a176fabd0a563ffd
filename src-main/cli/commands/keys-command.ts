// `isotope keys import FILE | list | remove FINGERPRINT`: Isotope's own OpenPGP keyring, the keys a
// signature over a sums file must come from to be "verified".
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KeySummary } from '../../../shared/checksum.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { confirmOnTerminal, type TerminalAnswer } from '../terminal-confirm.ts';

export function registerKeysCommand(program: Command, context: CliContext): void {
  const keys = program.command('keys').description("manage Isotope's keyring of trusted OpenPGP signing keys");
  keys
    .command('import')
    .description('import the public keys of a file (armored or binary), after showing their fingerprints')
    .argument('<file>', 'key file')
    .option('--yes', 'trust the keys without asking (their fingerprints are still printed)')
    .option('--json', 'print one JSON document')
    .action(async (file: string, options: { yes?: boolean; json?: boolean }) => {
      const service = context.createService();
      const path = resolve(file);
      const first = await service.call('keys:import', { path });
      if (!first.ok || first.value.state !== 'needs-confirmation') return context.setExitCode(reportResult(context, first, options.json === true, () => ''));
      const { found, confirmationId } = first.value;
      context.stderr(`${path} holds ${found.length} key${found.length === 1 ? '' : 's'}:\n${found.map(describeKey).join('')}`);
      const answer = await confirmOnTerminal(
        context,
        `Trust ${found.length === 1 ? 'this key' : 'these keys'} to sign the checksums of images?`,
        options.yes === true,
      );
      if (answer !== 'yes') return context.setExitCode(refused(context, answer, 'imported'));
      const result = await service.call('keys:import', { path, confirmationId });
      context.setExitCode(
        reportResult(context, result, options.json === true, (value) =>
          value.state === 'imported' ? value.imported.map((key) => `imported ${describeKey(key)}`).join('') : '',
        ),
      );
    });
  keys
    .command('list')
    .description('list the keys with their fingerprints')
    .option('--json', 'print one JSON document')
    .action(async (options: { json?: boolean }) => {
      const result = await context.createService().call('keys:list', {});
      context.setExitCode(
        reportResult(context, result, options.json === true, (value) =>
          value.keys.length === 0 ? 'the keyring is empty\n' : value.keys.map(describeKey).join(''),
        ),
      );
    });
  keys
    .command('remove')
    .description('remove a key by its fingerprint')
    .argument('<fingerprint>', 'the fingerprint `isotope keys list` shows (spaces allowed)')
    .option('--yes', 'remove it without asking')
    .option('--json', 'print one JSON document')
    .action(async (fingerprint: string, options: { yes?: boolean; json?: boolean }) => {
      const service = context.createService();
      const first = await service.call('keys:remove', { fingerprint });
      if (!first.ok || first.value.state !== 'needs-confirmation') return context.setExitCode(reportResult(context, first, options.json === true, () => ''));
      context.stderr(`This removes:\n${describeKey(first.value.found)}`);
      const answer = await confirmOnTerminal(context, 'Stop trusting this key?', options.yes === true);
      if (answer !== 'yes') return context.setExitCode(refused(context, answer, 'removed'));
      const result = await service.call('keys:remove', { fingerprint, confirmationId: first.value.confirmationId });
      context.setExitCode(
        reportResult(context, result, options.json === true, (value) => (value.state === 'removed' ? `removed ${describeKey(value.removed)}` : '')),
      );
    });
}

/** Nothing changed: off a terminal without --yes is a usage error, a "no" at the prompt a plain failure. */
function refused(context: CliContext, answer: Exclude<TerminalAnswer, 'yes'>, what: string): number {
  if (answer === 'not-a-terminal') {
    context.stderr('isotope: changing the keyring needs a "yes" on a terminal, or --yes\n');
    return exitCodes.usage;
  }
  context.stderr(`isotope: nothing ${what}\n`);
  return exitCodes.failed;
}

function describeKey(key: KeySummary): string {
  const grouped = key.fingerprint.replace(/(.{4})/g, '$1 ').trim();
  const state = key.revoked ? ' [revoked]' : key.expiresMs !== null && key.expiresMs <= Date.now() ? ' [expired]' : '';
  const lines = [`${grouped}  ${key.algorithm}${state}`, ...key.userIds.map((userId) => `    ${userId}`)];
  return `${lines.join('\n')}\n`;
}
