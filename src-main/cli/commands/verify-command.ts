// `isotope verify IMAGE TARGET [--json]`: compares an already written drive (or file) with an image,
// reading the drive around the page cache. Exit 0 when identical, 1 on a mismatch (range printed).
// A copy-files stick (issue 14) holds the image's files, not its bytes: it is compared file by file.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { writeModeRequests, type WriteModeRequest } from '../../../shared/stick.ts';
import { ok } from '../../../shared/result.ts';
import { exitCodes } from '../exit-codes.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { namesExistingPaths } from '../existing-paths.ts';
import { describeFlashResult, followFlashJob } from './flash-command.ts';

export function registerVerifyCommand(program: Command, context: CliContext): void {
  program
    .command('verify')
    .description('compare a written drive with an image (decoding .gz/.xz/.bz2/.zst/.zip images)')
    .argument('<image>', 'the image')
    .argument('<target>', 'the device (or file) it was written to')
    .addOption(
      new Option(
        '--mode <mode>',
        'how the drive was written: raw (byte for byte), copy (its files on a new stick), auto (copy when the drive holds such a stick)',
      )
        .choices(writeModeRequests)
        .default('auto'),
    )
    .option('--json', 'one JSON object per line: progress events, then the result')
    .action(async (image: string, target: string, options: { json?: boolean; mode: WriteModeRequest }) => {
      const service = context.createService();
      const json = options.json === true;
      if (!(await namesExistingPaths(context, [resolve(target)], json))) return;
      // A path the user names at the terminal: the CLI starts the read-only job below the contract,
      // whose `flash:verify` takes only drive ids from a fresh enumeration.
      const work = { kind: 'verify', imagePath: resolve(image), target: { path: resolve(target) }, mode: options.mode } as const;
      const result = await followFlashJob(context, service, { json, tty: process.stderr.isTTY === true }, async () => ok(await service.startTerminalJob(work)));
      if (!result.ok) return context.setExitCode(reportResult(context, result, json, () => ''));
      if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'flash', ...result.value })}\n`);
      else context.stdout(describeFlashResult(result.value));
      context.setExitCode(result.value.outcome === 'succeeded' ? exitCodes.ok : exitCodes.failed);
    });
}
