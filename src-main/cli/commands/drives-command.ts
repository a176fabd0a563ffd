// `isotope drives [--all] [--json]`: the drives, each with its eligibility and the reasons.
import type { Command } from 'commander';
import type { DriveStatus } from '../../../shared/drive.ts';
import { formatBytes } from '../../../shared/units.ts';
import { reportResult, type CliContext } from '../cli-context.ts';

export function registerDrivesCommand(program: Command, context: CliContext): void {
  program
    .command('drives')
    .description('list drives with their eligibility as flash targets and the reasons')
    .option('--all', 'include virtual (loop) and fixed drives')
    .option('--json', 'print one JSON document')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const result = await context.createService().call('drives:list', { includeAll: options.all === true });
      context.setExitCode(reportResult(context, result, options.json === true, ({ drives }) => describeDrives(drives)));
    });
}

function describeDrives(drives: readonly DriveStatus[]): string {
  if (drives.length === 0) return 'No removable drives found (use --all to list virtual and fixed drives).\n';
  const lines: string[] = [];
  for (const status of drives) {
    const drive = status.drive;
    const verdict = status.eligible ? 'eligible' : 'refused';
    lines.push(`${drive.device}  ${formatBytes(drive.sizeBytes)}  ${drive.description}  [${verdict}]`);
    for (const issue of [...status.refusals, ...status.warnings]) lines.push(`    ${issue.severity} ${issue.code}: ${issue.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
