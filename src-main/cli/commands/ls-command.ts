// `isotope ls IMAGE [PATH] [-R] [--namespace auto|iso9660|joliet|rockridge|udf] [--json]`: the entries of
// a folder inside an image (or its whole subtree with -R). JSON: an array of
// { path, type, sizeBytes, target?, mode?, mtimeMs? }, paths absolute from the image root, through the
// service as one document; text is streamed from the image engine directly, as `cat` streams bytes.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ImageEntry, ImageListing, ImageListRequest, ImageNamespaceChoice } from '../../../shared/image.ts';
import type { Result } from '../../../shared/result.ts';
import { streamImageListing } from '../../image/image-operations.ts';
import { reportFailure, reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';

export function registerLsCommand(program: Command, context: CliContext): void {
  program
    .command('ls')
    .description('list the files of a folder inside an image')
    .argument('<image>', 'path of the image file')
    .argument('[path]', 'folder inside the image', '/')
    .option('-R, --recursive', 'list the whole subtree')
    .addOption(new Option('--namespace <name>', 'which names to show').choices(['auto', 'iso9660', 'joliet', 'rockridge', 'udf']).default('auto'))
    .option('--json', 'print one JSON document')
    .action(async (image: string, path: string, options: { recursive?: boolean; namespace: ImageNamespaceChoice; json?: boolean }) => {
      const request = { path: resolve(image), directory: path, namespace: options.namespace, recursive: options.recursive === true };
      if (options.json !== true) {
        context.setExitCode(await printListing(context, request));
        return;
      }
      const result = (await context.createService().invoke('image:list', request)) as Result<ImageListing>;
      // JSON is one document in the documented shape.
      const shaped: Result<unknown> = result.ok ? { ok: true, value: result.value.entries.map(toListedEntry) } : result;
      context.setExitCode(reportResult(context, shaped, true, () => ''));
    });
}

/**
 * The text listing, printed a directory at a time as the engine reads it (as `find` does): the first
 * lines appear at once, and `ls -R` of a huge image holds one directory in memory, not the image.
 * A damaged directory deep in the tree ends the listing there with the error and its exit code.
 */
async function printListing(context: CliContext, request: ImageListRequest): Promise<number> {
  try {
    await streamImageListing(request, (entries) => context.stdout(describeEntries(entries)));
    return exitCodes.ok;
  } catch (error) {
    return reportFailure(context, error);
  }
}

/** The documented JSON shape of one entry (and nothing else). */
export function toListedEntry(entry: ImageEntry): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    sizeBytes: entry.sizeBytes,
    ...(entry.target !== undefined ? { target: entry.target } : {}),
    ...(entry.mode !== undefined ? { mode: entry.mode } : {}),
    ...(entry.mtimeMs !== undefined ? { mtimeMs: entry.mtimeMs } : {}),
  };
}

const typeLetters = { file: '-', directory: 'd', symlink: 'l', other: '?' } as const;

function describeEntries(entries: readonly ImageEntry[]): string {
  // Images are usually mastered in one go with a few modes: most entries share a handful of times
  // and modes, so each is formatted once. A -R listing formats every entry of the image.
  const times = new Map<number, string>();
  const modes = new Map<number, string>();
  // Lines are joined a few thousand at a time: each line is a chain of string pieces until joined,
  // and chains for every entry of a large image would all live (and be copied by the GC) at once.
  const chunks: string[] = [];
  const lines: string[] = [];
  for (const entry of entries) {
    const mode = entry.mode !== undefined ? formatOnce(modes, entry.mode, formatMode) : '    ';
    const time = entry.mtimeMs !== undefined ? formatOnce(times, entry.mtimeMs, formatTime) : noTime;
    const link = entry.target !== undefined ? ` -> ${entry.target}` : '';
    lines.push(`${typeLetters[entry.type]} ${mode} ${String(entry.sizeBytes).padStart(12)} ${time} ${entry.path}${link}\n`);
    if (lines.length === 4096) chunks.push(lines.splice(0).join(''));
  }
  chunks.push(lines.join(''));
  return chunks.length === 1 ? (chunks[0] as string) : chunks.join('');
}

const noTime = ''.padEnd(19);
const formatMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');
const formatTime = (mtimeMs: number): string => new Date(mtimeMs).toISOString().slice(0, 19).replace('T', ' ');

function formatOnce(cache: Map<number, string>, value: number, format: (value: number) => string): string {
  let text = cache.get(value);
  if (text === undefined) {
    text = format(value);
    if (cache.size < 4096) cache.set(value, text);
  }
  return text;
}
