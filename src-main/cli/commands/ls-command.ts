// `isotope ls IMAGE [PATH] [-R] [--namespace auto|iso9660|joliet|rockridge|udf] [--json]`: the entries of
// a folder inside an image (or its whole subtree with -R). JSON: an array of
// { path, type, sizeBytes, target?, mode?, mtimeMs? }, paths absolute from the image root.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ImageEntry, ImageListing, ImageNamespaceChoice } from '../../../shared/image.ts';
import type { Result } from '../../../shared/result.ts';
import { reportResult, type CliContext } from '../cli-context.ts';

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
      const result = (await context.createService().invoke('image:list', request)) as Result<ImageListing>;
      const json = options.json === true;
      // Only JSON needs the documented shape; the text listing reads the entries as they are.
      const shaped: Result<unknown> = result.ok && json ? { ok: true, value: result.value.entries.map(toListedEntry) } : result;
      context.setExitCode(reportResult(context, shaped, json, () => (result.ok ? describeEntries(result.value.entries) : '')));
    });
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
  const lines = new Array<string>(entries.length);
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as ImageEntry;
    const mode = entry.mode !== undefined ? formatOnce(modes, entry.mode, formatMode) : '    ';
    const time = entry.mtimeMs !== undefined ? formatOnce(times, entry.mtimeMs, formatTime) : noTime;
    const link = entry.target !== undefined ? ` -> ${entry.target}` : '';
    lines[index] = `${typeLetters[entry.type]} ${mode} ${String(entry.sizeBytes).padStart(12)} ${time} ${entry.path}${link}\n`;
  }
  return lines.join('');
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
