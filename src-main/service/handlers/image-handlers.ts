// `image:*` calls: choosing, opening, listing, previewing and extracting images.
import { extractEntries } from '../../image/extract-entries.ts';
import { listImage, previewImageFile, statImageEntry } from '../../image/image-operations.ts';
import { withImageFile } from '../../image/open-image-file.ts';
import { summarizeImage } from '../../image/summarize-image.ts';
import { AppFailure } from '../app-failure.ts';
import type { HandlerTable } from '../handler-types.ts';

/** Running extractions by id, so `image:extract-cancel` can reach them. */
const runningExtractions = new Map<string, AbortController>();

export const imageHandlers: HandlerTable<'image:pick' | 'image:open' | 'image:list' | 'image:preview' | 'image:stat' | 'image:extract' | 'image:extract-cancel'> = {
  'image:pick': async (_request, { options }) => {
    if (!options.pickImageFile) throw new AppFailure('unsupported', `the ${options.shell} shell has no file dialog`);
    return { path: await options.pickImageFile() };
  },
  'image:open': async ({ path }, { events }) => {
    const summary = await summarizeImage(path);
    events.emit('image:opened', summary);
    return summary;
  },
  'image:list': (request) => listImage(request),
  'image:preview': (request) => previewImageFile(request),
  'image:stat': (request) => statImageEntry(request),
  'image:extract': async (request, { events }) => {
    if (runningExtractions.has(request.extractionId)) {
      throw new AppFailure('invalid-request', `an extraction with id ${request.extractionId} is already running`);
    }
    const controller = new AbortController();
    runningExtractions.set(request.extractionId, controller);
    try {
      const summary = await withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, ({ image }) =>
        extractEntries({
          image,
          entries: request.entries ?? [],
          destination: request.destination,
          signal: controller.signal,
          onProgress: (progress) => events.emit('image:extract-progressed', { extractionId: request.extractionId, ...progress }),
        }),
      );
      return { extractionId: request.extractionId, ...summary };
    } finally {
      runningExtractions.delete(request.extractionId);
    }
  },
  'image:extract-cancel': async ({ extractionId }) => {
    const controller = runningExtractions.get(extractionId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },
};
