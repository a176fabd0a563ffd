// `isotope ls IMAGE [PATH] [-R] [--namespace auto|iso9660|joliet|rockridge|udf|partitions] [--json]`: the
// entries of a folder inside an image (or its whole subtree with -R); a disk image's partitions are its
// top-level folders ("/1-bootfs (FAT32)/"). JSON: an array of { path, type, sizeBytes, target?, mode?,
// mtimeMs?, uid?, gid?, attributes?, device?, partition? }, paths absolute from the image root. Both text and
// JSON are streamed from the image engine directly, as `cat` streams bytes: a listing of any size is
// printed a directory at a time, never built whole (the contract's image:list answers in pages).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { imageNamespaces, type ImageEntry, type ImageListRequest, type ImageNamespaceChoice } from '../../../shared/image.ts';
import type { streamImageListing as streamImageListingType } from '../../image/image-operations.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

type StreamImageListing = typeof streamImageListingType;

export function registerLsCommand(program: Command, context: CliContext): void {
  program
    .command('ls')
    .description('list the files of a folder inside an image')
    .argument('<image>', 'path of the image file')
    .argument('[path]', 'folder inside the image', '/')
    .option('-R, --recursive', 'list the whole subtree')
    .addOption(new Option('--namespace <name>', 'which names to show').choices(['auto', ...imageNamespaces]).default('auto'))
    .option('--json', 'print one JSON document')
    .action(async (image: string, path: string, options: { recursive?: boolean; namespace: ImageNamespaceChoice; json?: boolean }) => {
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image), options);
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
      // The image engine loads only when this command runs (see cli.ts).
      const { streamImageListing } = await import('../../image/image-operations.ts');
      const request = { path: resolve(image), directory: path, namespace: options.namespace, recursive: options.recursive === true };
      context.setExitCode(
        await (options.json === true ? printJsonListing(context, streamImageListing, request) : printListing(context, streamImageListing, request)),
      );
    });
}

/**
 * The text listing, printed a directory at a time as the engine reads it (as `find` does): the first
 * lines appear at once, and `ls -R` of a huge image holds one directory in memory, not the image.
 * A damaged directory deep in the tree ends the listing there with the error and its exit code.
 */
async function printListing(context: CliContext, streamImageListing: StreamImageListing, request: ImageListRequest): Promise<number> {
  try {
    await streamImageListing(request, (entries) => describeEntries(entries, context.stdout));
    return exitCodes.ok;
  } catch (error) {
    return reportFailure(context, error);
  }
}

/**
 * The JSON listing, one document streamed as the text listing is: `[`, one entry per line, `]`.
 * Built as one string, `ls -R --json` of a hostile image ran for 43 s and 2.96 GB and then threw
 * (V8's strings stop at 2^29 characters). An error before the first entry prints `{ "error": ... }`
 * as every --json command does; an error after it leaves the array unclosed, so no JSON parser
 * takes a partial listing for the whole, and the message and exit code say what happened.
 */
async function printJsonListing(context: CliContext, streamImageListing: StreamImageListing, request: ImageListRequest): Promise<number> {
  let started = false;
  try {
    await streamImageListing(request, (entries) => {
      for (let at = 0; at < entries.length; at += linesPerWrite) {
        const lines = entries.slice(at, at + linesPerWrite).map((entry) => JSON.stringify(toListedEntry(entry)));
        context.stdout(`${started ? ',\n' : '[\n'}${lines.join(',\n')}`);
        started = true;
      }
    });
  } catch (error) {
    if (!started) return reportFailure(context, error, true);
    context.stdout('\n');
    return reportFailure(context, error);
  }
  context.stdout(started ? '\n]\n' : '[]\n');
  return exitCodes.ok;
}

/** The documented JSON shape of one entry (and nothing else); `device` is a device node's major and minor number. */
export function toListedEntry(entry: ImageEntry & { readonly device?: { readonly high: number; readonly low: number } }): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    sizeBytes: entry.sizeBytes,
    ...(entry.target !== undefined ? { target: entry.target } : {}),
    ...(entry.mode !== undefined ? { mode: entry.mode } : {}),
    ...(entry.mtimeMs !== undefined ? { mtimeMs: entry.mtimeMs } : {}),
    ...(entry.uid !== undefined ? { uid: entry.uid } : {}),
    ...(entry.gid !== undefined ? { gid: entry.gid } : {}),
    ...(entry.attributes !== undefined && entry.attributes.length > 0 ? { attributes: entry.attributes } : {}),
    ...(entry.device !== undefined ? { device: { major: entry.device.high, minor: entry.device.low } } : {}),
    ...(entry.partition !== undefined ? { partition: entry.partition } : {}),
  };
}

const typeLetters = { file: '-', directory: 'd', symlink: 'l', other: '?' } as const;

/**
 * Lines are written a few thousand at a time: one directory can hold millions of entries, and one
 * string of them all would pass V8's largest string; each line is also a chain of string pieces
 * until joined, and chains for every entry would all live (and be copied by the GC) at once.
 */
const linesPerWrite = 4096;

function describeEntries(entries: readonly ImageEntry[], write: (text: string) => void): void {
  // Images are usually mastered in one go with a few modes: most entries share a handful of times
  // and modes, so each is formatted once. A -R listing formats every entry of the image.
  const times = new Map<number, string>();
  const modes = new Map<number, string>();
  const lines: string[] = [];
  for (const entry of entries) {
    const mode = entry.mode !== undefined ? formatOnce(modes, entry.mode, formatMode) : '    ';
    const time = entry.mtimeMs !== undefined ? formatOnce(times, entry.mtimeMs, formatTime) : noTime;
    const link = entry.target !== undefined ? ` -> ${entry.target}` : entry.partition?.browsable === false ? '  (not browsable)' : '';
    lines.push(`${typeLetters[entry.type]} ${mode} ${String(entry.sizeBytes).padStart(12)} ${time} ${entry.path}${link}\n`);
    if (lines.length === linesPerWrite) write(lines.splice(0).join(''));
  }
  if (lines.length > 0) write(lines.join(''));
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
