// `isotope find IMAGE PATTERN [--namespace …] [--max N] [--json]`: the entries of a whole image whose
// name (or, for a pattern with a `/`, whose path) matches a glob or holds the text, as the Contents
// tab's search finds them (src-main/image/search-image.ts). Text: one path per line, printed as the
// walk finds them. JSON: { matches: [{ path, kind, sizeBytes }], matchCount, entriesSearched, truncated }.
// Exit 0 when something matched, 1 when nothing did (as grep).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { imageNamespaces, type ImageNamespaceChoice, type ImageSearchMatch } from '../../../shared/image.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

interface FindOptions {
  readonly namespace: ImageNamespaceChoice;
  readonly max?: string;
  readonly json?: boolean;
}

export function registerFindCommand(program: Command, context: CliContext): void {
  program
    .command('find')
    .description('find files in a whole image by name or glob (*.cfg, boot/**/*.efi)')
    .argument('<image>', 'path of the image file')
    .argument('<pattern>', 'a glob (*, ?, [...], ** across folders) or a part of the name, any case')
    .addOption(new Option('--namespace <name>', 'which names to search').choices(['auto', ...imageNamespaces]).default('auto'))
    .option('--max <count>', 'stop after this many matches (at most 10000)')
    .option('--json', 'print one JSON document')
    .action(async (image: string, pattern: string, options: FindOptions) => {
      const maxMatches = options.max === undefined ? undefined : Number(options.max);
      if (maxMatches !== undefined && !(Number.isInteger(maxMatches) && maxMatches >= 1)) {
        context.stderr(`isotope: --max takes a whole number of at least 1, not ${options.max}\n`);
        return context.setExitCode(exitCodes.usage);
      }
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image), options);
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
      // The image engine loads only when this command runs (see cli.ts).
      const { searchImage } = await import('../../image/search-image.ts');
      const found: ImageSearchMatch[] = [];
      try {
        const result = await searchImage(
          { path: resolve(image), pattern, namespace: options.namespace, ...(maxMatches === undefined ? {} : { maxMatches }) },
          {
            onBatch: ({ matches }) => {
              if (options.json === true) found.push(...matches);
              else for (const match of matches) context.stdout(`${match.path}\n`);
            },
          },
        );
        if (options.json === true) context.stdout(`${JSON.stringify({ matches: found, ...result }, null, 2)}\n`);
        else if (result.truncated) context.stderr(`isotope: stopped at ${result.matchCount} matches (--max)\n`);
        context.setExitCode(result.matchCount > 0 ? exitCodes.ok : exitCodes.failed);
      } catch (error) {
        context.setExitCode(reportFailure(context, error, options.json === true));
      }
    });
}
