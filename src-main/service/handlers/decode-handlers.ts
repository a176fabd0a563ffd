// `image:decode`, `cache:list` and `cache:clear`: compressed images that cannot be read at random are
// decoded once into a cache file in Isotope's data folder (src-main/container/decoded-cache.ts), which
// listing, the boot report, the flash and the checksum pass then read. `image:decode` takes any path
// the user opens, as `image:open` does; the cache itself lives only in the data folder, and
// `cache:clear` removes only files inside <data dir>/decoded/ (anything else is refused).
import { clearDecodedCaches, decodedCacheDiskBytes, decodeToCache, listDecodedCaches } from '../../container/decoded-cache.ts';
import { ProgressThrottle, RateMeter } from '../../jobs/progress-meter.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { startJob } from './job-handlers.ts';

export const decodeHandlers: HandlerTable<'image:decode' | 'cache:list' | 'cache:clear'> = {
  'image:decode': ({ path }, context) => Promise.resolve(startDecodeJob(path, context)),
  'cache:list': async () => {
    // The whole folder's space: a killed decode's partial file is not an entry, but Clear all removes it.
    return { entries: await listDecodedCaches(), diskBytes: await decodedCacheDiskBytes() };
  },
  'cache:clear': ({ cachePaths }) => clearDecodedCaches(cachePaths),
};

/** The decode as a job: progress counts compressed bytes read of the compressed file's size. */
function startDecodeJob(path: string, context: HandlerContext): { jobId: string } {
  const meter = new RateMeter();
  const throttle = new ProgressThrottle();
  return startJob(context, 'decode', (jobId, signal) =>
    decodeToCache(path, {
      signal,
      onProgress: ({ compressedBytesRead, compressedSizeBytes }) => {
        meter.sample(compressedBytesRead);
        if (!throttle.due(compressedBytesRead === compressedSizeBytes)) return;
        context.events.emit('job:progress', {
          jobId,
          kind: 'decode',
          phase: 'decoding',
          bytesDone: compressedBytesRead,
          bytesTotal: compressedSizeBytes,
          ...meter.rate(compressedBytesRead, compressedSizeBytes),
          targets: [],
          subject: path,
          files: null,
        });
      },
    }),
  );
}
