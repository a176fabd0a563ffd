// `image:*` calls: choosing, opening, listing, previewing and extracting images.
// Everything that reads the image runs as a parse job (src-main/isolation/parse-jobs.ts): in a capped
// worker, except in the CLI.
import { dirname, resolve } from 'node:path';
import { RateMeter } from '../../jobs/progress-meter.ts';
import { DestinationNotAllowedError, ExtractionDestinations } from '../../security/extraction-destinations.ts';
import { CodedError } from '../../jobs/errors.ts';
import { RecentFolders } from '../../files/recent-folders.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { recentFolders } from './file-handlers.ts';
import { startJob } from './job-handlers.ts';

/**
 * Where the contract may extract: the home folder, and folders chosen in a native folder dialog
 * (a future `image:pick-folder` records its answer here with `choose`). The CLI, whose user typed
 * the destination, is not limited.
 */
export const extractionDestinations = new ExtractionDestinations();

/** Refuses a destination the contract may not extract into (`image:extract`, and `image:extract-conflicts`, which would tell what lies there). */
export async function checkExtractionDestination(destination: string, options: HandlerContext['options']): Promise<void> {
  if (options.shell === 'cli') return;
  await extractionDestinations.check(destination).catch((error: unknown) => {
    if (error instanceof DestinationNotAllowedError) throw new CodedError('destination-not-allowed', error.message, { path: error.destination });
    throw error;
  });
}

/**
 * The folders extractions of this engine wrote into, resolved: the only ones `files:show-in-folder`
 * shows. The latest 100 are remembered for "Show in folder".
 */
const extractedFolders = new RecentFolders({ max: 100 });

export const imageHandlers: HandlerTable<
  'image:pick' | 'image:open' | 'image:list' | 'image:preview' | 'image:stat' | 'image:extract' | 'files:show-in-folder'
> = {
  'image:pick': async (request, { options }) => {
    if (!options.pickOpenPath) throw new CodedError('unsupported', `the ${options.shell} shell has no file dialog`);
    const purpose = request.purpose ?? 'image';
    const path = await options.pickOpenPath({ purpose, title: request.title ?? null });
    // A folder chosen in the shell's own dialog is the user's choice of destination, not the renderer's word.
    if (path !== null && purpose === 'folder') await extractionDestinations.choose(path);
    return { path };
  },
  'image:open': async (request, { events, parser }) => {
    const summary = await parser.run('image:open', request);
    recentFolders.remember(dirname(summary.path));
    events.emit('image:opened', summary);
    return summary;
  },
  'image:list': (request, { parser }) => parser.run('image:list', request),
  'image:preview': (request, { parser }) => parser.run('image:preview', request),
  'image:stat': (request, { parser }) => parser.run('image:stat', request),
  'image:extract': async (request, context) => {
    const { events, parser, options } = context;
    await checkExtractionDestination(request.destination, options);
    // The extraction runs as a job: `job:cancel` with its id stops it (and removes its partial output).
    const meter = new RateMeter();
    return startJob(context, 'extract', async (jobId, signal) => {
      const summary = await parser.run('image:extract', request, {
        signal,
        onProgress: (progress) => {
          meter.sample(progress.bytesWritten);
          events.emit('job:progress', {
            jobId,
            kind: 'extract',
            phase: 'extracting',
            bytesDone: progress.bytesWritten,
            bytesTotal: progress.totalBytes,
            ...meter.rate(progress.bytesWritten, progress.totalBytes),
            targets: [],
            subject: progress.currentPath,
            files: { done: progress.filesWritten, total: progress.totalFiles },
          });
        },
      });
      extractedFolders.remember(resolve(request.destination));
      return { jobId, ...summary };
    });
  },
  // Only a folder just extracted into: a renderer must not make the shell reveal any path it names.
  'files:show-in-folder': async (request, { options }) => {
    if (!options.showInFolder) throw new CodedError('unsupported', `the ${options.shell} shell cannot open a file manager`);
    const folder = resolve(request.path);
    if (!extractedFolders.has(folder)) throw new CodedError('forbidden', `${folder} is not a folder an extraction of this engine wrote into`, { path: folder });
    await options.showInFolder(folder);
    return {};
  },
};
