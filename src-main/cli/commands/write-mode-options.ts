// The write-mode options of `isotope flash` (--mode, --table, --wim-part-mib, --windows-*), the plan
// they give for the targets named on the command line (the same parse job as flash:prepare, run in
// this process), and how the CLI says which mode it chose and why.
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CopyModeRequest } from '../../../shared/flash.ts';
import { writeModeRequests, type WriteModeReason, type WriteModeRequest } from '../../../shared/stick.ts';
import type { WriteModePlan } from '../../flash/stick-plan.ts';

export interface WriteModeCliOptions {
  mode: WriteModeRequest;
  table: 'mbr' | 'gpt';
  wimPartMib?: number;
  windowsSkipChecks?: boolean;
  windowsLocalAccount?: string;
  windowsRegionalFromHost?: boolean;
}

export function addWriteModeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--mode <mode>', 'raw (the image as it is), copy (its files on a new FAT32 stick) or auto').choices(writeModeRequests).default('auto'),
    )
    .addOption(new Option('--table <table>', 'copy mode: the new partition table').choices(['mbr', 'gpt']).default('mbr'))
    .addOption(new Option('--wim-part-mib <n>', 'copy mode: split install.wim into parts of at most N MiB (default 4095)').argParser(parseMib))
    .option('--windows-skip-checks', "copy mode, Windows 11: skip Setup's TPM, Secure Boot and RAM checks")
    .option('--windows-local-account <name>', 'copy mode, Windows: create this local account instead of an online one')
    .option('--windows-regional-from-host', "copy mode, Windows: take this computer's locale and time zone");
}

function parseMib(value: string): number {
  const mib = Number(value);
  if (!Number.isInteger(mib) || mib < 1 || mib > 4095) throw new InvalidArgumentError('a whole number of MiB from 1 to 4095.');
  return mib;
}

export function copyRequestOf(options: WriteModeCliOptions): CopyModeRequest {
  return {
    table: options.table,
    ...(options.wimPartMib === undefined ? {} : { wimPartBytes: options.wimPartMib * 1024 * 1024 }),
    windows: {
      skipHardwareChecks: options.windowsSkipChecks === true,
      localAccountName: options.windowsLocalAccount ?? null,
      regionalFromHost: options.windowsRegionalFromHost === true,
    },
  };
}

/** Plans the mode for these targets (a copy-mode stick is composed for the smallest): refusals come here, before anything is written. */
export async function planCliWrite(imagePath: string, targetPaths: readonly string[], options: WriteModeCliOptions): Promise<WriteModePlan> {
  // The flash engine loads only when `flash` runs (see cli.ts).
  const [{ deviceSizeBytes }, { inProcessImageParser }, { planWriteMode }] = await Promise.all([
    import('../../flash/target/target-device.ts'),
    import('../../isolation/image-parser.ts'),
    import('../../service/write-mode-plan.ts'),
  ]);
  const sizesBytes = await Promise.all(
    targetPaths.map(async (path) => {
      const stats = await stat(path);
      return stats.isBlockDevice() ? deviceSizeBytes(path) : stats.size;
    }),
  );
  return planWriteMode(imagePath, { mode: options.mode, copy: copyRequestOf(options) }, Math.min(...sizesBytes), { parser: inProcessImageParser });
}

const reasonWords: Readonly<Record<WriteModeReason, string>> = {
  'hybrid-iso': 'the ISO carries its own partition table (isohybrid), so its bytes start from a USB stick as they are',
  'disk-image': 'a partitioned disk image is written as it is',
  'not-a-file-system-image': 'there is no ISO 9660 or UDF file system to copy files from',
  'no-efi-loader': 'the ISO has no partition table and no EFI loader: copying its files would not start either',
  'el-torito-efi-not-hybrid': 'the ISO starts only from a CD (El Torito, no partition table); its EFI loader starts from a FAT32 stick',
  'windows-installer': 'a Windows installer starts from a USB stick only as its files on FAT32',
  'chosen-by-user': 'as asked (--mode)',
};

/** "Mode: copy files (...)" and, for copy mode, what the stick will hold and how it starts. */
export function describeWriteMode(plan: WriteModePlan): string {
  const name = plan.mode.mode === 'copy' ? 'copy files onto a new FAT32 stick' : 'raw (the image byte for byte)';
  const lines = [`Mode: ${name}: ${reasonWords[plan.mode.reason]}`];
  if (plan.stick !== null && plan.copy !== null) {
    lines.push(
      `  ${plan.stick.fileCount} files, label ${plan.stick.label}, ${plan.copy.table.toUpperCase()} table, ${plan.stick.bodyBytes} bytes written (composed for ${plan.stick.composedForBytes} bytes)`,
    );
  }
  const { uefi } = plan.bootPrediction;
  const architectures = (['x64', 'ia32', 'aa64'] as const).filter((architecture) => uefi[architecture]);
  const uefiWords = architectures.length > 0 ? `UEFI ${architectures.join(', ')}` : 'no UEFI loader';
  lines.push(`  Starts from USB: ${plan.bootPrediction.usb} (${uefiWords}; BIOS ${plan.bootPrediction.bios ? 'yes' : 'no'})`);
  return `${lines.join('\n')}\n`;
}
