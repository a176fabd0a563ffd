// `isotope create SOURCE... -o OUT.iso [options]`: makes an ISO image from folders (their contents
// become the root) and files (placed at the root), with our own writer, through the same `iso:create`
// call as the app. `--dry-run` prints the layout plan instead (`iso:plan-create`): regions, boot, the
// names changed to fit a namespace, warnings. SOURCE_DATE_EPOCH (or --reproducible) makes the image
// byte-identical for the same tree on any machine. The image and remaster commands share the plan
// and result output below.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { IsoCreateOptions, IsoLayoutSummary, IsoLevel, IsoWriteResult } from '../../../shared/authoring.ts';
import type { JobProgress } from '../../../shared/job.ts';
import type { Result } from '../../../shared/result.ts';
import { formatBytes } from '../../../shared/units.ts';
import type { Service } from '../../service/service.ts';
import { collect, reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { keepYoungGenerationSmall } from '../young-generation.ts';
import { followFileWritingJob } from './job-progress.ts';

interface CreateFlags {
  output: string;
  label?: string;
  publisher?: string;
  preparer?: string;
  application?: string;
  level: string;
  rockRidge: boolean;
  joliet: boolean;
  jolietLong?: boolean;
  udf?: boolean;
  reproducible?: boolean;
  bootBios?: string;
  bootEfi?: string;
  hybridMbr?: string;
  gpt?: boolean;
  bootDetect: boolean;
  exclude: string[];
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
  /** False with --no-sha256. */
  sha256: boolean;
}

export function registerCreateCommand(program: Command, context: CliContext): void {
  program
    .command('create')
    .description('make an ISO image from folders (their contents become the root) and files (placed at the root)')
    .argument('<sources...>', 'folders and files to put in the image')
    .requiredOption('-o, --output <file>', 'the image file to write')
    .option('--label <text>', "the volume label (default: the first source's name)")
    .option('--publisher <text>', 'the publisher identifier')
    .option('--preparer <text>', 'the data preparer identifier')
    .option('--application <text>', 'the application identifier')
    .addOption(
      new Option('--level <n>', 'ISO 9660 level: 1 (8.3 names), 2 (31 characters), 3 (also files of 4 GiB and more)').choices(['1', '2', '3']).default('3'),
    )
    .option('--no-rock-ridge', 'leave out Rock Ridge (POSIX names, modes, owners, links, devices)')
    .option('--no-joliet', 'leave out Joliet (Windows names)')
    .option('--joliet-long', 'Joliet names of up to 103 characters instead of 64')
    .option('--udf', 'add a UDF 1.02 bridge (Windows then reads files of 4 GiB and more)')
    .option('--reproducible', 'the same bytes for the same tree on any machine (times from SOURCE_DATE_EPOCH, default 0)')
    .option('--boot-bios <path>', 'BIOS no-emulation boot image, a path in the tree (isolinux/isolinux.bin)')
    .option('--boot-efi <path>', "EFI boot image, a path in the tree (boot/grub/efi.img), or 'generate' to make one from EFI/BOOT/")
    .option('--hybrid-mbr <file>', "an isohybrid MBR's boot code on disk (isohdpfx.bin, boot_hybrid.img): the image also boots as a stick")
    .option('--gpt', 'with --hybrid-mbr: also a GPT with the EFI image as a partition')
    .option('--no-boot-detect', 'do not look for boot files in the tree')
    .option('--exclude <glob>', 'leave out paths matching a .gitignore-style glob (repeatable)', collect, [])
    .option('--dry-run', 'print the layout plan; write nothing')
    .option('--json', 'JSON: the plan with --dry-run; else one object per line (progress, then the result)')
    .option('--force', 'replace an existing output file')
    .option('--no-sha256', "do not compute the image's SHA-256 while writing (it writes only, as xorriso and genisoimage do)")
    .action(async (sources: string[], flags: CreateFlags) => {
      const epoch = sourceDateEpoch(context, flags.reproducible === true);
      if (epoch === 'invalid') return context.setExitCode(exitCodes.usage);
      keepYoungGenerationSmall();
      const request = {
        sources: sources.map((source) => resolve(source)),
        outputPath: resolve(flags.output),
        overwrite: flags.force === true,
        sha256: flags.sha256,
        options: createOptions(flags, epoch),
      };
      const service = context.createService();
      const json = flags.json === true;
      if (flags.dryRun) {
        const plan = await service.call('iso:plan-create', request);
        return context.setExitCode(reportResult(context, plan, json, describePlan));
      }
      const result = await followIsoJob(context, service, 'create', json, () => service.call('iso:create', request));
      context.setExitCode(reportIsoWrite(context, result, 'create', json));
    });
}

function createOptions(flags: CreateFlags, epoch: number | null): IsoCreateOptions {
  return {
    ...(flags.label !== undefined ? { label: flags.label } : {}),
    ...(flags.publisher !== undefined ? { publisher: flags.publisher } : {}),
    ...(flags.preparer !== undefined ? { preparer: flags.preparer } : {}),
    ...(flags.application !== undefined ? { application: flags.application } : {}),
    level: Number(flags.level) as IsoLevel,
    rockRidge: flags.rockRidge,
    joliet: flags.joliet,
    jolietLong: flags.jolietLong === true,
    udf: flags.udf === true,
    reproducible: epoch !== null,
    ...(epoch !== null ? { sourceDateEpochSeconds: epoch } : {}),
    excludes: flags.exclude,
    boot: {
      biosImagePath: flags.bootBios ?? null,
      efiImagePath: flags.bootEfi ?? null,
      hybridMbrPath: flags.hybridMbr === undefined ? null : resolve(flags.hybridMbr),
      gpt: flags.gpt === true,
      detect: flags.bootDetect,
    },
  };
}

/**
 * The fixed time of a reproducible image (reproducible-builds.org's SOURCE_DATE_EPOCH: set, it makes
 * the build reproducible; --reproducible without it uses 0), null for an ordinary one, or 'invalid'
 * after saying why.
 */
export function sourceDateEpoch(context: CliContext, reproducible: boolean): number | null | 'invalid' {
  const text = process.env['SOURCE_DATE_EPOCH'];
  if (text === undefined || text === '') return reproducible ? 0 : null;
  if (!/^\d{1,12}$/.test(text)) {
    context.stderr(`isotope: SOURCE_DATE_EPOCH must be whole seconds since 1970, not ${JSON.stringify(text)}\n`);
    return 'invalid';
  }
  return Number(text);
}

/** Follows a create or remaster job: progress on the terminal (or JSON lines); Ctrl-C cancels it and no output is left. */
export function followIsoJob(
  context: CliContext,
  service: Service,
  kind: 'create' | 'remaster',
  json: boolean,
  start: () => Promise<Result<{ jobId: string }>>,
): Promise<Result<IsoWriteResult>> {
  const labelOf = (progress: JobProgress): string => (progress.phase === 'scanning' ? 'reading the sources' : 'writing the image');
  return followFileWritingJob(context, service, { kind, json, labelOf }, start);
}

/** Prints a finished write (a line per fact, or the JSON line `{ event: 'job:finished', ... }`) and answers the exit code. */
export function reportIsoWrite(context: CliContext, result: Result<IsoWriteResult>, kind: 'create' | 'remaster', json: boolean): number {
  if (!result.ok) return reportResult(context, result, json, () => '');
  if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind, ...result.value })}\n`);
  else context.stdout(describeWriteResult(result.value));
  return exitCodes.ok;
}

export function describeWriteResult(result: IsoWriteResult): string {
  const { summary } = result;
  return [
    `WROTE: ${result.outputPath} (${formatBytes(result.sizeBytes)}, ${result.sizeBytes} bytes) in ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `Label ${JSON.stringify(summary.label)}, ${summary.fileCount} files in ${summary.directoryCount} folders, ${namespacesOf(summary)}`,
    // No line when the write computed no SHA-256 (--no-sha256): nothing is claimed that was not computed.
    ...(result.sha256Hex !== null ? [`SHA256 ${result.sha256Hex}`] : []),
    ...summary.warnings.map((warning) => `warning: ${warning}`),
    '',
  ].join('\n');
}

function namespacesOf(summary: IsoLayoutSummary): string {
  const names = [`ISO 9660 level ${summary.level}`];
  if (summary.namespaces.rockRidge) names.push('Rock Ridge');
  if (summary.namespaces.joliet) names.push('Joliet');
  if (summary.namespaces.udf) names.push('UDF');
  return names.join(', ');
}

/** The plan as `--dry-run` prints it: totals, the regions in LBA order, the boot, renamed names, warnings. */
export function describePlan(summary: IsoLayoutSummary): string {
  const lines = [
    `PLAN: ${formatBytes(summary.sizeBytes)} (${summary.sizeBytes} bytes, ${summary.sectorCount} sectors of 2048 bytes)`,
    `Label ${JSON.stringify(summary.label)}, ${namespacesOf(summary)}`,
    `${summary.fileCount} files (${formatBytes(summary.fileBytes)} of data) in ${summary.directoryCount} folders`,
    '',
    'LBA        sectors  region',
    ...summary.regions.map((region) => `${String(region.startLba).padStart(9)}  ${String(region.sectorCount).padStart(7)}  ${region.name}`),
    ...(summary.regionsOmitted > 0 ? [`(${summary.regionsOmitted} more file and folder regions not listed)`] : []),
    '',
    'Boot:',
    ...(summary.boot.entries.length === 0 ? ['  not bootable'] : []),
    ...summary.boot.entries.map(
      (entry) => `  ${entry.platform.toUpperCase()} ${entry.emulation} emulation: ${entry.image}${entry.bootInfoTable ? ' (boot info table)' : ''}`,
    ),
    ...hybridLine(summary),
    ...summary.boot.detected.map((note) => `  detected: ${note}`),
  ];
  if (summary.renamed.length > 0) {
    lines.push('', 'Names changed to fit a namespace:');
    lines.push(...summary.renamed.map((renamed) => `  ${renamed.path} -> ${JSON.stringify(renamed.recordedAs)} (${renamed.namespace})`));
  }
  if (summary.warnings.length > 0) lines.push('', ...summary.warnings.map((warning) => `warning: ${warning}`));
  return `${lines.join('\n')}\n`;
}

function hybridLine(summary: IsoLayoutSummary): string[] {
  const { mbr, gpt, apm } = summary.boot.hybrid;
  const tables = [mbr ? 'MBR' : null, gpt ? 'GPT' : null, apm ? 'APM' : null].filter((table) => table !== null);
  return tables.length === 0 ? [] : [`  hybrid: ${tables.join(' + ')} (boots as a stick too)`];
}
