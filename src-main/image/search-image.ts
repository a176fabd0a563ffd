// A search across a whole image by name or glob (`image:search`): one walk over the namespace the
// listing uses (the tree's own work budget bounds it), matches handed over in batches as they are
// found, so the first result shows while the walk goes on. Cancelled through its signal.
import type { ImageSearchMatch, ImageSearchRequest, ImageSearchResult } from '../../shared/image.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { ProgressThrottle } from '../jobs/progress-meter.ts';
import { compileNamePattern } from './name-pattern.ts';
import { withImageFile } from './open-image-file.ts';

/** The most matches a search returns, and its default. */
export const searchMaxMatches = 10_000;
/** A batch carries at most this many matches... */
export const searchBatchMaxMatches = 500;
/** ...and batches go out at most about this often (a full batch goes at once). */
export const searchBatchIntervalMs = 250;

/** One batch of a running search: the matches since the last one, and how many entries were read so far. */
export interface ImageSearchProgress {
  readonly matches: readonly ImageSearchMatch[];
  readonly entriesSearched: number;
}

export interface SearchImageOptions {
  readonly signal?: AbortSignal;
  readonly onBatch: (batch: ImageSearchProgress) => void;
}

export async function searchImage(request: ImageSearchRequest, options: SearchImageOptions): Promise<ImageSearchResult> {
  const maxMatches = Math.min(request.maxMatches ?? searchMaxMatches, searchMaxMatches);
  const matches = compileNamePattern(request.pattern);
  const throttle = new ProgressThrottle(undefined, searchBatchIntervalMs);
  let pending: ImageSearchMatch[] = [];
  let matchCount = 0;
  let entriesSearched = 0;
  const flush = (force: boolean): void => {
    if (!throttle.due(force || pending.length >= searchBatchMaxMatches)) return;
    options.onBatch({ matches: pending, entriesSearched });
    pending = [];
  };
  let truncated = false;
  await withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, async ({ image }) => {
    for await (const batch of image.walkBatches(image.root)) {
      throwIfCancelled(options.signal, `searching ${request.path} for ${JSON.stringify(request.pattern)}`);
      for (const entry of batch) {
        entriesSearched += 1;
        if (!matches(entry.name, entry.path)) continue;
        if (matchCount === maxMatches) {
          truncated = true;
          return;
        }
        pending.push({ path: entry.path, kind: entry.type, sizeBytes: entry.sizeBytes });
        matchCount += 1;
        if (pending.length >= searchBatchMaxMatches) flush(true);
      }
      // A batch per directory (or part of one) read keeps the time budget moving even while nothing
      // matches; the first matches go out at once, not an interval after the last empty batch (issue 17).
      flush(pending.length > 0 && pending.length === matchCount);
    }
  });
  flush(true);
  return { matchCount, entriesSearched, truncated };
}
