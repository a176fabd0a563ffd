// `image:decode`, `cache:list` and `cache:clear`: compressed images that cannot be read at random are
// decoded once into a cache file in Isotope's data folder (src-main/container/compressed/), which
// listing, the boot report, the flash and the checksum pass then read. Stub: filled in by issue 16.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const decodeHandlers: HandlerTable<'image:decode' | 'cache:list' | 'cache:clear'> = {
  'image:decode': () => Promise.reject(new CodedError('unsupported', 'decoding compressed images is not built yet')),
  'cache:list': () => Promise.resolve({ entries: [], diskBytes: 0 }),
  'cache:clear': () => Promise.resolve({ removedBytes: 0, kept: [] }),
};
