// `isotope remaster IN.iso -o OUT.iso [--add SRC:DEST]... [--remove PATH]... [--rename FROM:TO]...`: a
// copy of an image with files added, removed or renamed, its boot kept (El Torito entries, boot info
// tables, the hybrid MBR/GPT rebuilt for the new size), through the same `iso:remaster` call as the
// app. The original is only read. Edits apply in this order: removals, then renames, then additions
// (an addition replaces what is at its path).
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { IsoRemasterRequest, RemasterEdit } from '../../../shared/authoring.ts';
import { collect, reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { describePlan, followIsoJob, reportIsoWrite, sourceDateEpoch } from './create-command.ts';

interface RemasterFlags {
  output: string;
  add: string[];
  remove: string[];
  rename: string[];
  label?: string;
  reproducible?: boolean;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
  /** False with --no-sha256. */
  sha256: boolean;
}

export function registerRemasterCommand(program: Command, context: CliContext): void {
  program
    .command('remaster')
    .description('write a copy of an ISO image with files added, removed or renamed, its boot kept')
    .argument('<image>', 'the image to copy (never written)')
    .requiredOption('-o, --output <file>', 'the new image file')
    .option('--add <src:dest>', "a file or folder on disk, placed at DEST in the image (SRC alone: at /SRC's name); replaces what is there", collect, [])
    .option('--remove <path>', 'a file or folder of the image to leave out', collect, [])
    .option('--rename <from:to>', 'move a file or folder of the image to a new path', collect, [])
    .option('--label <text>', "a new volume label (default: the original's)")
    .option('--reproducible', 'the same bytes for the same input on any machine (times from SOURCE_DATE_EPOCH, default 0)')
    .option('--dry-run', 'print the layout plan; write nothing')
    .option('--json', 'JSON: the plan with --dry-run; else one object per line (progress, then the result)')
    .option('--force', 'replace an existing output file')
    .option('--no-sha256', "do not compute the image's SHA-256 while writing (it writes only, as xorriso and genisoimage do)")
    .action(async (image: string, flags: RemasterFlags) => {
      const epoch = sourceDateEpoch(context, flags.reproducible === true);
      if (epoch === 'invalid') return context.setExitCode(exitCodes.usage);
      const edits = remasterEdits(flags);
      if (typeof edits === 'string') {
        context.stderr(`isotope: ${edits}\n`);
        return context.setExitCode(exitCodes.usage);
      }
      const request: IsoRemasterRequest = {
        imagePath: resolve(image),
        outputPath: resolve(flags.output),
        edits,
        ...(flags.label !== undefined ? { label: flags.label } : {}),
        reproducible: epoch !== null,
        ...(epoch !== null ? { sourceDateEpochSeconds: epoch } : {}),
        overwrite: flags.force === true,
        sha256: flags.sha256,
      };
      const service = context.createService();
      const json = flags.json === true;
      if (flags.dryRun) {
        const plan = await service.call('iso:plan-remaster', request);
        return context.setExitCode(reportResult(context, plan, json, describePlan));
      }
      const result = await followIsoJob(context, service, 'remaster', json, () => service.call('iso:remaster', request));
      context.setExitCode(reportIsoWrite(context, result, 'remaster', json));
    });
}

/** The edits in the order they apply, or what is wrong with one of them. */
function remasterEdits(flags: RemasterFlags): RemasterEdit[] | string {
  const edits: RemasterEdit[] = flags.remove.map((path) => ({ kind: 'remove', imagePath: imagePath(path) }));
  for (const pair of flags.rename) {
    const split = splitAtImagePath(pair);
    if (split === null) return `--rename ${pair}: give FROM:TO, both paths in the image (/isolinux/txt.cfg:/isolinux/old.cfg)`;
    edits.push({ kind: 'rename', imagePath: imagePath(split.before), newImagePath: split.imagePath });
  }
  for (const pair of flags.add) {
    // SRC:DEST, where DEST is an image path ('/...'); a colon elsewhere belongs to the file's name.
    const split = splitAtImagePath(pair);
    const sourcePath = resolve(split?.before ?? pair);
    edits.push({ kind: 'add', sourcePath, imagePath: split?.imagePath ?? `/${basename(sourcePath)}` });
  }
  return edits;
}

/** 'a:b:/c/d' -> { before: 'a:b', imagePath: '/c/d' }: split at the last ':/'; null when there is none. */
function splitAtImagePath(text: string): { before: string; imagePath: string } | null {
  const at = text.lastIndexOf(':/');
  if (at <= 0) return null;
  return { before: text.slice(0, at), imagePath: text.slice(at + 1) };
}

/** Paths in the image are absolute; '/' is added to one given without it. */
function imagePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
