// `isotope backup DEVICE -o FILE[.img|.gz|.xz|.zst] [--compression C] [--yes] [--unsafe] [--json]`: reads a
// whole drive into an image file (compressed by the file's extension), with FILE.sha256 beside it. The
// drive is only read; the file is what needs care: never on the drive being read, never over an
// existing file unless confirmed (--yes), and a virtual or fixed drive only with --unsafe, as for a flash.
import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { backupCompressions, backupExtensions, compressionForPath, type BackupCompression, type BackupResult } from '../../../shared/backup.ts';
import { formatBytes } from '../../../shared/units.ts';
import type { Service } from '../../service/service.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { namesExistingPaths } from '../existing-paths.ts';
import { confirmOnTerminal } from '../terminal-confirm.ts';
import { followFileWritingJob } from './job-progress.ts';

interface BackupOptions {
  output: string;
  compression?: string;
  yes?: boolean;
  unsafe?: boolean;
  json?: boolean;
}

export function registerBackupCommand(program: Command, context: CliContext): void {
  program
    .command('backup')
    .description('read a whole drive into an image file (.img raw, .gz, .xz or .zst), with a .sha256 beside it')
    .argument('<device>', 'the drive to read, e.g. /dev/sdb')
    .requiredOption('-o, --output <file>', 'the image file to write; its extension chooses the compression')
    .option('--compression <kind>', `one of ${backupCompressions.join(', ')}; must agree with the file's extension`)
    .option('--yes', 'replace an existing output file without asking')
    .option('--unsafe', 'allow virtual (loop) and fixed drives')
    .option('--json', 'one JSON object per line: progress events, then the result')
    .action(async (device: string, options: BackupOptions) => {
      const json = options.json === true;
      const outputPath = resolve(options.output);
      const compression = compressionForPath(outputPath);
      if (options.compression !== undefined && options.compression !== compression) {
        context.stderr(
          `isotope: ${outputPath} names ${compression} output, not ${options.compression}: end the name in ${extensionHint(options.compression)}\n`,
        );
        return context.setExitCode(exitCodes.usage);
      }
      if (!(await namesExistingPaths(context, [resolve(device)], json))) return;
      const service = context.createService();
      const driveId = await driveIdFor(context, service, resolve(device), options.unsafe === true);
      if (driveId === null) return context.setExitCode(exitCodes.failed);
      const overwrite = await mayReplace(context, outputPath, options.yes === true);
      if (overwrite === null) return context.setExitCode(exitCodes.failed);
      const result = await followFileWritingJob(
        context,
        service,
        { kind: 'backup', json, labelOf: (progress) => `${progress.subject ?? 'drive'}: reading` },
        () => service.call('drives:backup', { driveId, outputPath, compression, overwrite }),
      );
      if (!result.ok) return context.setExitCode(reportResult(context, result, json, () => ''));
      if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'backup', ...result.value })}\n`);
      else context.stdout(describeBackupResult(result.value));
      context.setExitCode(exitCodes.ok);
    });
}

function extensionHint(compression: string): string {
  const known = (backupCompressions as readonly string[]).includes(compression);
  return known ? backupExtensions[compression as BackupCompression] : `one of ${Object.values(backupExtensions).join(', ')}`;
}

/** The drive's id in a fresh enumeration; null (after saying why) when it is not a whole drive, or hidden without --unsafe. */
async function driveIdFor(context: CliContext, service: Service, devicePath: string, unsafe: boolean): Promise<string | null> {
  const listed = await service.call('drives:list', { includeAll: true });
  if (!listed.ok) return (reportResult(context, listed, false, () => ''), null);
  const status = listed.value.drives.find((candidate) => candidate.drive.device === devicePath || candidate.drive.raw === devicePath);
  if (status === undefined) {
    context.stderr(`isotope: ${devicePath} is not a whole drive attached now (see isotope drives --all)\n`);
    return null;
  }
  const { drive } = status;
  if (!unsafe && (drive.isVirtual || !(drive.isRemovable || drive.isUsb))) {
    context.stderr(`isotope: ${devicePath} is a ${drive.isVirtual ? 'virtual' : 'fixed'} drive; pass --unsafe to back it up\n`);
    return null;
  }
  context.stderr(`Reading ${devicePath}  ${drive.description}  ${formatBytes(drive.sizeBytes)} (${drive.sizeBytes} bytes)\n`);
  return drive.id;
}

/** Whether to replace an existing output: --yes, or asked on a terminal; null when the user said no. */
async function mayReplace(context: CliContext, outputPath: string, yes: boolean): Promise<boolean | null> {
  if (yes) return true;
  if ((await lstat(outputPath).catch(() => null)) === null || !process.stdin.isTTY) return false;
  if ((await confirmOnTerminal(context, `${outputPath} exists. Replace it?`, false)) === 'yes') return true;
  context.stderr('isotope: nothing written\n');
  return null;
}

export function describeBackupResult(result: BackupResult): string {
  const seconds = (result.elapsedMs / 1000).toFixed(1);
  return [
    `BACKED UP: ${result.device} (${result.bytesRead} bytes) to ${result.outputPath} (${result.compression}, ${result.bytesWritten} bytes) in ${seconds} s`,
    `SHA256 of the image ${result.sha256Hex}`,
    `SHA256 of the file  ${result.fileSha256Hex} (in ${result.sidecarPath})`,
    '',
  ].join('\n');
}
