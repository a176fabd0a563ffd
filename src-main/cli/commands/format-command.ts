// `isotope format DEVICE [--fs fat32|exfat] [--label NAME] [--table mbr|gpt] [--yes] [--unsafe] [--json]`:
// restores a drive to an empty stick (one FAT32 or exFAT partition), through the contract's own
// drives:format-prepare/-start: the engine re-enumerates, checks the safety rules (loop and fixed
// drives only with --unsafe) and binds the confirmation to the drive. The CLI is the user's terminal,
// so after its own question (or --yes) it types the drive's name the plan asks for. Exit 0 only when
// the new stick was written and read back.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { FormatPlan, FormatResult } from '../../../shared/flash.ts';
import { formatBytes } from '../../../shared/units.ts';
import { exitCodes } from '../exit-codes.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { confirmOnTerminal } from '../terminal-confirm.ts';
import { describeTarget, followFlashJob } from './flash-command.ts';

interface FormatOptions {
  fs?: 'fat32' | 'exfat';
  label?: string;
  table: 'mbr' | 'gpt';
  yes?: boolean;
  unsafe?: boolean;
  json?: boolean;
}

export function registerFormatCommand(program: Command, context: CliContext): void {
  program
    .command('format')
    .description('erase a drive and make it an empty stick: one FAT32 (up to 32 GiB) or exFAT partition')
    .argument('<device>', 'the drive (a whole device, e.g. /dev/sdb)')
    .addOption(new Option('--fs <fs>', 'the file system (default: FAT32 up to 32 GiB, exFAT above)').choices(['fat32', 'exfat']))
    .option('--label <name>', 'the volume label (default ISOTOPE)')
    .addOption(new Option('--table <table>', 'the partition table').choices(['mbr', 'gpt']).default('mbr'))
    .option('--yes', 'do not ask for confirmation')
    .option('--unsafe', 'allow virtual (loop) and fixed drives')
    .option('--json', 'one JSON object per line: the plan, progress events, then the result')
    .action(async (device: string, options: FormatOptions) => {
      const service = context.createService();
      const json = options.json === true;
      const devicePath = await realpath(resolve(device)).catch(() => resolve(device));
      const includeAll = options.unsafe === true;
      const listed = await service.call('drives:list', { includeAll: true });
      if (!listed.ok) return context.setExitCode(reportResult(context, listed, json, () => ''));
      const status = listed.value.drives.find((candidate) => candidate.drive.device === devicePath || candidate.drive.raw === devicePath);
      if (!status) {
        context.stderr(`isotope: ${devicePath} is not a whole drive the enumeration knows\n`);
        return context.setExitCode(exitCodes.failed);
      }
      const prepared = await service.call('drives:format-prepare', {
        driveId: status.drive.id,
        includeAll,
        table: options.table,
        ...(options.fs ? { fileSystem: options.fs } : {}),
        ...(options.label === undefined ? {} : { label: options.label }),
      });
      if (!prepared.ok) return context.setExitCode(reportResult(context, prepared, json, () => ''));
      const plan = prepared.value;
      if (json) context.stdout(`${JSON.stringify({ event: 'format:planned', ...plan })}\n`);
      else context.stderr(describeFormatPlan(plan));
      if (options.yes !== true) {
        if (!process.stdin.isTTY) {
          context.stderr('isotope: formatting erases the drive; pass --yes when not on a terminal\n');
          return context.setExitCode(exitCodes.usage);
        }
        if ((await confirmOnTerminal(context, `Erase ${devicePath} and format it?`, false)) !== 'yes') {
          context.stderr('isotope: nothing written\n');
          return context.setExitCode(exitCodes.failed);
        }
      }
      // The user answered here (or passed --yes): the names the plan asks for are typed on their behalf.
      const typedNames = Object.fromEntries(plan.targets.flatMap((target) => (target.nameToType === null ? [] : [[target.driveId, target.nameToType]])));
      const output = {
        json,
        tty: process.stderr.isTTY === true,
        interruptNotice: 'Cancelling: the drive is partly written and unusable until formatted again.',
      };
      const result = await followFlashJob(
        context,
        service,
        output,
        () => service.call('drives:format-start', { confirmationId: plan.confirmationId, typedNames }),
        'format',
      );
      if (!result.ok) return context.setExitCode(reportResult(context, result, json, () => ''));
      if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'format', ...result.value })}\n`);
      else context.stdout(describeFormatResult(result.value));
      context.setExitCode(result.value.outcome === 'succeeded' ? exitCodes.ok : exitCodes.failed);
    });
}

function describeFormatPlan(plan: FormatPlan): string {
  const target = plan.targets[0]!;
  const fileSystem = plan.fileSystem === 'fat32' ? 'FAT32' : 'exFAT';
  return `This ERASES everything on:\n  ${target.device}  ${target.description}  ${formatBytes(target.sizeBytes)} (${target.sizeBytes} bytes)\nand makes one ${fileSystem} partition named ${plan.label} (${plan.table.toUpperCase()} table).\n`;
}

function describeFormatResult(result: FormatResult): string {
  const fileSystem = result.fileSystem === 'fat32' ? 'FAT32' : 'exFAT';
  const head = `${result.outcome.toUpperCase()}: ${fileSystem} "${result.label}", ${result.table.toUpperCase()} table, in ${(result.elapsedMs / 1000).toFixed(1)} s`;
  return `${[head, ...result.targets.map((target) => describeTarget(target, null))].join('\n')}\n`;
}
