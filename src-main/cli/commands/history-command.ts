// `isotope history [--json] [--kind K]... [--outcome O]... [--since DATE] [--limit N]`: the jobs this
// machine's engines ran (flash, verify, format, backup, download), newest first, from the journal
// (src-main/history/): when, what, where, the outcome and the speeds; a job whose process died reads
// as interrupted; lines of the journal that could not be read are counted, the first one's byte
// offset named. --json prints history:list's answer.
import type { Command } from 'commander';
import {
  historyJobKinds as kinds,
  historyOutcomes as outcomes,
  type HistoryJobKind,
  type HistoryOutcome,
  type HistoryTarget,
} from '../../../shared/history.ts';
import type { CallResponse } from '../../../shared/contract.ts';
import { formatBytes } from '../../../shared/units.ts';
import { exitCodes } from '../exit-codes.ts';
import { collect, reportResult, type CliContext } from '../cli-context.ts';

interface HistoryOptions {
  json?: boolean;
  kind: string[];
  outcome: string[];
  since?: string;
  limit: string;
}

export function registerHistoryCommand(program: Command, context: CliContext): void {
  program
    .command('history')
    .description('list the jobs run on this machine (flash, verify, format, backup, download), newest first')
    .option('--json', 'print one JSON document')
    .option('--kind <kind>', `only jobs of this kind (${kinds.join(', ')}); repeatable`, collect, [])
    .option('--outcome <outcome>', `only jobs with this outcome (${outcomes.join(', ')}); repeatable`, collect, [])
    .option('--since <date>', 'only jobs started at or after this date or time (2026-12-01, 2026-12-01T09:00Z)')
    .option('--limit <n>', 'at most this many jobs (1-1000)', '50')
    .action(async (options: HistoryOptions) => {
      const usage = (message: string) => {
        context.stderr(`isotope: ${message}\n`);
        context.setExitCode(exitCodes.usage);
      };
      const badKind = options.kind.find((kind) => !(kinds as readonly string[]).includes(kind));
      if (badKind !== undefined) return usage(`--kind ${badKind} is not one of ${kinds.join(', ')}`);
      const badOutcome = options.outcome.find((outcome) => !(outcomes as readonly string[]).includes(outcome));
      if (badOutcome !== undefined) return usage(`--outcome ${badOutcome} is not one of ${outcomes.join(', ')}`);
      const sinceMs = options.since === undefined ? undefined : Date.parse(options.since);
      if (sinceMs !== undefined && !Number.isFinite(sinceMs)) return usage(`--since ${options.since} is not a date`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return usage(`--limit ${options.limit} is not a whole number from 1 to 1000`);
      const result = await context.createService().call('history:list', {
        ...(options.kind.length > 0 ? { kinds: options.kind as HistoryJobKind[] } : {}),
        ...(options.outcome.length > 0 ? { outcomes: options.outcome as HistoryOutcome[] } : {}),
        ...(sinceMs === undefined ? {} : { sinceMs: Math.max(0, sinceMs) }),
        limit,
      });
      context.setExitCode(reportResult(context, result, options.json === true, describeHistory));
    });
}

function describeHistory({ records, total, unreadLines }: CallResponse<'history:list'>): string {
  // Said whatever the listing holds: a record lost to a damaged line is not in the table.
  const unread =
    unreadLines === undefined
      ? ''
      : `${unreadLines.count} ${unreadLines.count === 1 ? 'line' : 'lines'} of the journal could not be read (first at byte ${unreadLines.firstOffsetBytes})\n`;
  if (records.length === 0) return `No jobs in the history.\n${unread}`;
  const rows = records.map((record) => [
    new Date(record.startedMs).toISOString().slice(0, 16).replace('T', ' '),
    `${record.kind} ${record.image.path ?? record.image.url ?? ''}`.trim(),
    record.targets.map(describeTarget).join('; ') || '-',
    record.outcome + (record.verify === null ? '' : `, verify ${record.verify}`) + (record.error ? ` (${record.error.code})` : ''),
    [rate('write', record.writeBytesPerSecond), rate('verify', record.verifyBytesPerSecond)].filter((part) => part !== '').join(', ') || '-',
  ]);
  const header = ['WHEN (UTC)', 'WHAT', 'WHERE', 'OUTCOME', 'SPEEDS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  const shown = total > records.length ? `\n${records.length} of ${total} jobs shown (--limit)\n` : '\n';
  return `${[line(header), ...rows.map(line)].join('\n')}${shown}${unread}`;
}

function describeTarget(target: HistoryTarget): string {
  const facts = [target.model, target.sizeBytes === null ? null : formatBytes(target.sizeBytes), target.busPath].filter((fact) => fact !== null);
  return facts.length === 0 ? target.device : `${target.device} (${facts.join(', ')})`;
}

function rate(phase: string, bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : `${phase} ${formatBytes(bytesPerSecond)}/s`;
}
