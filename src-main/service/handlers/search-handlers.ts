// `image:search` and `image:extract-conflicts` (issue 17): both read the image, so both run as parse
// jobs (src-main/isolation/parse-jobs.ts), in a capped worker except in the CLI. A search streams its
// matches as the job's progress; each batch goes out as one `image:search-found` event.
import type { HandlerTable } from '../handler-types.ts';
import { checkExtractionDestination } from './image-handlers.ts';
import { startJob } from './job-handlers.ts';

export const searchHandlers: HandlerTable<'image:search' | 'image:extract-conflicts'> = {
  'image:search': (request, context) =>
    Promise.resolve(
      startJob(context, 'search', (jobId, signal) =>
        context.parser.run('image:search', request, {
          signal,
          onProgress: ({ matches }) => {
            // Batches without matches only keep the worker's time budget moving while the walk goes on.
            if (matches.length > 0) context.events.emit('image:search-found', { jobId, matches });
          },
        }),
      ),
    ),
  'image:extract-conflicts': async (request, { parser, options }) => {
    await checkExtractionDestination(request.destination, options);
    return parser.run('image:extract-conflicts', request);
  },
};
